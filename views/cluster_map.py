"""Cluster map: every document of the alias in 2D (a stated sample past a cap), centroids on top,
a cluster found by name and highlighted, its sizes and its nearest neighbours below."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from centroid_explorer import metadata
from centroid_explorer.allocator import release_free_memory
from centroid_explorer.client import APIError
from centroid_explorer.cluster_sample import DEFAULT_CAP, DOCUMENT_CAPS, MAP_TEXT_CHARS, RELEVANCE, fetch_cluster_sample
from centroid_explorer.display import cluster_names, markdown_text
from centroid_explorer.fetches import Stopped
from centroid_explorer.insight.search import matching_fields
from centroid_explorer.metrics import LABELS, metric_name, nearest_centroids, similarity
from components import charts
from components.centroid_clicks import centroid_clicks
from components.connection import connection_id
from components.feedback import require_client, require_selection, show_api_error, show_no_centroids, show_no_members
from components.map_data import load_suggestions, load_tooltips, rerun_when_laid_out, sample_fetches
from components.pickers import view_params
from components.warmup import projection_engine

NEIGHBOURS = 25  # clusters in the heatmap past charts.LABELLED_CLUSTERS: the focused one and its nearest
MOVE_LINK_MAX = 500  # documents handed to the Curate page in its URL
SUGGESTED = "≈"  # marks a suggested label wherever a cluster is named

st.title(":material/scatter_plot: Cluster map")
selection = require_selection()
client = require_client()

controls = st.columns([2, 2, 4, 2], vertical_alignment="bottom")
cap = controls[0].selectbox(
    "Documents on the map", DOCUMENT_CAPS, index=DOCUMENT_CAPS.index(DEFAULT_CAP), format_func="up to {:,}".format,
    key="map_documents", help="Every document is drawn up to this many; past it, a sample spread evenly from each "
    "cluster's closest members to its farthest. More documents take longer to fetch and to lay out.",
)
metric = controls[1].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
    help="Orders members by closeness to their centroid, and shapes the map and the similarity heatmap.",
)
with controls[3].popover("Projection", icon=":material/tune:"):
    n_neighbors = st.slider("Neighbours", 2, 100, 15, help="UMAP's n_neighbors: larger keeps more global structure.")
    min_dist = st.slider("Minimum distance", 0.0, 0.99, 0.1, 0.01, help="UMAP's min_dist: smaller packs clusters tighter.")
    reproducible = st.checkbox("Reproducible layout", help="A fixed seed gives the same map every time, but fits ~2x slower.")


key = (connection_id(), selection.dataset_id, selection.vector_field, selection.alias, cap, metric)
fetch = sample_fetches().start(key, lambda progress: fetch_cluster_sample(
    client, selection.dataset_id, selection.vector_field, selection.alias, cap, metric, progress=progress
), weight=cap)
if not fetch.future.done():
    stop_slot = st.empty()  # cleared with the progress bar once the fetch is done
    if stop_slot.button("Stop fetching", icon=":material/stop_circle:"):
        fetch.stop()
        st.info("Stopped. Choose fewer documents on the map; any change on this page fetches again.", icon=":material/info:")
        st.stop()
    bar = st.progress(0.0, text="Fetching the centroids…")
    while not fetch.future.done():
        if fetch.total:
            bar.progress(min(fetch.done / fetch.total, 1.0), text=f"Fetching documents: {fetch.done:,} of {fetch.total:,}…")
        else:
            bar.progress(0.0, text="Fetching the centroids…")
        time.sleep(0.25)
    bar.empty()
    stop_slot.empty()
try:
    sample = fetch.future.result()
    labels = {cid: notes.label for cid, notes in metadata.cluster_notes(
        metadata.load(client, selection.dataset_id, selection.vector_field, selection.alias)
    ).items() if notes.label}
except APIError as err:
    show_api_error(err, "Loading the map")
    st.stop()
except (Stopped, ValueError) as err:
    st.error(f"The map's documents could not be read: {markdown_text(err)}", icon=":material/error:")
    st.stop()

k = len(sample.cluster_ids)
suggested = load_suggestions(sample, key, tuple(sorted(set(sample.cluster_ids) - set(labels))))
labels = {**{cid: f"{SUGGESTED} {label}" for cid, label in suggested.items()}, **labels}
if not k:
    show_no_centroids(selection)
    st.stop()
if sample.total == 0:
    st.caption(f"{k:,} clusters · no documents")
    show_no_members(selection)
    st.stop()
names = cluster_names(sample.cluster_ids, labels)
shown_what = (
    f"all {sample.drawn:,} drawn" if sample.complete
    else f"drawing {sample.drawn:,} ({sample.drawn / sample.total:.0%}), spread evenly from each cluster's closest "
    "members to its farthest; sizes are estimated from them"
)
unplaced = (f" · {sample.unplaced:,} not drawn (assigned to a cluster without a centroid, or without a vector)"
            if sample.unplaced else "")
st.caption(f"{k:,} clusters · {sample.total:,} documents · {shown_what}{unplaced}"
           + (f" · {SUGGESTED} marks a label suggested from a cluster's words" if suggested else ""))

linked = st.query_params.get("cluster_id")  # a link from another page ("Show on the map") names one cluster
if linked in sample.cluster_ids and st.session_state.get("map_linked") != linked:
    st.session_state["map_cluster"] = sample.cluster_ids.index(linked)
    st.session_state["map_linked"] = linked  # once: the finder is the user's again afterwards
highlighted = controls[2].selectbox(
    "Find a cluster", range(k), format_func=names.__getitem__, index=None, key="map_cluster",
    placeholder=f"type to search {k:,} clusters by label or id",
    help="Highlights the cluster on the map, and centres the similarity heatmap on it.",
)

# any() over the column stops at its first scalar (mostly the first row): this runs on every run of the page.
fields = [c for c in sample.documents.columns if c not in ("_id", "cluster_id", RELEVANCE)
          and any(isinstance(v, (str, int, float, bool)) for v in sample.documents[c])]
looks = st.columns([2, 3, 3], vertical_alignment="bottom")
colour_field = looks[0].selectbox(
    "Colour by", [None, *fields], format_func=charts.colour_choice, key="map_colour",
    help="Cluster (each its own colour), or a document field: numbers on a scale, other values by their most frequent.",
)
by_field = None if colour_field is None else charts.field_colours(colour_field, sample.documents[colour_field])
visible = None
if by_field is not None and by_field.numbers is not None and np.isfinite(by_field.numbers).any():
    low, high = float(np.nanmin(by_field.numbers)), float(np.nanmax(by_field.numbers))
    if low < high:
        chosen_range = looks[1].slider("Only values between", low, high, (low, high), key="map_range")
        visible = (by_field.numbers >= chosen_range[0]) & (by_field.numbers <= chosen_range[1])
elif by_field is not None:
    kept = looks[1].multiselect("Only these values", [*by_field.categories, "other"], key="map_values",
                                placeholder="every value", help="Leave empty to show every value.")
    if kept:
        wanted = [by_field.categories.index(v) if v != "other" else len(by_field.categories) for v in kept]
        visible = np.isin(by_field.codes, wanted)
query = looks[2].text_input("Search the documents' text", key="map_search", placeholder="a word or phrase",
                            help="Documents whose text fields contain it (any case) are drawn large on the map. The map "
                            f"keeps the first {MAP_TEXT_CHARS:,} characters of a text; Cluster documents searches whole texts.")
matches = (np.flatnonzero([bool(matching_fields(row, query)) for row in sample.documents[fields].to_dict("records")])
           if query.strip() else None)
if matches is not None:
    st.caption(f"{len(matches):,} of the {sample.drawn:,} drawn documents contain the search text "
               f"(in the first {MAP_TEXT_CHARS:,} characters of each field).")
if visible is not None:
    st.caption(f"Showing {int(visible.sum()):,} of the {sample.drawn:,} drawn documents (filtered by {markdown_text(colour_field)}).")

try:
    job = projection_engine().submit(
        sample.document_vectors, centroids=sample.layout_centroids, metric=sample.layout_metric, n_neighbors=n_neighbors,
        min_dist=min_dist, random_state=42 if reproducible else None,
    )
except ValueError as err:
    st.error(f"These vectors cannot be drawn: {markdown_text(err)}", icon=":material/error:")
    st.stop()
tooltips = load_tooltips(sample, key, labels)


def open_cluster(cluster_id: str) -> None:
    st.switch_page("views/cluster_documents.py", query_params={**view_params(selection), "cluster_id": cluster_id})


layout = job.layout()
if job.error is not None:
    st.warning(f"The UMAP layout failed ({markdown_text(job.error)}); showing the PCA layout.", icon=":material/warning:")
elif not layout.refined:
    st.info(
        f"**Refining layout…** This is a quick PCA preview of {sample.drawn:,} documents; the UMAP layout replaces it "
        "when ready (the first one after a start takes longer while UMAP compiles).", icon=":material/hourglass_top:"
    )
    rerun_when_laid_out(job)

centroid_clicks()
figure, traces = charts.cluster_map(sample, layout, labels, tooltips, metric, highlighted, by_field=by_field,
                                    visible=visible, matches=matches)
event = st.plotly_chart(
    figure, key="cluster_map", on_select="rerun", selection_mode=("points", "box", "lasso"), config={"displaylogo": False},
)
points = event.selection.points if event else []
clicked = [sample.cluster_ids[p["point_index"]] for p in points if traces.role(p["curve_number"]) == "centroids"]
if len(points) == 1 and clicked:
    open_cluster(clicked[0])
to_merge = list(dict.fromkeys(clicked))
if len(to_merge) >= 2 and st.button(f"Merge these {len(to_merge)} clusters…", icon=":material/merge:"):
    st.switch_page("views/curate.py", query_params={**view_params(selection), "merge_cluster_id": to_merge})
rows = sorted({traces.row(p["curve_number"], p["point_index"]) for p in points if traces.role(p["curve_number"]) == "documents"})
if rows:
    st.subheader(f"{len(rows)} selected documents")
    chosen = sample.documents.iloc[rows].copy()
    chosen.insert(1, "label", chosen["cluster_id"].map(lambda c: labels.get(c, "")))
    chosen[RELEVANCE] = LABELS[metric].shown(chosen[RELEVANCE])
    st.dataframe(chosen, hide_index=True, column_config={
        RELEVANCE: st.column_config.NumberColumn(LABELS[metric].score, format="%.3f"),
        "cluster_id": st.column_config.TextColumn("cluster"),
    })
    if len(rows) <= MOVE_LINK_MAX and st.button("Move these documents to another cluster…", icon=":material/move_item:"):
        st.switch_page("views/curate.py", query_params={**view_params(selection), "document_id": chosen["_id"].tolist()})
    elif len(rows) > MOVE_LINK_MAX:
        st.caption(f"Select at most {MOVE_LINK_MAX} documents to move them to another cluster.")
else:
    st.caption(
        "Click a centroid (◆) to open its cluster, or a point to list its document. To list many, choose "
        "Box or Lasso select in the chart's toolbar and drag over points; drag to zoom, double-click to zoom out."
    )

sizes_column, similarity_column = st.columns(2, gap="medium")
with sizes_column:
    estimated = not sample.complete
    st.plotly_chart(charts.cluster_sizes(sample.cluster_ids, labels, sample.sizes, estimated), key="sizes")
    if k > charts.LABELLED_CLUSTERS:
        st.plotly_chart(charts.size_distribution(sample.sizes, estimated), key="size_distribution")
with similarity_column:
    centroids = sample.centroids.vectors
    if k <= charts.LABELLED_CLUSTERS:
        shown = np.arange(k)
        title = f"{LABELS[metric].name} between centroids"
    else:
        focus = highlighted if highlighted is not None else int(np.argmax(sample.sizes))
        shown = nearest_centroids(centroids, focus, metric, NEIGHBOURS)
        which = "the found" if highlighted is not None else "the largest"
        title = f"{LABELS[metric].name}: {which} cluster and its {len(shown) - 1} nearest"
    st.plotly_chart(
        charts.centroid_similarity([sample.cluster_ids[i] for i in shown], labels,
                                   similarity(centroids[shown], centroids[shown], metric), metric, title),
        key="similarity",
    )
    if highlighted is not None and st.button("Open the found cluster's documents", icon=":material/article:"):
        open_cluster(sample.cluster_ids[highlighted])

# The fetch's page answers and the figures' JSON are freed by now: hand that memory back to the system,
# or the allocator keeps it (~0.15 GB per 200,000-document map, benchmarks/README.md).
release_free_memory()
