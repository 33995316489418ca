"""Centroid Explorer: page config, the shared sidebar (connection + pickers) and the pages."""

from __future__ import annotations

import streamlit as st

from components.connection import (
    connection_id,
    connection_label,
    connection_lost,
    connection_problem,
    get_client,
    keep_in_browser,
)
from components.pickers import keep_url_selection, render_pickers
from components.plotly_preload import preload_plotly
from components.warmup import start_projection_warmup

st.set_page_config(page_title="Centroid Explorer", page_icon=":material/scatter_plot:", layout="wide")
preload_plotly()  # first element: the browser loads plotly.js while the rest of the script runs

pages = {
    "Explore": [
        st.Page("views/cluster_map.py", title="Cluster map", icon=":material/scatter_plot:", default=True),
        st.Page("views/cluster_documents.py", title="Cluster documents", icon=":material/article:"),
        st.Page("views/cluster_quality.py", title="Cluster quality", icon=":material/fact_check:"),
        st.Page("views/compare_clusterings.py", title="Compare clusterings", icon=":material/compare_arrows:"),
    ],
    "Edit": [
        st.Page("views/metadata.py", title="Metadata", icon=":material/edit_note:"),
        st.Page("views/upload_centroids.py", title="Upload centroids", icon=":material/upload_file:"),
        st.Page("views/curate.py", title="Curate", icon=":material/call_merge:"),
    ],
    "Settings": [st.Page("views/connect.py", title="Connect", icon=":material/link:")],
}
page = st.navigation(pages)

start_projection_warmup()  # first: numba's cache folder must be set before anything imports umap
client = get_client()
with st.sidebar:
    st.caption(f":material/dns: {connection_label()}")  # its names are already quoted as code
    keep_in_browser()
    if client is None:
        if not connection_lost():  # a lost connection is explained on the page, with the way back
            st.error(connection_problem() or "Not connected.", icon=":material/cloud_off:")  # names quoted as code
        keep_url_selection()
    else:
        render_pickers(client, connection_id())

page.run()
