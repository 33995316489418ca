"""Run by the official `relevanceai==0.19.2` SDK's own interpreter (.venv-sdk), unchanged SDK.

Usage: sdk_script.py BASE_URL DATASET_ID OUT.json, with RELEVANCE_PROJECT / RELEVANCE_API_KEY in
the environment (the key stays out of the process list). Writes what each SDK call returned to
OUT.json (stdout is the SDK's log), for tests/sdk/test_sdk_compat.py to judge.
"""

import json
import os
import sys

from relevanceai import Client

base_url, dataset_id, out_path = sys.argv[1:4]
VECTOR_FIELD, ALIAS = "v_vector_", "sdk"

client = Client(project=os.environ["RELEVANCE_PROJECT"], api_key=os.environ["RELEVANCE_API_KEY"], verbose=False)
client.config["api.base_url"] = base_url  # the SDK's documented way to point it elsewhere
centroids = client.services.cluster.centroids
results = {}


def answer(response):
    """The SDK returns parsed JSON on 200 and the raw response object otherwise."""
    if isinstance(response, (dict, list)):
        return response
    return {"sdk_error": True, "status": getattr(response, "status_code", None), "body": getattr(response, "text", repr(response))}


documents = [
    {
        "_id": f"doc-{i}",
        "title": f"document {i}",
        VECTOR_FIELD: [1.0 + i % 3, 0.5 * i, 1.0],
        "_cluster_": {VECTOR_FIELD: {ALIAS: f"cluster_{i % 3}"}},
    }
    for i in range(12)
]
# Like `list`, `bulk_insert` has a base_url parameter of its own (default: the hosted ingest host).
results["bulk_insert"] = answer(client.datasets.bulk_insert(dataset_id, documents, base_url=base_url))

cluster_centers = [{"_id": f"cluster_{c}", VECTOR_FIELD: [1.0 + c, 2.0 + c, 1.0]} for c in range(3)]
results["insert"] = answer(centroids.insert(dataset_id, cluster_centers, VECTOR_FIELD, alias=ALIAS))

# `list` also takes base_url itself (default: the hosted gateway).
pages, cursor = [], None
for _ in range(10):
    page = answer(
        centroids.list(dataset_id, VECTOR_FIELD, alias=ALIAS, page_size=2, cursor=cursor, include_vector=True, base_url=base_url)
    )
    pages.append(page)
    cursor = page.get("cursor") if isinstance(page, dict) else None
    if not cursor:
        break
results["list_pages"] = pages

results["get"] = answer(centroids.get(dataset_id, ["cluster_2", "cluster_0"], VECTOR_FIELD, alias=ALIAS))
results["documents"] = answer(
    centroids.documents(dataset_id, ["cluster_1"], VECTOR_FIELD, alias=ALIAS, page_size=10, include_vector=True)
)
metadata = {"description": "written by the SDK", "clusters": {"cluster_1": {"label": "ones"}}, "other": [1, 2]}
results["metadata_write"] = answer(centroids.metadata(dataset_id, VECTOR_FIELD, alias=ALIAS, metadata=metadata))
results["metadata_read"] = answer(centroids.metadata(dataset_id, VECTOR_FIELD, alias=ALIAS))

# Partial updates: `bulk_update` takes base_url itself (default: the hosted ingest host), as does the
# batch helper `update_documents`, which passes it on and reads `inserted` / `failed_documents`.
documents_api = client.datasets.documents
results["bulk_update"] = answer(documents_api.bulk_update(
    dataset_id, [{"_id": "doc-0", "title": "renamed", "extra.note": "dotted"},
                 {"_id": "doc-1", "_cluster_": {VECTOR_FIELD: {"second": "moved"}}}], base_url=base_url))
results["update_documents"] = answer(client.update_documents(
    dataset_id, [{"_id": f"doc-{i}", "checked": True} for i in range(4)], base_url=base_url))
try:  # the SDK raises its APIError on a 404, with the server's answer as the message
    documents_api.bulk_update(dataset_id, [{"_id": "doc-2", "title": "x"}, {"_id": "missing"}], base_url=base_url)
    results["bulk_update_unknown"] = {"raised": None}
except Exception as e:  # noqa: BLE001 (whatever the SDK raises is the result)
    results["bulk_update_unknown"] = {"raised": type(e).__name__, "message": str(e)}
results["after_update"] = answer(client.datasets.documents.list(dataset_id, page_size=20))
results["closest"] = answer(centroids.list_closest_to_center(dataset_id, VECTOR_FIELD, [], alias=ALIAS, page_size=2))
results["furthest"] = answer(centroids.list_furthest_from_center(
    dataset_id, VECTOR_FIELD, ["cluster_1"], alias=ALIAS, page_size=10, similarity_metric="l2", include_vector=True))

# The later SDKs' delete by id, through this SDK's own transport: base URL + path, the id unescaped in it.
TRAVELLING = ["...", ".a", "a b", "\u00e9", "a+b", "a;b", "~", "'", "[x]", "\\"]
results["travel_insert"] = answer(
    centroids.insert(dataset_id, [{"_id": cid, VECTOR_FIELD: [1.0, 1.0, 1.0]} for cid in [*TRAVELLING, "keep"]], VECTOR_FIELD,
                     alias="travel")
)
left_after_each = []
for cid in TRAVELLING:
    answer(centroids.make_http_request(f"/services/cluster/centroids/{cid}/delete", method="POST",
                                       parameters={"dataset_id": dataset_id, "vector_field": VECTOR_FIELD, "alias": "travel"}))
    listing = answer(centroids.list(dataset_id, VECTOR_FIELD, alias="travel", page_size=100, base_url=base_url))
    left_after_each.append([d["_id"] for d in listing["documents"]] if "documents" in listing else listing)
results["travel_left"] = left_after_each
results["untravelling_insert"] = {
    cid: answer(centroids.insert(dataset_id, [{"_id": cid, VECTOR_FIELD: [1.0, 1.0, 1.0]}], VECTOR_FIELD, alias="travel"))
    for cid in [".", "..", "a/b", "x?y", "x#y", "50%"]
}
# A hosted-style base URL: `.../latest/` joined to `/datasets/...` by plain concatenation.
results["latest_list"] = answer(
    centroids.list(dataset_id, VECTOR_FIELD, alias=ALIAS, page_size=5, base_url=base_url + "/latest/")
)

with open(out_path, "w") as f:
    json.dump(results, f)
