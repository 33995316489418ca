"""Contract tests for the cluster-centroid endpoints, over real HTTP against the embedded server."""

from __future__ import annotations

import numpy as np
import pytest
from server_helpers import VF, fresh_id, make_documents

from centroid_explorer import array_pages
from centroid_explorer.server import contract
from centroid_explorer.server.store import sql as sql_store

C = "/services/cluster/centroids"


def assert_message(r, status: int, *fragments: str) -> None:
    assert r.status_code == status, r.text
    message = r.json()["message"]
    for fragment in fragments:
        assert fragment in message, message


@pytest.fixture
def many_centroids(api):
    """A dataset with 11 centroids (cluster_0..cluster_10) of 4 dims, and 44 documents."""
    dataset_id = fresh_id()
    documents, centroids = make_documents(44, 4, 11, seed=1)
    assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents}).status_code == 200
    centers = [{"_id": cid, VF: v, "label": f"L{cid}"} for cid, v in centroids.items()]
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_centers": centers})
    assert r.json() == {"inserted": 11, "failed_documents": []}
    return dataset_id, centroids


def walk(fetch, page_size: int) -> list[dict]:
    """Every item across pages; checks the cursor is null exactly on the last page."""
    items, cursor, pages = [], None, 0
    while True:
        body = fetch(page_size, cursor)
        pages += 1
        batch = body.get("documents", body.get("results"))
        assert len(batch) <= page_size
        items += batch
        cursor = body["cursor"]
        if cursor is None:
            assert len(items) == body["count"]
            return items
        assert len(batch) == page_size
        assert pages < 1000


# -- list ------------------------------------------------------------------------------------


def test_list_defaults_five_without_vectors(api, many_centroids):
    dataset_id, centroids = many_centroids
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF})
    body = r.json()
    assert r.status_code == 200
    assert [d["_id"] for d in body["documents"]] == [f"cluster_{j}" for j in range(5)]
    assert all(VF not in d for d in body["documents"])
    assert body["documents"][0]["label"] == "Lcluster_0"
    assert body["count"] == 11 and body["cursor"] is not None


@pytest.mark.parametrize("page_size", [1, 3, 10_000])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_list_pages_hold_every_centroid_once(api, many_centroids, page_size, method):
    dataset_id, centroids = many_centroids

    def fetch(size, cursor):
        params = {"dataset_id": dataset_id, "vector_field": VF, "page_size": size, "include_vector": True}
        if cursor:
            params["cursor"] = cursor
        r = api.get(f"{C}/list", params=params) if method == "GET" else api.post(f"{C}/list", json=params)
        assert r.status_code == 200, r.text
        return r.json()

    items = walk(fetch, page_size)
    assert [d["_id"] for d in items] == list(centroids)
    for d in items:
        np.testing.assert_allclose(d[VF], centroids[d["_id"]], rtol=1e-6)


@pytest.mark.parametrize("page_size", [3, 10_000])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_list_as_arrays_pages_holds_every_centroid_vector_as_a_block(api, many_centroids, page_size, method):
    """The dashboard's read of an alias's centroids (Accept: arrays): the same pages, cursor and count as JSON,
    each page's vectors one float32 block in its order, and the centroids' other fields kept."""
    dataset_id, centroids = many_centroids
    pages = []

    def fetch(size, cursor):
        params = {"dataset_id": dataset_id, "vector_field": VF, "page_size": size, "include_vector": True}
        if cursor:
            params["cursor"] = cursor
        headers = {"Accept": array_pages.MEDIA_TYPE}
        r = (api.get(f"{C}/list", params=params, headers=headers) if method == "GET"
             else api.post(f"{C}/list", json=params, headers=headers))
        assert r.status_code == 200 and r.headers["content-type"] == array_pages.MEDIA_TYPE, r.text
        page = array_pages.decode(r.content)
        pages.append(page)
        return page.payload

    items = walk(fetch, page_size)
    assert [d["_id"] for d in items] == list(centroids)
    assert all(VF not in d for d in items) and items[0]["label"] == "Lcluster_0"
    assert all(page.rows == "documents" and page.present().all() for page in pages)
    np.testing.assert_array_equal(np.concatenate([page.vectors for page in pages]),
                                  np.array(list(centroids.values()), np.float32))


