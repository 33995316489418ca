"""Curate: merge clusters, split one, or move documents; preview first, then write to a new alias (or in place)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from centroid_explorer import curation
from centroid_explorer.client import APIError, cluster_aliases
from centroid_explorer.curation import SPLIT_K, Plan, SourceChangedError, WriteFailedError
from centroid_explorer.curation.plans import preview_layout
from centroid_explorer.display import cluster_names, markdown_text, one_line
from centroid_explorer.metadata import cluster_notes
from centroid_explorer.metrics import LABELS, metric_name, relevance
from components.connection import connection_id
from components.curation_charts import before_after
from components.feedback import require_client, require_selection, show_api_error, show_no_centroids, show_no_members
from components.page_reads import load_cluster_members, load_state
from components.pickers import clear_listing_cache

OPERATIONS = {"merge": "Merge clusters", "split": "Split a cluster", "move": "Move documents"}
ALIAS_SUFFIX = {"merge": "merged", "split": "split", "move": "moved"}  # the suggested new alias: <alias>-<suffix>
MOVES_SHOWN = 2000  # rows of the "documents that move" table
MOVE_OPTIONS = 1000  # the farthest members offered in the move picker
OPTION_CHARS = 70  # a document's text in the move picker
_PLAN = "curate_plan"  # (question, Plan) of the last preview
_WRITTEN = "curate_written"  # (dataset_id, vector_field, alias, message) of the last write
_GENERATION = "curate_generation"  # bumped by every write: the alias is read again
LINK_PARAM = "document_id"  # documents to move, handed over in the URL
MERGE_PARAM = "merge_cluster_id"  # clusters to merge, handed over in the URL
_LINKED = "curate_linked"  # the link's documents, until "choose here instead"
_LINKED_MERGE = "curate_linked_merge"  # the clusters a link asked to merge, once

st.title(":material/call_merge: Curate clusters")
selection = require_selection()
client = require_client()

if st.session_state.pop("curate_open", False):  # "Open it" was pressed: the sidebar holds the new alias now
    st.switch_page("views/cluster_documents.py")






generation = st.session_state.setdefault(_GENERATION, 0)
try:
    state = load_state(client, connection_id(), selection.dataset_id, selection.vector_field, selection.alias, generation)
except ValueError:  # no centroids
    show_no_centroids(selection)
    st.stop()
except APIError as err:
    show_api_error(err, "Reading the alias")
    st.stop()


def open_alias(alias: str) -> None:
    st.session_state["alias"] = alias  # the sidebar's alias picker
    st.session_state["curate_open"] = True


if (written := st.session_state.get(_WRITTEN)) and written[:2] == (selection.dataset_id, selection.vector_field):
    st.success(markdown_text(written[3]), icon=":material/check_circle:")
    if written[2] != selection.alias:
        st.button(f"Open {markdown_text(written[2])} on the Cluster documents page", icon=":material/open_in_new:",
                  on_click=open_alias, args=(written[2],), key="curate_open_button")

if not state.assignments:
    show_no_members(selection)
    st.stop()

labels = {cid: notes.label for cid, notes in cluster_notes(state.metadata).items() if notes.label}
names = dict(zip(state.cluster_ids, cluster_names(state.cluster_ids, labels), strict=True))
sizes = state.sizes()


def cluster_option(cluster_id: str) -> str:
    return f"{names[cluster_id]} · {sizes.get(cluster_id, 0):,} documents"


# A link may hand over documents to move (e.g. chosen on the map): ?document_id=a&document_id=b
linked_in_url = list(dict.fromkeys(st.query_params.get_all(LINK_PARAM)))
if linked_in_url and st.session_state.get(_LINKED) != linked_in_url:  # a new link: open the move with them
    st.session_state[_LINKED] = linked_in_url
    st.session_state["curate_operation"] = "move"
# ... or clusters to merge (chosen on the map): ?merge_cluster_id=a&merge_cluster_id=b
to_merge = [c for c in dict.fromkeys(st.query_params.get_all(MERGE_PARAM)) if c in state.cluster_ids]
if len(to_merge) >= 2 and st.session_state.get(_LINKED_MERGE) != to_merge:
    st.session_state[_LINKED_MERGE] = to_merge
    st.session_state["curate_operation"] = "merge"
    st.session_state["curate_merge"] = to_merge
linked_all = st.session_state.get(_LINKED) or []
linked = [d for d in linked_all if d in state.assignments]  # this alias's, read afresh: the alias may change
if len(linked) < len(linked_all):
    st.warning(f"{len(linked_all) - len(linked):,} document(s) of the link are not assigned in this alias; "
               "they are left out.", icon=":material/link_off:")


def forget_link() -> None:
    st.session_state.pop(_LINKED, None)
    st.query_params.pop(LINK_PARAM, None)


controls = st.columns([3, 2])
operation = controls[0].radio("Operation", list(OPERATIONS), format_func=OPERATIONS.get, horizontal=True, key="curate_operation")
metric = controls[1].selectbox(
    "Similarity metric", list(LABELS), format_func=metric_name, key="similarity_metric", persist_state="session",
    help="New centroids are computed under it: cosine takes the mean of the members scaled to unit length (then "
         "scaled to unit length), dot product and L2 the mean, L1 the elementwise median.",
)

question: tuple
if operation == "merge":
    chosen = st.multiselect(
        "Clusters to merge", state.cluster_ids, format_func=cluster_option, key="curate_merge",
        help="The first one keeps its id and gets the labels and tags of all; the others are removed.",
    )
    question = ("merge", tuple(chosen))
    ready = len(chosen) >= 2
elif operation == "split":
    split_columns = st.columns([3, 1])
    to_split = split_columns[0].selectbox("Cluster to split", state.cluster_ids, format_func=cluster_option, key="curate_split")
    k = split_columns[1].slider("Parts", SPLIT_K.start, SPLIT_K.stop - 1, 2, key="curate_k",
                          help="k-means (seeded) on the cluster's members; the parts get ids <id>-1, <id>-2, …")
    question = ("split", to_split, k)
    ready = to_split is not None
elif linked:
    target = st.selectbox("To cluster", state.cluster_ids, format_func=cluster_option, key="curate_move_to")
    sources = len({state.assignments[d] for d in linked})
    st.caption(f"{len(linked):,} document(s) chosen on another page (from the link), in {sources:,} cluster(s).")
    st.button("Choose the documents here instead", on_click=forget_link, key="curate_forget_link")
    to_move = linked
    question = ("move", tuple(to_move), target)
    ready = target is not None
else:
    move_columns = st.columns(2)
    source = move_columns[0].selectbox("From cluster", state.cluster_ids, format_func=cluster_option, key="curate_move_from")
    target = move_columns[1].selectbox("To cluster", [c for c in state.cluster_ids if c != source], format_func=cluster_option,
                                  key="curate_move_to")
    try:
        members = load_cluster_members(client, connection_id(), selection.dataset_id, selection.vector_field, selection.alias,
                               source, generation, state)
    except APIError as err:
        show_api_error(err, "Reading the cluster's documents")
        st.stop()
    closeness = relevance(members.vectors, state.centroid(source), metric)
    farthest_first = sorted(range(len(members.ids)), key=lambda i: closeness[i])[:MOVE_OPTIONS]
    shown_as = LABELS[metric]
    option_text = {
        members.ids[i]: f"{one_line(members.ids[i])} · {shown_as.score} {float(shown_as.shown(closeness[i])):.3f} · "
                        f"{one_line(members.texts[i])[:OPTION_CHARS]}"
        for i in farthest_first
    }
    to_move = st.multiselect(
        "Documents to move", list(option_text), format_func=lambda d: option_text[d], key="curate_move_documents",
        help=f"The cluster's members, farthest from its centroid first (the likeliest to be misplaced); "
             f"the {MOVE_OPTIONS:,} farthest are offered.",
    )
    question = ("move", tuple(to_move), target)
    ready = bool(to_move) and target is not None

question = (selection, metric, generation, *question)


def make_plan() -> Plan:
    if operation == "merge":
        return curation.preview_merge(client, state, list(chosen), metric)
    if operation == "split":
        return curation.preview_split(client, state, to_split, k, metric)
    return curation.preview_move(client, state, list(to_move), target, metric)


if st.button("Preview", type="primary", icon=":material/preview:", disabled=not ready, key="curate_preview"):
    st.session_state.pop(_WRITTEN, None)
    try:
        with st.spinner("Computing the preview…"):
            st.session_state[_PLAN] = (question, make_plan())
    except ValueError as err:
        st.error(markdown_text(err), icon=":material/error:")
    except APIError as err:
        show_api_error(err, "Computing the preview")

stored = st.session_state.get(_PLAN)
if stored is None or stored[0] != question:
    if not ready:
        st.caption("Choose what to change above, then preview it. Nothing is written until you choose where.")
    st.stop()
plan: Plan = stored[1]

st.subheader("Preview")
st.info(markdown_text(plan.summary), icon=":material/preview:")
labels_after = {cid: notes.label for cid, notes in cluster_notes(plan.metadata_after(state.metadata)).items() if notes.label}
changes = pd.DataFrame(
    [{"cluster": c.cluster_id, "label": labels_after.get(c.cluster_id) or labels.get(c.cluster_id, ""),
      "before": c.before, "after": c.after, "change": c.after - c.before} for c in plan.size_changes()]
)
st.dataframe(changes, hide_index=True, column_config={
    "cluster": st.column_config.TextColumn("Cluster"), "label": st.column_config.TextColumn("Label (after)"),
    "before": st.column_config.NumberColumn("Documents before"), "after": st.column_config.NumberColumn("Documents after"),
    "change": st.column_config.NumberColumn("Change", format="%+d"),
})
figure_before, figure_after = before_after(preview_layout(plan), labels, labels_after)
charts = st.columns(2)
charts[0].plotly_chart(figure_before, key="curate_before")
charts[1].plotly_chart(figure_after, key="curate_after")

member_text = dict(zip(plan.members.ids, plan.members.texts, strict=True))
moves = pd.DataFrame(
    [{"_id": doc_id, "from": state.assignments[doc_id], "to": to, "text": member_text.get(doc_id, "")}
     for doc_id, to in list(plan.moves.items())[:MOVES_SHOWN]],
    columns=["_id", "from", "to", "text"],
)
st.markdown(f"**{len(plan.moves):,} document(s) change cluster**" + (
    f" (the first {MOVES_SHOWN:,} are listed)" if len(plan.moves) > MOVES_SHOWN else ""))
st.dataframe(moves, hide_index=True, column_config={
    "_id": st.column_config.TextColumn("Document"), "from": st.column_config.TextColumn("From"),
    "to": st.column_config.TextColumn("To"), "text": st.column_config.TextColumn("Text"),
})


def suggested_alias() -> str:
    try:
        taken = set(cluster_aliases(selection.vector_field, client.datasets.schema(selection.dataset_id),
                                    client.centroids.configs(selection.dataset_id)))
    except APIError:
        taken = set()
    base = f"{selection.alias}-{ALIAS_SUFFIX[plan.operation]}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def finish(result: curation.WriteResult, where: str) -> None:
    st.session_state[_WRITTEN] = (
        selection.dataset_id, selection.vector_field, result.alias,
        f"{plan.summary}: written {where} ({result.centroids:,} centroids, {result.documents:,} document assignments).",
    )
    st.session_state.pop(_PLAN, None)
    st.session_state[_GENERATION] = generation + 1
    clear_listing_cache()
    st.rerun()


def report(err: Exception, doing: str) -> None:
    if isinstance(err, APIError):
        show_api_error(err, doing)
    else:
        st.error(markdown_text(err), icon=":material/error:")


st.subheader("Write")
new_column, in_place_column = st.columns(2, gap="large")
with new_column:
    st.markdown("**To a new alias** (recommended): the alias shown now stays as it is.")
    if "curate_new_alias" not in st.session_state or st.session_state.get("curate_new_alias_for") != question:
        st.session_state["curate_new_alias"] = suggested_alias()
        st.session_state["curate_new_alias_for"] = question
    new_alias = st.text_input("New alias", key="curate_new_alias")
    if st.button("Write to the new alias", type="primary", icon=":material/save:", key="curate_write_new"):
        try:
            with st.spinner("Writing the new alias…"):
                written_result = curation.write_new_alias(client, plan, new_alias)
        except (ValueError, WriteFailedError, APIError) as err:
            report(err, "Writing the new alias")
        else:
            finish(written_result, f"to the new alias '{one_line(new_alias)}'")
with in_place_column:
    st.markdown(f"**In place**: change {markdown_text(selection.alias)} itself, for everyone who uses it.")
    confirmed = st.checkbox(f"Yes, change {markdown_text(selection.alias)} in place", key="curate_confirm")
    if st.button("Apply in place", icon=":material/warning:", disabled=not confirmed, key="curate_write_in_place"):
        try:
            with st.spinner("Writing…"):
                written_result = curation.write_in_place(client, plan)
        except SourceChangedError as err:
            st.session_state.pop(_PLAN, None)
            st.session_state[_GENERATION] = generation + 1
            report(err, "Writing")
        except (ValueError, WriteFailedError, APIError) as err:
            report(err, "Writing in place")
        else:
            finish(written_result, f"in place to '{one_line(selection.alias)}'")
