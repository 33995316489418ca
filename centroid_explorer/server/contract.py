"""The embedded server's side of the wire contract (docs/api-contract.md), in one place.

Everything tagged [ours] in the contract (what the published API leaves open and this project
decided) is a constant here; the routes and the OpenAPI descriptions read them from here.
"""

from __future__ import annotations

from typing import Final

# Defaults the SDK uses [doc].
DEFAULT_ALIAS = "default"
DEFAULT_PAGE_SIZE = 5
DEFAULT_PAGE = 1
DEFAULT_SIMILARITY_METRIC: Final = "cosine"  # Final keeps the literal type the Metric fields need
DEFAULT_DOCUMENTS_LIST_PAGE_SIZE = 20
DEFAULT_HISTORY_PAGE_SIZE = 20  # [ours]

# [ours] The largest page any endpoint answers; bigger requests get a 422 naming `page_size`.
MAX_PAGE_SIZE = 10_000
# [ours] The largest `page` number (far past any dataset; keeps every integer in 64 bits).
MAX_PAGE = 1_000_000_000
# [ours] Request bodies over this many bytes get a 413. A bulk insert of 10,000 documents with
# 768-dim vectors is ~80 MB of JSON, so this leaves room for that and refuses what would exhaust memory.
MAX_BODY_BYTES = 256 * 1024 * 1024
# [ours] A request body that stalls this long between two chunks gets a 408 and its connection closed.
BODY_READ_TIMEOUT_SECONDS = 30.0
# [ours] JSON values (a document, a centroid, the metadata object) nested deeper than this are
# refused with a 400: answers wrap stored values two levels deeper, and the JSON writer stops at 254.
MAX_JSON_DEPTH = 100
# [ours] The largest vector dimension a schema may declare or a vector may have.
MAX_DIMENSION = 65_536
# Names in documents [doc].
VECTOR_SUFFIX = "_vector_"
CLUSTER_FIELD = "_cluster_"
ID_FIELD = "_id"
# Older clients send a centroid's vector under this key; it is stored under the vector field [doc].
LEGACY_CENTROID_VECTOR = "centroid_vector_"
# [ours] `_relevance` is the score documents are ordered by, higher is closer.
RELEVANCE_FIELD = "_relevance"

# The hosted base URLs end in a version (`/latest`, `/v1`, with or without a trailing slash) and
# SDKs join them to paths by plain concatenation; the server answers under these prefixes too [ours].
BASE_PATH_PREFIXES = ("/latest", "/v1")
# Paths that need no Authorization [ours].
PUBLIC_PATHS = ("/health", "/openapi.json")

# Dataset ids: lowercase letters, digits, `-`, `_` [doc]; the length bound is [ours].
DATASET_ID_PATTERN = r"^[a-z0-9_-]{1,200}$"
# [ours] Names and ids (document and centroid ids, field names, vector fields, aliases, cluster ids)
# are non-empty and hold no control characters: SQLite's text functions stop at a NUL, and a name
# with a newline or escape code cannot be shown or typed back.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
NAME_PATTERN = rf"^[^{_CONTROL}]+$"
# [ours] A partial update names fields by dotted paths (`a.b`): names as above, no empty part between dots.
UPDATE_PATH_PATTERN = rf"^[^.{_CONTROL}]+(?:\.[^.{_CONTROL}]+)*$"
# [ours] A centroid id goes into a URL path (`/services/cluster/centroids/{id}/delete`), and SDKs put
# it there unescaped: so insert refuses ids that cannot travel as one path segment that way, which
# are `.` and `..` (clients resolve them as dot segments), and ids holding `/`, `?`, `#` or `%`.
# Ids stored before this rule can still be deleted: the route takes any (percent-encoded) id.
_NOT_IN_PATH = _CONTROL + "/?#%"
CENTROID_ID_PATTERN = (
    rf"^(?:[^.{_NOT_IN_PATH}]|\.[^.{_NOT_IN_PATH}]|\.\.[^{_NOT_IN_PATH}])[^{_NOT_IN_PATH}]*$"
)
# [ours] A cursor names a position; only cursors of this form are read (empty: the first page), others are a 400.
CURSOR_PATTERN = r"^(?:p(?:0|[1-9][0-9]{0,17}))?$"

# [ours] Metadata versions travel as strong ETags, `"<digits>"`; a history version in a path is the digits.
VERSION_PATTERN = r"^[0-9]{1,18}$"
# [ours] The name recorded as the writer of a metadata version when the request's key has no name of its own.
DEFAULT_KEY_NAME = "default"

# Schema type names for non-vector fields [doc: text, numeric, {"vector": dim}]; bool and array [ours].
TYPE_TEXT = "text"
TYPE_NUMERIC = "numeric"
TYPE_BOOL = "bool"
TYPE_ARRAY = "array"
FIELD_TYPES = (TYPE_TEXT, TYPE_NUMERIC, TYPE_BOOL, TYPE_ARRAY)

