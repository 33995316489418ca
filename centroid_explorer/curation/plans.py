"""Merge, split and move as pure computations: an alias's state in, a `Plan` (the preview) out.

A plan says everything a write will do, and nothing is written to compute it:
- `centroids`: the centroids added or given a new vector (id -> vector), under the chosen metric
  (see `state.centroid_of`);
- `removed`: the cluster ids that disappear;
- `moves`: document id -> its new cluster id, only for documents whose cluster changes;
- `notes`: the cluster entries of the metadata to set (None removes one); every other key kept.

Ids: a merge keeps the first cluster's id (the others are folded into it); a split gives its parts
new ids `<id>-1` .. `<id>-k` (with a further `-2`, `-3`... if one is taken) and removes the original;
a move keeps every id, and a cluster a move empties is removed. After a move, the centroids of
the clusters that gained or lost members are recomputed from their members.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from centroid_explorer.curation.state import AliasState, Members, centroid_of
from centroid_explorer.display import one_line
from centroid_explorer.metadata import (
    CLUSTERS,
    DESCRIPTION,
    LABEL,
    MAX_CLUSTER_DESCRIPTION,
    MAX_LABEL,
    MAX_TAGS,
    TAGS,
    notes_for,
)

Operation = Literal["merge", "split", "move"]
SPLIT_K = range(2, 6)
DERIVED = "derived_from"  # the metadata key a new alias records its origin under


@dataclass(frozen=True)
class SizeChange:
    cluster_id: str
    before: int
    after: int


@dataclass(frozen=True)
class Plan:
    operation: Operation
    summary: str  # one plain sentence
    source: AliasState
    metric: str
    centroids: dict[str, np.ndarray]
    removed: list[str]
    moves: dict[str, str]
    notes: dict[str, dict | None]
    members: Members  # the documents of the affected clusters, as read
    members_after: list[str]  # the cluster of each of `members` after the operation

    @property
    def cluster_ids_after(self) -> list[str]:
        kept = [cid for cid in self.source.cluster_ids if cid not in self.removed]
        return kept + [cid for cid in self.centroids if cid not in kept]

    def centroids_after(self) -> np.ndarray:
        """(k', d) in `cluster_ids_after` order."""
        return np.array(
            [self.centroids[cid] if cid in self.centroids else self.source.centroid(cid) for cid in self.cluster_ids_after],
            dtype=np.float32,
        ).reshape(-1, self.source.centroids.shape[1])

    def assignments_after(self) -> dict[str, str]:
        return {doc_id: self.moves.get(doc_id, cluster_id) for doc_id, cluster_id in self.source.assignments.items()}

    def size_changes(self) -> list[SizeChange]:
        """Every cluster whose size or existence changes, before and after (0 = none or gone)."""
        before = self.source.sizes()
        after = Counter(self.assignments_after().values())
        touched = [*self.source.cluster_ids, *self.centroids]
        touched = [cid for cid in dict.fromkeys(touched) if cid in self.removed or cid in self.centroids]
        return [SizeChange(cid, before.get(cid, 0) if cid in self.source.cluster_ids else 0, after.get(cid, 0))
                for cid in touched]

    def metadata_after(self, stored: Any) -> dict:
        """`stored` (the alias's metadata as it is now) with this plan's cluster entries set."""
        updated = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        clusters = updated.get(CLUSTERS)
        clusters = updated[CLUSTERS] = dict(clusters) if isinstance(clusters, dict) else {}
        for cluster_id, entry in self.notes.items():
            if entry is None:
                clusters.pop(cluster_id, None)
            else:
                clusters[cluster_id] = copy.deepcopy(entry)
        return updated

    def derived_record(self) -> dict[str, Any]:
        """What a new alias records about where it came from, under DERIVED."""
        return {
            "alias": self.source.alias,
            "operation": self.operation,
            "summary": self.summary,
            "metric": self.metric,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class PreviewLayout:
    """The affected documents (a sample of at most PREVIEW_POINTS) and centroids in one 2D projection."""

    documents: np.ndarray  # (n, 2)
    document_before: np.ndarray  # (n,) cluster id of each document before
    document_after: np.ndarray  # (n,) and after
    clusters_before: list[str]
    centroids_before: np.ndarray  # (len(clusters_before), 2)
    clusters_after: list[str]
    centroids_after: np.ndarray


PREVIEW_POINTS = 3000


def preview_layout(plan: Plan) -> PreviewLayout:
    """PCA to 2D (in the metric's space) of the affected members and their centroids before and after."""
    from centroid_explorer.projection import quick_layout

    members = plan.members
    rows = np.arange(len(members.ids))
    if len(rows) > PREVIEW_POINTS:
        rows = np.sort(np.random.default_rng(0).choice(rows, PREVIEW_POINTS, replace=False))
    before_ids = [cid for cid in plan.source.cluster_ids if cid in set(members.clusters)]
    after_ids = [cid for cid in plan.cluster_ids_after if cid in set(plan.members_after)]
    before = [plan.source.centroid(cid) for cid in before_ids]
    after = [plan.centroids[cid] if cid in plan.centroids else plan.source.centroid(cid) for cid in after_ids]
    points = quick_layout(np.vstack([members.vectors[rows], *before, *after]).astype(np.float32), plan.metric)
    n, b = len(rows), len(before_ids)
    return PreviewLayout(
        points[:n],
        np.asarray(members.clusters, dtype=object)[rows],
        np.asarray(plan.members_after, dtype=object)[rows],
        before_ids,
        points[n : n + b],
        after_ids,
        points[n + b :],
    )


def merge(state: AliasState, members: Members, cluster_ids: Sequence[str], metric: str) -> Plan:
    """Fold `cluster_ids[1:]` into `cluster_ids[0]`; its centroid is recomputed from all their members."""
    cluster_ids = list(dict.fromkeys(cluster_ids))
    if len(cluster_ids) < 2:
        raise ValueError("a merge needs at least two different clusters")
    _check_known(state, cluster_ids)
    target, others = cluster_ids[0], cluster_ids[1:]
    mask = members.of(cluster_ids)
    if not mask.any():
        raise ValueError(f"clusters {_names(cluster_ids)} have no members with a vector: nothing to compute a centroid from")
    moves = {doc_id: target for doc_id, cid in state.assignments.items() if cid in others}
    merged_entry = _combined_entry(state.metadata, cluster_ids)
    return Plan(
        "merge",
        f"Merge {len(cluster_ids)} clusters ({_names(cluster_ids)}) into '{one_line(target)}'",
        state,
        metric,
        {target: centroid_of(members.vectors[mask], metric)},
        others,
        moves,
        {target: merged_entry, **{cid: None for cid in others}},
        members,
        [target if cid in cluster_ids else cid for cid in members.clusters],
    )


def split(state: AliasState, members: Members, cluster_id: str, k: int, metric: str) -> Plan:
    """k-means (seeded) on the cluster's members into k parts `<id>-1`..`<id>-k`, largest first."""
    from centroid_explorer.clustering import kmeans  # scikit-learn is slow to import

    if k not in SPLIT_K:
        raise ValueError(f"k must be from {SPLIT_K.start} to {SPLIT_K.stop - 1}, got {k}")
    _check_known(state, [cluster_id])
    mask = members.of([cluster_id])
    vectors = members.vectors[mask]
    if len(vectors) < k:
        raise ValueError(
            f"cluster '{one_line(cluster_id)}' has {len(vectors)} member(s) with a vector; splitting it in {k} needs at least {k}"
        )
    space = _unit(vectors) if metric == "cosine" else vectors  # k-means is euclidean: on the sphere for cosine
    run = kmeans(space, k)
    if len(set(run.assignments)) < k:
        raise ValueError(f"cluster '{one_line(cluster_id)}' has fewer than {k} distinct member vectors: it cannot be split in {k}")
    order = [label for label, _ in Counter(run.assignments).most_common()]  # part 1 is the largest
    taken = set(state.cluster_ids)
    part_ids = {}
    for position, label in enumerate(order, start=1):
        part_ids[label] = _fresh_id(f"{cluster_id}-{position}", taken)
        taken.add(part_ids[label])
    member_ids = [doc_id for doc_id, inside in zip(members.ids, mask, strict=True) if inside]
    member_part = {doc_id: part_ids[label] for doc_id, label in zip(member_ids, run.assignments, strict=True)}
    missing = [doc_id for doc_id, cid in state.assignments.items() if cid == cluster_id and doc_id not in member_part]
    if missing:
        raise ValueError(f"{len(missing)} document(s) of cluster '{one_line(cluster_id)}' have no '{state.vector_field}' "
                         f"vector (for example '{one_line(missing[0])}'): k-means cannot place them")
    parts = [part_ids[label] for label in order]
    part_of_row = np.array([member_part[doc_id] for doc_id in member_ids])
    centroids = {pid: centroid_of(vectors[part_of_row == pid], metric) for pid in parts}
    notes: dict[str, dict | None] = {cluster_id: None}
    for position, pid in enumerate(parts, start=1):
        notes[pid] = _part_entry(state.metadata, cluster_id, position, k)
    return Plan(
        "split",
        f"Split cluster '{one_line(cluster_id)}' into {k} parts ({_names(parts)})",
        state,
        metric,
        centroids,
        [cluster_id],
        member_part,
        notes,
        members,
        [member_part.get(doc_id, cid) for doc_id, cid in zip(members.ids, members.clusters, strict=True)],
    )


def move(state: AliasState, members: Members, document_ids: Iterable[str], target: str, metric: str) -> Plan:
    """Move the documents to cluster `target`; the clusters that gain or lose members get new centroids."""
    _check_known(state, [target])
    document_ids = list(dict.fromkeys(str(d) for d in document_ids))
    unknown = [d for d in document_ids if d not in state.assignments]
    if unknown:
        raise ValueError(f"{len(unknown)} document(s) are not assigned in alias '{one_line(state.alias)}' "
                         f"(for example '{one_line(unknown[0])}')")
    moves = {d: target for d in document_ids if state.assignments[d] != target}
    if not moves:
        raise ValueError(f"every chosen document is already in cluster '{one_line(target)}': nothing to move")
    after = [moves.get(doc_id, cid) for doc_id, cid in zip(members.ids, members.clusters, strict=True)]
    not_read = [d for d in moves if d not in set(members.ids)]
    if not_read:
        raise ValueError(f"document '{one_line(not_read[0])}' has no '{state.vector_field}' vector: it cannot be moved")
    sources = sorted({state.assignments[d] for d in moves})
    remaining = Counter(cid for doc_id, cid in state.assignments.items() if doc_id not in moves)
    emptied = [cid for cid in sources if remaining[cid] == 0]
    centroids = {}
    for cid in [target, *sources]:
        rows = np.array([a == cid for a in after], dtype=bool)
        if cid not in emptied and rows.any():
            centroids[cid] = centroid_of(members.vectors[rows], metric)
    return Plan(
        "move",
        f"Move {len(moves):,} document(s) to cluster '{one_line(target)}'",
        state,
        metric,
        centroids,
        emptied,
        moves,
        {cid: None for cid in emptied},
        members,
        after,
    )


def affected_by_move(state: AliasState, document_ids: Iterable[str], target: str) -> list[str]:
    """The clusters whose members a move needs: the target and every moved document's cluster."""
    return sorted({target, *(state.assignments[d] for d in document_ids if d in state.assignments)})


def _check_known(state: AliasState, cluster_ids: Iterable[str]) -> None:
    unknown = [cid for cid in cluster_ids if cid not in state.cluster_ids]
    if unknown:
        raise ValueError(f"alias '{one_line(state.alias)}' has no cluster {_names(unknown)}")


def _names(cluster_ids: Iterable[str]) -> str:
    return ", ".join(f"'{one_line(cid)}'" for cid in cluster_ids)


def _fresh_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    return candidate


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _entry(metadata: dict, cluster_id: str) -> Any:
    clusters = metadata.get(CLUSTERS)
    return clusters.get(cluster_id) if isinstance(clusters, dict) else None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _combined_entry(metadata: dict, cluster_ids: list[str]) -> dict:
    """The first cluster's entry (its other keys kept) with the labels joined by ' + ', the descriptions
    by a blank line, and the tags of all, each within the dashboard's limits."""
    first = _entry(metadata, cluster_ids[0])
    first = copy.deepcopy(first) if isinstance(first, dict) else {}
    notes = [notes_for(metadata, cid) for cid in cluster_ids]
    labels = [n.label.strip() for n in notes if n.label.strip()]
    descriptions = [n.description.strip() for n in notes if n.description.strip()]
    tags = list(dict.fromkeys(tag for n in notes for tag in n.tags))[:MAX_TAGS]
    first[LABEL] = _cut(" + ".join(labels).replace("\n", " "), MAX_LABEL)
    first[DESCRIPTION] = _cut("\n\n".join(descriptions), MAX_CLUSTER_DESCRIPTION)
    first[TAGS] = tags
    return first


def _part_entry(metadata: dict, cluster_id: str, position: int, k: int) -> dict:
    """The split cluster's entry (other keys and tags kept) with the label '<label or id> (part i of k)'."""
    entry = _entry(metadata, cluster_id)
    part = copy.deepcopy(entry) if isinstance(entry, dict) else {}
    base = notes_for(metadata, cluster_id).label.strip().replace("\n", " ") or one_line(cluster_id)
    suffix = f" (part {position} of {k})"
    part[LABEL] = _cut(base, MAX_LABEL - len(suffix)) + suffix
    return part