def test_list_without_vectors_is_json_even_when_arrays_are_accepted(api, many_centroids):
    dataset_id, _ = many_centroids
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF},
                headers={"Accept": array_pages.MEDIA_TYPE})
    assert r.headers["content-type"] == "application/json" and r.json()["count"] == 11


@pytest.mark.parametrize("spelling,expected", [("True", True), ("true", True), ("1", True), ("False", False),
                                               ("false", False), ("0", False)])
def test_list_reads_every_boolean_spelling(api, many_centroids, spelling, expected):
    dataset_id, _ = many_centroids
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF, "include_vector": spelling})
    assert (VF in r.json()["documents"][0]) is expected


def test_list_accepts_vector_fields_list_form(api, many_centroids):
    dataset_id, _ = many_centroids
    by_get = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_fields": [VF]}).json()
    by_post = api.post(f"{C}/list", json={"dataset_id": dataset_id, "vector_fields": [VF]}).json()
    by_field = api.post(f"{C}/list", json={"dataset_id": dataset_id, "vector_field": VF}).json()
    assert by_get == by_post == by_field and by_field["count"] == 11


def test_two_different_vector_fields_is_a_400(api, many_centroids):
    dataset_id, _ = many_centroids
    r = api.post(f"{C}/list", json={"dataset_id": dataset_id, "vector_field": VF, "vector_fields": ["b_vector_"]})
    assert_message(r, 400, "one vector field")
    assert_message(api.post(f"{C}/list", json={"dataset_id": dataset_id}), 400, "vector_field")


def test_list_unknown_names_are_404s_naming_them(api, many_centroids):
    dataset_id, _ = many_centroids
    q = {"dataset_id": dataset_id, "vector_field": VF}
    assert_message(api.get(f"{C}/list", params={**q, "dataset_id": "no-such"}), 404, "no-such")
    assert_message(api.get(f"{C}/list", params={**q, "vector_field": "nope_vector_"}), 404, "nope_vector_")
    assert_message(api.get(f"{C}/list", params={**q, "alias": "kmeans-99"}), 404, "kmeans-99")


def test_bad_cursor_is_a_400(api, many_centroids):
    dataset_id, _ = many_centroids
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF, "cursor": "garbage!"})
    assert_message(r, 400, "cursor")


@pytest.mark.parametrize("page_size", [0, contract.MAX_PAGE_SIZE + 1, "many"])
def test_page_size_out_of_range_is_a_422_naming_it(api, many_centroids, page_size):
    dataset_id, _ = many_centroids
    q = {"dataset_id": dataset_id, "vector_field": VF, "page_size": page_size}
    for r in (
        api.get(f"{C}/list", params=q),
        api.post(f"{C}/list", json=q),
        api.get(f"{C}/get", params={**q, "cluster_ids": ["cluster_0"]}),
        api.post(f"{C}/documents", json=q),
        api.get(f"/datasets/{dataset_id}/documents/list", params={"page_size": page_size}),
    ):
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][-1] == "page_size"


# -- get -------------------------------------------------------------------------------------


