"""How well each cluster fits its stored centroid, under one similarity metric.

Per cluster: size (the API's count, exact); cohesion (members' score to their own centroid: mean,
p10 / p50 / p90, as the metric shows it: similarity, or distance under L1 / L2); the nearest other
centroid; margin (median over members of own-centroid score minus best other-centroid score, in
`_relevance` terms, so positive means "closer to its own" under every metric); members closer to
another centroid than to their own ("likely mis-assigned"); and an estimated silhouette on a
stated sample. The figures other than size come from the members read (`members.read_members`):
exact when every member was read, else estimates from a sample spread over each cluster's ranking.
Scores are computed in row blocks (never an n x k x d array).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from centroid_explorer.insight.members import Members
from centroid_explorer.metrics import LABELS, similarity

BLOCK_ROWS = 4096  # members scored against every centroid at once: 4096 x k float64
SILHOUETTE_SAMPLE = 2000  # members the silhouette is estimated on, spread over the clusters
# The silhouette needs a distance; a dot product is not one, so under dp it uses Euclidean distance.
SILHOUETTE_DISTANCE = {"cosine": "cosine", "l2": "euclidean", "l1": "manhattan", "dp": "euclidean"}


@dataclass(frozen=True)
class ClusterQuality:
    cluster_id: str
    size: int  # exact
    read: int  # members the figures below come from
    cohesion: float  # mean score to its own centroid, as shown (similarity, or distance under L1/L2)
    p10: float
    p50: float
    p90: float
    nearest_cluster_id: str | None
    nearest_similarity: float  # its centroid's score to this centroid, as shown
    margin: float  # median of own minus best other `_relevance`: > 0 closer to its own
    misassigned: int  # members closer to another centroid (estimated from the share when sampled)
    misassigned_share: float
    silhouette: float  # mean silhouette of this cluster's members in the silhouette sample
    silhouette_sample: int  # how many of its members that is

    def as_dict(self) -> dict:
        return {key: (None if isinstance(value, float) and math.isnan(value) else value)
                for key, value in asdict(self).items()}


@dataclass(frozen=True)
class QualityReport:
    metric: str
    clusters: list[ClusterQuality]  # worst first
    exact: bool  # every member read: all figures exact except the silhouette (a sample when over SILHOUETTE_SAMPLE)
    read: int
    total: int
    silhouette: float  # overall, each cluster weighted by its size
    silhouette_sample: int
    silhouette_distance: str


@dataclass(frozen=True)
class MemberScores:
    own: np.ndarray  # (n,) `_relevance` to the member's own centroid
    other: np.ndarray  # (n,) best `_relevance` to another centroid (-inf with one cluster)
    other_index: np.ndarray  # (n,) which centroid that is (-1 with one cluster)

    @property
    def misassigned(self) -> np.ndarray:
        return self.other > self.own


def member_scores(members: Members, metric: str) -> MemberScores:
    """Each member's score to its own centroid and to the best other one, a block of rows at a time."""
    n, k = len(members.ids), len(members.cluster_ids)
    own = np.empty(n)
    other = np.full(n, -np.inf)
    other_index = np.full(n, -1, dtype=np.int64)
    for start in range(0, n, BLOCK_ROWS):
        rows = slice(start, min(start + BLOCK_ROWS, n))
        scores = _block_scores(members.vectors[rows], members.centroids, metric)
        index = members.cluster_index[rows]
        at = np.arange(len(index))
        own[rows] = scores[at, index]
        if k > 1:
            scores[at, index] = -np.inf
            best = scores.argmax(axis=1)
            other_index[rows] = best
            other[rows] = scores[at, best]
    return MemberScores(own, other, other_index)


def _block_scores(vectors: np.ndarray, centroids: np.ndarray, metric: str) -> np.ndarray:
    """`metrics.similarity` of a block of members against every centroid. Under L2 as |v|^2 - 2 v.c + |c|^2:
    one matrix product instead of one pass over the block per centroid (12x faster at 200 centroids,
    benchmarks/insight.py); it differs from the pairwise distance by ~1e-8 of its size."""
    if metric != "l2":
        return similarity(vectors, centroids, metric)
    v, c = vectors.astype(np.float64), centroids.astype(np.float64)
    squared = np.einsum("ij,ij->i", v, v)[:, None] - 2 * (v @ c.T) + np.einsum("ij,ij->i", c, c)[None, :]
    return -np.sqrt(np.maximum(squared, 0))


