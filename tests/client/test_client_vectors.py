"""Schema helpers and float32 vectors."""

from __future__ import annotations

import numpy as np
import pytest

from centroid_explorer.client import cluster_aliases, vector_fields, vectors_of
from centroid_explorer.client._vectors import with_arrays

SCHEMA = {
    "title": "text",
    "price": "numeric",
    "title_vector_": {"vector": 768},
    "image_vector_": {"vector": 512},
    "_cluster_.title_vector_.kmeans-10": "text",
    "_cluster_.title_vector_.hdbscan": "text",
    "_cluster_.image_vector_.kmeans-5": "text",
    "notes_vector_": "text",  # named like a vector but not one
}


def test_vector_fields_with_dimensions():
    assert vector_fields(SCHEMA) == {"image_vector_": 512, "title_vector_": 768}


def test_cluster_aliases_from_schema_and_configs():
    configs = [
        {"vector_fields": ["title_vector_"], "alias": "uploaded", "count": 4},
        {"vector_fields": ["title_vector_"], "alias": "kmeans-10", "count": 10},
        {"vector_fields": ["image_vector_"], "alias": "other", "count": 3},
    ]
    assert cluster_aliases("title_vector_", SCHEMA, configs) == ["hdbscan", "kmeans-10", "uploaded"]
    assert cluster_aliases("image_vector_", SCHEMA) == ["kmeans-5"]
    assert cluster_aliases("missing_vector_", SCHEMA, configs) == []


def test_vectors_of_stacks_lists_and_arrays_as_float32():
    documents = [{"_id": "a", "v_vector_": [0.1, 0.2]}, {"_id": "b", "v_vector_": np.array([1.0, 2.0])}]
    matrix = vectors_of(documents, "v_vector_")
    assert matrix.dtype == np.float32 and matrix.shape == (2, 2)
    np.testing.assert_array_equal(matrix[0], np.array([0.1, 0.2], dtype=np.float32))


def test_vectors_of_names_the_document_that_does_not_fit():
    with pytest.raises(ValueError, match="'b' has no 'v_vector_'"):
        vectors_of([{"_id": "a", "v_vector_": [1.0]}, {"_id": "b"}], "v_vector_")
    with pytest.raises(ValueError, match="'b' has a 'v_vector_' of length 2, expected 1"):
        vectors_of([{"_id": "a", "v_vector_": [1.0]}, {"_id": "b", "v_vector_": [1.0, 2.0]}], "v_vector_")


def test_vectors_of_nothing_is_an_empty_matrix():
    assert vectors_of([], "v_vector_").shape == (0, 0)


def test_with_arrays_converts_only_vector_fields():
    documents = [{"_id": "a", "v_vector_": [1, 2], "tags": [1, 2]}]
    with_arrays(documents)
    assert documents[0]["v_vector_"].dtype == np.float32
    assert documents[0]["tags"] == [1, 2]


def test_with_arrays_copes_with_vectors_of_different_lengths_and_missing_ones():
    documents = [{"_id": "a", "v_vector_": [1, 2]}, {"_id": "b", "v_vector_": [1, 2, 3]}, {"_id": "c"}]
    with_arrays(documents)
    assert [len(d["v_vector_"]) for d in documents[:2]] == [2, 3]
    assert documents[1]["v_vector_"].dtype == np.float32
    assert "v_vector_" not in documents[2]