def test_get_answers_in_the_order_asked_with_vectors(api, many_centroids):
    dataset_id, centroids = many_centroids
    asked = ["cluster_7", "cluster_2", "cluster_10"]
    r = api.get(f"{C}/get", params={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": asked})
    body = r.json()
    assert [d["_id"] for d in body["documents"]] == asked and body["cursor"] is None and body["count"] == 3
    for d in body["documents"]:
        np.testing.assert_allclose(d[VF], centroids[d["_id"]], rtol=1e-6)


@pytest.mark.parametrize("page_size", [1, 3, 100])
def test_get_pages_hold_every_asked_centroid_once(api, many_centroids, page_size):
    dataset_id, centroids = many_centroids
    asked = list(reversed(list(centroids)))

    def fetch(size, cursor):
        params = {"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": asked, "page_size": size}
        return api.get(f"{C}/get", params={**params, **({"cursor": cursor} if cursor else {})}).json()

    assert [d["_id"] for d in walk(fetch, page_size)] == asked


def test_get_default_page_is_five(api, many_centroids):
    dataset_id, centroids = many_centroids
    r = api.get(f"{C}/get", params={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": list(centroids)})
    assert len(r.json()["documents"]) == 5


def test_get_unknown_cluster_is_a_404_naming_it(api, many_centroids):
    dataset_id, _ = many_centroids
    r = api.get(f"{C}/get", params={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": ["cluster_1", "zzz"]})
    assert_message(r, 404, "zzz")


# -- insert ----------------------------------------------------------------------------------


def list_all(api, dataset_id, alias="default"):
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF, "alias": alias,
                                     "include_vector": True, "page_size": 10_000})
    return r.json()


def test_insert_upserts_by_id_and_reads_the_legacy_vector_key(api, many_centroids):
    dataset_id, centroids = many_centroids
    centers = [{"_id": "cluster_0", VF: [9, 9, 9, 9]}, {"_id": "extra", "centroid_vector_": [1, 2, 3, 4]}]
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_centers": centers})
    assert r.json() == {"inserted": 2, "failed_documents": []}
    stored = {d["_id"]: d for d in list_all(api, dataset_id)["documents"]}
    assert stored["cluster_0"][VF] == [9, 9, 9, 9] and "label" not in stored["cluster_0"]
    assert stored["extra"][VF] == [1, 2, 3, 4] and "centroid_vector_" not in stored["extra"]
    assert list(stored)[0] == "cluster_0"  # a replaced centroid keeps its place
    assert len(stored) == 12


@pytest.mark.parametrize(
    "bad,status,reason",
    [
        ({"_id": "", VF: [1, 2, 3, 4]}, 400, "non-empty string"),
        ({VF: [1, 2, 3, 4]}, 400, "non-empty string"),
        ({"_id": "cluster_1", VF: [1, 2, 3, 4]}, 409, "given twice"),
        ({"_id": "short", VF: [1, 2, 3]}, 409, "3 dimensions"),
        ({"_id": "huge", VF: [1e39, 0, 0, 0]}, 400, "too large for float32"),
        ({"_id": "text", VF: [1, "2", 3, 4]}, 400, "not a number"),
        ({"_id": "flag", VF: [True, 0, 0, 0]}, 400, "not a number"),
        ({"_id": "empty", VF: []}, 400, "non-empty list"),
        ({"_id": "none"}, 409, "no vector"),
    ],
)
def test_insert_with_one_bad_centroid_writes_nothing(api, many_centroids, bad, status, reason):
    dataset_id, _ = many_centroids
    before = list_all(api, dataset_id)
    centers = [{"_id": "cluster_1", VF: [5, 5, 5, 5]}, {"_id": "new", VF: [1, 1, 1, 1]}, bad]
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_centers": centers})
    assert r.status_code == status, r.text
    failed = r.json()["failed_documents"]
    assert len(failed) == 1 and reason in failed[0]["error"]
    assert list_all(api, dataset_id) == before


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_json_numbers_are_refused_and_nothing_written(api, many_centroids, literal):
    dataset_id, _ = many_centroids
    before = list_all(api, dataset_id)
    body = (b'{"dataset_id": "%s", "vector_field": "%s", "cluster_centers": [{"_id": "cluster_1", "%s": [1, 2, 3, %s]}]}'
            % (dataset_id.encode(), VF.encode(), VF.encode(), literal))
    r = api.post(f"{C}/insert", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid", r.text
    assert list_all(api, dataset_id) == before


def test_insert_into_unknown_dataset_or_field_is_a_404(api, many_centroids):
    dataset_id, _ = many_centroids
    centers = [{"_id": "a", VF: [1, 2, 3, 4]}]
    r = api.post(f"{C}/insert", json={"dataset_id": "missing-ds", "vector_field": VF, "cluster_centers": centers})
    assert_message(r, 404, "missing-ds")
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": "x_vector_", "cluster_centers": centers})
    assert_message(r, 404, "x_vector_")


def test_insert_under_a_new_alias_creates_it(api, many_centroids):
    dataset_id, _ = many_centroids
    centers = [{"_id": "a", VF: [1, 2, 3, 4]}]
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_fields": [VF], "alias": "mine",
                                     "cluster_centers": centers})
    assert r.status_code == 200
    assert [d["_id"] for d in list_all(api, dataset_id, "mine")["documents"]] == ["a"]


# -- documents -------------------------------------------------------------------------------


def expected_scores(vectors: np.ndarray, centroid: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        return vectors @ centroid / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(centroid))
    if metric == "dp":
        return vectors @ centroid
    if metric == "l1":
        return -np.abs(vectors - centroid).sum(axis=1)
    return -np.linalg.norm(vectors - centroid, axis=1)


def all_members(api, dataset_id, cluster_ids, metric, page_size=10_000):
    r = api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": cluster_ids,
                                         "similarity_metric": metric, "page_size": page_size})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("metric", ["cosine", "l1", "l2", "dp"])
@pytest.mark.parametrize("cluster_ids", [["cluster_1"], ["cluster_0", "cluster_2"], []])
def test_documents_are_ordered_by_each_metric_as_numpy_says(api, clustered, metric, cluster_ids):
    dataset_id, documents, centroids = clustered["dataset_id"], clustered["documents"], clustered["centroids"]
    members = [d for d in documents if not cluster_ids or d["_cluster_"][VF]["default"] in cluster_ids]
    scores = {}
    for d in members:
        centroid = np.asarray(centroids[d["_cluster_"][VF]["default"]], dtype=np.float32).astype(np.float64)
        vector = np.asarray(d[VF], dtype=np.float32).astype(np.float64)
        scores[d["_id"]] = expected_scores(vector[None, :], centroid, metric)[0]
    body = all_members(api, dataset_id, cluster_ids, metric)
    assert body["count"] == len(members) and body["cursor"] is None
    expected_order = sorted(scores, key=lambda i: -scores[i])
    assert [d["_id"] for d in body["results"]] == expected_order
    for d in body["results"]:
        assert d["_relevance"] == pytest.approx(scores[d["_id"]], rel=1e-5, abs=1e-6)
        assert VF not in d


def test_documents_defaults_are_cosine_and_five(api, clustered):
    dataset_id = clustered["dataset_id"]
    r = api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": ["cluster_0"]})
    body = r.json()
    assert len(body["results"]) == 5 and body["count"] == 8
    cosine = all_members(api, dataset_id, ["cluster_0"], "cosine")["results"][:5]
    assert body["results"] == cosine
    assert "title" in body["results"][0] and body["results"][0]["_cluster_"] == {VF: {"default": "cluster_0"}}


def test_documents_without_cluster_ids_means_every_cluster(api, clustered):
    body = api.post(f"{C}/documents", json={"dataset_id": clustered["dataset_id"], "vector_field": VF,
                                            "page_size": 100}).json()
    assert sorted(d["_id"] for d in body["results"]) == sorted(d["_id"] for d in clustered["documents"])


@pytest.mark.parametrize("page_size", [1, 3, 100])
@pytest.mark.parametrize("paging", ["cursor", "page"])
def test_documents_pages_hold_every_member_once(api, clustered, page_size, paging):
    dataset_id = clustered["dataset_id"]
    full = all_members(api, dataset_id, [], "l2")["results"]
    page_number = iter(range(1, 1000))

    def fetch(size, cursor):
        body = {"dataset_id": dataset_id, "vector_field": VF, "cluster_ids": [], "page_size": size,
                "similarity_metric": "l2"}
        if paging == "cursor" and cursor:
            body["cursor"] = cursor
        if paging == "page":
            body["page"] = next(page_number)
        r = api.post(f"{C}/documents", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    assert walk(fetch, page_size) == full


def test_documents_include_vector(api, clustered):
    body = api.post(f"{C}/documents", json={"dataset_id": clustered["dataset_id"], "vector_fields": [VF],
                                            "cluster_ids": ["cluster_2"], "include_vector": True}).json()
    by_id = {d["_id"]: d for d in clustered["documents"]}
    for d in body["results"]:
        np.testing.assert_allclose(d[VF], by_id[d["_id"]][VF], rtol=1e-6)


def test_an_arrays_page_holds_the_asked_field_as_a_block_and_no_other_vector(api):
    """The map's read (Accept: arrays): the asked field's float32 rows in the page's order, NaN for a member
    without it; another vector field of the same documents is not sent at all."""
    dataset_id = fresh_id()
    documents = [{"_id": f"d{i}", VF: [1.0, float(i), 0.5], "other_vector_": [9.0, 9.0], "title": f"t{i}",
                  "_cluster_": {VF: {"default": "c"}}} for i in range(5)]
    documents.append({"_id": "bare", "title": "no vector", "_cluster_": {VF: {"default": "c"}}})
    assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents}).status_code == 200
    api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "cluster_centers": [{"_id": "c", VF: [1, 0, 0]}]})
    body = {"dataset_id": dataset_id, "vector_field": VF, "page_size": 10, "include_vector": True}
    as_json = api.post(f"{C}/documents", json=body).json()["results"]
    r = api.post(f"{C}/documents", json=body, headers={"Accept": array_pages.MEDIA_TYPE})
    assert r.headers["content-type"] == array_pages.MEDIA_TYPE
    page = array_pages.decode(r.content)
    assert [d["_id"] for d in page.payload["results"]] == [d["_id"] for d in as_json]
    assert not any(name.endswith("_vector_") for d in page.payload["results"] for name in d)
    present = page.present()
    assert present.tolist() == [VF in d for d in as_json] and not present[[d["_id"] == "bare" for d in as_json]].any()
    np.testing.assert_array_equal(page.vectors[present], np.array([d[VF] for d in as_json if VF in d], np.float32))