def nearest_centroids(centroids: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(k,) the index of each centroid's nearest other centroid (-1 alone) and their `_relevance`."""
    if len(centroids) < 2:
        return np.full(len(centroids), -1), np.full(len(centroids), np.nan)
    scores = similarity(centroids, centroids, metric)
    np.fill_diagonal(scores, -np.inf)
    nearest = scores.argmax(axis=1)
    return nearest, scores[np.arange(len(centroids)), nearest]


def cluster_quality(members: Members, metric: str, silhouette_sample: int = SILHOUETTE_SAMPLE) -> QualityReport:
    """The quality table of the clusters read in `members` (read with vectors), worst first."""
    shown = LABELS[metric]
    scores = member_scores(members, metric)
    nearest, nearest_score = nearest_centroids(members.centroids, metric)
    silhouettes, picked = _silhouettes(members, metric, silhouette_sample)
    rows = []
    for c, cluster_id in enumerate(members.cluster_ids):
        if not members.asked[c]:
            continue
        mine = members.cluster_index == c
        read = int(mine.sum())
        own = shown.shown(scores.own[mine])
        wrong = int(scores.misassigned[mine].sum())
        share = wrong / read if read else math.nan
        exact = read == members.sizes[c]
        in_sample = picked == c
        rows.append(ClusterQuality(
            cluster_id=cluster_id,
            size=int(members.sizes[c]),
            read=read,
            cohesion=float(own.mean()) if read else math.nan,
            p10=float(np.percentile(own, 10)) if read else math.nan,
            p50=float(np.percentile(own, 50)) if read else math.nan,
            p90=float(np.percentile(own, 90)) if read else math.nan,
            nearest_cluster_id=members.cluster_ids[nearest[c]] if nearest[c] >= 0 else None,
            nearest_similarity=float(shown.shown(nearest_score[c])),
            margin=float(np.median(scores.own[mine] - scores.other[mine])) if read and nearest[c] >= 0 else math.nan,
            misassigned=wrong if exact else round(share * int(members.sizes[c])) if read else 0,
            misassigned_share=share,
            silhouette=float(silhouettes[in_sample].mean()) if in_sample.any() else math.nan,
            silhouette_sample=int(in_sample.sum()),
        ))
    rows.sort(key=_worst_first)
    weighted = [(r.silhouette, r.size) for r in rows if not math.isnan(r.silhouette)]
    overall = sum(s * w for s, w in weighted) / sum(w for _, w in weighted) if weighted and sum(w for _, w in weighted) else math.nan
    return QualityReport(
        metric=metric, clusters=rows, exact=members.exact, read=len(members.ids),
        total=int(members.sizes[members.asked].sum()), silhouette=overall, silhouette_sample=len(picked),
        silhouette_distance=SILHOUETTE_DISTANCE[metric],
    )


def _worst_first(row: ClusterQuality) -> tuple:
    """The largest share of likely mis-assigned members first, then the smallest margin; empty clusters last."""
    share = -row.misassigned_share if not math.isnan(row.misassigned_share) else math.inf
    margin = row.margin if not math.isnan(row.margin) else math.inf
    return (row.read == 0, share, margin, row.cluster_id)


def _silhouettes(members: Members, metric: str, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """(silhouette of each picked member, its cluster index): up to `sample` members, the same number
    from each cluster, spread over what was read of it (in ranking order)."""
    present = np.unique(members.cluster_index)
    if len(present) < 2:
        return np.empty(0), np.empty(0, dtype=np.int64)
    per_cluster = max(2, sample // len(present))
    rows = []
    for c in present:
        mine = np.flatnonzero(members.cluster_index == c)
        take = np.unique(np.linspace(0, len(mine) - 1, min(per_cluster, len(mine))).round().astype(int))
        rows.append(mine[take])
    picked = np.concatenate(rows)
    labels = members.cluster_index[picked]
    if len(picked) <= len(present):  # every cluster has one member: no silhouette is defined
        return np.empty(0), np.empty(0, dtype=np.int64)
    from sklearn.metrics import silhouette_samples  # scikit-learn is slow to import; only this needs it

    values = silhouette_samples(members.vectors[picked].astype(np.float64), labels, metric=SILHOUETTE_DISTANCE[metric])
    return values, labels
