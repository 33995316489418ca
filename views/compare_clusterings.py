"""Compare clusterings: two aliases of the selected vector field, their agreement and where documents went."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from centroid_explorer.client import APIError
from centroid_explorer.display import cluster_names, markdown_text, one_line
from centroid_explorer.metrics import LABELS, metric_name
from components.connection import connection_id
from components.curation_charts import HEATMAP_MAX, flows_heatmap
from components.feedback import require_client, require_selection, show_api_error
from components.page_reads import load_aliases, load_comparison

NO_MATCH = "(no match)"  # a cluster the one-to-one matching left without a partner
CHANGED_ROWS = 5000  # documents listed; the count above says how many changed in all

st.title(":material/compare_arrows: Compare clusterings")
selection = require_selection()
client = require_client()






try:
    aliases = load_aliases(client, connection_id(), selection.dataset_id, selection.vector_field)
except APIError as err:
    show_api_error(err, "Listing the aliases")
    st.stop()
if len(aliases) < 2:
    st.info(
        f"**{markdown_text(selection.vector_field)} has {len(aliases)} clustering alias.** Comparing needs two: make "
        "another one on the **Curate** page (merge or split clusters into a new alias) or with "
        "`python -m centroid_explorer cluster`.",
        icon=":material/inbox:",
    )
    st.stop()

controls = st.columns([2, 2, 2])
first = controls[0].selectbox("First alias", aliases, index=aliases.index(selection.alias) if selection.alias in aliases else 0,
                              key="compare_alias_a")
others = [a for a in aliases if a != first]
second = controls[1].selectbox("Second alias", others, key="compare_alias_b")
metric = controls[2].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
    help="How centroids are compared when the clusters of one alias are matched one to one with the other's.",
)

try:
    comparison, labels_a, labels_b = load_comparison(
        client, connection_id(), selection.dataset_id, selection.vector_field, first, second, metric
    )
except APIError as err:
    show_api_error(err, "Comparing the clusterings")
    st.stop()

names_a = dict(zip(comparison.matches["cluster_a"].dropna(), cluster_names(list(comparison.matches["cluster_a"].dropna()), labels_a),
                   strict=True))
names_b = dict(zip(comparison.matches["cluster_b"].dropna(), cluster_names(list(comparison.matches["cluster_b"].dropna()), labels_b),
                   strict=True))

scores = st.columns(4)
scores[0].metric("Adjusted Rand index", "–" if comparison.adjusted_rand is None else f"{comparison.adjusted_rand:.3f}",
                 help="1 for the same partition of the shared documents, about 0 for chance agreement.")
scores[1].metric("Normalised mutual information", "–" if comparison.nmi is None else f"{comparison.nmi:.3f}",
                 help="How much knowing one cluster tells about the other: 1 when it tells everything, 0 when nothing.")
scores[2].metric("Documents both assign", f"{comparison.common:,}",
                 help="Scores and flows count only these documents.")
scores[3].metric("Changed cluster", f"{len(comparison.changed):,}",
                 help="Documents whose cluster in the second alias is not the match of their cluster in the first.")
if comparison.only_a or comparison.only_b:
    st.caption(f"Assigned by one alias only: {comparison.only_a:,} by {markdown_text(first)}, "
               f"{comparison.only_b:,} by {markdown_text(second)} (not counted).")
if comparison.common < 2:
    st.info("The two aliases share fewer than two documents: there is nothing to compare yet.", icon=":material/inbox:")
    st.stop()

st.subheader("Clusters matched one to one")
st.caption("Each cluster of the first alias is paired with at most one of the second, so that the summed similarity "
           f"of the paired centroids ({markdown_text(metric_name(metric))}) is highest (the Hungarian assignment).")
shown = LABELS[metric]
matches = comparison.matches.assign(
    label_a=[labels_a.get(c, "") if c is not None else "" for c in comparison.matches["cluster_a"]],
    label_b=[labels_b.get(c, "") if c is not None else "" for c in comparison.matches["cluster_b"]],
    similarity=shown.shown(comparison.matches["similarity"].to_numpy(dtype=float)),
)
matches[["cluster_a", "cluster_b"]] = matches[["cluster_a", "cluster_b"]].fillna(NO_MATCH)
st.dataframe(
    matches[["cluster_a", "label_a", "cluster_b", "label_b", "similarity", "documents_a", "documents_b", "shared"]],
    hide_index=True,
    column_config={
        "cluster_a": st.column_config.TextColumn(f"Cluster in {one_line(first)}"),
        "label_a": st.column_config.TextColumn("Its label"),
        "cluster_b": st.column_config.TextColumn(f"Matched in {one_line(second)}"),
        "label_b": st.column_config.TextColumn("Match's label"),
        "similarity": st.column_config.NumberColumn(f"Centroid {shown.score}", format="%.4f"),
        "documents_a": st.column_config.NumberColumn("Documents (first)"),
        "documents_b": st.column_config.NumberColumn("Documents (second)"),
        "shared": st.column_config.NumberColumn("In both", help="Documents in this cluster and in its match."),
    },
)

st.subheader("Member flows")
order_a = [c for c in comparison.matches.sort_values("documents_a", ascending=False)["cluster_a"].dropna()
           if c in comparison.flows.index]
matched = dict(zip(comparison.matches["cluster_a"], comparison.matches["cluster_b"], strict=True))
order_b = list(dict.fromkeys([b for a in order_a if (b := matched.get(a)) in comparison.flows.columns]
                             + list(comparison.flows.sum().sort_values(ascending=False).index)))
flows = comparison.flows.reindex(index=order_a, columns=order_b)
if len(order_a) > HEATMAP_MAX or len(order_b) > HEATMAP_MAX:
    st.caption(f"The {HEATMAP_MAX} largest clusters of each side are drawn, matches in the same order, so agreement "
               "shows on the diagonal.")
st.plotly_chart(flows_heatmap(flows, names_a, names_b, one_line(first), one_line(second)), key="compare_flows")

st.subheader("Documents that changed cluster")
if comparison.changed.empty:
    st.success("Every shared document is in the match of its cluster.", icon=":material/check_circle:")
else:
    changed = comparison.changed.head(CHANGED_ROWS).assign(
        label_a=lambda t: [labels_a.get(c, "") for c in t["cluster_a"]],
        label_b=lambda t: [labels_b.get(c, "") for c in t["cluster_b"]],
        expected_b=lambda t: t["expected_b"].fillna(NO_MATCH),
    )
    if len(comparison.changed) > CHANGED_ROWS:
        st.caption(f"The first {CHANGED_ROWS:,} of {len(comparison.changed):,} are listed.")
    st.dataframe(
        pd.DataFrame(changed[["_id", "cluster_a", "label_a", "cluster_b", "label_b", "expected_b"]]),
        hide_index=True,
        column_config={
            "_id": st.column_config.TextColumn("Document"),
            "cluster_a": st.column_config.TextColumn(f"In {one_line(first)}"),
            "label_a": st.column_config.TextColumn("First label"),
            "cluster_b": st.column_config.TextColumn(f"In {one_line(second)}"),
            "label_b": st.column_config.TextColumn("Second label"),
            "expected_b": st.column_config.TextColumn("Match of its first cluster"),
        },
    )
