"""Contract tests for the dataset endpoints, over real HTTP against the embedded server."""

from __future__ import annotations

import numpy as np
import pytest
from server_helpers import VF, fresh_id, make_documents


def insert(api, dataset_id, documents):
    return api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents})


def all_documents(api, dataset_id):
    r = api.get(f"/datasets/{dataset_id}/documents/list", params={"page_size": 10_000, "include_vector": True})
    assert r.status_code == 200, r.text
    return r.json()


def test_create_list_schema_delete(api):
    dataset_id = fresh_id()
    r = api.post("/datasets/create", json={"id": dataset_id, "schema": {"title_vector_": {"vector": 3}, "name": "text"}})
    assert r.status_code == 200 and r.json()["status"] == "success"
    assert dataset_id in api.get("/datasets/list").json()["datasets"]
    listing = api.get("/datasets/list").json()
    assert listing["count"] == len(listing["datasets"])
    assert api.get(f"/datasets/{dataset_id}/schema").json() == {"title_vector_": {"vector": 3}, "name": "text"}
    # the declared dimension is enforced
    r = insert(api, dataset_id, [{"_id": "a", "title_vector_": [1, 2]}])
    assert r.status_code == 409 and "2 dimensions" in r.json()["failed_documents"][0]["error"]
    r = api.post("/datasets/create", json={"id": dataset_id})
    assert r.status_code == 409 and "already exists" in r.json()["message"]
    assert api.post("/datasets/delete", json={"dataset_id": dataset_id}).json()["status"] == "success"
    assert dataset_id not in api.get("/datasets/list").json()["datasets"]
    assert api.get(f"/datasets/{dataset_id}/schema").status_code == 404
    r = api.post("/datasets/delete", json={"dataset_id": dataset_id})
    assert r.status_code == 404 and dataset_id in r.json()["message"]


@pytest.mark.parametrize("bad", ["Upper", "has space", "", "slash/x"])
def test_create_refuses_bad_ids(api, bad):
    assert api.post("/datasets/create", json={"id": bad}).status_code == 422


def test_create_refuses_bad_schema(api):
    r = api.post("/datasets/create", json={"id": fresh_id(), "schema": {"v_vector_": {"vector": 0}}})
    assert r.status_code == 400 and "v_vector_" in r.json()["message"]
    r = api.post("/datasets/create", json={"id": fresh_id(), "schema": {"x": "colour"}})
    assert r.status_code == 400 and "colour" in r.json()["message"]


def test_schema_is_derived_from_documents(api):
    dataset_id = fresh_id()
    documents = [{"_id": "a", VF: [1.0, 2.0], "title": "t", "n": 3, "ok": True, "meta": {"lang": "en", "score": 0.5},
                  "pixels": [0, 1], "_cluster_": {VF: {"kmeans-2": "cluster_1"}}}]
    assert insert(api, dataset_id, documents).json() == {"inserted": 1, "failed_documents": []}
    assert api.get(f"/datasets/{dataset_id}/schema").json() == {
        VF: {"vector": 2}, "title": "text", "n": "numeric", "ok": "bool", "meta.lang": "text",
        "meta.score": "numeric", "pixels": "array", f"_cluster_.{VF}.kmeans-2": "text",
    }


def test_bulk_insert_replaces_by_id_and_keeps_order(api):
    dataset_id = fresh_id()
    documents, _ = make_documents(6, 3, 2)
    insert(api, dataset_id, documents)
    replacement = {"_id": documents[1]["_id"], VF: [7, 7, 7], "title": "new"}
    assert insert(api, dataset_id, [replacement]).json()["inserted"] == 1
    stored = all_documents(api, dataset_id)["documents"]
    assert [d["_id"] for d in stored] == [d["_id"] for d in documents]
    assert stored[1] == replacement  # old fields and cluster assignment gone with the old document
    # the replaced document left its cluster
    members = api.post("/services/cluster/centroids/documents", json={
        "dataset_id": dataset_id, "vector_field": VF, "cluster_ids": ["cluster_1"], "page_size": 100}).json()
    assert documents[1]["_id"] not in [d["_id"] for d in members["results"]]


