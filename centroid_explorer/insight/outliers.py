"""Members worth a second look: those closer to another centroid than to their own ("likely
mis-assigned") and the farthest from their own centroid, as one table (for the page and a CSV)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from centroid_explorer.centroid_csv import text_cell
from centroid_explorer.insight.members import Members, string_fields
from centroid_explorer.insight.quality import member_scores
from centroid_explorer.metrics import LABELS

FARTHEST = 10  # per cluster
PREVIEW_CHARS = 200
CLOSER = "closer to another centroid"
COLUMNS = ["_id", "reason", "cluster_id", "cluster_label", "score", "closer_cluster_id", "closer_cluster_label",
           "closer_score", "preview"]


def farthest_label(farthest: int) -> str:
    return f"among the {farthest} farthest"


def outlier_table(members: Members, metric: str, labels: Mapping[str, str] | None = None, farthest: int = FARTHEST) -> pd.DataFrame:
    """One row per member that is closer to another centroid or among its cluster's `farthest` (of those
    read): mis-assigned first, most clearly first; then the farthest, cluster by cluster. `score` and
    `closer_score` are the metric's shown values (similarity, or distance under L1/L2); `closer_*` name
    the best other centroid."""
    shown = LABELS[metric]
    scores = member_scores(members, metric)
    wrong = scores.misassigned
    far = np.zeros(len(members.ids), dtype=bool)
    for c in np.unique(members.cluster_index):
        mine = np.flatnonzero(members.cluster_index == c)
        far[mine[np.argsort(scores.own[mine], kind="stable")[:farthest]]] = True
    order = np.concatenate([
        np.flatnonzero(wrong)[np.argsort((scores.own - scores.other)[wrong], kind="stable")],
        np.flatnonzero(far & ~wrong)[np.lexsort((scores.own[far & ~wrong], members.cluster_index[far & ~wrong]))],
    ]).astype(np.int64)
    text = next(iter(string_fields(members.fields)), None)
    rows = []
    for i in order:
        cluster_id = members.cluster_ids[members.cluster_index[i]]
        other = members.cluster_ids[scores.other_index[i]] if scores.other_index[i] >= 0 else None
        reasons = ([CLOSER] if wrong[i] else []) + ([farthest_label(farthest)] if far[i] else [])
        preview = members.fields[i].get(text) if text else None
        rows.append({
            "_id": members.ids[i],
            "reason": "; ".join(reasons),
            "cluster_id": cluster_id,
            "cluster_label": "",
            "score": float(shown.shown(scores.own[i])),
            "closer_cluster_id": other,
            "closer_cluster_label": "",
            "closer_score": float(shown.shown(scores.other[i])) if other is not None else np.nan,
            "preview": preview[:PREVIEW_CHARS] if isinstance(preview, str) else "",
        })
    return labelled(pd.DataFrame(rows, columns=COLUMNS), labels or {})


def labelled(table: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """`table` with its label columns filled from `labels` (cluster id -> label; "" without one)."""
    table = table.copy()
    for label, cluster in (("cluster_label", "cluster_id"), ("closer_cluster_label", "closer_cluster_id")):
        table[label] = table[cluster].map(lambda cid: labels.get(cid, "") if isinstance(cid, str) else "").astype(object)
    return table


def table_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV a spreadsheet opens safely: every text cell through `text_cell` (a document's text
    or an id starting with = + - @ stays text, never a formula); numbers as they are; CRLF rows."""
    safe = frame.map(lambda value: text_cell(value) if isinstance(value, str) else value)
    return safe.to_csv(index=False, lineterminator="\r\n")