def test_a_page_larger_than_one_sql_id_list_holds_every_member_in_order(api, clustered, monkeypatch):
    """Ids are sent to the database in lists of a bounded length (PostgreSQL takes 65,535 parameters);
    a page longer than one list is read in several and comes back whole and in ranking order."""
    monkeypatch.setattr(sql_store, "_IN_LIST", 7)
    full = all_members(api, clustered["dataset_id"], [], "l2")["results"]
    assert len(full) > 2 * 7
    body = {"dataset_id": clustered["dataset_id"], "vector_field": VF, "page_size": 100, "similarity_metric": "l2",
            "include_vector": True}
    with_vectors = api.post(f"{C}/documents", json=body).json()["results"]
    assert [d["_id"] for d in with_vectors] == [d["_id"] for d in full] and all(VF in d for d in with_vectors)
    page = array_pages.decode(api.post(f"{C}/documents", json=body, headers={"Accept": array_pages.MEDIA_TYPE}).content)
    assert page.present().all() and len(page.vectors) == len(full)
    np.testing.assert_array_equal(page.vectors, np.array([d[VF] for d in with_vectors], np.float32))


def test_documents_unknown_names_and_bad_metric(api, clustered):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF}
    assert_message(api.post(f"{C}/documents", json={**q, "cluster_ids": ["cluster_1", "ghost"]}), 404, "ghost")
    assert_message(api.post(f"{C}/documents", json={**q, "alias": "other"}), 404, "other")
    assert_message(api.post(f"{C}/documents", json={**q, "vector_field": "z_vector_"}), 404, "z_vector_")
    assert_message(api.post(f"{C}/documents", json={**q, "dataset_id": "gone"}), 404, "gone")
    r = api.post(f"{C}/documents", json={**q, "similarity_metric": "hamming"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "similarity_metric"
    r = api.post(f"{C}/documents", json={**q, "page": 0})
    assert r.status_code == 422


def test_documents_follow_writes(api, clustered):
    """A cached ranking is not served after the data changes."""
    dataset_id = clustered["dataset_id"]
    first = all_members(api, dataset_id, ["cluster_0"], "dp")["results"]
    best = first[0]
    r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF,
                                     "cluster_centers": [{"_id": "cluster_0", VF: (-np.asarray(
                                         clustered["centroids"]["cluster_0"])).tolist()}]})
    assert r.status_code == 200
    again = all_members(api, dataset_id, ["cluster_0"], "dp")["results"]
    assert again[-1]["_id"] == best["_id"]


