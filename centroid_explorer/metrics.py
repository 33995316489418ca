"""The API's similarity metrics, defined once: the server ranks with them, the dashboard compares centroids.

Every metric is a score where higher is closer (the API's `_relevance`): cosine similarity (0 when
either side is all zeros), dot product (dp), or the negated L1 / L2 distance. Inputs are taken as
float32 (what the API stores), sums are float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

Metric = Literal["cosine", "l1", "l2", "dp"]
METRICS: tuple[Metric, ...] = get_args(Metric)


@dataclass(frozen=True)
class MetricLabel:
    """A similarity metric as people read it. The API's `_relevance` is higher-is-closer for all four
    (distances negated); a distance is shown as the positive distance, smallest first."""

    key: str  # as the API names it
    name: str  # "Euclidean (L2) distance"
    score: str  # what one value is called in a table or an axis: "similarity", "distance"
    is_distance: bool

    def shown(self, relevance):
        """`_relevance` values as this metric's score: distances positive (and never -0.0)."""
        values = np.asarray(relevance, dtype=np.float64)
        return 0.0 - values if self.is_distance else values

    @property
    def closer(self) -> str:
        return "lower is closer" if self.is_distance else "higher is closer"


LABELS: dict[str, MetricLabel] = {
    "cosine": MetricLabel("cosine", "Cosine similarity", "similarity", False),
    "dp": MetricLabel("dp", "Dot product", "dot product", False),
    "l2": MetricLabel("l2", "Euclidean (L2) distance", "distance", True),
    "l1": MetricLabel("l1", "Manhattan (L1) distance", "distance", True),
}


def metric_name(key: str) -> str:
    return LABELS[key].name


def similarity(vectors: np.ndarray, centroids: np.ndarray, metric: str) -> np.ndarray:
    """(n, m) scores of each row of `vectors` (n, d) against each row of `centroids` (m, d)."""
    v = np.asarray(vectors, dtype=np.float32)
    c = np.asarray(centroids, dtype=np.float32)
    if metric in ("dp", "cosine"):
        dots = _dots(v, c)
        if metric == "dp":
            return dots
        norms = np.sqrt(np.outer(_squared_norms(v), _squared_norms(c)))
        return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    if metric in ("l1", "l2"):
        scores = np.empty((len(v), len(c)))
        for j, centroid in enumerate(c):  # one (n, d) difference at a time, not an (n, m, d) block
            diff = v - centroid
            if metric == "l1":
                scores[:, j] = -np.abs(diff).sum(axis=1, dtype=np.float64)
            else:
                scores[:, j] = -np.sqrt(_squared_norms(diff))
        return scores
    raise ValueError(f"unknown similarity metric {metric!r}; expected one of {', '.join(METRICS)}")


def relevance(vectors: np.ndarray, centroid: np.ndarray, metric: str) -> np.ndarray:
    """(n,) scores of each row of `vectors` (n, d) against one `centroid` (d,): the API's `_relevance`."""
    return similarity(vectors, np.asarray(centroid)[None, :], metric)[:, 0]


def _dots(v: np.ndarray, c: np.ndarray) -> np.ndarray:
    if len(c) == 1:
        # einsum rather than `@` against one vector: BLAS spreads a matrix-vector product over threads,
        # which measured ~10x slower than one einsum loop on a busy 2-core machine.
        return np.einsum("ij,j->i", v, c[0], dtype=np.float64)[:, None]
    return v.astype(np.float64) @ c.astype(np.float64).T  # many centroids: BLAS's matrix product wins


def _squared_norms(v: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", v, v, dtype=np.float64)


def nearest_centroids(centroids: np.ndarray, position: int, metric: str, count: int) -> np.ndarray:
    """Positions of the `count` centroids closest to `centroids[position]` under `metric`, itself first:
    one row of scores (k), never the k x k matrix."""
    scores = similarity(centroids, centroids[position : position + 1], metric)[:, 0]
    scores[position] = np.inf
    return np.argsort(-scores, kind="stable")[:count]
