"""What the cluster map shows, fetched through the client: centroids, cluster sizes, and a sample
of each cluster's documents that represents the whole cluster, not only its closest members.

The documents endpoint ranks a cluster's members closest first; the sample takes a few pages
spread evenly over that ranking (with its `page` parameter), so the far members are drawn too.
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from centroid_explorer.client import CLUSTER_FIELD, VECTOR_SUFFIX, vectors_of
from centroid_explorer.display import one_line, plotly_text
from centroid_explorer.metrics import LABELS

RELEVANCE = "_relevance"
PAGES_PER_CLUSTER = 5  # how many places along a cluster's ranking the sample is taken from
CENTROID_PAGE_SIZE = 500
HOVER_FIELD_CHARS = 240
HOVER_LINE_CHARS = 70
HOVER_MAX_FIELDS = 6
HOVER_NAME_CHARS = 60  # a cluster's or a field's name in a tooltip
_FETCH_THREADS = 4  # a few requests in flight; more only queues on a 2-core server


@dataclass(frozen=True)
class ClusterSample:
    cluster_ids: list[str]
    centroids: np.ndarray  # (k, d) float32, in cluster_ids order
    sizes: np.ndarray  # (k,) members per cluster
    documents: pd.DataFrame  # one row per sampled document: _id, cluster_id, rank, _relevance, readable fields
    document_vectors: np.ndarray  # (n, d) float32, in documents' row order
    cluster_index: np.ndarray  # (n,) index into cluster_ids

    @property
    def sampled(self) -> int:
        return len(self.documents)


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


def sample_pages(size: int, per_cluster: int) -> tuple[int, list[int]]:
    """(page_size, pages) that take about `per_cluster` of `size` ranked members, spread evenly.

    Small clusters are taken whole. Otherwise PAGES_PER_CLUSTER pages of per_cluster / PAGES
    members each, the first and the last page of the ranking always among them.
    """
    if size <= per_cluster:
        return max(size, 1), [1]
    page_size = max(1, per_cluster // PAGES_PER_CLUSTER)
    last = math.ceil(size / page_size)
    count = min(last, math.ceil(per_cluster / page_size))
    pages = np.unique(np.linspace(1, last, count).round().astype(int))
    return page_size, pages.tolist()


def fetch_centroids(client, dataset_id: str, vector_field: str, alias: str) -> tuple[list[str], np.ndarray]:
    """Every centroid of the alias: (ids, vectors (k, d)). Ids that are the same text (7 and "7" from a
    server that allows numbers) are one cluster to every request, so the first one is kept."""
    documents = list(
        client.centroids.iter_list(
            dataset_id, vector_field, alias=alias, page_size=CENTROID_PAGE_SIZE, include_vector=True
        )
    )
    first: dict[str, int] = {}
    for position, document in enumerate(documents):
        first.setdefault(str(document["_id"]), position)
    return list(first), vectors_of(documents, vector_field)[list(first.values())]


def cluster_names(cluster_ids: list[str], labels: Mapping[str, str]) -> list[str]:
    """What each cluster is called in a chart or a list: its label, else its id, on one line. A blank
    name is quoted; a name two clusters share is followed by the id."""
    names = []
    for cluster_id in cluster_ids:
        name = one_line(labels.get(cluster_id) or cluster_id)
        names.append(name if name.strip() else repr(name))
    shared = Counter(names)
    return [f"{name} ({one_line(cid)})" if shared[name] > 1 else name for name, cid in zip(names, cluster_ids, strict=False)]


def fetch_cluster_sample(
    client,
    dataset_id: str,
    vector_field: str,
    alias: str,
    per_cluster: int,
    metric: str = "cosine",
    progress: Callable[[int, int], None] | None = None,
) -> ClusterSample:
    """Centroids plus about `per_cluster` documents of each cluster, with their vectors.

    `progress(done, total)` is called as clusters complete (from worker threads' results, in
    this thread).
    """
    cluster_ids, centroids = fetch_centroids(client, dataset_id, vector_field, alias)

    def one_cluster(cluster_id: str) -> tuple[int, list[dict]]:
        return _sample_cluster(client, dataset_id, vector_field, alias, cluster_id, per_cluster, metric)

    results: list[tuple[int, list[dict]]] = []
    with ThreadPoolExecutor(_FETCH_THREADS) as pool:
        for done, result in enumerate(pool.map(one_cluster, cluster_ids), start=1):
            results.append(result)
            if progress:
                progress(done, len(cluster_ids))

    rows, vectors, index = [], [], []
    for position, (cluster_id, (_, documents)) in enumerate(zip(cluster_ids, results, strict=False)):
        for document in documents:
            rows.append(
                {"_id": str(document.get("_id")), "cluster_id": cluster_id, "rank": document["rank"],
                 RELEVANCE: document.get(RELEVANCE), **readable_fields(document)}
            )
            vectors.append(document)
            index.append(position)
    dimension = centroids.shape[1] if centroids.size else 0
    return ClusterSample(
        cluster_ids=cluster_ids,
        centroids=centroids,
        sizes=np.array([size for size, _ in results], dtype=np.int64),
        documents=pd.DataFrame(rows, columns=None if rows else ["_id", "cluster_id", "rank", RELEVANCE]),
        document_vectors=vectors_of(vectors, vector_field) if vectors else np.empty((0, dimension), np.float32),
        cluster_index=np.array(index, dtype=np.int64),
    )


def relevance_sample(
    client, dataset_id: str, vector_field: str, alias: str, cluster_id: str, metric: str, limit: int
) -> tuple[int, np.ndarray]:
    """(cluster size, `_relevance` of up to `limit` members spread over its ranking): the whole
    distribution of a large cluster without reading every member."""
    size, documents = _sample_cluster(
        client, dataset_id, vector_field, alias, cluster_id, limit, metric, include_vector=False
    )
    return size, np.array([doc.get(RELEVANCE, np.nan) for doc in documents], dtype=np.float64)


def _sample_cluster(
    client, dataset_id, vector_field, alias, cluster_id, per_cluster, metric, include_vector=True
) -> tuple[int, list[dict]]:
    """(cluster size, sampled documents each with its 1-based `rank` in the cluster)."""

    def page(number: int, page_size: int) -> dict:
        return client.centroids.documents(
            dataset_id, [cluster_id], vector_field, alias=alias, page_size=page_size, page=number,
            include_vector=include_vector, similarity_metric=metric,
        )

    first_page_size = max(1, per_cluster // PAGES_PER_CLUSTER)
    first = page(1, first_page_size)
    size = int(first.get("count", len(first["results"])))
    if size <= len(first["results"]):
        return size, [{**doc, "rank": i + 1} for i, doc in enumerate(first["results"])]
    page_size, pages = sample_pages(size, per_cluster)
    documents: list[dict] = []
    for number in pages:
        answer = first if (number == 1 and page_size == first_page_size) else page(number, page_size)
        start = (number - 1) * page_size
        documents.extend({**doc, "rank": start + i + 1} for i, doc in enumerate(answer["results"]))
    return size, documents


def hover_text(
    document_id: str, cluster_name: str, fields: Mapping[str, Any], relevance: float | None, metric: str = "cosine"
) -> str:
    """Plotly hover text for one document. Every value is escaped: a document's text is data, not HTML."""
    name = plotly_text(one_line(cluster_name), HOVER_NAME_CHARS)
    lines = [f"<b>{plotly_text(one_line(document_id), HOVER_NAME_CHARS)}</b> · {name}"]
    if relevance is not None and not (isinstance(relevance, float) and math.isnan(relevance)):
        shown = LABELS[metric]
        lines.append(f"{shown.name} {'with' if metric == 'dp' else 'to'} centroid: {float(shown.shown(relevance)):.3f}")
    # Scalars only: a list or object (pixels, tags) is noise in a tooltip; the tables show it.
    scalars = [(f, v) for f, v in fields.items() if isinstance(v, (str, int, float, bool)) and v == v]
    for field, value in scalars[:HOVER_MAX_FIELDS]:
        text = value if isinstance(value, str) else str(value)
        if len(text) > HOVER_FIELD_CHARS:
            text = text[: HOVER_FIELD_CHARS - 1] + "…"
        # Line breaks are kept (a docstring's layout, a digit's ASCII picture); long lines are wrapped
        # between words (a word longer than a line is cut).
        wrapped = "<br>".join(
            plotly_text(piece)
            for line in text.strip("\n").splitlines() or [""]
            for piece in ([line] if len(line) <= HOVER_LINE_CHARS else textwrap.wrap(line, HOVER_LINE_CHARS, break_on_hyphens=False))
        )
        lines.append(f"<i>{plotly_text(one_line(field), HOVER_NAME_CHARS)}</i>: {wrapped}")
    return "<br>".join(lines)


def hover_texts(sample: ClusterSample, labels: Mapping[str, str], metric: str = "cosine") -> np.ndarray:
    """One hover text per sampled document, in row order."""
    fixed = {"_id", "cluster_id", "rank", RELEVANCE}
    names = dict(zip(sample.cluster_ids, cluster_names(sample.cluster_ids, labels), strict=False))
    texts = []
    for row in sample.documents.to_dict("records"):
        fields = {k: v for k, v in row.items() if k not in fixed}
        texts.append(hover_text(row["_id"], names[row["cluster_id"]], fields, row.get(RELEVANCE), metric))
    return np.array(texts, dtype=object)
