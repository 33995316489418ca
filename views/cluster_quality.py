"""Cluster quality: each cluster judged against its stored centroid, worst first, and its outliers."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from centroid_explorer import metadata
from centroid_explorer.client import APIError
from centroid_explorer.display import cluster_names
from centroid_explorer.insight.members import per_cluster_quota
from centroid_explorer.metrics import LABELS, metric_name
from components.connection import connection_id
from components.feedback import require_client, require_selection, show_api_error, show_no_centroids, show_no_members
from components.insight import load_quality, open_documents, outliers_section

st.title(":material/fact_check: Cluster quality")
selection = require_selection()
client = require_client()

metric = st.columns([2, 5])[0].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
)
shown = LABELS[metric]

try:
    report, suggestions = load_quality(client, connection_id(), selection, metric)
    stored = metadata.load(client, selection.dataset_id, selection.vector_field, selection.alias)
except APIError as err:
    show_api_error(err, "Reading the clusters")
    st.stop()
if not report.clusters:
    show_no_centroids(selection)
    st.stop()
if not report.read:
    show_no_members(selection)
    st.stop()

labels = {cid: notes.label for cid, notes in metadata.cluster_notes(stored).items() if notes.label}
suggested = suggestions.labels
cluster_ids = [row.cluster_id for row in report.clusters]
names = dict(zip(cluster_ids, cluster_names(cluster_ids, labels), strict=True))

if report.exact:
    st.caption(f"{len(cluster_ids):,} clusters · every one of the {report.total:,} members read: every figure "
               f"is exact but the silhouette, estimated on {report.silhouette_sample:,} members spread over the clusters.")
else:
    st.caption(
        f"{len(cluster_ids):,} clusters · {report.total:,} members, too many to read all: sizes are exact; "
        f"cohesion, margin and likely mis-assigned are estimated from {report.read:,} members read (up to "
        f"{per_cluster_quota(len(cluster_ids)):,} a cluster, spread from its closest to its farthest member), "
        f"the silhouette from {report.silhouette_sample:,} of them."
    )

rows = []
for row in report.clusters:
    rows.append({
        "cluster": names[row.cluster_id],
        "suggested label": "" if row.cluster_id in labels or row.cluster_id not in suggested else suggested[row.cluster_id].label,
        "size": row.size,
        "read": row.read,
        "likely mis-assigned": row.misassigned,
        "share": row.misassigned_share,
        "margin": row.margin,
        "silhouette": row.silhouette,
        "cohesion": row.cohesion,
        "p10": row.p10,
        "p50": row.p50,
        "p90": row.p90,
        "nearest cluster": names.get(row.nearest_cluster_id, "") if row.nearest_cluster_id is not None else "",
        "nearest centroid": row.nearest_similarity,
        "cluster_id": row.cluster_id,
    })
table = pd.DataFrame(rows)
cohesion = table["cohesion"].dropna()
if metric == "cosine" or cohesion.empty:
    low, high = -1.0, 1.0
else:
    low, high = min(0.0, float(cohesion.min())), max(float(cohesion.max()), 1e-9)
score = f"{shown.score} ({shown.closer})"
order = ["cluster", "cluster_id", "suggested label", "size", *([] if report.exact else ["read"]), "share",
         "likely mis-assigned", "margin", "silhouette", "cohesion", "p10", "p50", "p90", "nearest cluster",
         "nearest centroid"]
event = st.dataframe(
    table, hide_index=True, key="quality_table", on_select="rerun", selection_mode="single-row", column_order=order,
    column_config={
        "suggested label": st.column_config.TextColumn(help="Distinctive words of the members' text, for clusters without a label"),
        "read": st.column_config.NumberColumn(help="Members the figures come from"),
        "likely mis-assigned": st.column_config.NumberColumn(
            help="Members closer to another centroid than to their own (estimated from the share when sampled)"),
        "share": st.column_config.ProgressColumn("mis-assigned share", format="percent", min_value=0.0, max_value=1.0),
        "margin": st.column_config.NumberColumn(
            format="%.4f", help="Median over members of how much closer they are to their own centroid than to the "
            "next one; below 0, most sit nearer another centroid"),
        "silhouette": st.column_config.ProgressColumn(
            format="%.3f", min_value=-1.0, max_value=1.0,
            help=f"Estimated silhouette ({report.silhouette_distance} distance): 1 tight and apart, 0 on a border, "
            "below 0 nearer another cluster"),
        "cohesion": st.column_config.ProgressColumn(
            f"cohesion ({shown.score})", format="%.4f", min_value=low, max_value=high,
            help=f"Mean {shown.name.lower()} of the members to their own centroid ({shown.closer})"),
        "p10": st.column_config.NumberColumn(format="%.4f", help=f"10th percentile of the members' {score}"),
        "p50": st.column_config.NumberColumn(format="%.4f", help=f"Median of the members' {score}"),
        "p90": st.column_config.NumberColumn(format="%.4f", help=f"90th percentile of the members' {score}"),
        "nearest centroid": st.column_config.NumberColumn(
            format="%.4f", help=f"{shown.name} between this centroid and the nearest other one"),
        "cluster_id": st.column_config.TextColumn("id"),
    },
)
st.caption("Worst first: the largest share of likely mis-assigned members, then the smallest margin. "
           "Select a row to open the cluster's documents.")
if not math.isnan(report.silhouette):
    st.metric("Silhouette, all clusters", f"{report.silhouette:.3f}",
              help="Each cluster's estimate weighted by its size")
picked = event.selection.rows if event else []
if picked:
    open_documents(selection, table.iloc[picked[0]]["cluster_id"])

st.subheader("Outliers and likely mis-assigned members")
outliers_section(client, selection, metric, None, labels, key="quality_outliers")
