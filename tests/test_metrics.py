"""The similarity metrics, defined once: `_relevance` (the server's ranking) and the centroid matrix (the map's
heatmap) are the same scores."""

from __future__ import annotations

import numpy as np
import pytest

from centroid_explorer.metrics import LABELS, METRICS, nearest_centroids, relevance, similarity


@pytest.mark.parametrize(
    "metric, expected",
    [("cosine", [[1, 0], [0, 1]]), ("dp", [[4, 0], [0, 1]]), ("l2", [[0, -np.sqrt(5)], [-np.sqrt(5), 0]]),
     ("l1", [[0, -3], [-3, 0]])],
)
def test_similarity_between_centroids_is_higher_for_closer(metric, expected):
    assert np.allclose(similarity(*[np.array([[2.0, 0.0], [0.0, 1.0]])] * 2, metric), expected)


@pytest.mark.parametrize("metric", METRICS)
def test_each_row_of_the_centroid_matrix_is_the_relevance_to_that_centroid(metric):
    centroids = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
    matrix = similarity(centroids, centroids, metric)
    for i, centroid in enumerate(centroids):
        np.testing.assert_allclose(matrix[:, i], relevance(centroids, centroid, metric), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("metric", METRICS)
def test_a_zero_vector_scores_a_number_not_nan(metric):
    vectors = np.zeros((2, 3))
    assert np.isfinite(similarity(vectors, vectors, metric)).all()
    assert np.isfinite(relevance(vectors, vectors[0], metric)).all()


def test_an_unknown_metric_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown similarity metric 'hamming'; expected one of cosine, l1, l2, dp"):
        relevance(np.zeros((1, 2)), np.zeros(2), "hamming")


def test_distances_are_shown_positive_and_similarities_as_they_are():
    relevance = np.array([-0.0, -1.5, -3.0])
    assert LABELS["l2"].shown(relevance).tolist() == [0.0, 1.5, 3.0]
    assert not np.signbit(LABELS["l1"].shown(relevance)).any()  # no "-0.000"
    assert LABELS["cosine"].shown([0.5]).tolist() == [0.5]
    assert [m.name for m in LABELS.values()] == [
        "Cosine similarity", "Dot product", "Euclidean (L2) distance", "Manhattan (L1) distance",
    ]


@pytest.mark.parametrize("metric", METRICS)
def test_nearest_centroids_are_the_highest_scores_of_the_row_itself_first(metric):
    centroids = np.random.default_rng(1).normal(size=(40, 6)).astype(np.float32)
    nearest = nearest_centroids(centroids, 7, metric, 5)
    row = similarity(centroids, centroids[7:8], metric)[:, 0]
    others = np.argsort(-np.delete(row, 7), kind="stable")
    assert nearest[0] == 7 and set(nearest[1:]) == {i + (i >= 7) for i in others[:4]}
