"""The embedded server's side of the wire contract (docs/api-contract.md), in one place.

Everything tagged [ours] in the contract (what the published API leaves open and this project
decided) is a constant here; the routes and the OpenAPI descriptions read them from here.
"""

from __future__ import annotations

# Defaults the SDK uses [doc].
DEFAULT_ALIAS = "default"
DEFAULT_PAGE_SIZE = 5
DEFAULT_PAGE = 1
DEFAULT_SIMILARITY_METRIC = "cosine"
DEFAULT_DOCUMENTS_LIST_PAGE_SIZE = 20

# [ours] The largest page any endpoint answers; bigger requests get a 422 naming `page_size`.
MAX_PAGE_SIZE = 10_000
# [ours] Request bodies over this many bytes get a 413. A bulk insert of 10,000 documents with
# 768-dim vectors is ~80 MB of JSON, so this leaves room for that and refuses what would exhaust memory.
MAX_BODY_BYTES = 256 * 1024 * 1024

SIMILARITY_METRICS = ("cosine", "l1", "l2", "dp")

# Names in documents [doc].
VECTOR_SUFFIX = "_vector_"
CLUSTER_FIELD = "_cluster_"
ID_FIELD = "_id"
# Older clients send a centroid's vector under this key; it is stored under the vector field [doc].
LEGACY_CENTROID_VECTOR = "centroid_vector_"
# [ours] `_relevance` is the score documents are ordered by, higher is closer.
RELEVANCE_FIELD = "_relevance"

# Dataset ids: lowercase letters, digits, `-`, `_` [doc]; the length bound is [ours].
DATASET_ID_PATTERN = r"^[a-z0-9_-]{1,200}$"

# Schema type names for non-vector fields [doc: text, numeric, {"vector": dim}]; bool and array [ours].
TYPE_TEXT = "text"
TYPE_NUMERIC = "numeric"
TYPE_BOOL = "bool"
TYPE_ARRAY = "array"

OURS = {
    "auth": "Missing or wrong `Authorization: <project>:<api_key>` answers 401 with {\"message\": ...}.",
    "page_size": f"`page_size` is between 1 and {MAX_PAGE_SIZE}.",
    "body": f"Request bodies over {MAX_BODY_BYTES} bytes answer 413.",
    "cursor": "`cursor` is an opaque string from the previous page; it is null on the last page.",
    "count": "`count` is the total number of items across all pages.",
    "vector_field": (
        "Name the vector field as `vector_field` (a string) or `vector_fields` (a list of one); "
        "naming two different fields is a 400."
    ),
    "vectors": (
        "Vector fields are the top-level fields whose names end in `_vector_`: non-empty lists of finite "
        "numbers (stored as float32), all of one dimension per field in a dataset."
    ),
    "insert": (
        "All-or-nothing: one bad item means a 400 whose `failed_documents` lists each bad `_id` with its "
        "reason, and nothing is written. An existing `_id` is replaced."
    ),
    "relevance": (
        "`_relevance` is the ordering score, higher is closer: cosine similarity, dot product (dp), or the "
        "negated L1 / L2 distance to the document's own cluster centroid. A cluster with no stored centroid "
        "is ranked against the mean of its members; a member without the vector has `_relevance` null and "
        "comes last."
    ),
    "documents_pages": (
        "Page with `cursor` (from the previous answer) or with `page` (1-based); `cursor` wins when both are given."
    ),
    "centroid_delete": "Deleting centroids keeps the alias metadata and the documents' cluster assignments.",
    "errors": (
        "422 is FastAPI's validation shape; every other error is {\"message\": str}: 400 bad request, "
        "401 auth, 404 unknown dataset / vector field / alias / cluster, 413 too large."
    ),
}


def describe(*keys: str) -> str:
    """The project's decisions that apply to a route, for its OpenAPI description."""
    return "\n\n".join(f"[ours] {OURS[key]}" for key in keys)
