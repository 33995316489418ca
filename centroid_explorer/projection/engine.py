"""Progressive layouts for the dashboard: a PCA preview at once, the UMAP layout when ready.

    engine = ProjectionEngine(cache_dir)                 # one per app (st.cache_resource)
    job = engine.submit(documents, centroids=centroids, metric="cosine")   # never blocks on UMAP
    layout = job.layout()        # Layout(documents, centroids, refined): preview until done
    job.done()                   # poll from an st.fragment(run_every=...); then job.layout() again

A layout already in the cache (memory or disk) comes back as a finished job.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from centroid_explorer.projection import worker
from centroid_explorer.projection.cache import LayoutCache, layout_key
from centroid_explorer.projection.core import check_metric, check_vectors, project_2d, quick_layout


@dataclass(frozen=True)
class Layout:
    """2D coordinates: `documents` (n, 2) and `centroids` (k, 2; (0, 2) when none were given).

    `refined` is True for the UMAP layout, False for the PCA preview shown while it runs.
    """

    documents: np.ndarray
    centroids: np.ndarray
    refined: bool


class ProjectionJob:
    """One layout being made in the background; every method is safe to call from any thread."""

    def __init__(self, key: str, vectors: np.ndarray, n_centroids: int, metric: str, future: Future):
        self.key = key
        self._vectors = vectors
        self._n_centroids = n_centroids
        self._metric = metric
        self._future = future
        self._preview: Layout | None = None
        self._lock = threading.Lock()

    def done(self) -> bool:
        """True once the UMAP layout is ready, or failed (then `error` says why)."""
        return self._future.done()

    @property
    def error(self) -> BaseException | None:
        return self._future.exception() if self._future.done() else None

    def layout(self) -> Layout:
        """The UMAP layout if ready, else the PCA preview (computed on first call, then kept)."""
        if self._future.done() and self._future.exception() is None:
            return self._split(self._future.result(), refined=True)
        with self._lock:
            if self._preview is None:
                self._preview = self._split(quick_layout(self._vectors, self._metric), refined=False)
                self._vectors = np.empty((0, self._vectors.shape[1]), np.float32)  # the preview was all they were for
            return self._preview

    def result(self, timeout: float | None = None) -> Layout:
        """The UMAP layout, waiting for it; raises what the fit raised, or TimeoutError."""
        return self._split(self._future.result(timeout), refined=True)

    def _split(self, coordinates: np.ndarray, refined: bool) -> Layout:
        k = self._n_centroids
        return Layout(documents=coordinates[k:], centroids=coordinates[:k], refined=refined)


class ProjectionEngine:
    """Makes and caches layouts; the UMAP fits run one at a time in the worker process (worker.py).

    `cache_dir` (e.g. <data_dir>/projection-cache) keeps layouts across restarts; None keeps
    them in memory only. The same input submitted twice while running shares one job.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None, *, max_in_memory: int = 32):
        self.cache = LayoutCache(cache_dir, max_in_memory=max_in_memory)
        self._running: dict[str, ProjectionJob] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        documents,
        *,
        centroids=None,
        metric: str = "cosine",
        n_neighbors: int | None = None,
        min_dist: float = 0.1,
        n_epochs: int | None = None,
        random_state: int | None = None,
    ) -> ProjectionJob:
        """Start (or find) the layout of `documents` (n, d), with `centroids` (k, d) placed among them.

        Raises ValueError at once for bad input (NaN rows, mismatched dimensions, unknown metric).
        Hashing reads every byte of the input: ~0.3 s for 100,000 x 768 float32.
        """
        documents = check_vectors(documents)
        centroids = check_vectors(centroids) if centroids is not None else documents[:0]
        if centroids.shape[1] != documents.shape[1]:
            raise ValueError(
                f"centroids have {centroids.shape[1]} dimensions but documents have {documents.shape[1]}"
            )
        options = dict(n_neighbors=n_neighbors, min_dist=min_dist, n_epochs=n_epochs, random_state=random_state)
        check_metric(metric)
        key = layout_key([centroids, documents], metric=metric, **options)
        with self._lock:
            if key in self._running:
                return self._running[key]
            cached = self.cache.get(key)
            future: Future = Future()
            if cached is not None:  # no preview will be asked for: the inputs are not copied
                future.set_result(cached)
                return ProjectionJob(key, np.empty((0, documents.shape[1]), np.float32), len(centroids), metric, future)
            vectors = np.concatenate([centroids, documents])
            job = ProjectionJob(key, vectors, len(centroids), metric, future)
            self._running[key] = job
        # The hand-over writes a file (40 MB at 200,000 x 50): outside the lock, which other pages' runs wait on.
        try:
            handed = _hand_over(vectors)
        except OSError as err:  # a full or unwritable temporary folder: the job fails, the preview stays
            with self._lock:
                self._running.pop(key, None)
            future.set_exception(err)
            return job
        fit = worker.submit(_project_file, handed, metric, **options)
        fit.add_done_callback(partial(self._finish, key, future, handed))
        return job

    def _finish(self, key: str, job_future: Future, handed: Path, fit: Future) -> None:
        """Cache the fit's layout, then finish the job: whoever sees it done also finds it cached."""
        handed.unlink(missing_ok=True)  # read by the worker, or left by one that died
        try:
            layout = self.cache.put(key, fit.result())
        except Exception as err:  # the fit's error (or its cancellation) is the job's
            outcome = partial(job_future.set_exception, err)
        else:
            outcome = partial(job_future.set_result, layout)
        with self._lock:
            self._running.pop(key, None)
        outcome()


def _hand_over(vectors: np.ndarray) -> Path:
    """`vectors` in a temporary .npy file for the worker. Passed as an argument they would be pickled
    whole (a second copy, 40 MB at 200,000 x 50) and held by the pool until the fit ends; a file is
    written once and read by the worker."""
    descriptor, name = tempfile.mkstemp(prefix="layout-input-", suffix=".npy")
    with os.fdopen(descriptor, "wb") as file:
        np.save(file, vectors, allow_pickle=False)
    return Path(name)


def _project_file(path: Path, metric: str, **options) -> np.ndarray:
    """In the worker: project_2d of the vectors `_hand_over` wrote."""
    return project_2d(np.load(path, allow_pickle=False), metric, **options)
