"""The requests the official relevanceai SDK 0.19.2 sends, replayed byte-for-byte with `requests`.

Its transport (relevanceai/transport.py) builds every call as
`Request(method, base_url + endpoint, headers={"Authorization": f"{project}:{api_key}"},
json=parameters if POST else {}, params=parameters if GET else {})`: GETs carry a `{}` JSON body,
lists become repeated keys, booleans `True`/`False`, and None values are left out. The calls and
parameter names below are those of relevanceai/api/endpoints/centroids.py and datasets.py in 0.19.2.
The SDK test proper (the SDK itself, in its own virtualenv) lives with the CLI tests.
"""

from __future__ import annotations

import requests
from server_helpers import VF, fresh_id, make_documents


def sdk_call(server, endpoint: str, method: str, parameters: dict):
    request = requests.Request(
        method=method,
        url=server.base_url + endpoint,
        headers={"Authorization": f"{server.project}:{server.api_key}"},
        json=parameters if method == "POST" else {},
        params=parameters if method == "GET" else {},
    ).prepare()
    with requests.Session() as s:
        response = s.send(request)
    assert response.status_code == 200, (endpoint, response.text)
    return response.json()


def test_sdk_0_19_2_centroid_calls(live_server):
    dataset_id = fresh_id("sdk")
    documents, centroids = make_documents(20, 3, 4)
    sdk_call(live_server, f"/datasets/{dataset_id}/documents/bulk_insert", "POST", {
        "documents": documents, "insert_date": True, "overwrite": True, "update_schema": True,
        "field_transformers": []})
    centers = [{"_id": cid, "centroid_vector_": v} for cid, v in centroids.items()]
    inserted = sdk_call(live_server, "/services/cluster/centroids/insert", "POST", {
        "dataset_id": dataset_id, "cluster_centers": centers, "vector_field": VF, "alias": "default"})
    assert inserted["inserted"] == 4

    seen, cursor = [], None
    while True:
        page = sdk_call(live_server, "/services/cluster/centroids/list", "GET", {
            "dataset_id": dataset_id, "vector_field": VF, "alias": "default", "page_size": 3, "cursor": cursor,
            "include_vector": False})
        seen += [d["_id"] for d in page["documents"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == list(centroids)

    got = sdk_call(live_server, "/services/cluster/centroids/get", "GET", {
        "dataset_id": dataset_id, "cluster_ids": ["cluster_2", "cluster_0"], "vector_field": VF,
        "alias": "default", "page_size": 5, "cursor": None})
    assert [d["_id"] for d in got["documents"]] == ["cluster_2", "cluster_0"] and VF in got["documents"][0]

    members = sdk_call(live_server, "/services/cluster/centroids/documents", "POST", {
        "dataset_id": dataset_id, "cluster_ids": ["cluster_1"], "vector_field": VF, "alias": "default",
        "page_size": 5, "cursor": None, "page": 1, "include_vector": False, "similarity_metric": "cosine"})
    assert members["count"] == 5 and all("_relevance" in d for d in members["results"])

    written = sdk_call(live_server, "/services/cluster/centroids/metadata", "POST", {
        "dataset_id": dataset_id, "vector_field": VF, "alias": "default", "metadata": {"k": 4}})
    assert written["results"] == {"k": 4}
    read = sdk_call(live_server, "/services/cluster/centroids/metadata", "GET", {
        "dataset_id": dataset_id, "vector_field": VF, "alias": "default"})
    assert read == {"results": {"k": 4}}

    assert dataset_id in sdk_call(live_server, "/datasets/list", "GET", {})["datasets"]
    assert sdk_call(live_server, f"/datasets/{dataset_id}/schema", "GET", {})[VF] == {"vector": 3}
    sdk_call(live_server, "/datasets/delete", "POST", {"dataset_id": dataset_id})
