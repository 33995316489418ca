"""The projection engine: layouts a user can trust, at the edges too, and caches that hold."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.manifold import trustworthiness
from sklearn.metrics import silhouette_score

from centroid_explorer.projection import (
    ProjectionEngine,
    ProjectionJob,
    core,
    project_2d,
    project_clusters,
    quick_layout,
)


def blobs(n_per_group: int, n_groups: int, d: int, seed: int = 0, spread: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, d))
    labels = np.repeat(np.arange(n_groups), n_per_group)
    return centres[labels] + rng.normal(scale=spread, size=(len(labels), d)), labels


def nearest_in_2d_share_label(layout: np.ndarray, labels: np.ndarray) -> float:
    d = np.linalg.norm(layout[:, None] - layout[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    return float(np.mean(labels[d.argmin(axis=1)] == labels))


# --- quality on the digits demo data -------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


@pytest.mark.parametrize("metric", ["l2", "cosine"])
def test_digits_layout_keeps_neighbours_and_separates_the_ten_digits(digits, metric):
    vectors, digit = digits
    layout = project_2d(vectors, metric)
    assert layout.shape == (len(vectors), 2)
    assert trustworthiness(vectors, layout, n_neighbors=10) >= 0.95
    # PCA to 2D scores ~0.10 here (the digits overlap), umap-learn ~0.6; 0.4 is far above
    # an unseparated map and leaves room for the run-to-run variation of a parallel fit.
    assert silhouette_score(layout, digit) > 0.4
    assert silhouette_score(quick_layout(vectors, metric), digit) < 0.2


# --- edges -------------------------------------------------------------------------------

def test_one_point_sits_at_the_origin():
    assert project_2d(np.ones((1, 8))).tolist() == [[0.0, 0.0]]


def test_two_and_three_points_keep_their_exact_distances():
    rng = np.random.default_rng(3)
    for n in (2, 3):
        vectors = rng.normal(size=(n, 20))
        layout = project_2d(vectors, "l2")
        original = np.linalg.norm(vectors[:, None] - vectors[None], axis=-1)
        in_2d = np.linalg.norm(layout[:, None] - layout[None], axis=-1)
        np.testing.assert_allclose(in_2d, original, rtol=1e-4, atol=1e-4)


def test_fewer_points_than_neighbours_still_separates_groups():
    vectors, labels = blobs(4, 2, 10)  # 8 points, default n_neighbors is 15
    layout = project_2d(vectors, "l2", n_neighbors=15)
    assert layout.shape == (8, 2) and np.isfinite(layout).all()
    assert nearest_in_2d_share_label(layout, labels) == 1.0


def test_duplicate_vectors_land_together():
    vectors, labels = blobs(30, 3, 16, spread=0.0)  # every group is one vector, 30 times over
    layout = project_2d(vectors, "cosine")
    assert np.isfinite(layout).all()
    assert nearest_in_2d_share_label(layout, labels) == 1.0


def test_all_identical_vectors_give_a_finite_layout():
    layout = project_2d(np.ones((20, 5)), "l2")
    assert layout.shape == (20, 2) and np.isfinite(layout).all()


@pytest.mark.parametrize("metric", ["cosine", "dp"])
def test_zero_vectors_under_cosine_do_not_break_the_layout(metric):
    vectors, labels = blobs(20, 3, 12)
    vectors[[0, 25, 50]] = 0.0
    layout = project_2d(vectors, metric)
    assert np.isfinite(layout).all()
    nonzero = np.ones(len(vectors), bool)
    nonzero[[0, 25, 50]] = False
    assert nearest_in_2d_share_label(layout[nonzero], labels[nonzero]) > 0.95


def test_cosine_ignores_vector_length_and_l2_does_not():
    vectors, labels = blobs(30, 2, 10)
    scale = np.where(np.arange(60) % 2 == 0, 1.0, 50.0)[:, None]  # half the vectors 50x longer
    assert nearest_in_2d_share_label(project_2d(vectors * scale, "cosine"), labels) > 0.95
    long = (np.arange(60) % 2).astype(int)
    assert nearest_in_2d_share_label(project_2d(vectors * scale, "l2"), long) > 0.95


def test_l1_metric_separates_groups():
    vectors, labels = blobs(25, 3, 30)
    assert nearest_in_2d_share_label(project_2d(vectors, "l1"), labels) > 0.95


def test_very_high_dimension():
    vectors, labels = blobs(50, 4, 4096, spread=0.5)
    layout = project_2d(vectors.astype(np.float32), "cosine")
    assert layout.shape == (200, 2)
    assert nearest_in_2d_share_label(layout, labels) > 0.95


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e300])
def test_non_finite_input_is_rejected_naming_the_row(bad):
    vectors = np.ones((10, 4))
    vectors[7, 2] = bad
    with pytest.raises(ValueError, match=r"row 7 "):
        project_2d(vectors)


@pytest.mark.parametrize(
    "vectors, message",
    [(np.ones(5), "2-D"), (np.ones((3, 0)), "no dimensions"), (np.array([["a", "b"]]), "numeric")],
)
def test_malformed_input_is_rejected(vectors, message):
    with pytest.raises(ValueError, match=message):
        project_2d(vectors)


def test_unknown_metric_is_rejected():
    with pytest.raises(ValueError, match="unknown metric 'cos'"):
        project_2d(np.ones((5, 3)), "cos")


def test_reproducible_layout_when_asked():
    vectors, _ = blobs(40, 3, 20)
    first = project_2d(vectors, "l2", random_state=7)
    np.testing.assert_array_equal(first, project_2d(vectors, "l2", random_state=7))


def test_exact_neighbours_agree_with_brute_force_across_blocks():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(300, 12)).astype(np.float32)
    vectors[10] = vectors[20]  # a duplicate: each point must still come first in its own list
    indices, distances = core.exact_neighbours(vectors, 6, block=37)
    full = np.linalg.norm(vectors[:, None] - vectors[None], axis=-1)
    np.fill_diagonal(full, -1)
    np.testing.assert_array_equal(indices[:, 0], np.arange(300))
    assert set(indices[10, :2]) == {10, 20} and set(indices[20, :2]) == {20, 10}
    np.testing.assert_allclose(distances[:, 1:], np.sort(full, axis=1)[:, 1:6], atol=1e-4)


def test_neighbour_search_choice(monkeypatch):
    """nndescent once compiled in this process; a reproducible layout chooses by size alone."""
    monkeypatch.setattr(core, "_nndescent_ready", set())
    assert core.use_exact_neighbours(20_000, reproducible=False)  # would wait ~30 s for nndescent's compile
    assert core.use_exact_neighbours(20_000, reproducible=True)
    assert not core.use_exact_neighbours(core.EXACT_NEIGHBOURS_MAX + 1, reproducible=False)
    core._nndescent_ready.add("euclidean")
    assert not core.use_exact_neighbours(20_000, reproducible=False)
    assert core.use_exact_neighbours(20_000, reproducible=True)  # the same layout as before the compile
    assert not core.use_exact_neighbours(core.EXACT_NEIGHBOURS_MAX + 1, reproducible=True)


def test_refined_layout_keeps_the_orientation_of_the_preview():
    """UMAP starts from the PCA preview, so the map does not flip or turn when it is replaced."""
    rng = np.random.default_rng(2)
    axis = np.zeros(10)
    axis[7] = 1.0  # the groups lie along the 8th coordinate, not the first
    vectors = np.concatenate([g * 4 * axis + rng.normal(scale=0.3, size=(40, 10)) for g in range(4)])
    preview, refined = quick_layout(vectors, "l2"), project_2d(vectors, "l2")
    # A flip gives -1 and a quarter turn ~0; UMAP moves the groups a little (0.89-0.99 seen).
    assert np.corrcoef(preview[:, 0], refined[:, 0])[0, 1] > 0.7


# --- centroids with their documents ------------------------------------------------------

def test_centroids_land_among_their_own_documents():
    documents, labels = blobs(40, 4, 32, spread=0.3)
    centroids = np.stack([documents[labels == g].mean(axis=0) for g in range(4)])
    centroid_xy, document_xy = project_clusters(centroids, documents, "cosine")
    assert centroid_xy.shape == (4, 2) and document_xy.shape == (160, 2)
    for group, point in enumerate(centroid_xy):
        nearest = np.argsort(np.linalg.norm(document_xy - point, axis=1))[:10]
        assert (labels[nearest] == group).all()


def test_centroids_and_documents_must_share_dimensions():
    with pytest.raises(ValueError, match="centroids have 3 dimensions but documents have 4"):
        project_clusters(np.ones((2, 3)), np.ones((5, 4)))


# --- the engine: preview, background result, caches --------------------------------------

def test_unfinished_job_shows_the_pca_preview():
    documents, _ = blobs(10, 3, 8)
    vectors = np.concatenate([documents[:2], documents]).astype(np.float32)
    job = ProjectionJob("k", vectors, n_centroids=2, metric="l2", future=Future())
    layout = job.layout()
    assert not job.done() and not layout.refined
    assert layout.centroids.shape == (2, 2) and layout.documents.shape == (30, 2)
    np.testing.assert_allclose(layout.documents, quick_layout(vectors, "l2")[2:], rtol=1e-5)


def test_second_request_comes_from_the_cache_also_after_a_restart(tmp_path):
    documents, labels = blobs(30, 3, 16)
    centroids = np.stack([documents[labels == g].mean(axis=0) for g in range(3)])
    engine = ProjectionEngine(tmp_path)
    first = engine.submit(documents, centroids=centroids, metric="cosine").result(timeout=300)
    assert first.refined and first.documents.shape == (90, 2) and first.centroids.shape == (3, 2)

    again = engine.submit(documents, centroids=centroids, metric="cosine")
    assert again.done()
    np.testing.assert_array_equal(again.layout().documents, first.documents)

    restarted = ProjectionEngine(tmp_path).submit(documents, centroids=centroids, metric="cosine")
    assert restarted.done() and restarted.layout().refined
    np.testing.assert_array_equal(restarted.layout().documents, first.documents)
    np.testing.assert_array_equal(restarted.layout().centroids, first.centroids)


def test_the_inputs_handed_to_the_worker_leave_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    documents, _ = blobs(30, 3, 16)
    job = ProjectionEngine(tmp_path / "layouts").submit(documents, metric="l2")
    assert job.result(timeout=300).refined
    assert list((tmp_path / "tmp").iterdir()) == []  # 40 MB per 200,000-document map would pile up


def test_an_unwritable_temporary_folder_fails_the_layout_not_the_preview(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    documents, _ = blobs(30, 3, 16)
    job = ProjectionEngine(tmp_path / "layouts").submit(documents, metric="l2")
    assert job.done() and isinstance(job.error, OSError)  # the map says the layout failed
    assert not job.layout().refined and job.layout().documents.shape == (90, 2)  # and keeps the PCA preview


def test_a_one_value_change_or_other_parameters_miss_the_cache(tmp_path):
    documents, _ = blobs(30, 3, 16)
    engine = ProjectionEngine(tmp_path)
    engine.submit(documents, metric="l2").result(timeout=300)
    changed = documents.copy()
    changed[-1, -1] += 1e-3  # the very last value: the key covers every byte, not a sample
    for job in (engine.submit(changed, metric="l2"), engine.submit(documents, metric="cosine"),
                engine.submit(documents, metric="l2", min_dist=0.5)):
        assert job.result(timeout=300).refined
    assert len(list(Path(tmp_path).glob("*.npy"))) == 4


def test_a_damaged_cache_file_is_recomputed(tmp_path):
    documents, _ = blobs(20, 2, 8)
    engine = ProjectionEngine(tmp_path)
    key = engine.submit(documents, metric="l2").result(timeout=300) and engine.submit(documents, metric="l2").key
    (tmp_path / f"{key}.npy").write_bytes(b"not a layout")
    job = ProjectionEngine(tmp_path).submit(documents, metric="l2")
    assert job.result(timeout=300).documents.shape == (40, 2)


def test_bad_input_is_rejected_before_any_background_work(tmp_path):
    documents = np.ones((10, 4))
    documents[3, 0] = np.nan
    engine = ProjectionEngine(tmp_path)
    with pytest.raises(ValueError, match="row 3 "):
        engine.submit(documents)
    with pytest.raises(ValueError, match="unknown metric"):
        engine.submit(np.ones((10, 4)), metric="cos")


def test_cached_layouts_cannot_be_changed_by_a_caller(tmp_path):
    documents, _ = blobs(20, 2, 8)
    engine = ProjectionEngine(tmp_path)
    layout = engine.submit(documents, metric="l2").result(timeout=300)
    with pytest.raises(ValueError):
        layout.documents[0, 0] = 1.0


# --- warm-up -----------------------------------------------------------------------------

def test_warmup_keeps_numba_cache_in_the_given_folder_without_importing_numba_early(tmp_path):
    """Also: a layout asked for during the warm-up (the first map) is fitted before its long step."""
    script = (
        "import sys, numpy as np; from centroid_explorer.projection import ProjectionEngine, start_warmup\n"
        "assert 'numba' not in sys.modules\n"
        "warming = start_warmup(('cosine',), cache_dir=sys.argv[1])\n"
        "assert start_warmup(('l2', 'dp'), cache_dir=sys.argv[1]) is None  # same compiled path\n"
        "documents = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32)\n"
        "first_map = ProjectionEngine(sys.argv[1] + '/layouts').submit(documents)\n"
        "assert first_map.result(timeout=600).refined\n"
        "assert not warming.done()  # nndescent's compile (~25 s) comes after the first map\n"
        "warming.result(timeout=600)\n"
        "assert 'numba' not in sys.modules  # compiled in the worker process, not here\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, timeout=600,
                   cwd=Path(__file__).resolve().parents[1])
    assert list(tmp_path.rglob("*.nbi")), "numba wrote no cache index into the folder"
