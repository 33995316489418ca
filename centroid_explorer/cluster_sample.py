"""What the cluster pages draw, fetched through the client: an alias's centroids and the documents
assigned to it, every one up to a cap, else a sample that represents the whole alias.

The documents endpoint with no cluster ids ranks every assigned document closest-to-its-own-centroid
first. Reading all of it costs requests linear in the documents drawn, not in k: a few large pages.
Past the cap, pages spread evenly over that ranking are read, so close and far members of every
cluster are drawn in proportion, and a cluster's size is estimated from its share of the sample.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.allocator import release_free_memory
from centroid_explorer.array_pages import ArrayPage
from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.client import CLUSTER_FIELD, VECTOR_SUFFIX
from centroid_explorer.projection.core import PCA_DIMS, PCA_FIT_ROWS, Reduction, reduces

RELEVANCE = "_relevance"
PAGES_PER_CLUSTER = 5  # how many places along one cluster's ranking its relevance sample is taken from
SAMPLE_PAGES = 20  # places along the whole alias's ranking a capped sample is taken from
MAX_PAGE = 2_000  # documents per request: large enough to be few requests, small enough to stream
# The page answers (~6 MB each at 768 dims) freed so far are handed back every this many pages: glibc
# would keep them until the end, between the rows kept (200,000 x 768: peak -40 MB, fetch ~+0.2 s).
TRIM_PAGES = 10
# Of each text value the map keeps this many characters: more than its tooltips show (hover.HOVER_FIELD_CHARS),
# enough for its search and suggested labels. Held whole, a corpus of long texts would fill the dashboard
# (200,000 documents of ~2,300 characters: a 0.47 GB table).
MAP_TEXT_CHARS = 500
DOCUMENT_CAPS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]
DEFAULT_CAP = 10_000


@dataclass(frozen=True)
class ClusterSample:
    centroids: CentroidSet
    sizes: np.ndarray  # (k,) members per cluster: counted when `complete`, else estimated from the sample
    total: int  # documents assigned to the alias
    documents: pd.DataFrame  # one row per drawn document: _id, cluster_id, _relevance, readable fields (texts cut)
    # What the map lays out, in documents' row order: the vectors (n, d) float32, or for a large sample
    # their principal components in the metric's space (projection.core.reduces: the same map from a
    # fraction of the memory), with the centroids in the same space and the metric to lay both out with.
    document_vectors: np.ndarray
    layout_centroids: np.ndarray
    layout_metric: str
    cluster_index: np.ndarray  # (n,) index into centroids.ids
    unplaced: int  # documents read but left out: assigned to a cluster without a centroid, or without the vector

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


def is_readable(field: str) -> bool:
    """Whether a person reads `field`: not a vector, not the cluster labels, not `_relevance` or `_id`."""
    return not field.endswith(VECTOR_SUFFIX) and field not in (CLUSTER_FIELD, RELEVANCE, "_id")


def readable_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `document` a person reads (is_readable)."""
    return {field: value for field, value in document.items() if is_readable(field)}


def cluster_of(document: Mapping[str, Any], vector_field: str, alias: str) -> str | None:
    """The cluster id a document is assigned to, from `_cluster_.{vector_field}.{alias}`."""
    try:  # read for every document of a large map: the common case without isinstance checks
        cluster_id = document[CLUSTER_FIELD][vector_field][alias]
    except (KeyError, TypeError):  # absent, or a label that is not an object of objects
        return None
    return None if cluster_id is None else str(cluster_id)


def _rows(results: list[dict[str, Any]], clusters: list[str | None], kept: list[int]) -> pd.DataFrame:
    """The table rows of documents `kept` (indices into `results`): `_id`, `cluster_id` (the assignment:
    a document's own field of that name is not shown), `_relevance`, then its readable fields, each text
    cut to MAP_TEXT_CHARS."""
    documents = [results[row] for row in kept]
    fields = pd.DataFrame(documents)  # pandas builds the columns in C: per-row dicts cost ~2 s at 200,000
    readable = fields[[f for f in fields.columns if is_readable(f) and f != "cluster_id"]]
    readable = readable.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(_cut))
    head = pd.DataFrame({"_id": [str(document.get("_id")) for document in documents],
                         "cluster_id": [clusters[row] for row in kept],
                         RELEVANCE: [document.get(RELEVANCE) for document in documents]})
    return pd.concat([head, readable], axis=1)


