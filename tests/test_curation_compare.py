"""Comparing two clusterings: agreement scores, one-to-one matching, flows and changed documents."""

from __future__ import annotations

import numpy as np
import pytest

from centroid_explorer.curation import compare


def test_relabelled_identical_clusterings_agree_fully_and_nothing_changed():
    a = {"d1": "x", "d2": "x", "d3": "y", "d4": "y"}
    b = {"d1": "q", "d2": "q", "d3": "p", "d4": "p"}
    centroids_a = (["x", "y"], np.array([[1, 0], [0, 1]], dtype=np.float32))
    centroids_b = (["p", "q"], np.array([[0, 1], [1, 0.1]], dtype=np.float32))
    result = compare("A", "B", a, b, centroids_a, centroids_b, "cosine")
    assert result.adjusted_rand == pytest.approx(1.0) and result.nmi == pytest.approx(1.0)
    assert dict(zip(result.matches["cluster_a"], result.matches["cluster_b"], strict=True)) == {"x": "q", "y": "p"}
    assert result.changed.empty and result.common == 4


def test_matching_is_one_to_one_and_changed_documents_are_listed():
    # x's centroid is closest to both p and q, but p is y's only close match: the Hungarian assignment
    # gives p to y and q to x (a greedy best match would give p to x).
    a = {"d1": "x", "d2": "x", "d3": "y", "d4": "y", "only_a": "x"}
    b = {"d1": "q", "d2": "p", "d3": "p", "d4": "p", "only_b": "q"}
    centroids_a = (["x", "y"], np.array([[1, 1], [0, 1]], dtype=np.float32))
    centroids_b = (["p", "q"], np.array([[0.1, 1], [1, 0.6]], dtype=np.float32))
    result = compare("A", "B", a, b, centroids_a, centroids_b, "cosine")
    matches = dict(zip(result.matches["cluster_a"], result.matches["cluster_b"], strict=True))
    assert matches == {"x": "q", "y": "p"}
    assert result.changed.to_dict("records") == [{"_id": "d2", "cluster_a": "x", "cluster_b": "p", "expected_b": "q"}]
    assert (result.common, result.only_a, result.only_b) == (4, 1, 1)
    assert int(result.flows.loc["y", "p"]) == 2 and int(result.flows.loc["x", "p"]) == 1
    assert 0 <= result.nmi < 1


def test_extra_clusters_stay_unmatched_and_too_few_shared_documents_give_no_score():
    a = {"d1": "x"}
    b = {"d1": "p", "d2": "q"}
    result = compare("A", "B", a, b, (["x"], np.ones((1, 2), dtype=np.float32)),
                     (["p", "q"], np.array([[1, 1], [1, -1]], dtype=np.float32)), "dp")
    assert result.adjusted_rand is None and result.nmi is None
    unmatched = result.matches[result.matches["cluster_a"].isna()]
    assert unmatched["cluster_b"].tolist() == ["q"]
