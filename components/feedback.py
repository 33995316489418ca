"""How pages report trouble: one plain message per error, and the empty state for newcomers."""

from __future__ import annotations

import streamlit as st

from centroid_explorer.api_messages import describe
from centroid_explorer.client import APIError
from components.connection import connection_problem, get_client
from components.markdown_text import literal
from components.pickers import Selection, current_selection, not_found_in_url


def show_api_error(err: Exception, doing: str) -> None:
    """`doing` failed: say why and what to do, never a traceback."""
    st.error(describe(err, doing), icon=":material/error:")


def require_selection(alias_required: bool = True) -> Selection:
    """The sidebar's selection; or an empty state telling a newcomer what to do, and st.stop().
    With `alias_required=False` a vector field with no aliases yet will do (its alias is None)."""
    client = get_client()
    if client is None:
        st.error(connection_problem() or "Not connected.", icon=":material/cloud_off:")
        st.page_link("views/connect.py", label="Open the Connect page", icon=":material/link:")
        st.stop()
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
            f"**{literal(selection.vector_field)} has no centroids yet.** Upload a CSV of centroids on the "
            f"**Upload centroids** page to create its first clustering alias.",
            icon=":material/inbox:",
        )
        st.page_link("views/upload_centroids.py", label="Upload centroids", icon=":material/upload_file:")
        st.stop()
    return selection


def run_or_explain(doing: str, call, *args, **kwargs):
    """`call(*args, **kwargs)`, or None after showing the plain message for an API error."""
    try:
        return call(*args, **kwargs)
    except APIError as err:
        show_api_error(err, doing)
        return None
