"""Curate clusters: merge, split, move documents, and compare two clusterings.

    state = read_state(client, dataset_id, vector_field, alias)
    plan = preview_merge(client, state, ["cluster_1", "cluster_4"], metric="cosine")  # nothing written
    write_new_alias(client, plan, "kmeans-10-curated")   # the default; or write_in_place(client, plan)

Modules: `state` (the alias as read, centroids under a metric), `plans` (the pure operations and
their preview), `writes` (what each write guarantees when it fails part-way), `compare`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from centroid_explorer.curation.compare import Comparison, compare, compare_aliases
from centroid_explorer.curation.plans import SPLIT_K, Plan, SizeChange, affected_by_move, merge, move, split
from centroid_explorer.curation.state import AliasState, Members, centroid_of, read_members, read_state
from centroid_explorer.curation.writes import (
    AliasTakenError,
    SourceChangedError,
    WriteFailedError,
    WriteResult,
    write_in_place,
    write_new_alias,
)


def preview_merge(client, state: AliasState, cluster_ids: Sequence[str], metric: str) -> Plan:
    return merge(state, read_members(client, state, cluster_ids), cluster_ids, metric)


def preview_split(client, state: AliasState, cluster_id: str, k: int, metric: str) -> Plan:
    return split(state, read_members(client, state, [cluster_id]), cluster_id, k, metric)


def preview_move(client, state: AliasState, document_ids: Iterable[str], target: str, metric: str) -> Plan:
    document_ids = list(document_ids)
    members = read_members(client, state, affected_by_move(state, document_ids, target))
    return move(state, members, document_ids, target, metric)


__all__ = [
    "SPLIT_K",
    "AliasState",
    "AliasTakenError",
    "Comparison",
    "Members",
    "Plan",
    "SizeChange",
    "SourceChangedError",
    "WriteFailedError",
    "WriteResult",
    "centroid_of",
    "compare",
    "compare_aliases",
    "merge",
    "move",
    "preview_merge",
    "preview_move",
    "preview_split",
    "read_state",
    "split",
    "write_in_place",
    "write_new_alias",
]
