"""The client against a real server over real HTTP: every call, every iterator, vectors read back exact.

Runs against the embedded server (the `live_server` fixture), and also against any compatible
endpoint when RELEVANCE_BASE_URL, RELEVANCE_PROJECT and RELEVANCE_API_KEY are set (skipped when
not). Each run writes under its own dataset ids and deletes them afterwards.
"""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest

from centroid_explorer.client import (
    AuthenticationError,
    BadRequestError,
    Client,
    NotFoundError,
    cluster_aliases,
    vector_fields,
    vectors_of,
)
from centroid_explorer.config import ENV_API_KEY, ENV_BASE_URL, ENV_PROJECT

VECTOR_FIELD = "title_vector_"
DIMENSION = 8
ALIAS = "kmeans-3"
CLUSTERS = ["cluster_0", "cluster_1", "cluster_2"]
N_DOCUMENTS = 23  # not a multiple of 3: the last page of 3 is short
PAGE_SIZES = [1, 3, 1000]


@pytest.fixture(scope="module", params=["embedded", "env"])
def endpoint(request):
    """(base_url, project, api_key) of the server under test."""
    if request.param == "env":
        names = (ENV_BASE_URL, ENV_PROJECT, ENV_API_KEY)
        if not all(os.environ.get(name) for name in names):
            pytest.skip(f"set {', '.join(names)} to run this suite against another endpoint")
        return tuple(os.environ[name] for name in names)
    server = request.getfixturevalue("live_server")
    return server.base_url, server.project, server.api_key


@pytest.fixture(scope="module")
def client(endpoint):
    with Client(*endpoint) as client:
        yield client


def _unique_id(label: str) -> str:
    return f"ce-client-{label}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def seeded(client):
    """A dataset of documents with float32 vectors, labelled into three clusters with centroids."""
    dataset_id = _unique_id("seeded")
    rng = np.random.default_rng(7)
    centroids = rng.normal(size=(len(CLUSTERS), DIMENSION)).astype(np.float32)
    documents = []
    for i in range(N_DOCUMENTS):
        cluster = i % len(CLUSTERS)
        vector = (centroids[cluster] + 0.1 * rng.normal(size=DIMENSION)).astype(np.float32)
        documents.append(
            {
                "_id": f"doc-{i:02d}",
                "title": f"document {i}",
                VECTOR_FIELD: vector,
                "_cluster_": {VECTOR_FIELD: {ALIAS: CLUSTERS[cluster]}},
            }
        )
    assert client.datasets.bulk_insert(dataset_id, documents)["inserted"] == N_DOCUMENTS
    cluster_centers = [{"_id": cid, VECTOR_FIELD: centroids[k]} for k, cid in enumerate(CLUSTERS)]
    assert client.centroids.insert(dataset_id, cluster_centers, VECTOR_FIELD, ALIAS)["inserted"] == len(CLUSTERS)
    yield dataset_id, documents, centroids
    client.datasets.delete(dataset_id)


@pytest.fixture
def scratch_dataset(client):
    """An id for a dataset a test creates; deleted afterwards if it exists."""
    dataset_id = _unique_id("scratch")
    yield dataset_id
    try:
        client.datasets.delete(dataset_id)
    except NotFoundError:
        pass


def _ids(items):
    return [item["_id"] for item in items]


def test_datasets_list_and_schema(client, seeded):
    dataset_id, _, _ = seeded
    assert dataset_id in client.datasets.list()
    schema = client.datasets.schema(dataset_id)
    assert vector_fields(schema) == {VECTOR_FIELD: DIMENSION}
    assert cluster_aliases(VECTOR_FIELD, schema, client.centroids.configs(dataset_id)) == [ALIAS]


def test_configs_name_the_alias_and_its_centroid_count(client, seeded):
    dataset_id, _, _ = seeded
    assert {"vector_fields": [VECTOR_FIELD], "alias": ALIAS, "count": 3} in client.centroids.configs(dataset_id)


