"""Compile umap-learn's numba code in the background before the first map is asked for.

The first UMAP fit in a process spends ~5-10 s (exact-neighbour path) to ~35 s (nndescent path)
compiling, whatever the input size; only the import's share persists on disk (NUMBA_CACHE_DIR).
Once nndescent has run here, project_2d uses it instead of exact neighbours from 4,096 points.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from centroid_explorer.projection.core import check_metric, metric_space, project_2d, umap_layout
from centroid_explorer.projection.numba_setup import use_numba_cache

log = logging.getLogger(__name__)

# Above 4,096 points umap-learn leaves its exact small-data path: warm the path big inputs take.
WARMUP_POINTS = 4_200

_lock = threading.Lock()
_started: set[str] = set()  # umap-learn metrics whose warm-up has started


def start_warmup(
    metrics: tuple[str, ...] = ("cosine",), cache_dir: str | os.PathLike[str] | None = None
) -> threading.Thread | None:
    """Start compiling, in a daemon thread, every code path a layout under `metrics` takes.

    `cache_dir` (e.g. <data_dir>/numba-cache) holds numba's on-disk cache; it takes effect
    only if numba has not been imported yet, so call this first thing at app start.
    Idempotent: returns None when these metrics are already warm or warming.
    """
    if cache_dir is not None:
        use_numba_cache(Path(cache_dir))
    sample = np.zeros((1, 1), dtype=np.float32)
    with _lock:
        todo = sorted({metric_space(sample, check_metric(m))[1] for m in metrics} - _started)
        if not todo:
            return None
        _started.update(todo)
        thread = threading.Thread(target=_warm, args=(todo,), name="projection-warmup", daemon=True)
        thread.start()
        return thread


def _warm(umap_metrics: list[str]) -> None:
    vectors = _clustered(WARMUP_POINTS, 64)
    try:
        for umap_metric in umap_metrics:
            # What project_2d runs for this metric (euclidean: exact neighbours, the path taken
            # until nndescent is compiled), then nndescent, which then serves euclidean inputs
            # of 4,096 points and more (manhattan already took it above).
            project_2d(vectors, "l2" if umap_metric == "euclidean" else "l1", n_epochs=10)
            if umap_metric == "euclidean":
                umap_layout(vectors[:, :50], "euclidean", n_neighbors=15, min_dist=0.1, n_epochs=10,
                            random_state=None, init=vectors[:, :2])
    except Exception:  # the real fit will raise the same error where the user sees it
        log.exception("projection warm-up failed")


def _clustered(n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=5, size=(20, d))
    return (centres[rng.integers(0, 20, n)] + rng.normal(size=(n, d))).astype(np.float32)
