"""What the cluster pages draw, fetched through the client: an alias's centroids and the documents
assigned to it, every one up to a cap, else a sample that represents the whole alias.

The documents endpoint with no cluster ids ranks every assigned document closest-to-its-own-centroid
first. Reading all of it costs requests linear in the documents drawn, not in k: a few large pages.
Past the cap, pages spread evenly over that ranking are read, so close and far members of every
cluster are drawn in proportion, and a cluster's size is estimated from its share of the sample.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.client import CLUSTER_FIELD, VECTOR_SUFFIX, vectors_of

RELEVANCE = "_relevance"
PAGES_PER_CLUSTER = 5  # how many places along one cluster's ranking its relevance sample is taken from
SAMPLE_PAGES = 20  # places along the whole alias's ranking a capped sample is taken from
MAX_PAGE = 2_000  # documents per request: large enough to be few requests, small enough to stream
DOCUMENT_CAPS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]
DEFAULT_CAP = 10_000


@dataclass(frozen=True)
class ClusterSample:
    centroids: CentroidSet
    sizes: np.ndarray  # (k,) members per cluster: counted when `complete`, else estimated from the sample
    total: int  # documents assigned to the alias
    documents: pd.DataFrame  # one row per drawn document: _id, cluster_id, _relevance, readable fields
    document_vectors: np.ndarray  # (n, d) float32, in documents' row order
    cluster_index: np.ndarray  # (n,) index into centroids.ids
    unplaced: int  # drawn-for documents assigned to a cluster id that has no centroid (left out)

    @property
    def cluster_ids(self) -> list[str]:
        return self.centroids.ids

    @property
    def drawn(self) -> int:
        return len(self.documents)

    @property
    def complete(self) -> bool:
        """Every assigned document was read (sizes are counts, not estimates)."""
        return self.drawn + self.unplaced >= self.total


def readable_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a person reads: not vectors, not the cluster labels, not `_relevance` or `_id`."""
    return {
        field: value
        for field, value in document.items()
        if not field.endswith(VECTOR_SUFFIX) and field not in (CLUSTER_FIELD, RELEVANCE, "_id")
    }


def cluster_of(document: Mapping[str, Any], vector_field: str, alias: str) -> str | None:
    """The cluster id a document is assigned to, from `_cluster_.{vector_field}.{alias}`."""
    labels = document.get(CLUSTER_FIELD)
    by_alias = labels.get(vector_field) if isinstance(labels, Mapping) else None
    cluster_id = by_alias.get(alias) if isinstance(by_alias, Mapping) else None
    return None if cluster_id is None else str(cluster_id)


def sample_pages(total: int, cap: int, pages: int = SAMPLE_PAGES) -> tuple[int, list[int]]:
    """(page_size, 1-based pages) that read all `total` ranked documents when they fit in `cap`, else
    about `cap` of them in `pages` blocks spread evenly from the first to the last page."""
    if total <= cap:
        page_size = min(MAX_PAGE, max(total, 1))
        return page_size, list(range(1, math.ceil(max(total, 1) / page_size) + 1))
    page_size = min(MAX_PAGE, max(1, cap // pages))
    last = math.ceil(total / page_size)
    count = min(last, math.ceil(cap / page_size))
    return page_size, np.unique(np.linspace(1, last, count).round().astype(int)).tolist()


def fetch_cluster_sample(
    client,
    dataset_id: str,
    vector_field: str,
    alias: str,
    cap: int = DEFAULT_CAP,
    metric: str = "cosine",
    progress: Callable[[int, int], None] | None = None,
) -> ClusterSample:
    """The alias's centroids and up to `cap` of its documents with their vectors.

    `progress(documents_read, documents_to_read)` is called after each request."""
    centroids = read_centroids(client, dataset_id, vector_field, alias)

    def page(number: int, page_size: int) -> dict:
        return client.centroids.documents(
            dataset_id, [], vector_field, alias=alias, page_size=page_size, page=number,
            include_vector=True, similarity_metric=metric,
        )

    documents: list[dict] = []
    total = 0
    if centroids.ids:
        first_size = min(MAX_PAGE, cap)
        first = page(1, first_size)
        total = int(first.get("count", len(first["results"])))
        page_size, numbers = sample_pages(total, cap)
        to_read = min(total, page_size * len(numbers))
        for number in numbers:
            answer = first if (number == 1 and page_size == first_size) else page(number, page_size)
            documents.extend(answer["results"])
            if progress:
                progress(len(documents), to_read)
    return _assemble(centroids, documents, total, vector_field, alias)


def _assemble(centroids: CentroidSet, documents: list[dict], total: int, vector_field: str, alias: str) -> ClusterSample:
    position = {cluster_id: i for i, cluster_id in enumerate(centroids.ids)}
    kept, index, rows = [], [], []
    for document in documents:
        cluster_id = cluster_of(document, vector_field, alias)
        at = position.get(cluster_id) if cluster_id is not None else None
        if at is None or document.get(vector_field) is None:
            continue
        kept.append(document)
        index.append(at)
        rows.append({"_id": str(document.get("_id")), "cluster_id": cluster_id, RELEVANCE: document.get(RELEVANCE),
                     **readable_fields(document)})
    cluster_index = np.array(index, dtype=np.int64)
    counts = np.bincount(cluster_index, minlength=len(centroids)).astype(np.float64)
    complete = len(documents) >= total
    # Past the cap every cluster is drawn in proportion to its size, so its share of the sample estimates it.
    sizes = counts if complete or not len(kept) else np.round(counts * total / len(documents))
    dimension = centroids.dimension or 0
    return ClusterSample(
        centroids=centroids,
        sizes=sizes.astype(np.int64),
        total=total,
        documents=pd.DataFrame(rows, columns=None if rows else ["_id", "cluster_id", RELEVANCE]),
        document_vectors=vectors_of(kept, vector_field) if kept else np.empty((0, dimension), np.float32),
        cluster_index=cluster_index,
        unplaced=len(documents) - len(kept),
    )


def relevance_sample(
    client, dataset_id: str, vector_field: str, alias: str, cluster_id: str, metric: str, limit: int
) -> tuple[int, np.ndarray]:
    """(cluster size, `_relevance` of up to `limit` members spread over its ranking): the whole
    distribution of a large cluster without reading every member."""

    def page(number: int, page_size: int) -> dict:
        return client.centroids.documents(
            dataset_id, [cluster_id], vector_field, alias=alias, page_size=page_size, page=number,
            include_vector=False, similarity_metric=metric,
        )

    first_size = max(1, limit // PAGES_PER_CLUSTER)
    first = page(1, first_size)
    size = int(first.get("count", len(first["results"])))
    page_size, numbers = sample_pages(size, limit, PAGES_PER_CLUSTER)
    values: list[float] = []
    for number in numbers:
        answer = first if (number == 1 and page_size == first_size) else page(number, page_size)
        values.extend(doc.get(RELEVANCE, np.nan) for doc in answer["results"])
    return size, np.array(values, dtype=np.float64)
