"""Pieces the insight pages share: reading an alias's members (cached), links that open a cluster, and
the outlier table with its CSV download."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from centroid_explorer.insight.labels import Suggestions, suggestions_from
from centroid_explorer.insight.members import Members, read_members
from centroid_explorer.insight.outliers import CLOSER, labelled, outlier_table, table_csv
from centroid_explorer.insight.quality import QualityReport, cluster_quality
from centroid_explorer.metrics import LABELS
from components.connection import connection_id
from components.pickers import AliasSelection, view_params

DOCUMENTS_PAGE = "views/cluster_documents.py"
MAP_PAGE = "views/cluster_map.py"


@st.cache_data(ttl=300, show_spinner="Reading the members…", max_entries=4)
def load_members(
    _client, connection: str, selection: AliasSelection, metric: str, cluster_ids: tuple[str, ...] | None,
    include_vector: bool = True,
) -> Members:
    """Every member of the clusters (all when None), or a sample of each past the budget."""
    return read_members(_client, selection.dataset_id, selection.vector_field, selection.alias, metric,
                        cluster_ids=None if cluster_ids is None else list(cluster_ids), include_vector=include_vector)


@st.cache_data(ttl=300, show_spinner="Judging the clusters…", max_entries=4)
def load_quality(_client, connection: str, selection: AliasSelection, metric: str) -> tuple[QualityReport, Suggestions]:
    """The quality table and the suggested labels of every cluster, from one read of the members."""
    members = load_members(_client, connection, selection, metric, None)
    return cluster_quality(members, metric), suggestions_from(members)


@st.cache_data(ttl=300, show_spinner="Looking for outliers…", max_entries=4)
def load_outliers(_client, connection: str, selection: AliasSelection, metric: str, cluster_ids: tuple[str, ...] | None):
    """(outlier table without labels, members read, of how many, exact) of the clusters (all when None)."""
    members = load_members(_client, connection, selection, metric, cluster_ids)
    return outlier_table(members, metric), len(members.ids), int(members.sizes.sum()), members.exact


def cluster_params(selection: AliasSelection, cluster_id: str, document_id: str | None = None) -> dict[str, str]:
    """The query parameters that open `cluster_id` (and point at `document_id`) on another page."""
    params = view_params(selection) | {"cluster_id": cluster_id}
    return params | ({"document_id": document_id} if document_id is not None else {})


def open_documents(selection: AliasSelection, cluster_id: str) -> None:
    st.switch_page(DOCUMENTS_PAGE, query_params=cluster_params(selection, cluster_id))


def outliers_section(
    client, selection: AliasSelection, metric: str, cluster_ids: tuple[str, ...] | None, labels: Mapping[str, str], key: str
) -> None:
    """The members closer to another centroid and the farthest ones, downloadable, a row opening on the map."""
    found, read, total, exact = load_outliers(client, connection_id(), selection, metric, cluster_ids)
    table = labelled(found, labels)
    shown = LABELS[metric]
    closer = int(table["reason"].str.contains(CLOSER).sum())
    of = f"the {read:,} members" if exact else (
        f"the {read:,} members read (of {total:,}, spread from each cluster's closest to its farthest)")
    st.caption(f"{closer:,} of {of} sit closer to another centroid than to their own; the farthest of each "
               "cluster follow. Select a row to open it.")
    if table.empty:
        st.info("No member to list.", icon=":material/check_circle:")
        return
    st.download_button("Download as CSV", table_csv(table).encode(), file_name="outliers.csv", mime="text/csv",
                       icon=":material/download:", key=f"{key}_csv")
    event = st.dataframe(
        table, hide_index=True, key=key, on_select="rerun", selection_mode="single-row",
        column_config={
            "score": st.column_config.NumberColumn(shown.score, format="%.4f", help=f"{shown.name} to its own centroid"),
            "closer_score": st.column_config.NumberColumn(
                f"closer {shown.score}", format="%.4f", help=f"{shown.name} to the nearest other centroid"),
            "cluster_id": st.column_config.TextColumn("cluster"),
            "cluster_label": st.column_config.TextColumn("label"),
            "closer_cluster_id": st.column_config.TextColumn("nearest other cluster"),
            "closer_cluster_label": st.column_config.TextColumn("its label"),
            "preview": st.column_config.TextColumn("text", help="The start of the member's longest text field"),
        },
    )
    rows = event.selection.rows if event else []
    if rows:
        row = table.iloc[rows[0]]
        links = st.columns(3)
        links[0].page_link(MAP_PAGE, label="Show on the map", icon=":material/scatter_plot:",
                           query_params=cluster_params(selection, row["cluster_id"], row["_id"]))
        links[1].page_link(DOCUMENTS_PAGE, label="Open its cluster", icon=":material/article:",
                           query_params=cluster_params(selection, row["cluster_id"]))
        if isinstance(row["closer_cluster_id"], str):
            links[2].page_link(DOCUMENTS_PAGE, label="Open the nearer cluster", icon=":material/call_split:",
                               query_params=cluster_params(selection, row["closer_cluster_id"]))
