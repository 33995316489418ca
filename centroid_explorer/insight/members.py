"""An alias's members as read through the documents route: every member, or a sample of each cluster.

A cluster no larger than its share of the budget is read whole; a larger one as pages spread
evenly over its ranking (closest to its centroid first), its first and last pages always among
them (`cluster_sample.sample_pages`), so the sample holds its closest and its farthest members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.array_pages import ArrayPage
from centroid_explorer.cluster_sample import PAGES_PER_CLUSTER, readable_fields, sample_pages

MEMBER_BUDGET = 20_000  # members read with vectors for a whole alias; more are sampled
MIN_PER_CLUSTER = 20  # however many clusters there are, each is read at least this far
PAGE_SIZE = 1000  # the largest page asked for (a whole cluster of more is read page after page)
_FETCH_THREADS = 4  # a few requests in flight; more only queues on a 2-core server


@dataclass(frozen=True)
class Members:
    """Members of an alias's clusters (all or a sample), with the alias's centroids."""

    cluster_ids: list[str]  # every centroid of the alias, in the API's order
    centroids: np.ndarray  # (k, d) float32
    sizes: np.ndarray  # (k,) members per cluster, from the API's counts (exact)
    asked: np.ndarray  # (k,) bool: the clusters asked for (the others' sizes and reads are 0)
    read: np.ndarray  # (k,) members read per cluster
    ids: list[str]  # (n,) the members read
    cluster_index: np.ndarray  # (n,) index into cluster_ids
    vectors: np.ndarray  # (n, d) float32; (n, 0) when read without vectors
    fields: list[dict[str, Any]]  # (n,) each member's readable fields (no vectors, no `_cluster_`)

    @property
    def exact(self) -> bool:
        """Every member of the clusters asked for was read."""
        return bool(np.all(self.read[self.asked] == self.sizes[self.asked]))


def per_cluster_quota(clusters: int, budget: int = MEMBER_BUDGET) -> int:
    """How many members of each cluster are read when `clusters` clusters share `budget`."""
    return max(MIN_PER_CLUSTER, budget // max(clusters, 1))


def read_members(
    client,
    dataset_id: str,
    vector_field: str,
    alias: str,
    metric: str = "cosine",
    *,
    cluster_ids: Sequence[str] | None = None,
    budget: int = MEMBER_BUDGET,
    include_vector: bool = True,
) -> Members:
    """The members of `cluster_ids` (default: every cluster), each cluster read whole up to its share
    of `budget` and sampled along its ranking beyond that. Centroids are always all read."""
    stored = read_centroids(client, dataset_id, vector_field, alias)
    all_ids, centroids = stored.ids, stored.vectors
    asked = list(all_ids) if cluster_ids is None else [cid for cid in all_ids if cid in set(cluster_ids)]
    quota = per_cluster_quota(len(asked), budget)
    dimension = centroids.shape[1] if centroids.size else 0

    def one(cluster_id: str) -> tuple[int, list[_Page]]:
        return _read_cluster(client, dataset_id, vector_field, alias, cluster_id, metric, quota,
                             dimension if include_vector else None)

    with ThreadPoolExecutor(_FETCH_THREADS) as pool:
        results = dict(zip(asked, pool.map(one, asked), strict=True))

    position = {cid: i for i, cid in enumerate(all_ids)}
    sizes = np.zeros(len(all_ids), dtype=np.int64)
    read = np.zeros(len(all_ids), dtype=np.int64)
    pages = []
    index: list[np.ndarray] = []
    for cluster_id, (size, cluster_pages) in results.items():
        sizes[position[cluster_id]] = size
        read[position[cluster_id]] = sum(len(p.ids) for p in cluster_pages)
        pages.extend(cluster_pages)
        index.append(np.full(read[position[cluster_id]], position[cluster_id], dtype=np.int64))
    width = dimension if include_vector else 0
    return Members(
        cluster_ids=list(all_ids), centroids=centroids, sizes=sizes, asked=np.isin(all_ids, asked), read=read,
        ids=[i for p in pages for i in p.ids],
        cluster_index=np.concatenate(index) if index else np.empty(0, dtype=np.int64),
        vectors=np.concatenate([p.vectors for p in pages]) if pages else np.empty((0, width), dtype=np.float32),
        fields=[f for p in pages for f in p.fields],
    )


@dataclass(frozen=True)
class _Page:
    ids: list[str]
    fields: list[dict[str, Any]]
    vectors: np.ndarray  # (m, d) float32, or (m, 0) read without vectors


def _page(answer: ArrayPage | dict[str, Any], dimension: int | None) -> _Page:
    """One page of members: an arrays page read with vectors (a member without the vector, or with one
    of another length, is left out), or a JSON answer read without."""
    if isinstance(answer, ArrayPage):
        usable = answer.vectors.shape[1] == dimension  # (n, 0): none of the page has the vector
        kept = np.flatnonzero(answer.present()) if usable else np.empty(0, dtype=np.int64)
        results = [answer.documents[i] for i in kept]
        vectors = answer.vectors[kept] if usable else np.empty((0, dimension or 0), dtype=np.float32)
    else:
        results = answer.get("results") or []
        vectors = np.empty((len(results), 0), dtype=np.float32)
    return _Page([str(d.get("_id")) for d in results], [readable_fields(d) for d in results], vectors)


def _read_cluster(client, dataset_id, vector_field, alias, cluster_id, metric, quota, dimension) -> tuple[int, list[_Page]]:
    """(cluster size, the pages read): all of the cluster when it fits `quota`, else a sample.
    `dimension` None: without vectors."""

    def page(page_size: int, number: int = 1, cursor: str | None = None) -> tuple[dict[str, Any], _Page]:
        """(the answer's JSON, its members)"""
        if dimension is None:
            answer = client.centroids.documents(
                dataset_id, [cluster_id], vector_field, alias=alias, page_size=page_size, page=number, cursor=cursor,
                similarity_metric=metric,
            )
            return answer, _page(answer, None)
        arrays = client.centroids.documents_with_vectors(
            dataset_id, [cluster_id], vector_field, alias=alias, page_size=page_size, page=number, cursor=cursor,
            similarity_metric=metric,
        )
        return arrays.payload, _page(arrays, dimension)

    first_size = min(max(1, quota // PAGES_PER_CLUSTER), PAGE_SIZE)  # the sample's page size, when it is one
    answer, first = page(first_size)
    size = int(answer.get("count", len(answer.get("results") or [])))
    if size <= quota:  # the whole cluster, following the cursor
        pages, taken = [first], len(answer.get("results") or [])
        while answer.get("cursor") and taken < size:
            answer, more = page(first_size, cursor=answer["cursor"])
            if not answer.get("results"):
                break
            taken += len(answer["results"])
            pages.append(more)
        return size, pages
    page_size, numbers = sample_pages(size, quota, PAGES_PER_CLUSTER)
    return size, [first if number == 1 and page_size == first_size else page(page_size, number)[1] for number in numbers]


def string_fields(fields: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fields holding text in these members, the one with the most text first (read once, in order:
    a generator of rows will do)."""
    totals: dict[str, int] = {}
    for document in fields:
        for name, value in document.items():
            if isinstance(value, str):
                totals[name] = totals.get(name, 0) + len(value)
    return sorted(totals, key=lambda name: -totals[name])
