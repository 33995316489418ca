"""Merge, split and move as pure computations on a small fixed alias (no server)."""

from __future__ import annotations

import numpy as np
import pytest

from centroid_explorer.curation import AliasState, Members, centroid_of, merge, move, split

# Three clusters on a line: a around x=0, b around x=10, c around x=20 (2-D, second coordinate 1).
IDS = [f"d{i}" for i in range(9)]
CLUSTERS = ["a"] * 3 + ["b"] * 3 + ["c"] * 3
VECTORS = np.array([[x, 1.0] for x in (0, 1, 2, 10, 11, 12, 20, 21, 22)], dtype=np.float32)
METADATA = {
    "description": "run 1",
    "other_tool": {"keep": True},
    "clusters": {
        "a": {"label": "Apples", "description": "red", "tags": ["fruit", "red"], "colour": "#f00"},
        "b": {"label": "Bananas", "tags": ["fruit", "yellow"]},
        "c": {"label": "Cars", "tags": ["metal"]},
    },
}


def state() -> AliasState:
    centroids = np.array([[1, 1], [11, 1], [21, 1]], dtype=np.float32)
    return AliasState("ds", "v_vector_", "k3", ["a", "b", "c"], centroids, dict(zip(IDS, CLUSTERS, strict=True)), METADATA)


def members(cluster_ids) -> Members:
    keep = [i for i, c in enumerate(CLUSTERS) if c in cluster_ids]
    return Members([IDS[i] for i in keep], [CLUSTERS[i] for i in keep], VECTORS[keep], [f"text {i}" for i in keep])


def test_centroid_under_each_metric():
    vectors = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 100.0]], dtype=np.float32)
    np.testing.assert_allclose(centroid_of(vectors, "l2"), [1.0, 25.5])
    np.testing.assert_allclose(centroid_of(vectors, "dp"), [1.0, 25.5])
    np.testing.assert_allclose(centroid_of(vectors, "l1"), [0.5, 1.0])
    # cosine: direction only, so [3, 0] counts as much as [0, 1]; the result has unit length
    cosine = centroid_of(vectors, "cosine")
    assert np.linalg.norm(cosine) == pytest.approx(1.0)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    np.testing.assert_allclose(cosine, unit.mean(0) / np.linalg.norm(unit.mean(0)), rtol=1e-6)


def test_merge_keeps_the_first_id_moves_the_others_and_combines_their_notes():
    plan = merge(state(), members({"a", "b"}), ["a", "b"], "l2")
    assert plan.removed == ["b"]
    assert plan.moves == {"d3": "a", "d4": "a", "d5": "a"}
    np.testing.assert_allclose(plan.centroids["a"], [6.0, 1.0])
    assert plan.cluster_ids_after == ["a", "c"]
    assert [(s.cluster_id, s.before, s.after) for s in plan.size_changes()] == [("a", 3, 6), ("b", 3, 0)]
    after = plan.metadata_after(METADATA)
    assert after["clusters"]["a"] == {"label": "Apples + Bananas", "description": "red",
                                      "tags": ["fruit", "red", "yellow"], "colour": "#f00"}
    assert "b" not in after["clusters"] and after["clusters"]["c"] == METADATA["clusters"]["c"]
    assert after["other_tool"] == {"keep": True} and after["description"] == "run 1"
    assert METADATA["clusters"]["a"]["label"] == "Apples"  # the input is not modified


def test_merge_refuses_one_cluster_and_unknown_ids():
    with pytest.raises(ValueError, match="at least two"):
        merge(state(), members({"a"}), ["a", "a"], "l2")
    with pytest.raises(ValueError, match="no cluster 'zz'"):
        merge(state(), members({"a"}), ["a", "zz"], "l2")


def test_split_gives_derived_ids_labels_and_centroids():
    s = state()
    uneven = Members(["d6", "d7", "d8"], ["c"] * 3, np.array([[20, 1], [20.5, 1], [40, 1]], dtype=np.float32), [""] * 3)
    plan = split(s, uneven, "c", 2, "l2")
    assert plan.removed == ["c"]
    assert plan.moves == {"d6": "c-1", "d7": "c-1", "d8": "c-2"}  # part 1 is the larger
    np.testing.assert_allclose(plan.centroids["c-1"], [20.25, 1.0])
    np.testing.assert_allclose(plan.centroids["c-2"], [40.0, 1.0])
    notes = plan.metadata_after(METADATA)["clusters"]
    assert notes["c-1"] == {"label": "Cars (part 1 of 2)", "tags": ["metal"]}
    assert notes["c-2"]["label"] == "Cars (part 2 of 2)" and "c" not in notes


def test_split_ids_do_not_collide_and_k_is_checked():
    s = state()
    taken = AliasState(s.dataset_id, s.vector_field, s.alias, ["a", "b", "c", "c-1"],
                       np.vstack([s.centroids, [[5, 5]]]).astype(np.float32), s.assignments, {})
    plan = split(taken, members({"c"}), "c", 2, "l2")
    assert set(plan.centroids) == {"c-1-2", "c-2"}
    assert plan.metadata_after({})["clusters"]["c-2"]["label"] == "c (part 2 of 2)"  # no label: the id
    with pytest.raises(ValueError, match="k must be from 2 to 5"):
        split(s, members({"c"}), "c", 6, "l2")
    with pytest.raises(ValueError, match="at least 4"):
        split(s, members({"c"}), "c", 4, "l2")


def test_move_recomputes_both_clusters_and_removes_an_emptied_one():
    plan = move(state(), members({"a", "b"}), ["d3"], "a", "l2")
    assert plan.moves == {"d3": "a"}
    np.testing.assert_allclose(plan.centroids["a"], [(0 + 1 + 2 + 10) / 4, 1.0])
    np.testing.assert_allclose(plan.centroids["b"], [11.5, 1.0])
    assert plan.removed == []
    emptied = move(state(), members({"a", "b"}), ["d3", "d4", "d5", "d0"], "a", "l2")
    assert emptied.removed == ["b"] and set(emptied.moves) == {"d3", "d4", "d5"}  # d0 is in "a" already
    assert "b" not in emptied.metadata_after(METADATA)["clusters"]
    with pytest.raises(ValueError, match="not assigned"):
        move(state(), members({"a"}), ["nope"], "a", "l2")
    with pytest.raises(ValueError, match="nothing to move"):
        move(state(), members({"a"}), ["d0"], "a", "l2")
