"""What a curation works on: an alias as it is stored now, read once through the client.

`AliasState` is the whole alias without document vectors (its centroids, which cluster each
document is in, its metadata); `Members` are the documents of the clusters an operation touches,
with their vectors. A preview is computed from both, and a write checks first that the alias still
holds the same assignments and centroids (`changed_since`), so it changes exactly what was shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from centroid_explorer import metadata
from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.client import CLUSTER_FIELD, NotFoundError
from centroid_explorer.cluster_sample import cluster_of, readable_fields
from centroid_explorer.metrics import METRICS

TEXT_CHARS = 120  # a document's readable fields, in the list of documents that move


@dataclass(frozen=True)
class AliasState:
    dataset_id: str
    vector_field: str
    alias: str
    cluster_ids: list[str]
    centroids: np.ndarray  # (k, d) float32, row i is cluster_ids[i]
    assignments: dict[str, str]  # document id -> cluster id, for every document the alias assigns
    metadata: dict = field(default_factory=dict)

    def sizes(self) -> Counter[str]:
        return Counter(self.assignments.values())

    def centroid(self, cluster_id: str) -> np.ndarray:
        return self.centroids[self.cluster_ids.index(cluster_id)]


@dataclass(frozen=True)
class Members:
    """Documents of some clusters, with vectors, in a fixed order."""

    ids: list[str]
    clusters: list[str]  # the cluster of each document in the alias as read
    vectors: np.ndarray  # (n, d) float32
    texts: list[str]  # a short line of each document's readable fields

    def of(self, cluster_ids: Iterable[str]) -> np.ndarray:
        """A mask of the documents in any of `cluster_ids`."""
        wanted = set(cluster_ids)
        return np.array([c in wanted for c in self.clusters], dtype=bool)


def read_state(client, dataset_id: str, vector_field: str, alias: str) -> AliasState:
    """The alias now: centroids with vectors, every document's assignment (no vectors), metadata."""
    centroids = read_centroids(client, dataset_id, vector_field, alias)
    if not centroids.ids:
        raise ValueError(f"alias '{alias}' of '{vector_field}' has no centroids in dataset '{dataset_id}'")
    return AliasState(
        dataset_id,
        vector_field,
        alias,
        centroids.ids,
        centroids.vectors,
        read_assignments(client, dataset_id, vector_field, alias),
        metadata.load(client, dataset_id, vector_field, alias),
    )


def read_assignments(client, dataset_id: str, vector_field: str, alias: str) -> dict[str, str]:
    """Document id -> cluster id under `alias`, for every document it assigns. Only `_cluster_` is
    fetched (a field or alias name may hold a dot, so the dotted path of one alias is not asked for)."""
    assignments = {}
    for document in client.datasets.iter_documents(dataset_id, page_size=1000, select_fields=[CLUSTER_FIELD]):
        cluster_id = cluster_of(document, vector_field, alias)
        if cluster_id is not None:
            assignments[str(document["_id"])] = cluster_id
    return assignments


def read_members(client, state: AliasState, cluster_ids: Iterable[str]) -> Members:
    """The documents of `cluster_ids` with their vectors; a document without a vector is left out."""
    ids: list[str] = []
    clusters: list[str] = []
    rows: list[np.ndarray] = []
    texts: list[str] = []
    wanted = sorted(set(cluster_ids))
    try:
        documents = client.centroids.iter_documents(
            state.dataset_id, wanted, state.vector_field, state.alias, page_size=500, include_vector=True, as_arrays=True
        )
        for document in documents:
            vector = document.get(state.vector_field)
            cluster_id = cluster_of(document, state.vector_field, state.alias)
            if vector is None or cluster_id is None:
                continue
            ids.append(str(document["_id"]))
            clusters.append(cluster_id)
            rows.append(np.asarray(vector, dtype=np.float32))
            texts.append(_short_text(document))
    except NotFoundError:  # clusters with a centroid and no member yet
        pass
    dimension = state.centroids.shape[1]
    vectors = np.vstack(rows) if rows else np.empty((0, dimension), dtype=np.float32)
    return Members(ids, clusters, vectors, texts)


def changed_since(client, state: AliasState) -> str | None:
    """What changed in the alias since `state` was read (a sentence), or None when nothing did."""
    now = read_centroids(client, state.dataset_id, state.vector_field, state.alias)
    if now.ids != state.cluster_ids or not np.array_equal(now.vectors, state.centroids):
        return f"the centroids of alias '{state.alias}' changed since the preview"
    assignments = read_assignments(client, state.dataset_id, state.vector_field, state.alias)
    if assignments != state.assignments:
        moved = sum(1 for doc_id in assignments.keys() | state.assignments.keys()
                    if assignments.get(doc_id) != state.assignments.get(doc_id))
        return f"{moved:,} document(s) changed cluster in alias '{state.alias}' since the preview"
    return None


def centroid_of(vectors: np.ndarray, metric: str) -> np.ndarray:
    """The centre of a cluster's member vectors under `metric`:

    - cosine: the mean of the members scaled to unit length, scaled to unit length (direction is
      all cosine sees; a long vector must not outweigh a short one);
    - dp and l2: the mean (it minimises the summed squared L2 distance);
    - l1: the elementwise median (it minimises the summed L1 distance).
    """
    if metric not in METRICS:
        raise ValueError(f"unknown similarity metric {metric!r}; expected one of {', '.join(METRICS)}")
    if len(vectors) == 0:
        raise ValueError("a cluster needs at least one member with a vector to compute its centroid")
    values = np.asarray(vectors, dtype=np.float64)
    if metric == "l1":
        return np.median(values, axis=0).astype(np.float32)
    if metric == "cosine":
        values = _unit_rows(values)
    centre = values.mean(axis=0)
    if metric == "cosine":
        centre = _unit_rows(centre[None, :])[0]
    return centre.astype(np.float32)


def _unit_rows(values: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.divide(values, norms, out=np.zeros_like(values), where=norms > 0)


def _short_text(document: dict) -> str:
    text = " · ".join(f"{k}: {v}" for k, v in readable_fields(document).items() if not isinstance(v, (dict, list)))
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"