@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_iter_documents_gives_each_document_once_with_exact_vectors(client, seeded, page_size):
    dataset_id, documents, _ = seeded
    fetched = list(client.datasets.iter_documents(dataset_id, page_size, include_vector=True, as_arrays=True))
    assert sorted(_ids(fetched)) == _ids(documents)
    by_id = {d["_id"]: d for d in fetched}
    np.testing.assert_array_equal(
        vectors_of([by_id[d["_id"]] for d in documents], VECTOR_FIELD), np.stack([d[VECTOR_FIELD] for d in documents])
    )


def test_list_documents_pages_and_selects_fields(client, seeded):
    dataset_id, _, _ = seeded
    page = client.datasets.list_documents(dataset_id, page_size=5, select_fields=["title"])
    assert page["count"] == N_DOCUMENTS and len(page["documents"]) == 5 and page["cursor"]
    assert all(set(d) == {"_id", "title"} for d in page["documents"])
    without_vectors = client.datasets.list_documents(dataset_id)["documents"]
    assert all(VECTOR_FIELD not in d for d in without_vectors)
    following = client.datasets.list_documents(dataset_id, page_size=5, cursor=page["cursor"])
    assert not set(_ids(page["documents"])) & set(_ids(following["documents"]))


def test_centroids_list_with_and_without_vectors(client, seeded):
    dataset_id, _, centroids = seeded
    page = client.centroids.list(dataset_id, VECTOR_FIELD, ALIAS)
    assert page["count"] == 3
    assert _ids(page["documents"]) == CLUSTERS and page["cursor"] is None
    assert all(VECTOR_FIELD not in d for d in page["documents"])
    with_vectors = client.centroids.list(dataset_id, VECTOR_FIELD, ALIAS, include_vector=True)["documents"]
    np.testing.assert_array_equal(vectors_of(with_vectors, VECTOR_FIELD), centroids)


@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_iter_list_gives_each_centroid_once(client, seeded, page_size):
    dataset_id, _, centroids = seeded
    fetched = list(client.centroids.iter_list(dataset_id, VECTOR_FIELD, ALIAS, page_size, True, as_arrays=True))
    assert _ids(fetched) == CLUSTERS
    np.testing.assert_array_equal(np.stack([d[VECTOR_FIELD] for d in fetched]), centroids)


def test_get_returns_the_centroids_asked_in_that_order(client, seeded):
    dataset_id, _, centroids = seeded
    page = client.centroids.get(dataset_id, ["cluster_2", "cluster_0"], VECTOR_FIELD, ALIAS)
    assert _ids(page["documents"]) == ["cluster_2", "cluster_0"]
    np.testing.assert_array_equal(vectors_of(page["documents"], VECTOR_FIELD), centroids[[2, 0]])


def test_documents_of_one_cluster_closest_first(client, seeded):
    dataset_id, documents, _ = seeded
    answer = client.centroids.documents(dataset_id, ["cluster_1"], VECTOR_FIELD, ALIAS, page_size=100)
    members = [d["_id"] for d in documents if d["_cluster_"][VECTOR_FIELD][ALIAS] == "cluster_1"]
    assert sorted(_ids(answer["results"])) == members
    assert answer["count"] == len(members)
    relevance = [d["_relevance"] for d in answer["results"]]
    assert relevance == sorted(relevance, reverse=True)


@pytest.mark.parametrize("metric", ["cosine", "l1", "l2", "dp"])
def test_documents_accepts_each_similarity_metric(client, seeded, metric):
    dataset_id, _, _ = seeded
    answer = client.centroids.documents(dataset_id, [], VECTOR_FIELD, ALIAS, page_size=3, similarity_metric=metric)
    assert answer["count"] == N_DOCUMENTS and len(answer["results"]) == 3