@pytest.mark.parametrize(
    "bad,status,reason",
    [
        ({"_id": "", VF: [1, 2, 3]}, 400, "non-empty string"),
        ({"title": "no id"}, 400, "non-empty string"),
        ({"_id": "doc-0000", VF: [1, 2, 3]}, 409, "given twice"),
        ({"_id": "dim", VF: [1, 2]}, 409, "2 dimensions"),
        ({"_id": "big", VF: [1, 2, 1e300]}, 400, "too large for float32"),
        ({"_id": "bad-cluster", "_cluster_": {VF: {"default": 3}}}, 400, "_cluster_"),
        ({"_id": "bad-cluster2", "_cluster_": "cluster_1"}, 400, "_cluster_"),
    ],
)
def test_bulk_insert_with_one_bad_document_writes_nothing(api, bad, status, reason):
    dataset_id = fresh_id()
    documents, _ = make_documents(5, 3, 2)
    insert(api, dataset_id, documents)
    before, schema = all_documents(api, dataset_id), api.get(f"/datasets/{dataset_id}/schema").json()
    batch = [{"_id": "doc-0000", VF: [0, 0, 0], "title": "changed"}, {"_id": "brand-new", "x": 1, VF: [1, 1, 1]}, bad]
    r = insert(api, dataset_id, batch)
    assert r.status_code == status, r.text
    failed = r.json()["failed_documents"]
    assert len(failed) == 1 and reason in failed[0]["error"], failed
    assert all_documents(api, dataset_id) == before
    assert api.get(f"/datasets/{dataset_id}/schema").json() == schema


def test_failed_bulk_insert_does_not_create_the_dataset(api):
    dataset_id = fresh_id()
    assert insert(api, dataset_id, [{"_id": "a", VF: "not a list"}]).status_code == 400
    assert dataset_id not in api.get("/datasets/list").json()["datasets"]


def test_bulk_insert_needs_objects_and_a_valid_id(api):
    assert api.post(f"/datasets/{fresh_id()}/documents/bulk_insert", json={"documents": [1, 2]}).status_code == 422
    assert api.post(f"/datasets/{fresh_id()}/documents/bulk_insert", json={}).status_code == 422
    assert api.post("/datasets/BAD ID/documents/bulk_insert", json={"documents": []}).status_code == 422


@pytest.mark.parametrize("page_size", [1, 3, 10_000])
def test_documents_list_pages_hold_every_document_once(api, page_size):
    dataset_id = fresh_id()
    documents, _ = make_documents(10, 3, 2)
    insert(api, dataset_id, documents)
    seen, cursor = [], None
    while True:
        params = {"page_size": page_size, **({"cursor": cursor} if cursor else {})}
        body = api.get(f"/datasets/{dataset_id}/documents/list", params=params).json()
        seen += body["documents"]
        assert body["count"] == 10
        cursor = body["cursor"]
        if cursor is None:
            break
    assert [d["_id"] for d in seen] == [d["_id"] for d in documents]
    assert all(VF not in d for d in seen)


def test_documents_list_defaults_vectors_and_select_fields(api):
    dataset_id = fresh_id()
    documents, _ = make_documents(25, 3, 2)
    insert(api, dataset_id, documents)
    body = api.get(f"/datasets/{dataset_id}/documents/list").json()
    assert len(body["documents"]) == 20 and body["cursor"] is not None
    full = all_documents(api, dataset_id)["documents"]
    np.testing.assert_allclose(full[4][VF], documents[4][VF], rtol=1e-6)
    picked = api.get(f"/datasets/{dataset_id}/documents/list",
                     params={"select_fields": ["title", f"_cluster_.{VF}"], "page_size": 1}).json()["documents"]
    assert picked == [{"_id": "doc-0000", "title": "document 0", "_cluster_": {VF: {"default": "cluster_0"}}}]
    r = api.get(f"/datasets/{dataset_id}/documents/list", params={"cursor": "%%%"})
    assert r.status_code == 400 and "cursor" in r.json()["message"]
    assert api.get("/datasets/nothing-here/documents/list").status_code == 404


def test_delete_dataset_removes_everything(api, clustered):
    dataset_id = clustered["dataset_id"]
    r = api.post("/services/cluster/centroids/metadata", json={"dataset_id": dataset_id, "vector_field": VF,
                                                               "metadata": {"a": 1}})
    assert r.status_code == 200, r.text  # else the metadata below would be empty without any delete
    assert api.post("/datasets/delete", json={"dataset_id": dataset_id}).status_code == 200
    # a new dataset under the same id starts empty
    r = insert(api, dataset_id, [{"_id": "solo", VF: [1, 2, 3, 4], "_cluster_": {VF: {"default": "cluster_0"}}}])
    assert r.status_code == 200, r.text
    assert [d["_id"] for d in all_documents(api, dataset_id)["documents"]] == ["solo"]
    q = {"dataset_id": dataset_id, "vector_field": VF}
    assert api.get("/services/cluster/centroids/list", params=q).json()["count"] == 0
    assert api.get("/services/cluster/centroids/metadata", params=q).json() == {"results": {}}