OURS = {
    "auth": (
        "Missing or wrong `Authorization: <project>:<api_key>` answers 401 with {\"message\": ...}, before any "
        f"of the request body is read. Only {', '.join(PUBLIC_PATHS)} need none."
    ),
    "base_path": (
        f"Every route is also served under {' and '.join(BASE_PATH_PREFIXES)}, and extra slashes before the "
        "route are ignored, so a hosted-style base URL (`http://host:port/latest/`) works as it is."
    ),
    "docs": "No interactive docs page (it would load its scripts from the internet); this schema is /openapi.json.",
    "page_size": f"`page_size` is between 1 and {MAX_PAGE_SIZE}.",
    "body": (
        f"Request bodies over {MAX_BODY_BYTES} bytes answer 413; a body that stalls for "
        f"{BODY_READ_TIMEOUT_SECONDS:g} s answers 408."
    ),
    "depth": f"Documents, centroids and metadata nested deeper than {MAX_JSON_DEPTH} levels answer 400.",
    "cursor": (
        "`cursor` is the string from the previous page (null, empty or absent: the first page); it is null "
        "on the last page. Any other cursor is a 400."
    ),
    "count": "`count` is the total number of items across all pages.",
    "vector_field": (
        "Name the vector field as `vector_field` (a string) or `vector_fields` (a list of one), not both. "
        "For old SDKs the server also reads `vector_fields` in a GET query string, takes an empty "
        "`vector_field` beside `vector_fields` as absent, and accepts both when they name the same field."
    ),
    "names": (
        "Names and ids (`_id`, field names, vector fields, aliases, cluster ids) are non-empty strings "
        "without control characters."
    ),
    "centroid_id": (
        "Centroid ids also travel in URL paths, so `.`, `..` and ids with `/`, `?`, `#` or `%` are refused."
    ),
    "vectors": (
        "Vector fields are the top-level fields whose names end in `_vector_`: lists of 1 to "
        f"{MAX_DIMENSION} numbers that stay finite as float32 (they are stored as float32; float32's largest "
        "value, 3.4028235e38, is taken, and so is any number that rounds to it), all of one dimension per "
        "field in a dataset."
    ),
    "insert": (
        "All-or-nothing: one bad item means an error whose `failed_documents` lists each bad `_id` with its "
        "reason, and nothing is written: 400 for an item of the wrong shape, 409 when the items are well-formed "
        "but conflict with the dataset or with each other (a vector of another dimension than its field's, an "
        "`_id` given twice, a centroid with no vector under the named field). An existing `_id` is replaced."
    ),
    "relevance": (
        "`_relevance` is the ordering score, higher is closer: cosine similarity, dot product (dp), or the "
        "negated L1 / L2 distance to the document's own cluster centroid. A cluster with no stored centroid "
        "is ranked against the mean of its members; a member without the vector has `_relevance` null and "
        "comes last."
    ),
    "arrays": (
        "With `include_vector` and `Accept: application/vnd.centroid-explorer.arrays`, the page comes as "
        "`CEA1`, a uint32 little-endian header length, the JSON answer with no vector fields in its documents "
        "plus `\"vectors\": {\"field\": vector_field, \"shape\": [n, d], \"rows\": key}`, then n x d float32 "
        "little-endian: row i is the `vector_field` of the i-th document under `key` (`results`, or `documents` "
        "for `list`), NaN where it has none (d = 0 when none has it)."
    ),
    "documents_pages": (
        "Page with `cursor` (from the previous answer) or with `page` (1-based); `cursor` wins when both are given."
    ),
    "centroid_delete": (
        "Parameters in the JSON body (old clients may send them in the query string instead). Deleting "
        "centroids keeps the alias metadata and the documents' cluster assignments."
    ),
    "create": "An existing dataset id answers 409.",
    "etag": (
        "Metadata reads and writes answer an `ETag` header: the stored object's version, a strong tag such as "
        "`\"17\"` (`\"0\"`: nothing written yet). A write with `If-Match` is made only if the stored version is "
        "one it names (`*`: any); else 412 with {\"message\": ...} and the current `ETag`, and nothing is "
        "written. A write without `If-Match` replaces the object unconditionally."
    ),
    "sizes": (
        "Counts from the alias's assignments in one query: what one pass over every document's `_cluster_` "
        "(or a `documents` call per cluster) would give, at any k. Clusters without members are left out."
    ),
    "history": (
        "Every metadata write keeps a version: when (`written_at`, ISO 8601 UTC), by which API key's name "
        "(`written_by`), and what changed from the version before (`changed`: key paths). Versions stored "
        "before history was kept have these null. To restore a version, write its object: a new version."
    ),
    "update": (
        "A partial update by `_id`: a dotted name is a path (`\"a.b\": 1` sets `b` inside the object `a`), an "
        "object value is merged key by key into the object stored there, any other value replaces. All-or-nothing: "
        "every `_id` must name a stored document (else 404, `failed_documents` listing the unknown ones); the "
        "updated documents are checked as inserts are (400 / 409 with `failed_documents`), and a path through a "
        "value that is not an object is a 409. The answer is {\"inserted\": n, \"failed_documents\": []}, the "
        "names the SDK's `update_documents` reads."
    ),
    "insert_date": "Taken for the SDK's sake; this server adds no date field (as on bulk_insert).",
    "center_filters": (
        "Not supported by this server: only an empty list (the SDK's default) is taken. The SDK's other "
        "fields (approx, sum_fields, facets, min_score, include_count, include_facets) are ignored."
    ),
    "center_results": (
        "Cluster id -> that cluster's page of members (`page_size` per cluster, page `page`), ordered by "
        "`_relevance` to their own centroid under `similarity_metric`, each with `_relevance`; clusters in the order "
        "asked (every cluster of the alias, sorted, when `cluster_ids` is empty)."
    ),
    "errors": (
        "422 is FastAPI's validation shape; every other error is {\"message\": str}: 400 bad request, "
        "401 auth, 404 unknown dataset / vector field / alias / cluster, 408 body too slow, "
        "409 conflict with stored data, 412 a stale `If-Match` version, 413 too large."
    ),
}


def describe(*keys: str) -> str:
    """The project's decisions that apply to a route, for its OpenAPI description."""
    return "\n\n".join(f"[ours] {OURS[key]}" for key in keys)
