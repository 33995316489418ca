"""bulk_update (partial updates by `_id`, all-or-nothing) and the SDK's list_closest_to_center /
list_furthest_from_center, over real HTTP against the embedded server."""

from __future__ import annotations

import numpy as np
import pytest
from server_helpers import VF, fresh_id

C = "/services/cluster/centroids"


def update(api, dataset_id, updates, **extra):
    return api.post(f"/datasets/{dataset_id}/documents/bulk_update", json={"updates": updates, **extra})


def documents_by_id(api, dataset_id) -> dict[str, dict]:
    r = api.get(f"/datasets/{dataset_id}/documents/list", params={"page_size": 1000, "include_vector": True})
    assert r.status_code == 200, r.text
    return {d["_id"]: d for d in r.json()["documents"]}


def members(api, dataset_id, cluster_id, alias="default") -> list[str]:
    r = api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "alias": alias,
                                         "cluster_ids": [cluster_id], "page_size": 1000})
    assert r.status_code == 200, r.text
    return sorted(d["_id"] for d in r.json()["results"])


def test_partial_update_changes_only_the_named_fields(api, clustered):
    dataset_id = clustered["dataset_id"]
    before = documents_by_id(api, dataset_id)
    r = update(api, dataset_id, [
        {"_id": "doc-0001", "title": "renamed", "notes.status": "checked"},
        {"_id": "doc-0002", "notes": {"status": "open", "by": "me"}},
    ], insert_date=True)
    assert r.status_code == 200, r.text
    assert r.json() == {"inserted": 2, "failed_documents": []}
    after = documents_by_id(api, dataset_id)
    assert after["doc-0001"] == {**before["doc-0001"], "title": "renamed", "notes": {"status": "checked"}}
    assert after["doc-0002"] == {**before["doc-0002"], "notes": {"status": "open", "by": "me"}}
    assert {k: v for k, v in after.items() if k not in ("doc-0001", "doc-0002")} == {
        k: v for k, v in before.items() if k not in ("doc-0001", "doc-0002")}
    schema = api.get(f"/datasets/{dataset_id}/schema").json()
    assert schema["notes.status"] == "text" and schema["notes.by"] == "text"


def test_nested_object_is_merged_not_replaced(api, clustered):
    """The SDK's kmeans helper writes `{"_cluster_": {vf: {alias: id}}}`: other aliases of the field stay."""
    dataset_id = clustered["dataset_id"]
    r = update(api, dataset_id, [{"_id": "doc-0000", "_cluster_": {VF: {"second": "c-x"}}},
                                 {"_id": "doc-0003", f"_cluster_.{VF}.second": "c-x"}])
    assert r.status_code == 200, r.text
    doc = documents_by_id(api, dataset_id)["doc-0000"]
    assert doc["_cluster_"] == {VF: {"default": "cluster_0", "second": "c-x"}}
    assert members(api, dataset_id, "c-x", alias="second") == ["doc-0000", "doc-0003"]
    assert "doc-0000" in members(api, dataset_id, "cluster_0")


def test_moving_a_document_shows_in_the_next_ranking(api, clustered):
    """A write bumps the ranking cache's generation: a ranking read before the move is not served after it."""
    dataset_id = clustered["dataset_id"]
    assert "doc-0000" in members(api, dataset_id, "cluster_0")
    assert "doc-0000" not in members(api, dataset_id, "cluster_1")
    r = update(api, dataset_id, [{"_id": "doc-0000", f"_cluster_.{VF}.default": "cluster_1"}])
    assert r.status_code == 200, r.text
    assert "doc-0000" not in members(api, dataset_id, "cluster_0")
    assert "doc-0000" in members(api, dataset_id, "cluster_1")


def test_updated_vector_is_ranked_with_its_new_value(api, clustered):
    dataset_id, centroid = clustered["dataset_id"], clustered["centroids"]["cluster_0"]
    r = update(api, dataset_id, [{"_id": "doc-0000", VF: centroid}])
    assert r.status_code == 200, r.text
    r = api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": ["cluster_0"],
                                         "page_size": 1})
    assert r.json()["results"][0]["_id"] == "doc-0000"
    assert r.json()["results"][0]["_relevance"] == pytest.approx(1.0)


@pytest.mark.parametrize("updates,status,bad", [
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "no-such-doc", "title": "y"}], 404, ["no-such-doc"]),
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "doc-0002", VF: [1.0, 2.0]}], 409, ["doc-0002"]),
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "doc-0002", "title.sub": 1}], 409, ["doc-0002"]),
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "doc-0002", "a..b": 1}], 400, ["doc-0002"]),
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "doc-0001", "title": "y"}], 409, ["doc-0001"]),
    ([{"_id": "doc-0001", "title": "x"}, {"_id": "doc-0002", "_cluster_": {VF: {"default": 3}}}], 400, ["doc-0002"]),
    ([{"_id": "doc-0001", "title": "x"}, {"title": "no id"}], 400, ["#1"]),
])
def test_a_bad_update_is_named_and_nothing_is_written(api, clustered, updates, status, bad):
    dataset_id = clustered["dataset_id"]
    before = documents_by_id(api, dataset_id)
    r = update(api, dataset_id, updates)
    assert r.status_code == status, r.text
    assert [f["_id"] for f in r.json()["failed_documents"]] == bad
    assert "nothing was written" in r.json()["message"]
    assert documents_by_id(api, dataset_id) == before


