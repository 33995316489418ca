"""Edit the alias's metadata: description, free fields and every cluster's label, description and tags."""

from __future__ import annotations

import streamlit as st

from centroid_explorer import metadata
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

editor = form.open_editor(client, selection, drawn_by="description")
if editor is None:
    st.stop()
draft = editor.draft
form.ensure_sizes(client, selection, editor)
form.show_notice(editor)

st.subheader("Alias", anchor=False)
form.description_editor(editor, selection)
description_problems = st.container()

st.subheader("Clusters", anchor=False)
if not draft.edits.clusters:
    st.info(
        "This alias has no centroids and no cluster notes yet. Upload centroids on the **Upload centroids** page.",
        icon=":material/inbox:",
    )
else:
    form.suggestions_controls(client, selection, editor)
    form.cluster_table_editor(editor, selection, form.cluster_filter(editor, selection))
cluster_problems = st.container()

st.subheader("Other fields", anchor=False)
st.caption(
    "Top-level keys of the metadata object that other tools may use. Values are JSON. "
    "Add a row at the bottom of the table; select rows to delete them."
)
form.free_fields_editor(editor, selection)
free_field_problems = st.container()
run = metadata.run_info(draft.base)
if run:
    with st.expander("Clustering run (read-only)", icon=":material/history:"):
        st.json(run)

problems = draft.problems
with description_problems:
    form.show_problems([p for p in problems if p.cluster_id is None and p.field == metadata.DESCRIPTION])
with cluster_problems:
    form.show_problems([p for p in problems if p.cluster_id is not None or p.field == metadata.CLUSTERS])
with free_field_problems:  # the free fields' own problems, and any about the object's other keys
    form.show_problems(
        [p for p in problems if p.cluster_id is None and p.field not in (metadata.DESCRIPTION, metadata.CLUSTERS)]
    )

st.divider()
changes = draft.changes
if draft.stored_changed is not None:
    form.stored_changed_panel(client, selection, editor)
elif changes:
    st.markdown(f"**{len(changes):,} unsaved change{'s' if len(changes) != 1 else ''}:**")
    form.show_changes(changes)
elif problems:
    st.caption("Your edits have the problems shown above; fix them to save.")
else:
    st.caption("No unsaved changes.")

with st.expander("The JSON that Save will write", icon=":material/data_object:"):
    form.show_json(editor, selection)

if draft.stored_changed is not None:
    st.stop()  # the panel above holds the only ways on: merge or reload
actions = st.container(horizontal=True)
if actions.button(
    "Save",
    type="primary",
    icon=":material/save:",
    disabled=bool(problems) or not changes,
    help="Fix the problems shown above first." if problems else None,
    key=form.widget_key(editor, selection, "save"),
):
    form.save_edits(client, selection, editor)
if actions.button(
    "Discard my edits", icon=":material/undo:", disabled=not changes, key=form.widget_key(editor, selection, "discard")
):
    form.reload(client, selection, editor, "Your edits were dropped; showing the metadata as stored now.")
    st.rerun()

st.subheader("History", anchor=False)
form.history_panel(client, selection, editor)