def test_cluster_without_centroid_ranks_against_member_mean(api):
    dataset_id = fresh_id()
    documents = [
        {"_id": "a", VF: [0.0, 0.0], "_cluster_": {VF: {"k": "c"}}},
        {"_id": "b", VF: [10.0, 0.0], "_cluster_": {VF: {"k": "c"}}},
        {"_id": "m", VF: [5.0, 0.1], "_cluster_": {VF: {"k": "c"}}},
        {"_id": "novec", "_cluster_": {VF: {"k": "c"}}},
    ]
    assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents}).status_code == 200
    body = api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "alias": "k",
                                            "similarity_metric": "l2", "page_size": 10}).json()
    assert [d["_id"] for d in body["results"]] == ["m", "a", "b", "novec"]
    assert body["results"][-1]["_relevance"] is None


# -- metadata --------------------------------------------------------------------------------


def test_metadata_is_empty_then_replaced_whole(api, clustered):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF}
    assert api.get(f"{C}/metadata", params=q).json() == {"results": {}}
    first = {"description": "d", "clusters": {"cluster_0": {"label": "zero"}}, "other_tool": [1, 2]}
    r = api.post(f"{C}/metadata", json={**q, "metadata": first})
    assert r.json() == {"status": "success", "results": first}
    assert api.get(f"{C}/metadata", params=q).json() == {"results": first}
    assert api.post(f"{C}/metadata", json=q).json() == {"results": first}  # POST without metadata reads
    second = {"description": "only this"}
    api.post(f"{C}/metadata", json={**q, "vector_fields": [VF], "vector_field": None, "metadata": second})
    assert api.get(f"{C}/metadata", params={**q, "alias": "default"}).json() == {"results": second}


