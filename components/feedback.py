"""How pages report trouble: one plain message per error, and the empty state for newcomers."""

from __future__ import annotations

from typing import Literal, overload

import streamlit as st

from centroid_explorer.client import CLUSTER_FIELD, Client
from centroid_explorer.display import markdown_text
from components.api_errors import describe
from components.connection import connection_problem, get_client
from components.pickers import AliasSelection, Selection, current_selection, not_found_in_url


def show_api_error(err: Exception, doing: str) -> None:
    """`doing` failed: say why and what to do, never a traceback."""
    st.error(describe(err, doing), icon=":material/error:")


def require_client() -> Client:
    """The current connection's client; or why there is none, and st.stop()."""
    client = get_client()
    if client is None:
        st.error(connection_problem() or "Not connected.", icon=":material/cloud_off:")  # names quoted as code
        st.page_link("views/connect.py", label="Open the Connect page", icon=":material/link:")
        st.stop()
    return client


@overload
def require_selection(alias_required: Literal[True] = True) -> AliasSelection: ...
@overload
def require_selection(alias_required: Literal[False]) -> Selection: ...
def require_selection(alias_required: bool = True) -> Selection:
    """The sidebar's selection; or an empty state telling a newcomer what to do, and st.stop().
    With `alias_required=False` a vector field with no aliases yet will do (its alias is None)."""
    require_client()
    selection = current_selection()
    if selection is None and (missing := not_found_in_url()):
        for message in missing:  # a link made on another connection, or naming something since deleted
            st.warning(message + ".", icon=":material/link_off:")
        st.info(
            "Pick one in the sidebar, or open the **Connect** page if the link was made for another endpoint.",
            icon=":material/arrow_back:",
        )
        st.page_link("views/connect.py", label="Open the Connect page", icon=":material/link:")
        st.stop()
    if selection is None:
        st.info(
            "**Nothing selected yet.** Choose a dataset, a vector field and a clustering alias in the "
            "sidebar. With the embedded server, try the demo dataset `digits` with alias `kmeans-10`. "
            "To use your own Relevance AI project, open the **Connect** page.",
            icon=":material/arrow_back:",
        )
        st.page_link("views/connect.py", label="Connect to another endpoint", icon=":material/link:")
        st.stop()
    for message in not_found_in_url():
        st.warning(message + ".", icon=":material/link_off:")
    if selection.alias is None and alias_required:
        st.info(
            f"**{markdown_text(selection.vector_field)} has no centroids yet.** Upload a CSV of centroids on the "
            f"**Upload centroids** page to create its first clustering alias.",
            icon=":material/inbox:",
        )
        st.page_link("views/upload_centroids.py", label="Upload centroids", icon=":material/upload_file:")
        st.stop()
    if selection.alias is None:
        return selection
    return AliasSelection(selection.dataset_id, selection.vector_field, selection.dimension, selection.alias)


def show_no_centroids(selection: Selection) -> None:
    """The empty state of an alias without centroids (a link to the upload page follows)."""
    st.info(
        f"Alias {markdown_text(selection.alias)} has no centroids yet. Upload some on the **Upload centroids** page.",
        icon=":material/inbox:",
    )
    st.page_link("views/upload_centroids.py", label="Upload centroids", icon=":material/upload_file:")


def show_no_members(selection: Selection, clusters: str = "the clusters of this alias") -> None:
    """The empty state of clusters that have centroids but no documents assigned yet, and how they get some."""
    field = markdown_text(f"{CLUSTER_FIELD}.{selection.vector_field}.{selection.alias}")
    st.info(
        f"**No documents are assigned to {clusters} yet.** A document belongs to a cluster when its "
        f"{field} field holds that cluster's id. A clustering run writes it (for example "
        "`python -m centroid_explorer cluster`, which also makes new centroids); "
        "documents loaded with that field already set are assigned as they arrive.",
        icon=":material/inbox:",
    )