@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_iter_documents_of_all_clusters_gives_each_document_once(client, seeded, page_size):
    dataset_id, documents, _ = seeded
    fetched = list(client.centroids.iter_documents(dataset_id, [], VECTOR_FIELD, ALIAS, page_size))
    assert sorted(_ids(fetched)) == _ids(documents)


def test_metadata_written_whole_and_read_back(client, seeded):
    dataset_id, _, _ = seeded
    metadata = {
        "description": "three blobs",
        "clusters": {"cluster_0": {"label": "first", "description": "", "tags": ["a", "b"]}},
        "written_by_another_tool": {"nested": [1, 2.5, None, True]},
    }
    assert client.centroids.metadata(dataset_id, VECTOR_FIELD, ALIAS, metadata=metadata) == metadata
    assert client.centroids.metadata(dataset_id, VECTOR_FIELD, ALIAS) == metadata


def test_insert_then_read_back_equal_vectors_and_delete(client, seeded):
    dataset_id, _, _ = seeded
    alias = "uploaded"
    vectors = np.random.default_rng(1).normal(size=(4, DIMENSION)).astype(np.float32)
    centers = [{"_id": f"c{k}", VECTOR_FIELD: vectors[k]} for k in range(4)]
    assert client.centroids.insert(dataset_id, centers, VECTOR_FIELD, alias) == {"inserted": 4, "failed_documents": []}
    read = client.centroids.get(dataset_id, ["c0", "c1", "c2", "c3"], VECTOR_FIELD, alias)["documents"]
    np.testing.assert_array_equal(vectors_of(read, VECTOR_FIELD), vectors)

    client.centroids.delete(dataset_id, VECTOR_FIELD, alias, centroid_id="c1")
    assert _ids(client.centroids.iter_list(dataset_id, VECTOR_FIELD, alias)) == ["c0", "c2", "c3"]
    client.centroids.delete(dataset_id, VECTOR_FIELD, alias)
    assert all(config["alias"] != alias for config in client.centroids.configs(dataset_id))


def test_create_bulk_insert_in_batches_and_delete_a_dataset(client, scratch_dataset):
    client.datasets.create(scratch_dataset, schema={"score": "numeric"})
    assert scratch_dataset in client.datasets.list()
    progress = []
    documents = ({"_id": str(i), "score": i} for i in range(2_100))  # three requests of at most 1,000
    answer = client.datasets.bulk_insert(scratch_dataset, documents, progress=lambda *a: progress.append(a))
    assert answer == {"inserted": 2_100, "failed_documents": []}
    assert progress == [(1000, None), (2000, None), (2100, None)]
    assert client.datasets.list_documents(scratch_dataset)["count"] == 2_100
    client.datasets.delete(scratch_dataset)
    assert scratch_dataset not in client.datasets.list()


def test_a_bad_centroid_is_named_and_nothing_is_written(client, seeded):
    dataset_id, _, _ = seeded
    centers = [
        {"_id": "fine", VECTOR_FIELD: [0.0] * DIMENSION},
        {"_id": "short", VECTOR_FIELD: [0.0] * (DIMENSION - 1)},
    ]
    with pytest.raises(BadRequestError) as caught:
        client.centroids.insert(dataset_id, centers, VECTOR_FIELD, "rejected")
    assert [item["_id"] for item in caught.value.errors] == ["short"]
    assert "'short'" in caught.value.message
    assert all(config["alias"] != "rejected" for config in client.centroids.configs(dataset_id))


def test_unknown_dataset_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.datasets.schema(_unique_id("missing"))
    assert caught.value.status == 404
    assert caught.value.endpoint.endswith("/schema")


def test_wrong_key_is_an_authentication_error_that_does_not_show_it(endpoint):
    base_url, project, _ = endpoint
    wrong_key = "wrong-key-" + uuid.uuid4().hex
    with Client(base_url, project, wrong_key) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.datasets.list()
    assert caught.value.status in (401, 403)
    assert wrong_key not in str(caught.value) and wrong_key not in repr(caught.value)
