"""Scores of vectors against a centroid: `_relevance`, higher is closer, for the four metrics."""

from __future__ import annotations

import numpy as np


def relevance(vectors: np.ndarray, centroid: np.ndarray, metric: str) -> np.ndarray:
    """Score each row of `vectors` (n, d) against `centroid` (d,), in float64.

    cosine: cosine similarity (0 when either side is all zeros); dp: dot product;
    l1 / l2: the negated distance, so that for every metric higher means closer.
    """
    v = np.asarray(vectors, dtype=np.float64)
    c = np.asarray(centroid, dtype=np.float64)
    if metric == "dp":
        return v @ c
    if metric == "cosine":
        norms = np.linalg.norm(v, axis=1) * np.linalg.norm(c)
        dots = v @ c
        return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    if metric == "l1":
        return -np.abs(v - c).sum(axis=1)
    if metric == "l2":
        return -np.sqrt(((v - c) ** 2).sum(axis=1))
    raise ValueError(f"unknown similarity metric {metric!r}")
