"""Cluster documents: what is in one or more clusters, closest to the centroid first."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from centroid_explorer import metadata
from centroid_explorer.client import APIError
from centroid_explorer.cluster_sample import RELEVANCE, cluster_of, readable_fields
from centroid_explorer.display import cluster_names, markdown_text, one_line
from centroid_explorer.insight.search import matching_fields, snippet
from centroid_explorer.metrics import LABELS, metric_name
from components import charts
from components.connection import connection_id
from components.feedback import require_client, require_selection, show_api_error, show_no_centroids, show_no_members
from components.insight import load_members, outliers_section
from components.metadata_form import cluster_label_editor
from components.page_reads import load_cluster_ids, load_relevance, load_similar

PAGE_SIZES = [10, 20, 50, 100]
TITLE_CHARS = 80  # a cluster's name in an expander's title

TOOLS = ["Search the text", "Find similar", "Outliers and likely mis-assigned"]
SEARCH_ROWS = 500  # matches shown at most
HIGHLIGHT = "background-color: rgba(255, 200, 0, 0.35)"


def search_results(members, query: str, labels: dict[str, str]) -> None:
    """The members whose text contains `query`, the matching cells highlighted (as text: cells are never markup)."""
    rows, matched_cells = [], []
    for document_id, index, fields in zip(members.ids, members.cluster_index, members.fields, strict=True):
        found = matching_fields(fields, query)
        if found:
            cluster_id = members.cluster_ids[index]
            fixed = {"_id": document_id, "cluster": labels.get(cluster_id, cluster_id), "match": snippet(fields[found[0]], query)}
            rows.append(with_fields(fixed, fields))
            matched_cells.append([f" {name}" if name in fixed else name for name in found])
    read = f"{len(members.ids):,} members" + ("" if members.exact else f" read of {int(members.sizes.sum()):,}")
    if not rows:
        st.info(f"No text field of the {read} contains it.", icon=":material/search_off:")
        return
    shown_rows = rows[:SEARCH_ROWS]
    st.caption(f"{len(rows):,} of the {read} match" + (f"; the first {SEARCH_ROWS} are shown" if len(rows) > SEARCH_ROWS else ""))
    frame = pd.DataFrame(shown_rows)
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for position, found in enumerate(matched_cells[:SEARCH_ROWS]):
        styles.loc[position, [name for name in found if name in styles.columns]] = HIGHLIGHT
    st.dataframe(frame.style.apply(lambda _: styles, axis=None), hide_index=True, key="search_results", column_config={
        "match": st.column_config.TextColumn(help="The first match, between » and «"),
    })




def similar_results(similar, labels: dict[str, str], metric: str) -> None:
    if similar is None:
        st.info("That document has no vector, or it left this page meanwhile.", icon=":material/info:")
        return
    shown = LABELS[metric]
    if similar.exact:
        st.caption(f"Nearest of all {similar.read:,} members of the {similar.clusters:,} clusters.")
    else:
        st.caption(f"Nearest among the {similar.read:,} members of the {similar.clusters_searched:,} clusters (of "
                   f"{similar.clusters:,}) whose centroids are nearest to the document: where its neighbours are likely.")
    if not similar.results:
        st.info("No other member to compare it with.", icon=":material/info:")
        return
    frame = pd.DataFrame([
        with_fields({"_id": n.document_id, "cluster": labels.get(n.cluster_id, n.cluster_id), "score": n.score}, n.fields)
        for n in similar.results
    ])
    st.dataframe(frame, hide_index=True, key="similar_results",
                 column_config={"score": st.column_config.NumberColumn(shown.score, format="%.4f", help=shown.closer)})


def with_fields(fixed: dict, fields: dict) -> dict:
    """A table row: the page's own columns, then the document's fields (one named like a column of ours is
    shown with a leading space, so it neither replaces nor hides it)."""
    return fixed | {(f" {name}" if name in fixed else name): value for name, value in fields.items()}


st.title(":material/article: Cluster documents")
selection = require_selection()
client = require_client()




try:
    cluster_ids = load_cluster_ids(client, connection_id(), selection.dataset_id, selection.vector_field, selection.alias)
    stored = metadata.load(client, selection.dataset_id, selection.vector_field, selection.alias)
except APIError as err:
    show_api_error(err, "Listing the clusters")
    st.stop()
if not cluster_ids:
    show_no_centroids(selection)
    st.stop()
labels = {cid: notes.label for cid, notes in metadata.cluster_notes(stored).items() if notes.label}
names = dict(zip(cluster_ids, cluster_names(cluster_ids, labels), strict=False))
colour_position = {cid: i for i, cid in enumerate(cluster_ids)}

# The map's "open this cluster" link arrives as ?cluster_id=...; keep only ids this alias has.
from_url = [cid for cid in st.query_params.get_all("cluster_id") if cid in cluster_ids]
if from_url and st.session_state.get("documents_url_clusters") != from_url:
    st.session_state["documents_url_clusters"] = from_url
    st.session_state["documents_clusters"] = from_url
if not [cid for cid in st.session_state.get("documents_clusters", []) if cid in cluster_ids]:
    st.session_state["documents_clusters"] = cluster_ids[:1]

controls = st.columns([4, 2, 1])
chosen = controls[0].multiselect(
    "Clusters", cluster_ids, key="documents_clusters",
    format_func=lambda cid: f"{one_line(labels[cid])} ({one_line(cid)})" if cid in labels else names[cid],
    help="Documents of several clusters are listed together, each ranked by closeness to its own centroid.",
)
metric = controls[1].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
)
page_size = controls[2].selectbox("Page size", PAGE_SIZES, index=1, key="documents_page_size")
if not chosen:
    st.info("Pick at least one cluster above to see its documents.", icon=":material/arrow_upward:")
    st.stop()

# A new question starts at page 1.
question = (selection, tuple(chosen), metric, page_size)
if st.session_state.get("documents_question") != question:
    st.session_state["documents_question"] = question
    st.session_state["documents_page"] = 1


def go_to(page: int) -> None:
    st.session_state["documents_page"] = page


def read_page(number: int) -> dict:
    try:
        return client.centroids.documents(
            selection.dataset_id, chosen, selection.vector_field, alias=selection.alias, page_size=page_size,
            page=number, similarity_metric=metric,
        )
    except APIError as err:
        show_api_error(err, "Reading the documents")
        st.stop()


asked = st.session_state["documents_page"]
answer = read_page(asked)
count = int(answer.get("count", 0))
if count == 0:
    show_no_members(selection, "this cluster" if len(chosen) == 1 else "these clusters")
    st.stop()
pages = max(1, math.ceil(count / page_size))
page = min(asked, pages)
if page != asked:  # typed past the end: the last page instead, and a word about the range (below)
    answer = read_page(page)
st.session_state["documents_page"] = page

nav = st.columns([1, 1, 2, 4], vertical_alignment="bottom")
nav[0].button("Previous", icon=":material/chevron_left:", disabled=page <= 1, on_click=go_to, args=(page - 1,), width="stretch")
nav[1].button("Next", icon=":material/chevron_right:", disabled=page >= pages, on_click=go_to, args=(page + 1,), width="stretch")
# No upper bound on the input itself: a page past the end is answered with the range, not a silent red box.
nav[2].number_input("Jump to page", min_value=1, step=1, key="documents_page", help=f"1 to {pages:,}")
first = (page - 1) * page_size + 1
nav[3].markdown(f"Page **{page}** of **{pages}** · documents {first:,}–{min(first + page_size - 1, count):,} "
                f"of **{count:,}**, closest to the centroid first")
if asked > pages:
    there_are = "there is only one page" if pages == 1 else f"pages go from 1 to {pages:,}"
    st.warning(f"There is no page {asked:,}: {there_are}. Showing page {pages:,}.", icon=":material/last_page:")

shown = LABELS[metric]
table = pd.DataFrame(
    [
        {"#": first + i, "_id": doc.get("_id"), "cluster": cid if cid is None else labels.get(cid, cid),
         RELEVANCE: float(shown.shown(doc.get(RELEVANCE, float("nan")))), **readable_fields(doc)}
        for i, doc in enumerate(answer.get("results", []))
        for cid in [cluster_of(doc, selection.vector_field, selection.alias)]
    ]
)
st.dataframe(
    table, hide_index=True,
    column_config={RELEVANCE: st.column_config.NumberColumn(
        shown.score, format="%.4f", help=f"{shown.name} to the document's centroid ({shown.closer})",
    )},
)

# One tool at a time (not tabs): a tool's table is read and drawn only when it is open.
tool = st.radio("Look closer", TOOLS, horizontal=True, key="documents_tool")
if tool == TOOLS[0]:
    query = st.text_input("Search the members' text", key="documents_search", placeholder="a word or a phrase",
                          help="Plain text, any case, in every text field of the chosen clusters' members.")
    if query.strip():
        try:
            texts = load_members(client, connection_id(), selection, metric, tuple(chosen), include_vector=False)
        except APIError as err:
            show_api_error(err, "Reading the members' text")
        else:
            search_results(texts, query, labels)
elif tool == TOOLS[1]:
    on_page = [str(doc.get("_id")) for doc in answer.get("results", [])]
    target = st.selectbox("Documents similar to", on_page, index=None, key="documents_similar_to",
                          format_func=one_line, placeholder="choose a document of this page")
    if target is not None:
        try:
            similar = load_similar(client, connection_id(), selection, chosen, metric, page_size, page, target)
        except APIError as err:
            show_api_error(err, "Finding similar documents")
        else:
            similar_results(similar, labels, metric)
else:
    try:
        outliers_section(client, selection, metric, tuple(chosen), labels, key="documents_outliers")
    except APIError as err:
        show_api_error(err, "Reading the members")




chart_column, notes_column = st.columns([3, 2], gap="medium")
with chart_column:
    try:
        relevance = {cid: load_relevance(client, connection_id(), selection, cid, metric)[1] for cid in chosen}
    except APIError as err:
        show_api_error(err, "Reading the similarity distribution")
    else:
        st.plotly_chart(charts.relevance_histogram(relevance, labels, metric, colour_position), key="relevance")
with notes_column:
    for cluster_id in chosen:
        title = markdown_text(one_line(cluster_id), TITLE_CHARS)
        with st.expander(f"Label and description of '{title}'", expanded=len(chosen) == 1, icon=":material/edit_note:"):
            cluster_label_editor(client, selection, cluster_id)
