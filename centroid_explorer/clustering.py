"""k-means over a dataset's vectors, written back through the client like any other API user would.

`kmeans` is the pure step (the demo data uses it too); `cluster_dataset` reads a dataset through
the client, runs it, and writes the three things the API keeps for a clustering: each
document's `_cluster_.{vector_field}.{alias}`, the centroids, and what was run in the alias
metadata (other metadata keys kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import numpy as np

from . import alias_centroids, metadata
from .centroid_set import CentroidSet
from .client import CLUSTER_FIELD, Client

ALGORITHM = "kmeans"
RANDOM_STATE = 0  # clustering the same vectors twice gives the same clusters
N_INIT = 4  # k-means restarts: a steadier result than one, still quick


def default_alias(k: int) -> str:
    return f"kmeans-{k}"


def cluster_id(index: int) -> str:
    return f"cluster_{index}"


@dataclass(frozen=True)
class KMeansRun:
    k: int
    assignments: list[str]  # the cluster id of each vector, in input order
    centroids: CentroidSet  # row i is cluster_id(i)
    inertia: float

    @property
    def cluster_ids(self) -> list[str]:
        return self.centroids.ids

    def record(self) -> dict[str, Any]:
        """What was run, as stored under the metadata's `run` key."""
        return {
            "algorithm": ALGORITHM,
            "k": self.k,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "inertia": self.inertia,
            "random_state": RANDOM_STATE,
            "library": f"scikit-learn {version('scikit-learn')}",
        }


def kmeans(vectors: np.ndarray, k: int) -> KMeansRun:
    """scikit-learn k-means, seeded. Raises ValueError when k does not fit the data."""
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if len(vectors) < k:
        raise ValueError(f"k={k} clusters need at least {k} documents with vectors; there are {len(vectors)}")
    # Imported here: scikit-learn takes ~2.5 s to import, the dashboard's start needs none of it.
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit(vectors)
    return KMeansRun(
        k=k,
        assignments=[cluster_id(int(label)) for label in model.labels_],
        centroids=CentroidSet([cluster_id(i) for i in range(k)], model.cluster_centers_.astype(np.float32)),
        inertia=float(model.inertia_),
    )


def with_assignment(document: dict[str, Any], vector_field: str, alias: str, assigned: str) -> dict[str, Any]:
    """The document with `_cluster_.{vector_field}.{alias}` set, other aliases and fields kept."""
    clusters = document.get(CLUSTER_FIELD)
    clusters = dict(clusters) if isinstance(clusters, dict) else {}
    by_alias = clusters.get(vector_field)
    clusters[vector_field] = {**(by_alias if isinstance(by_alias, dict) else {}), alias: assigned}
    return {**document, CLUSTER_FIELD: clusters}


@dataclass(frozen=True)
class ClusteringSummary:
    dataset_id: str
    vector_field: str
    alias: str
    clustered: int
    skipped: int  # documents without the vector field
    run: dict[str, Any]


def cluster_dataset(
    client: Client,
    dataset_id: str,
    vector_field: str,
    k: int,
    alias: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ClusteringSummary:
    """Run k-means on every document's `vector_field` and write the results through `client`.

    Order of writes: the alias's centroids are replaced by the new ones (the upload page's code
    path: a smaller k leaves no stale ones), then the documents' assignments, then the metadata,
    read just before it is written so other keys are kept.
    """
    alias = alias or default_alias(k)
    documents = list(client.datasets.iter_documents(dataset_id, include_vector=True))
    with_vector = [d for d in documents if isinstance(d.get(vector_field), list) and d[vector_field]]
    if not with_vector:
        raise ValueError(f"no document of dataset '{dataset_id}' has the vector field '{vector_field}'")
    dimensions = {len(d[vector_field]) for d in with_vector}
    if len(dimensions) > 1:
        raise ValueError(f"'{vector_field}' has vectors of different lengths: {sorted(dimensions)}")
    run = kmeans(np.asarray([d[vector_field] for d in with_vector], dtype=np.float32), k)

    alias_centroids.upload(client, dataset_id, vector_field, alias, run.centroids, replace=True)
    assigned = [with_assignment(d, vector_field, alias, c) for d, c in zip(with_vector, run.assignments, strict=True)]
    result = client.datasets.bulk_insert(dataset_id, assigned, progress=progress)
    if result["failed_documents"]:
        raise ValueError(f"the server refused {len(result['failed_documents'])} documents: {result['failed_documents'][:3]}")
    record = run.record()
    stored = metadata.load(client, dataset_id, vector_field, alias)
    client.centroids.metadata(dataset_id, vector_field, alias, metadata.with_run(stored, record))
    return ClusteringSummary(dataset_id, vector_field, alias, len(with_vector), len(documents) - len(with_vector), record)
