"""Compile umap-learn's numba code before the first map is asked for.

The first UMAP fit in a process spends ~5-10 s (exact-neighbour path) to ~35 s (nndescent path)
compiling, whatever the input size; only the import's share persists on disk (NUMBA_CACHE_DIR).
Once nndescent has run in a process, project_2d uses it there instead of exact neighbours from
4,096 points. `start_warmup` compiles in the worker process that fits the dashboard's layouts;
`warm` compiles in the calling process (the benchmarks time project_2d in-process).
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from centroid_explorer.projection import worker
from centroid_explorer.projection.core import check_metric, metric_space, project_2d, umap_layout
from centroid_explorer.projection.numba_setup import use_numba_cache

log = logging.getLogger(__name__)

# Above 4,096 points umap-learn leaves its exact small-data path: warm the path big inputs take.
WARMUP_POINTS = 4_200

_lock = threading.Lock()
_started: set[str] = set()  # umap-learn metrics whose warm-up has started


def start_warmup(
    metrics: tuple[str, ...] = ("cosine",), cache_dir: str | os.PathLike[str] | None = None
) -> Future | None:
    """Have the worker process compile every code path a layout under `metrics` takes.

    `cache_dir` (e.g. <data_dir>/numba-cache) holds numba's on-disk cache; the worker inherits it
    only if it has not started yet, so call this first thing at app start.
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
        return worker.submit(warm, todo)


def warm(umap_metrics: list[str]) -> None:
    """Compile, in this process, what project_2d runs for each umap-learn metric ("euclidean", "manhattan")."""
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
