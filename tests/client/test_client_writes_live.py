"""The client's document updates, center listings and metadata versions against the embedded server over
real HTTP; and, through a mock transport, a server that has no versions or history (the hosted API)."""

from __future__ import annotations

import uuid

import httpx
import numpy as np
import pytest

from centroid_explorer.client import Client, NotFoundError, NotSupportedError, PreconditionFailedError

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


# -- metadata versions and history ------------------------------------------------------------------


def test_a_conditional_write_with_a_stale_version_is_refused(client, dataset):
    assert client.centroids.read_metadata(dataset, VF, ALIAS) == ({}, "0")
    client.centroids.metadata(dataset, VF, ALIAS, metadata={"by": "me"}, if_match="0")
    mine, version = client.centroids.read_metadata(dataset, VF, ALIAS)
    assert mine == {"by": "me"} and version not in (None, "0")
    client.centroids.metadata(dataset, VF, ALIAS, metadata={"by": "someone else"})  # unconditional, as the SDK writes
    with pytest.raises(PreconditionFailedError) as refused:
        client.centroids.metadata(dataset, VF, ALIAS, metadata={"by": "me again"}, if_match=version)
    assert refused.value.status == 412 and "Someone else saved a change" in str(refused.value)
    assert client.centroids.metadata(dataset, VF, ALIAS) == {"by": "someone else"}
    with pytest.raises(ValueError):
        client.centroids.metadata(dataset, VF, ALIAS, if_match=version)


def test_history_and_restore(client, dataset):
    for label in ("first", "second"):
        client.centroids.metadata(dataset, VF, ALIAS, metadata={"label": label})
    page = client.centroids.metadata_history(dataset, VF, ALIAS)
    assert page["count"] == 2 and [v["written_by"] for v in page["results"]] == ["default", "default"]
    older = page["results"][1]["version"]
    assert client.centroids.metadata_at(dataset, VF, ALIAS, older) == {"label": "first"}
    _, current = client.centroids.read_metadata(dataset, VF, ALIAS)
    client.centroids.metadata(dataset, VF, ALIAS, metadata=client.centroids.metadata_at(dataset, VF, ALIAS, older),
                              if_match=current)
    assert client.centroids.metadata(dataset, VF, ALIAS) == {"label": "first"}
    assert client.centroids.metadata_history(dataset, VF, ALIAS, page_size=1)["count"] == 3
    with pytest.raises(NotFoundError) as unknown:  # our server has the route: an unknown alias is not "unsupported"
        client.centroids.metadata_history(dataset, VF, "no-such-alias")
    assert not isinstance(unknown.value, NotSupportedError) and "no-such-alias" in unknown.value.message


def hosted_like(request: httpx.Request) -> httpx.Response:
    """What a server without our routes answers: FastAPI's 404 for an unknown path; metadata without an ETag."""
    if request.url.path.endswith("/services/cluster/centroids/metadata"):
        return httpx.Response(200, json={"results": {"label": "x"}})
    return httpx.Response(404, json={"detail": "Not Found"})


def test_a_server_without_versions_or_history(mock_hosted):
    assert mock_hosted.centroids.read_metadata("ds", VF, ALIAS) == ({"label": "x"}, None)
    with pytest.raises(NotSupportedError, match="keeps no metadata history"):
        mock_hosted.centroids.metadata_history("ds", VF, ALIAS)
    with pytest.raises(NotSupportedError):
        mock_hosted.centroids.metadata_at("ds", VF, ALIAS, "12")


@pytest.fixture
def mock_hosted():
    with Client("https://api.example.test/latest", "p", "k", transport=httpx.MockTransport(hosted_like)) as c:
        yield c
