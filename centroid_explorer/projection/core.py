"""Vectors -> 2D coordinates: input checks, metric handling, PCA, neighbours, UMAP.

Everything here is pure and blocking; caching and background work live in `engine.py`.
umap-learn is imported lazily (see `numba_setup.py`): importing it compiles numba code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from centroid_explorer.metrics import METRICS
from centroid_explorer.projection.numba_setup import import_umap

# umap-learn's own default; clamped to n - 1 for tiny inputs. The map's slider starts here too.
DEFAULT_NEIGHBOURS = 15

# UMAP works on at most this many PCA dimensions: neighbours barely change, the fit gets much faster.
PCA_DIMS = 50

# Below this many points the neighbours are exact, by BLAS, in the full input space (umap-learn
# does the same below 4,096): cheap at this size, and PCA's 50 dimensions lose neighbours that
# matter for small sets (text demo: trustworthiness 0.964 -> 0.952, recall@10 0.53 -> 0.41).
EXACT_FULL_MAX = 4_096

# pynndescent's numba code takes ~25-30 s to compile in every new process (it cannot be cached
# to disk). Until it has been compiled in this process (by the warm-up or an earlier fit), inputs
# up to this size get exact neighbours on the PCA dimensions instead (~3 s at 20,000 points).
# A reproducible layout (random_state) chooses by size alone, so the same call always takes
# the same path whatever ran before it in the process.
EXACT_NEIGHBOURS_MAX = 30_000

# PCA is fitted on at most this many rows (evenly spread over the input), then applied to all.
PCA_FIT_ROWS = 5_000

_nndescent_ready: set[str] = set()  # umap-learn metrics whose nndescent has run in this process


def check_vectors(vectors) -> np.ndarray:
    """The input as a C-contiguous float32 (n, d) array, or a ValueError that says what is wrong."""
    array = np.asarray(vectors)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array (points x dimensions), got shape {array.shape}")
    if array.shape[1] == 0:
        raise ValueError("the vectors have no dimensions")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"expected numeric vectors, got dtype {array.dtype}")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported just below
        array = np.ascontiguousarray(array, dtype=np.float32)
    bad_rows = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if bad_rows.size:
        more = f" (and {bad_rows.size - 1} more rows)" if bad_rows.size > 1 else ""
        raise ValueError(f"row {bad_rows[0]} holds NaN or infinity, or a value too large for float32{more}")
    return array


def metric_space(vectors: np.ndarray, metric: str) -> tuple[np.ndarray, str]:
    """The vectors as UMAP should see them, and the umap-learn metric to use on them.

    cosine: rows scaled to unit length, then euclidean, which ranks neighbours exactly as
    cosine does (|a-b|^2 = 2 - 2cos) and lets PCA and the exact BLAS search apply. Zero
    vectors stay zero: at distance 1 from every other vector, as cosine distance has it.
    dp: dot product is a similarity, not a distance (a vector is not its own nearest
    neighbour under it), so the map treats it as cosine, the same as the API's own ranking
    of normalised embeddings.
    l1: kept in the original space, because PCA's rotation does not preserve L1 distances.
    """
    if check_metric(metric) in ("cosine", "dp"):
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms), "euclidean"
    if metric == "l2":
        return vectors, "euclidean"
    return vectors, "manhattan"


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    return metric


def pca(vectors: np.ndarray, n_components: int, metric: str | None = None) -> np.ndarray:
    """Principal components (float32), zero-padded to `n_components` columns when n or d is smaller;
    with `metric`, of the vectors in that metric's space (`metric_space`).

    Fitted on at most PCA_FIT_ROWS evenly spaced rows, then applied to all: the leading
    directions of 20,000 clustered rows are those of 5,000 of them (same trustworthiness after
    UMAP), and the fit's BLAS work, which suffers most when the 2 cores are shared, drops 4x.
    numpy, not scikit-learn: the preview runs in the dashboard's process, where importing
    scikit-learn (~2.5 s) would delay the first map.
    """
    n = len(vectors)
    rows = vectors if n <= PCA_FIT_ROWS else vectors[np.linspace(0, n - 1, PCA_FIT_ROWS).astype(np.intp)]
    return Reduction.fit(rows, n_components, metric)(vectors)


@dataclass(frozen=True)
class Reduction:
    """Principal axes fitted once and applied to any rows, block by block: memory holds the output and
    one block, never a centred or normalised copy of the input."""

    metric: str | None  # rows are taken into this metric's space first (None: as they are)
    mean: np.ndarray  # (d,) float32
    axes: np.ndarray  # (d, n_components) float32; zero columns past what the fit could find

    @classmethod
    def fit(cls, rows: np.ndarray, n_components: int, metric: str | None = None) -> Reduction:
        n, d = rows.shape
        kept = min(n_components, n - 1, d)
        space = _space(rows, metric)
        mean = space.mean(axis=0, dtype=np.float64) if n else np.zeros(d)
        axes = np.zeros((d, n_components), dtype=np.float32)
        if kept > 0:
            axes[:, :kept] = principal_axes(space - mean, kept).T
        return cls(metric, mean.astype(np.float32), axes)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        out = np.empty((len(vectors), self.axes.shape[1]), dtype=np.float32)
        for start in range(0, len(vectors), _BLOCK_ROWS):
            block = _space(vectors[start:start + _BLOCK_ROWS], self.metric)
            out[start:start + _BLOCK_ROWS] = (block - self.mean) @ self.axes
        return out


_BLOCK_ROWS = 8_192


def _space(rows: np.ndarray, metric: str | None) -> np.ndarray:
    return rows if metric is None else metric_space(rows, metric)[0]


def reduces(n: int, dimension: int, metric: str) -> bool:
    """Whether project_2d lays out n vectors of this dimension from their PCA_DIMS principal components
    alone (the metric's space; l1 keeps its own): then `Reduction.fit(rows, PCA_DIMS, metric)` of the
    same vectors, laid out with "l2", gives the same map from a fraction of the memory."""
    return metric != "l1" and n >= EXACT_FULL_MAX and dimension > PCA_DIMS


def principal_axes(centred: np.ndarray, k: int, power_iterations: int = 4, oversample: int = 10) -> np.ndarray:
    """The top `k` right singular vectors of `centred` (k, d), signs fixed so a layout never flips.

    Exact SVD when the matrix is small; otherwise the randomized range finder of Halko et al.
    (what scikit-learn's randomized PCA does), seeded so the preview does not jump between reruns.
    """
    centred = centred.astype(np.float64, copy=False)
    if min(centred.shape) <= 2 * (k + oversample):
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
    else:
        basis = centred @ np.random.default_rng(0).standard_normal((centred.shape[1], k + oversample))
        for _ in range(power_iterations):
            basis, _ = np.linalg.qr(basis)
            basis, _ = np.linalg.qr(centred.T @ basis)
            basis = centred @ basis
        basis, _ = np.linalg.qr(basis)
        _, _, vt = np.linalg.svd(basis.T @ centred, full_matrices=False)
    axes = vt[:k]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return axes * np.where(signs == 0, 1.0, signs)[:, None]


def quick_layout(vectors, metric: str = "cosine") -> np.ndarray:
    """An immediate (n, 2) layout: the first two principal components, in the metric's space."""
    return pca(check_vectors(vectors), 2, check_metric(metric))


def default_epochs(n: int) -> int:
    """Epochs sized to n (plain umap-learn: 500 up to 10,000 points, 200 above).

    Starting from the PCA layout, clustered 768-dim sets lose at most 0.001 of trustworthiness
    at 100 epochs from 4,096 points and at 50 from 10,000 (benchmarks/README.md); small real
    sets are more sensitive (text demo at 100 epochs: 0.956 against 0.964 at 200).
    """
    if n < EXACT_FULL_MAX:
        return 200
    return 100 if n <= 10_000 else 50


def exact_neighbours(vectors: np.ndarray, k: int, block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact euclidean k nearest neighbours (each point first, as umap-learn expects), by BLAS blocks.

    Blocks hold ~4M distances (16 MB, plus argpartition's 32 MB of int64 indices).
    """
    n = len(vectors)
    block = block or max(16, 4_000_000 // n)
    sq_norms = np.einsum("ij,ij->i", vectors, vectors)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = np.arange(stop - start)
        d2 = vectors[start:stop] @ vectors.T
        d2 *= -2
        d2 += sq_norms[start:stop, None]
        d2 += sq_norms[None, :]
        d2[rows, rows + start] = -1  # the point itself first, even among exact duplicates
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
        nearest_d2 = np.take_along_axis(d2, nearest, axis=1)
        order = np.argsort(nearest_d2, axis=1)
        indices[start:stop] = np.take_along_axis(nearest, order, axis=1)
        distances[start:stop] = np.sqrt(np.maximum(np.take_along_axis(nearest_d2, order, axis=1), 0))
    return indices, distances


def project_2d(
    vectors,
    metric: str = "cosine",
    *,
    n_neighbors: int | None = None,
    min_dist: float = 0.1,
    n_epochs: int | None = None,
    random_state: int | None = None,
) -> np.ndarray:
    """UMAP layout of `vectors` (n, d) as a float32 (n, 2) array.

    `metric` is one of METRICS. `n_neighbors` defaults to umap-learn's 15 (at most n - 1), `n_epochs`
    to a value sized to n.
    `random_state` makes the layout reproducible but single-threaded (~2x slower), so it is
    off unless asked for. Up to 3 points the PCA layout is returned: it keeps every pairwise
    distance exactly, which UMAP cannot improve on.
    """
    array = check_vectors(vectors)
    space, umap_metric = metric_space(array, metric)
    n = len(space)
    if n <= 3:
        return pca(space, 2)
    k = max(2, min(n_neighbors or DEFAULT_NEIGHBOURS, n - 1))
    knn = None
    if umap_metric == "euclidean" and space.shape[1] > PCA_DIMS:
        reduced = pca(space, PCA_DIMS)
        init = reduced[:, :2]
    else:  # l1 keeps its input space: PCA's rotation does not preserve L1 distances
        reduced = space
        init = pca(space, 2)
    if umap_metric == "euclidean":
        if n < EXACT_FULL_MAX:
            knn = exact_neighbours(space, k)
        elif use_exact_neighbours(n, reproducible=random_state is not None):
            knn = exact_neighbours(reduced, k)
    return umap_layout(
        reduced,
        umap_metric,
        n_neighbors=k,
        min_dist=min_dist,
        n_epochs=n_epochs or default_epochs(n),
        random_state=random_state,
        knn=knn,
        init=init,
    )


def use_exact_neighbours(n: int, reproducible: bool) -> bool:
    """Exact neighbours on the PCA dimensions instead of nndescent, for n >= EXACT_FULL_MAX points."""
    if n > EXACT_NEIGHBOURS_MAX:
        return False
    return reproducible or "euclidean" not in _nndescent_ready


def layout_start(init: np.ndarray) -> np.ndarray:
    """The PCA layout scaled as umap-learn scales its own starts (largest coordinate 10).

    Starting from it instead of umap-learn's spectral layout skips an eigen-solve that grows
    with n, needs fewer epochs, and keeps the final map oriented like the PCA preview.
    """
    init = np.asarray(init[:, :2], dtype=np.float32)
    largest = np.abs(init).max()
    scaled = init * (10 / largest) if largest > 0 else init
    # umap-learn's own starts carry this jitter too: it separates exact duplicates.
    return scaled + np.random.default_rng(0).normal(scale=1e-4, size=scaled.shape).astype(np.float32)


def umap_layout(
    space: np.ndarray,
    umap_metric: str,
    *,
    n_neighbors: int,
    min_dist: float,
    n_epochs: int,
    random_state: int | None,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
    init: np.ndarray | None = None,
) -> np.ndarray:
    """umap-learn's fit on prepared vectors.

    `knn` (indices, distances) replaces its neighbour search (nndescent, or exact below 4,096
    points); `init` (n, 2), e.g. the PCA layout, replaces its spectral start.
    """
    reducer = import_umap().UMAP(
        n_neighbors=n_neighbors,
        metric=umap_metric,
        min_dist=min_dist,
        n_epochs=n_epochs,
        random_state=random_state,
        n_jobs=1 if random_state is not None else -1,  # umap-learn forces 1 anyway, and warns
        precomputed_knn=(*knn, None) if knn is not None else (None, None, None),
        init=layout_start(init) if init is not None else "spectral",
    )
    layout = reducer.fit_transform(space).astype(np.float32, copy=False)
    if knn is None and len(space) >= 4_096:  # umap-learn's own exact path ends at 4,096
        _nndescent_ready.add(umap_metric)
    return layout


def project_clusters(centroids, documents, metric: str = "cosine", **options) -> tuple[np.ndarray, np.ndarray]:
    """Centroids and their documents in one layout: (centroid_xy (k, 2), document_xy (n, 2)).

    They are fitted together, so a centroid lands among its nearest documents (its members)
    and both share one coordinate system; `options` are project_2d's.
    """
    centroids, documents = check_vectors(centroids), check_vectors(documents)
    if centroids.shape[1] != documents.shape[1]:
        raise ValueError(
            f"centroids have {centroids.shape[1]} dimensions but documents have {documents.shape[1]}"
        )
    layout = project_2d(np.concatenate([centroids, documents]), metric, **options)
    return layout[: len(centroids)], layout[len(centroids) :]
