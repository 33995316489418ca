"""Centroids and documents -> 2D: UMAP after PCA, a PCA preview at once, caches, warm-up.

Blocking:   project_2d(vectors, metric) -> (n, 2); project_clusters(centroids, documents, metric)
            -> (centroid_xy, document_xy); quick_layout(vectors, metric) -> the PCA preview.
Dashboard:  ProjectionEngine(cache_dir).submit(documents, centroids=..., metric=...) -> ProjectionJob
            (.done(), .layout() -> Layout, .result(), .error); start_warmup(metrics, cache_dir);
            stop_worker() when the app shuts down.
Metrics are the API's similarity metrics (METRICS, from centroid_explorer.metrics).
Importing this package does not import umap-learn or numba.
"""

from centroid_explorer.projection.core import METRICS, project_2d, project_clusters, quick_layout
from centroid_explorer.projection.engine import Layout, ProjectionEngine, ProjectionJob
from centroid_explorer.projection.warmup import start_warmup
from centroid_explorer.projection.worker import stop as stop_worker

__all__ = [
    "METRICS",
    "Layout",
    "ProjectionEngine",
    "ProjectionJob",
    "project_2d",
    "project_clusters",
    "quick_layout",
    "start_warmup",
    "stop_worker",
]