def _cut(value: Any) -> Any:
    return value[:MAP_TEXT_CHARS] + "…" if isinstance(value, str) and len(value) > MAP_TEXT_CHARS else value


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

    def page(number: int, page_size: int) -> ArrayPage:
        return client.centroids.documents_with_vectors(
            dataset_id, [], vector_field, alias=alias, page_size=page_size, page=number, similarity_metric=metric,
        )

    # The first page is asked for at once: the server ranks the whole alias for it (~2 s at 200,000
    # documents) while the centroids are read (~0.5 s at k = 10,000). Nothing waits for it when there are none.
    first_size = min(MAX_PAGE, cap)
    ahead = ThreadPoolExecutor(1, thread_name_prefix="first-page")
    first_page = ahead.submit(page, 1, first_size)
    ahead.shutdown(wait=False)
    centroids = read_centroids(client, dataset_id, vector_field, alias)
    drawn = _Drawn(centroids, vector_field, alias, metric)
    total = 0
    if centroids.ids:
        first = first_page.result()
        total = int(first.payload.get("count", len(first.documents)))
        page_size, numbers = sample_pages(total, cap)
        to_read = min(total, page_size * len(numbers))
        if reduces(to_read, centroids.dimension or 0, metric):
            drawn.reduction = _fit_reduction(page, total, metric)
        drawn.reserve(to_read)
        reused = [first] if page_size == first_size else []  # numbers start at page 1
        rest = read_ahead(lambda number: page(number, page_size), numbers[len(reused):])
        for number, answer in enumerate(itertools.chain(reused, rest), start=1):
            drawn.add(answer)
            if number % TRIM_PAGES == 0:
                release_free_memory()
            if progress:
                progress(drawn.read, to_read)
    return drawn.sample(total)


def read_ahead(page: Callable[[int], ArrayPage], numbers: list[int]) -> Iterator[ArrayPage]:
    """page(n) for each of `numbers` in order, the next one requested while the caller reads this one:
    the server's work on a page overlaps the dashboard's on the one before."""
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        coming = [pool.submit(page, number) for number in numbers[:1]]
        for number in [*numbers[1:], None]:
            current = coming.pop().result()
            if number is not None:
                coming.append(pool.submit(page, number))
            yield current


def _fit_reduction(page: Callable[[int, int], ArrayPage], total: int, metric: str) -> Reduction | None:
    """Principal axes fitted on PCA_FIT_ROWS documents spread over the whole ranking (as project_2d
    fits them on rows spread over its input), read before the rest so that every page can be reduced
    as it arrives: the full vectors are never all in memory. None when those documents have no vectors."""
    page_size, numbers = sample_pages(total, PCA_FIT_ROWS)
    with_vectors = [p.vectors[p.present()] for p in read_ahead(lambda number: page(number, page_size), numbers)
                    if p.present().any()]
    return Reduction.fit(np.concatenate(with_vectors), PCA_DIMS, metric) if with_vectors else None


class _Drawn:
    """The documents read so far, kept as they come: their table rows and their vectors (reduced when
    `reduction` is set), copied into one preallocated array; a page's answer is let go once read."""

    def __init__(self, centroids: CentroidSet, vector_field: str, alias: str, metric: str):
        self.centroids, self.vector_field, self.alias, self.metric = centroids, vector_field, alias, metric
        self.reduction: Reduction | None = None
        self.position = {cluster_id: i for i, cluster_id in enumerate(centroids.ids)}
        self.frames: list[pd.DataFrame] = []  # a page's rows each: 200,000 row dicts at once cost ~100 MB
        self.index: list[int] = []
        self.vectors = np.empty((0, centroids.dimension or 0), np.float32)
        self.read = 0

    def reserve(self, documents: int) -> None:
        width = self.reduction.axes.shape[1] if self.reduction else self.centroids.dimension or 0
        self.vectors = np.empty((documents, width), np.float32)

    def add(self, page: ArrayPage) -> None:
        dimension = self.centroids.dimension or 0
        present = page.present()
        if present.any() and page.vectors.shape[1] != dimension:
            raise ValueError(f"the documents' {self.vector_field!r} has {page.vectors.shape[1]} dimensions, "
                             f"their centroids {dimension}")
        results = page.documents
        self.read += len(results)
        clusters = [cluster_of(document, self.vector_field, self.alias) for document in results]
        kept = []
        for row, cluster_id in enumerate(clusters):
            at = None if cluster_id is None else self.position.get(cluster_id)
            if at is not None and present[row]:
                kept.append(row)
                self.index.append(at)
        if not kept:
            return
        self.frames.append(_rows(results, clusters, kept))
        start, end = len(self.index) - len(kept), len(self.index)
        if end > len(self.vectors):  # more than reserved (the alias grew while read)
            grown = np.empty((end, self.vectors.shape[1]), np.float32)
            grown[:start] = self.vectors[:start]
            self.vectors = grown
        vectors = page.vectors[kept]
        self.vectors[start:end] = self.reduction(vectors) if self.reduction else vectors

    def sample(self, total: int) -> ClusterSample:
        cluster_index = np.array(self.index, dtype=np.int64)
        counts = np.bincount(cluster_index, minlength=len(self.centroids)).astype(np.float64)
        complete = self.read >= total
        # Past the cap every cluster is drawn in proportion to its size, so its share of the sample estimates it.
        sizes = counts if complete or not self.index else np.round(counts * total / self.read)
        documents = (pd.concat(self.frames, ignore_index=True) if self.frames
                     else pd.DataFrame(columns=["_id", "cluster_id", RELEVANCE]))
        return ClusterSample(
            centroids=self.centroids,
            sizes=sizes.astype(np.int64),
            total=total,
            documents=documents,
            document_vectors=self.vectors[:len(self.index)],
            layout_centroids=self.reduction(self.centroids.vectors) if self.reduction else self.centroids.vectors,
            layout_metric="l2" if self.reduction else self.metric,
            cluster_index=cluster_index,
            unplaced=self.read - len(self.index),
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