def test_metadata_can_be_written_for_a_new_alias_and_errors(api, clustered):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF}
    assert_message(api.get(f"{C}/metadata", params={**q, "alias": "fresh"}), 404, "fresh")
    r = api.post(f"{C}/metadata", json={**q, "alias": "fresh", "metadata": {"note": "planned"}})
    assert r.status_code == 200
    assert api.get(f"{C}/metadata", params={**q, "alias": "fresh"}).json() == {"results": {"note": "planned"}}
    assert_message(api.post(f"{C}/metadata", json={**q, "vector_field": "q_vector_", "metadata": {}}), 404, "q_vector_")
    assert api.post(f"{C}/metadata", json={**q, "metadata": [1, 2]}).status_code == 422


# -- delete and configs ----------------------------------------------------------------------


def test_delete_one_centroid_then_the_alias_by_query_and_by_body(api, many_centroids):
    dataset_id, _ = many_centroids
    q = {"dataset_id": dataset_id, "vector_field": VF}
    r = api.post(f"{C}/cluster_3/delete", params=q)
    assert r.status_code == 200 and r.json()["status"] == "success"
    assert "cluster_3" not in [d["_id"] for d in list_all(api, dataset_id)["documents"]]
    assert_message(api.post(f"{C}/cluster_3/delete", json=q), 404, "cluster_3")
    configs = api.get(f"/datasets/{dataset_id}/cluster/centroids/configs/list").json()
    assert configs == {"results": [{"vector_fields": [VF], "alias": "default", "count": 10}]}
    r = api.post(f"{C}/delete", json={**q, "vector_field": [VF]})  # the 2022 SDK sends a list here
    assert r.status_code == 200
    assert api.get(f"/datasets/{dataset_id}/cluster/centroids/configs/list").json() == {"results": []}
    # documents keep their assignments, so the alias still answers, with no centroids
    assert list_all(api, dataset_id)["documents"] == []
    assert_message(api.post(f"{C}/delete", params={**q, "alias": "nope"}), 404, "nope")
    assert_message(api.post(f"{C}/delete"), 400, "dataset_id")


