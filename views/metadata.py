"""Edit the alias's metadata: description, free fields and every cluster's label, description and tags."""

from __future__ import annotations

import streamlit as st

from centroid_explorer import cluster_metadata as cm
from centroid_explorer import metadata_edits
from centroid_explorer.display import markdown_text
from components import metadata_form as form
from components.feedback import require_client, require_selection

st.title(":material/edit_note: Metadata", anchor=False)
selection = require_selection()
client = require_client()
st.caption(
    f"Dataset **{markdown_text(selection.dataset_id)}** · vector field **{markdown_text(selection.vector_field)}** · "
    f"alias **{markdown_text(selection.alias)}**. "
    "Edits are kept while you move between pages; nothing is written until you press **Save**."
)

state = form.editor_state(client, selection, drawn_by="clusters")
if state is None:
    st.stop()
form.ensure_sizes(client, selection, state)
if state.notice:
    st.success(state.notice, icon=":material/check_circle:")
    state.notice = None

st.subheader("Alias", anchor=False)
form.description_editor(state, selection)
description_problems = st.container()

st.subheader("Clusters", anchor=False)
if not state.edits.clusters:
    st.info(
        "This alias has no centroids and no cluster notes yet. Upload centroids on the **Upload centroids** page.",
        icon=":material/inbox:",
    )
else:
    st.caption("Click a cell to edit it. Cluster ids and sizes are read-only.")
form.cluster_table_editor(state, selection)
cluster_problems = st.container()

st.subheader("Other fields", anchor=False)
st.caption(
    "Top-level keys of the metadata object that other tools may use. Values are JSON. "
    "Add a row at the bottom of the table; select rows to delete them."
)
form.free_fields_editor(state, selection)
free_field_problems = st.container()
run = cm.run_info(state.base)
if run:
    with st.expander("Clustering run (read-only)", icon=":material/history:"):
        st.json(run)

mine, problems = metadata_edits.apply(state.base, state.edits)
with description_problems:
    form.show_problems([p for p in problems if p.cluster_id is None and p.field == cm.DESCRIPTION])
with cluster_problems:
    form.show_problems([p for p in problems if p.cluster_id is not None or p.field == cm.CLUSTERS])
with free_field_problems:  # the free fields' own problems, and any about the object's other keys
    form.show_problems([p for p in problems if p.cluster_id is None and p.field not in (cm.DESCRIPTION, cm.CLUSTERS)])

st.divider()
changes = cm.diff(state.base, mine)
if state.stored_changed is not None:
    form.stored_changed_panel(client, selection, state)
elif changes:
    st.markdown(f"**{len(changes)} unsaved change{'s' if len(changes) != 1 else ''}:**")
    form.show_changes(changes)
elif problems:
    st.caption("Your edits have the problems shown above; fix them to save.")
else:
    st.caption("No unsaved changes.")

with st.expander("The JSON that Save will write", icon=":material/data_object:"):
    st.json(mine, expanded=2)

if state.stored_changed is not None:
    st.stop()  # the panel above holds the only ways on: merge or reload
actions = st.container(horizontal=True)
if actions.button(
    "Save",
    type="primary",
    icon=":material/save:",
    disabled=bool(problems) or not changes,
    help="Fix the problems shown above first." if problems else None,
    key=form.widget_key(state, selection, "save"),
):
    form.save_edits(client, selection, state, mine)
if actions.button(
    "Discard my edits", icon=":material/undo:", disabled=not changes, key=form.widget_key(state, selection, "discard")
):
    form.reload(client, selection, state, "Your edits were dropped; showing the metadata as stored now.")
    st.rerun()
