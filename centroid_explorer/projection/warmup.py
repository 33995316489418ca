"""Compile umap-learn's numba code before the first map is asked for.

The first UMAP fit in a process spends ~5-10 s (exact-neighbour path) to ~35 s (nndescent path)
compiling, whatever the input size; only the import's share persists on disk (NUMBA_CACHE_DIR).
Once nndescent has run in a process, project_2d uses it there instead of exact neighbours from
4,096 points. `start_warmup` compiles in the worker process that fits the dashboard's layouts;
`warm` compiles in the calling process (the benchmarks time project_2d in-process).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from centroid_explorer.projection import worker
from centroid_explorer.projection.core import DEFAULT_NEIGHBOURS, check_metric, metric_space, project_2d, umap_layout
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
    The returned future is done when the whole warm-up is. Idempotent: returns None when these
    metrics are already warm or warming.
    """
    if cache_dir is not None:
        use_numba_cache(Path(cache_dir))
    sample = np.zeros((1, 1), dtype=np.float32)
    with _lock:
        todo = sorted({metric_space(sample, check_metric(m))[1] for m in metrics} - _started)
        if not todo:
            return None
        _started.update(todo)
    # Two steps, the second submitted when the first is done: a layout asked for meanwhile (the
    # first map, usually small) is fitted right after the quick step instead of after nndescent's.
    return _in_turn([functools.partial(warm_small, todo), functools.partial(warm_large, todo)])


def warm(umap_metrics: list[str]) -> None:
    """Compile, in this process, what project_2d runs for each umap-learn metric ("euclidean", "manhattan")."""
    warm_small(umap_metrics)
    warm_large(umap_metrics)


def warm_small(umap_metrics: list[str]) -> None:
    """What project_2d runs for each metric until nndescent is compiled (euclidean: exact
    neighbours; manhattan already takes nndescent), ~5-10 s."""
    vectors = _clustered(WARMUP_POINTS, 64)
    try:
        for umap_metric in umap_metrics:
            project_2d(vectors, "l2" if umap_metric == "euclidean" else "l1", n_epochs=10)
    except Exception:  # the real fit will raise the same error where the user sees it
        log.exception("projection warm-up failed")


def warm_large(umap_metrics: list[str]) -> None:
    """nndescent for euclidean, which then serves inputs of 4,096 points and more, ~25-30 s."""
    if "euclidean" not in umap_metrics:
        return
    vectors = _clustered(WARMUP_POINTS, 64)
    try:
        umap_layout(vectors[:, :50], "euclidean", n_neighbors=DEFAULT_NEIGHBOURS, min_dist=0.1, n_epochs=10,
                    random_state=None, init=vectors[:, :2])
    except Exception:  # as above
        log.exception("projection warm-up failed")


def _in_turn(steps: list[Callable[[], None]]) -> Future:
    """Submit each step to the worker once the one before has finished; the future is done after the last."""
    finished: Future = Future()

    def submit(position: int) -> None:
        if position == len(steps):
            finished.set_result(None)
            return
        try:
            step = worker.submit(steps[position])
        except RuntimeError:  # the worker was stopped (the app is shutting down): nothing left to warm
            finished.cancel()
            return
        step.add_done_callback(lambda _: submit(position + 1))

    submit(0)
    return finished


def _clustered(n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=5, size=(20, d))
    return (centres[rng.integers(0, 20, n)] + rng.normal(size=(n, d))).astype(np.float32)
