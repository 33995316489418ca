"""Cluster map: centroids and a representative sample of each cluster's documents, in 2D."""

from __future__ import annotations

import streamlit as st

from centroid_explorer import metadata
from centroid_explorer.client import APIError
from centroid_explorer.cluster_view import RELEVANCE, cluster_names, fetch_cluster_sample, hover_texts
from centroid_explorer.display import markdown_text
from centroid_explorer.metrics import LABELS, centroid_similarity, metric_name
from components import charts
from components.centroid_clicks import centroid_clicks
from components.connection import connection_id
from components.feedback import require_client, require_selection, show_api_error, show_no_centroids, show_no_members
from components.pickers import URL_KEYS
from components.warmup import projection_engine

REFINE_POLL_S = 1.0

st.title(":material/scatter_plot: Cluster map")
selection = require_selection()
client = require_client()

controls = st.columns([2, 2, 3])
per_cluster = controls[0].select_slider(
    "Documents per cluster", options=[10, 20, 50, 100, 200, 500], value=50, key="map_per_cluster",
    help="A sample spread evenly over each cluster's ranking, from its closest members to its farthest.",
)
metric = controls[1].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
    help="Orders members by closeness to their centroid, and shapes the map and the similarity heatmap.",
)
with controls[2].popover("Projection settings", icon=":material/tune:"):
    n_neighbors = st.slider("Neighbours", 2, 100, 15, help="UMAP's n_neighbors: larger keeps more global structure.")
    min_dist = st.slider("Minimum distance", 0.0, 0.99, 0.1, 0.01, help="UMAP's min_dist: smaller packs clusters tighter.")
    reproducible = st.checkbox("Reproducible layout", help="A fixed seed gives the same map every time, but fits ~2x slower.")


@st.cache_data(ttl=300, show_spinner="Fetching the centroids and a sample of each cluster's documents…")
def load_sample(_client, connection: str, dataset_id: str, vector_field: str, alias: str, per_cluster: int, metric: str):
    return fetch_cluster_sample(_client, dataset_id, vector_field, alias, per_cluster, metric)


try:
    sample = load_sample(
        client, connection_id(), selection.dataset_id, selection.vector_field, selection.alias, per_cluster, metric
    )
    labels = {cid: notes.label for cid, notes in metadata.cluster_notes(
        metadata.load(client, selection.dataset_id, selection.vector_field, selection.alias)
    ).items() if notes.label}
except APIError as err:
    show_api_error(err, "Loading the map")
    st.stop()

if not sample.cluster_ids:
    show_no_centroids(selection)
    st.stop()

total = int(sample.sizes.sum())
if total == 0:
    st.caption(f"{len(sample.cluster_ids)} clusters · no documents")
    show_no_members(selection)
    st.stop()
st.caption(
    f"{len(sample.cluster_ids)} clusters · {total:,} documents · showing {sample.sampled:,} "
    f"({sample.sampled / max(total, 1):.0%}), taken along each cluster's ranking from closest to farthest"
)

try:
    job = projection_engine().submit(
        sample.document_vectors, centroids=sample.centroids, metric=metric, n_neighbors=n_neighbors,
        min_dist=min_dist, random_state=42 if reproducible else None,
    )
except ValueError as err:
    st.error(f"These vectors cannot be drawn: {markdown_text(err)}", icon=":material/error:")
    st.stop()
hover = hover_texts(sample, labels, metric)


def open_cluster(cluster_id: str) -> None:
    params = {key: getattr(selection, key) for key in URL_KEYS}
    st.switch_page("views/cluster_documents.py", query_params={**params, "cluster_id": cluster_id})


def map_panel(polling: bool) -> None:
    layout = job.layout()
    if polling and layout.refined:
        st.rerun(scope="app")  # the UMAP layout is ready: redraw once, and stop polling
    if job.error is not None:
        st.warning(f"The UMAP layout failed ({markdown_text(job.error)}); showing the PCA layout.", icon=":material/warning:")
    elif not layout.refined:
        st.info(
            "**Refining layout…** This is a quick PCA preview; the UMAP layout replaces it when ready "
            "(the first one after a start takes longer while UMAP compiles).", icon=":material/hourglass_top:"
        )
    figure, traces = charts.cluster_map(sample, layout, labels, hover)
    event = st.plotly_chart(
        figure, key="cluster_map", on_select="rerun", selection_mode=("points", "box", "lasso"),
        config={"displaylogo": False},
    )
    points = event.selection.points if event else []
    clicked = [traces.cluster_of_trace[p["curve_number"]] for p in points if traces.is_centroid_trace[p["curve_number"]]]
    if len(points) == 1 and clicked:
        open_cluster(clicked[0])
    rows = [int(traces.rows_of_trace[p["curve_number"]][p["point_index"]])
            for p in points if not traces.is_centroid_trace[p["curve_number"]]]
    if rows:
        st.subheader(f"{len(rows)} selected documents")
        chosen = sample.documents.iloc[sorted(set(rows))].copy()
        chosen.insert(1, "label", chosen["cluster_id"].map(lambda c: labels.get(c, "")))
        chosen[RELEVANCE] = LABELS[metric].shown(chosen[RELEVANCE])
        st.dataframe(chosen, hide_index=True, column_config={
            RELEVANCE: st.column_config.NumberColumn(LABELS[metric].score, format="%.3f"),
            "cluster_id": st.column_config.TextColumn("cluster"),
        })
    else:
        st.caption(
            "Click a centroid (◆) to open its cluster, or a point to list its document. To list many, choose "
            "Box or Lasso select in the chart's toolbar and drag over points; drag to zoom, double-click to zoom out."
        )


map_column, side_column = st.columns([3, 2], gap="medium")
with map_column:
    centroid_clicks()
    polling = not job.done()
    st.fragment(map_panel, run_every=REFINE_POLL_S if polling else None)(polling)
with side_column:
    st.plotly_chart(charts.cluster_sizes(sample.cluster_ids, labels, sample.sizes), key="sizes")
    st.plotly_chart(
        charts.centroid_similarity(sample.cluster_ids, labels, centroid_similarity(sample.centroids, metric), metric),
        key="similarity",
    )
    names = cluster_names(sample.cluster_ids, labels)
    target = st.selectbox("Open a cluster's documents", range(len(names)), format_func=lambda i: names[i], index=None,
                          placeholder="choose a cluster")
    if target is not None:
        open_cluster(sample.cluster_ids[target])
