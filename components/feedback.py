"""How pages report trouble: one plain message per error, and the empty state for newcomers."""

from __future__ import annotations

import streamlit as st

from centroid_explorer.api_messages import describe
from centroid_explorer.client import APIError
from components.connection import connection_problem, get_client
from components.pickers import Selection, current_selection


def show_api_error(err: Exception, doing: str) -> None:
    """`doing` failed: say why and what to do, never a traceback."""
    st.error(describe(err, doing), icon=":material/error:")


def require_selection() -> Selection:
    """The sidebar's selection; or an empty state telling a newcomer what to do, and st.stop()."""
    client = get_client()
    if client is None:
        st.error(connection_problem() or "Not connected.", icon=":material/cloud_off:")
        st.page_link("views/connect.py", label="Open the Connect page", icon=":material/link:")
        st.stop()
    selection = current_selection()
    if selection is None:
        st.info(
            "**Nothing selected yet.** Choose a dataset, a vector field and a clustering alias in the "
            "sidebar. With the embedded server, try the demo dataset `digits` with alias `kmeans-10`. "
            "To use your own Relevance AI project, open the **Connect** page.",
            icon=":material/arrow_back:",
        )
        st.page_link("views/connect.py", label="Connect to another endpoint", icon=":material/link:")
        st.stop()
    return selection


def run_or_explain(doing: str, call, *args, **kwargs):
    """`call(*args, **kwargs)`, or None after showing the plain message for an API error."""
    try:
        return call(*args, **kwargs)
    except APIError as err:
        show_api_error(err, doing)
        return None