def test_configs_list_every_alias_with_centroids(api, many_centroids):
    dataset_id, _ = many_centroids
    api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "alias": "b-alias",
                                  "cluster_centers": [{"_id": "x", VF: [0, 0, 0, 1]}]})
    assert api.get(f"/datasets/{dataset_id}/cluster/centroids/configs/list").json()["results"] == [
        {"vector_fields": [VF], "alias": "b-alias", "count": 1},
        {"vector_fields": [VF], "alias": "default", "count": 11},
    ]
    assert_message(api.get("/datasets/unknown-x/cluster/centroids/configs/list"), 404, "unknown-x")


def test_documents_of_a_dataset_deleted_and_made_again_under_its_name_are_the_new_ones(api):
    """The same writes after a delete must not meet the old dataset's cached ranking (same id, same write count)."""
    dataset_id = fresh_id()

    def make(documents, centroid):
        assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents}).status_code == 200
        r = api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF,
                                         "cluster_centers": [{"_id": "c", VF: centroid}]})
        assert r.status_code == 200, r.text
        return all_members(api, dataset_id, [], "l2")

    old = make([{"_id": f"old-{i}", VF: [float(i), 0.0], "_cluster_": {VF: {"default": "c"}}} for i in range(6)], [0, 0])
    assert old["count"] == 6
    assert api.post("/datasets/delete", json={"dataset_id": dataset_id}).status_code == 200
    new = make([{"_id": f"new-{i}", VF: [0.0, 10.0 * i], "_cluster_": {VF: {"default": "c"}}} for i in range(3)], [0, 0])
    assert new["count"] == 3
    assert [(d["_id"], d["_relevance"]) for d in new["results"]] == [("new-0", 0.0), ("new-1", -10.0), ("new-2", -20.0)]


def test_sizes_count_each_clusters_members_as_the_documents_endpoint_does(api, clustered):
    dataset_id = clustered["dataset_id"]
    r = api.get(f"/datasets/{dataset_id}/cluster/centroids/sizes", params={"vector_field": VF})
    assert r.status_code == 200, r.text
    sizes = r.json()["results"]
    assert sum(sizes.values()) == r.json()["count"] == 23 and len(sizes) == 3
    for cluster_id, size in sizes.items():
        page = api.post("/services/cluster/centroids/documents", json={
            "dataset_id": dataset_id, "vector_field": VF, "cluster_ids": [cluster_id], "page_size": 1}).json()
        assert page["count"] == size
    moved = clustered["documents"][0]["_id"]
    before = next(c for c in sizes if any(d["_id"] == moved and d["_cluster_"][VF]["default"] == c
                                          for d in clustered["documents"]))
    target = next(c for c in sizes if c != before)
    r = api.post(f"/datasets/{dataset_id}/documents/bulk_update",
                 json={"updates": [{"_id": moved, f"_cluster_.{VF}.default": target}]})
    assert r.status_code == 200, r.text
    after = api.get(f"/datasets/{dataset_id}/cluster/centroids/sizes", params={"vector_field": VF}).json()["results"]
    assert after[before] == sizes[before] - 1 and after[target] == sizes[target] + 1


def test_sizes_of_an_unknown_alias_is_a_404_naming_it(api, clustered):
    r = api.get(f"/datasets/{clustered['dataset_id']}/cluster/centroids/sizes", params={"vector_field": VF, "alias": "nope"})
    assert r.status_code == 404 and "nope" in r.json()["message"]
