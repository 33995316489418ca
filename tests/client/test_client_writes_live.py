"""The client's document updates and center listings against the embedded server over real HTTP."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from centroid_explorer.client import NotFoundError

VF, ALIAS = "v_vector_", "k3"


@pytest.fixture
def dataset(client):
    dataset_id = f"ce-writes-{uuid.uuid4().hex[:10]}"
    documents = [{"_id": f"d{i}", "title": f"t{i}", VF: np.array([1.0 + i % 3, 0.5 * i, 1.0], dtype=np.float32),
                  "_cluster_": {VF: {ALIAS: f"c{i % 3}"}}} for i in range(9)]
    client.datasets.bulk_insert(dataset_id, documents)
    client.centroids.insert(dataset_id, [{"_id": f"c{c}", VF: [1.0 + c, 2.0, 1.0]} for c in range(3)], VF, ALIAS)
    yield dataset_id
    client.datasets.delete(dataset_id)


def test_bulk_update_moves_documents_between_clusters(client, dataset):
    answer = client.datasets.bulk_update(dataset, [{"_id": "d0", f"_cluster_.{VF}.{ALIAS}": "c1"},
                                                   {"_id": "d3", "_cluster_": {VF: {ALIAS: "c1"}}, "title": "moved"}])
    assert answer == {"inserted": 2, "failed_documents": []}
    members = {d["_id"] for d in client.centroids.iter_documents(dataset, ["c1"], VF, ALIAS)}
    assert members == {"d0", "d1", "d3", "d4", "d7"}
    titles = {d["_id"]: d["title"] for d in client.datasets.iter_documents(dataset)}
    assert titles["d3"] == "moved" and titles["d0"] == "t0"


def test_bulk_update_naming_an_unknown_document_writes_nothing(client, dataset):
    with pytest.raises(NotFoundError) as raised:
        client.datasets.bulk_update(dataset, [{"_id": "d0", "title": "x"}, {"_id": "ghost", "title": "y"}])
    assert "ghost" in raised.value.message
    assert {d["_id"]: d["title"] for d in client.datasets.iter_documents(dataset)}["d0"] == "t0"


def test_closest_and_furthest_are_each_others_reverse(client, dataset):
    closest = client.centroids.list_closest_to_center(dataset, VF, ["c0", "c2"], ALIAS, page_size=10)
    furthest = client.centroids.list_furthest_from_center(dataset, VF, ["c0", "c2"], ALIAS, page_size=10)
    assert list(closest["results"]) == ["c0", "c2"] and closest["count"] == 6
    for cluster_id, docs in closest["results"].items():
        assert [d["_id"] for d in docs] == [d["_id"] for d in reversed(furthest["results"][cluster_id])]
    one_each = client.centroids.list_closest_to_center(dataset, VF, alias=ALIAS)
    assert {cid: len(docs) for cid, docs in one_each["results"].items()} == {"c0": 1, "c1": 1, "c2": 1}
