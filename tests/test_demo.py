"""Demo datasets: their shapes and fields, and what a newcomer sees after seeding a real server."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from centroid_explorer import demo, metadata
from centroid_explorer.client import Client
from centroid_explorer.server.runner import EmbeddedServer


@pytest.fixture(scope="module")
def digits() -> demo.DemoDataset:
    return demo.digits()


@pytest.fixture(scope="module")
def python_docs() -> demo.DemoDataset:
    return demo.python_docs()


def test_digits_documents_have_the_digit_its_image_and_pixels(digits):
    assert (digits.dataset_id, digits.vector_field, digits.alias) == ("digits", "pixels_vector_", "kmeans-10")
    assert len(digits.documents) == 1797
    first = digits.documents[0]
    assert first["digit"] == 0
    assert len(first["image"]) == 8 and all(len(row) == 8 for row in first["image"])
    assert len(first["picture"].splitlines()) == 8
    assert first["pixels_vector_"] == [float(v) for row in first["image"] for v in row]
    assert Counter(d["digit"] for d in digits.documents).keys() == set(range(10))


def test_digits_clusters_label_the_majority_digit(digits):
    cluster_ids = {d["_cluster_"]["pixels_vector_"]["kmeans-10"] for d in digits.documents}
    assert cluster_ids == {f"cluster_{i}" for i in range(10)}
    assert [c["_id"] for c in digits.centroids] == [f"cluster_{i}" for i in range(10)]
    assert all(len(c["pixels_vector_"]) == 64 for c in digits.centroids)
    run = digits.metadata["run"]
    assert run["algorithm"] == "kmeans" and run["k"] == 10 and run["inertia"] > 0 and run["date"]
    notes = metadata.cluster_notes(digits.metadata)
    for cluster_id, note in notes.items():
        members = Counter(d["digit"] for d in digits.documents if d["_cluster_"]["pixels_vector_"]["kmeans-10"] == cluster_id)
        assert note.label.startswith(f"mostly {members.most_common(1)[0][0]}s (")
    assert metadata.validate(digits.metadata) == []


def test_python_docs_hold_readable_docstrings_with_normalised_vectors(python_docs):
    documents = python_docs.documents
    assert (python_docs.dataset_id, python_docs.vector_field, python_docs.alias) == (
        "python-docs",
        "text_vector_",
        "kmeans-12",
    )
    assert len(documents) >= 1500
    assert len({d["_id"] for d in documents}) == len(documents)
    by_id = {d["_id"]: d for d in documents}
    assert by_id["json.dumps"]["module"] == "json"
    assert "JSON" in by_id["json.dumps"]["text"]
    assert {d["module"].split(".")[0] for d in documents} >= {"numpy", "pandas", "sklearn", "os", "json"}
    assert all(d["name"] and d["text"] and len(d["text"]) <= demo.TEXT_FIELD_LIMIT for d in documents)
    vectors = np.array([d["text_vector_"] for d in documents])
    assert vectors.shape[1] == demo.TEXT_DIMENSION
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_python_docs_clusters_are_labelled_by_their_terms(python_docs):
    notes = metadata.cluster_notes(python_docs.metadata)
    assert sorted(notes) == sorted(f"cluster_{i}" for i in range(demo.TEXT_CLUSTERS))
    assert all(len(n.label.split(", ")) == 3 and len(n.tags) == 6 for n in notes.values())
    assert not set().union(*(n.tags for n in notes.values())) & demo.DOCSTRING_STOP_WORDS
    assert metadata.validate(python_docs.metadata) == []


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    with EmbeddedServer(tmp_path_factory.mktemp("demo-data"), project="demo", api_key="demo-key") as server:
        with Client(server.base_url, server.project, server.api_key) as client:
            yield client


def test_seeding_an_empty_server_makes_both_datasets_readable(empty_server, python_docs):
    client = empty_server
    assert demo.seed_if_empty(client) is True
    assert sorted(client.datasets.list()) == ["digits", "python-docs"]

    centroids = list(client.centroids.iter_list("digits", "pixels_vector_", "kmeans-10", include_vector=True))
    assert len(centroids) == 10 and all(len(c["pixels_vector_"]) == 64 for c in centroids)
    page = client.centroids.documents("digits", ["cluster_0"], "pixels_vector_", "kmeans-10", page_size=3)
    assert page["count"] > 0
    assert all(d["_cluster_"]["pixels_vector_"]["kmeans-10"] == "cluster_0" and "digit" in d for d in page["results"])
    # Seeding made the data again: the same packages give the same documents and clusters.
    stored = {d["_id"]: d["_cluster_"] for d in client.datasets.iter_documents("python-docs")}
    assert stored == {d["_id"]: d["_cluster_"] for d in python_docs.documents}
    stored_metadata = client.centroids.metadata("python-docs", "text_vector_", "kmeans-12")
    assert stored_metadata["run"]["k"] == 12
    assert len(metadata.cluster_notes(stored_metadata)) == 12


def test_seeding_again_is_skipped_and_a_forced_reseed_keeps_labels_people_wrote(empty_server):
    client = empty_server
    assert demo.seed_if_empty(client) is False
    stored = client.centroids.metadata("digits", "pixels_vector_", "kmeans-10")
    edited = metadata.with_cluster_notes(stored, "cluster_3", label="my own label")
    client.centroids.metadata("digits", "pixels_vector_", "kmeans-10", edited)
    demo.write(client, demo.digits())
    after = client.centroids.metadata("digits", "pixels_vector_", "kmeans-10")
    assert metadata.notes_for(after, "cluster_3").label == "my own label"
    assert client.datasets.list_documents("digits")["count"] == 1797
