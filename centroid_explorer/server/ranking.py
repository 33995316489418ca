"""A clustering's members ranked by closeness to their own centroid, and the cache of such rankings.

The same for every store: the store reads each cluster's members and centroid, `rank` orders them
(numpy, one cluster in memory at a time), and `RankingCache` keeps recent rankings. A cached ranking
is valid for one write generation of its dataset: a number the store keeps in the database, which
every write changes and which is never given twice (not even to a dataset deleted and created again
under the same id), so a ranking is never served for data other than the data it was made from.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from ..metrics import relevance

RANKING_CACHE_SIZE = 64


@dataclass(frozen=True)
class ClusterMembers:
    """One cluster's members as a store reads them."""

    keys: np.ndarray  # (n,) int64: the store's keys of the member documents, in insertion order
    has_vector: np.ndarray  # (n,) bool: whether each member has the vector
    vectors: np.ndarray  # (has_vector.sum(), d) float32: the vectors of those that do
    centroid: np.ndarray | None  # (d,) float32; None: the cluster has no stored centroid


@dataclass(frozen=True)
class Ranking:
    keys: np.ndarray  # (n,) int64, best first; ties in insertion order
    scores: np.ndarray  # (n,) float64 `_relevance`; NaN for a member without the vector (ranked last)

    def __len__(self) -> int:
        return len(self.keys)

    def page(self, start: int, size: int) -> tuple[list[int], list[float | None]]:
        """The keys and `_relevance` values (None where there is no score) of one page."""
        scores = self.scores[start : start + size]
        return (
            self.keys[start : start + size].tolist(),
            [None if np.isnan(score) else float(score) + 0.0 for score in scores],  # + 0.0: no -0.0
        )


def rank(clusters: Iterable[ClusterMembers], metric: str, furthest: bool = False) -> Ranking:
    """Every member of `clusters` scored against its cluster's centroid (else the members' mean), best
    first (`furthest`: worst first); ties in insertion order, members without the vector last either way."""
    all_keys, all_scores = [], []
    for cluster in clusters:
        scores = np.full(len(cluster.keys), np.nan)
        if len(cluster.vectors):
            centroid = cluster.centroid if cluster.centroid is not None else cluster.vectors.mean(axis=0)
            scores[cluster.has_vector] = relevance(cluster.vectors, centroid, metric)
        all_keys.append(cluster.keys)
        all_scores.append(scores)
    if not all_keys:
        return Ranking(np.zeros(0, dtype=np.int64), np.zeros(0))
    keys, scores = np.concatenate(all_keys), np.concatenate(all_scores)
    order = np.lexsort((keys, np.where(np.isnan(scores), np.inf, scores if furthest else -scores)))
    return Ranking(keys[order], scores[order])


class RankingCache:
    """The most recently used rankings, each kept with the write generation it was made at. Thread-safe."""

    def __init__(self, size: int = RANKING_CACHE_SIZE):
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[int, Ranking]] = OrderedDict()
        self._lock = threading.Lock()
        self._clears = 0  # how many times `clear` ran: a ranking made across a clear is not kept

    def clear(self) -> None:
        """Forget every ranking (the store can no longer vouch for its generations)."""
        with self._lock:
            self._entries.clear()
            self._clears += 1

    def cached(self, query: Hashable) -> tuple[int, Ranking] | None:
        """The ranking cached for `query` and the generation it was made at, whatever the dataset's is now."""
        with self._lock:
            entry = self._entries.get(query)
            if entry is not None:
                self._entries.move_to_end(query)
            return entry

    def get_or_rank(self, query: Hashable, generation: int, make: Callable[[], Ranking]) -> Ranking:
        """The cached ranking of `query` if it was made at `generation`, else `make()`'s, cached."""
        with self._lock:
            entry = self._entries.get(query)
            if entry is not None and entry[0] == generation:
                self._entries.move_to_end(query)
                return entry[1]
            clears = self._clears
        ranking = make()  # outside the lock: other queries need not wait for this one
        with self._lock:
            if clears != self._clears:
                return ranking
            self._entries[query] = (generation, ranking)
            self._entries.move_to_end(query)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return ranking