def test_update_of_an_unknown_dataset_is_404(api):
    r = update(api, fresh_id(), [{"_id": "a", "title": "x"}])
    assert r.status_code == 404 and "does not exist" in r.json()["message"]


def test_update_body_of_the_wrong_shape_is_422(api, clustered):
    for body in ({"updates": {"_id": "doc-0001"}}, {"updates": [], "insert_date": "yes"}, {}):
        r = api.post(f"/datasets/{clustered['dataset_id']}/documents/bulk_update", json=body)
        assert r.status_code == 422, (body, r.text)


# -- list_closest_to_center / list_furthest_from_center --------------------------------------------


def scores(documents: list[dict], centroid: list[float], metric: str) -> np.ndarray:
    vectors = np.array([d[VF] for d in documents], dtype=np.float32).astype(np.float64)
    c = np.array(centroid, dtype=np.float32).astype(np.float64)
    if metric == "cosine":
        return vectors @ c / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(c))
    return -np.linalg.norm(vectors - c, axis=1)  # l2


@pytest.mark.parametrize("route,furthest", [("list_closest_to_center", False), ("list_furthest_from_center", True)])
@pytest.mark.parametrize("metric", ["cosine", "l2"])
def test_center_routes_order_each_cluster_under_the_metric(api, clustered, route, furthest, metric):
    dataset_id, centroids = clustered["dataset_id"], clustered["centroids"]
    body = {"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": ["cluster_2", "cluster_0"], "page_size": 100,
            "similarity_metric": metric, "include_vector": True}
    r = api.post(f"{C}/{route}", json=body)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert list(answer["results"]) == ["cluster_2", "cluster_0"]
    for cluster_id, documents in answer["results"].items():
        expected = scores(documents, centroids[cluster_id], metric)
        assert list(expected) == sorted(expected, reverse=not furthest)
        np.testing.assert_allclose([d["_relevance"] for d in documents], expected, rtol=1e-5)
    assert answer["count"] == sum(len(docs) for docs in answer["results"].values()) == 15


def test_center_routes_page_per_cluster_with_the_sdk_defaults(api, clustered):
    dataset_id = clustered["dataset_id"]
    sdk_body = {"dataset_id": dataset_id, "vector_field": VF, "alias": "default", "cluster_ids": [], "select_fields": [],
                "approx": 0, "sum_fields": True, "page_size": 1, "page": 1, "similarity_metric": "cosine",
                "filters": [], "facets": [], "min_score": 0, "include_vector": False, "include_count": True,
                "include_facets": False}
    first = api.post(f"{C}/list_closest_to_center", json=sdk_body).json()
    assert list(first["results"]) == ["cluster_0", "cluster_1", "cluster_2"] and first["count"] == 23
    assert all(len(docs) == 1 and VF not in docs[0] for docs in first["results"].values())
    everything = api.post(f"{C}/list_closest_to_center", json={**sdk_body, "page_size": 100}).json()["results"]
    paged: dict[str, list[str]] = {cid: [] for cid in everything}
    for page in range(1, 10):
        results = api.post(f"{C}/list_closest_to_center", json={**sdk_body, "page_size": 3, "page": page}).json()["results"]
        for cid, docs in results.items():
            paged[cid] += [d["_id"] for d in docs]
    assert paged == {cid: [d["_id"] for d in docs] for cid, docs in everything.items()}
    selected = api.post(f"{C}/list_furthest_from_center", json={**sdk_body, "select_fields": ["title"]}).json()["results"]
    assert all(set(docs[0]) == {"_id", "title", "_relevance"} for docs in selected.values())


@pytest.mark.parametrize("change,status,fragment", [
    ({"cluster_ids": ["cluster_0", "nope"]}, 404, "nope"),
    ({"alias": "no-alias"}, 404, "no-alias"),
    ({"filters": [{"field": "title"}]}, 422, "filters"),
    ({"page_size": 0}, 422, "page_size"),
    ({"similarity_metric": "euclid"}, 422, "similarity_metric"),
])
def test_center_routes_refuse_what_they_cannot_answer(api, clustered, change, status, fragment):
    body = {"dataset_id": clustered["dataset_id"], "vector_field": VF, "cluster_ids": [], **change}
    for route in ("list_closest_to_center", "list_furthest_from_center"):
        r = api.post(f"{C}/{route}", json=body)
        assert r.status_code == status, r.text
        assert fragment in r.text
