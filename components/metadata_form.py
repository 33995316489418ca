"""Metadata editing: the full editor's pieces (views/metadata.py) and the one-cluster form.

Edits live in st.session_state under a key made of the selection, in plain (non-widget) entries,
so they survive reruns and a visit to another page; widgets here only show and feed those entries.
A keyed widget keeps its own state (even over a page visit, in a real browser) and then ignores
the value it is given, so widget keys change whenever the value was changed elsewhere: by a
reload or merge (`generation`), or by the other editor (`input_key`). No stale widget state is
ever laid over newer edits.

Saving goes through metadata_sync.save, which refuses to overwrite a stored object that changed
since it was loaded; the panel here then shows what changed and offers a merge or a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st

from centroid_explorer import cluster_metadata as cm
from centroid_explorer import metadata_edits, metadata_sync
from centroid_explorer.alias_centroids import centroid_ids, cluster_sizes
from centroid_explorer.client import APIError
from centroid_explorer.display import markdown_text, one_line
from centroid_explorer.metadata_edits import ClusterRow, Edits, FreeField
from centroid_explorer.metadata_sync import StoredChanged
from components.feedback import show_api_error
from components.pickers import AliasSelection


@dataclass
class EditorState:
    """One selection's metadata being edited: what was loaded, and the user's edits on top."""

    base: dict
    edits: Edits
    sizes: dict[str, int] | None = None  # read on the Metadata page only: one call per cluster
    generation: int = 0
    stored_changed: StoredChanged | None = None
    notice: str | None = None  # said once after a save, merge or reload
    seen: dict = field(default_factory=dict)  # what each input widget returned last
    versions: dict = field(default_factory=dict)  # per input widget: bumped when its value changed elsewhere

    def reset(self, base: dict, edits: Edits, notice: str | None) -> None:
        self.base, self.edits, self.notice = base, edits, notice
        self.stored_changed = None
        self.generation += 1
        self.seen.clear()
        self.versions.clear()

    def cluster_ids(self) -> list[str]:
        return [row.cluster_id for row in self.edits.clusters]


def _state_key(selection: AliasSelection, *extra: str) -> str:
    return "::".join(("metadata_editor", selection.dataset_id, selection.vector_field, selection.alias, *extra))


def widget_key(state: EditorState, selection: AliasSelection, name: str) -> str:
    return _state_key(selection, name, str(state.generation))


def input_key(state: EditorState, selection: AliasSelection, name: str, current) -> str:
    """The key of the input widget `name` that shows `current`: a new one when `current` is not what
    that widget returned last (the value was changed elsewhere), so it shows `current`."""
    if name in state.seen and state.seen[name] != current:
        state.versions[name] = state.versions.get(name, 0) + 1
        del state.seen[name]
    return widget_key(state, selection, f"{name}-v{state.versions.get(name, 0)}")


def is_dirty(state: EditorState) -> bool:
    mine, problems = metadata_edits.apply(state.base, state.edits)
    return bool(problems) or mine != state.base


def editor_state(client, selection: AliasSelection, drawn_by: str) -> EditorState | None:
    """This selection's editor state: loaded on first use; refreshed from the server when the editor
    is opened again with nothing unsaved (`drawn_by`: a widget name of the caller, absent from the
    session until it is drawn). None (with the message shown) when loading failed."""
    key = _state_key(selection)
    state: EditorState | None = st.session_state.get(key)
    opened_now = state is None or (
        widget_key(state, selection, f"{drawn_by}-v{state.versions.get(drawn_by, 0)}") not in st.session_state
    )
    if state is not None and not (opened_now and not is_dirty(state) and state.stored_changed is None):
        return state
    try:
        with st.spinner("Reading the metadata…"):
            base = metadata_sync.load(client, selection.dataset_id, selection.vector_field, selection.alias)
            if state is not None and base == state.base:
                return state
            ids = centroid_ids(client, selection.dataset_id, selection.vector_field, selection.alias)
    except APIError as err:
        show_api_error(err, "Reading the metadata")
        return None
    edits = metadata_edits.edits_from(base, ids)
    if state is None:
        state = st.session_state[key] = EditorState(base, edits)
    else:
        state.reset(base, edits, "The stored metadata changed since you last looked; showing it as stored now.")
    return state


def ensure_sizes(client, selection: AliasSelection, state: EditorState) -> None:
    """Read the clusters' document counts once per selection (they do not change with metadata edits)."""
    if state.sizes is not None:
        return
    try:
        with st.spinner("Counting the documents in each cluster…"):
            state.sizes = cluster_sizes(
                client, selection.dataset_id, selection.vector_field, selection.alias, state.cluster_ids()
            )
    except APIError as err:
        show_api_error(err, "Counting the documents per cluster")
        state.sizes = {}


def reload(client, selection: AliasSelection, state: EditorState, notice: str) -> None:
    try:
        base = metadata_sync.load(client, selection.dataset_id, selection.vector_field, selection.alias)
    except APIError as err:
        show_api_error(err, "Reloading the metadata")
        return
    state.reset(base, metadata_edits.edits_from(base, state.cluster_ids()), notice)


# --- the full editor's pieces ---------------------------------------------------------------


def description_editor(state: EditorState, selection: AliasSelection) -> None:
    text = st.text_area(
        "Alias description",
        value=state.edits.description,
        max_chars=cm.MAX_ALIAS_DESCRIPTION,
        height=90,
        placeholder="What this clustering is: how it was made, what the clusters mean…",
        key=input_key(state, selection, "description", state.edits.description),
    )
    state.edits = replace(state.edits, description=text)
    state.seen["description"] = text


def cluster_table_editor(state: EditorState, selection: AliasSelection) -> None:
    """Every cluster as a row: id and size read-only; label, description and tags editable."""
    # A keyed fixed-rows editor keeps its edits while its data changes, so it is given the current rows.
    key = input_key(state, selection, "clusters", state.edits.clusters)
    table = pd.DataFrame(
        metadata_edits.rows_as_records(state.edits.clusters, state.sizes or {}),
        columns=["cluster_id", "size", "label", "description", "tags"],
    )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="fixed",
        disabled=["cluster_id", "size"],
        height=min(38 + 35 * max(len(table), 1), 460),
        column_config={
            "cluster_id": st.column_config.TextColumn("Cluster", pinned=True, width="medium"),  # a long id leaves room
            "size": st.column_config.NumberColumn("Size", help="Documents in the cluster", format="%d"),
            "label": st.column_config.TextColumn("Label", max_chars=cm.MAX_LABEL, width="medium"),
            "description": st.column_config.TextColumn(
                "Description", max_chars=cm.MAX_CLUSTER_DESCRIPTION, width="large"
            ),
            "tags": st.column_config.ListColumn("Tags", help="Type a tag and press Enter", width="medium"),
        },
    )
    rows = tuple(
        ClusterRow(str(r["cluster_id"]), _text(r["label"]), _text(r["description"]), _tags(r["tags"]))
        for r in edited.to_dict("records")
    )
    state.edits = replace(state.edits, clusters=rows)
    state.seen["clusters"] = rows


def free_fields_editor(state: EditorState, selection: AliasSelection) -> None:
    """Top-level keys the dashboard does not own, as key / JSON value rows (add and delete rows too)."""
    key = input_key(state, selection, "free_fields", state.edits.free_fields)
    table = pd.DataFrame(
        [{"key": f.key, "value": f.value} for f in state.edits.free_fields], columns=["key", "value"], dtype=str
    )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="dynamic",
        column_config={
            "key": st.column_config.TextColumn("Key", width="medium"),
            "value": st.column_config.TextColumn(
                "Value (JSON)", width="large", help='JSON: "text" in double quotes, 3, true, null, [..] or {..}'
            ),
        },
    )
    fields = tuple(FreeField(_text(r["key"]), _text(r["value"])) for r in edited.to_dict("records"))
    state.edits = replace(state.edits, free_fields=fields)
    state.seen["free_fields"] = fields


def show_problems(problems: list[cm.Problem]) -> None:
    for problem in problems:
        st.error(markdown_text(problem), icon=":material/error:")


def show_changes(changes: list[cm.Change]) -> None:
    """One line per change, as plain text: the values in it are data."""
    st.text("\n".join(f"• {change}" for change in changes))


Side = Literal["mine", "theirs"]
_SIDES: list[Side] = ["theirs", "mine"]  # the stored value first: it is the preselected one


def _side_text(conflict: cm.Conflict, side: Side) -> str:
    value = conflict.theirs if side == "theirs" else conflict.mine
    # radio options render Markdown too
    return f"{'Stored now' if side == 'theirs' else 'Yours'}: {markdown_text(metadata_edits.show_value(value))}"


def stored_changed_panel(client, selection: AliasSelection, state: EditorState) -> None:
    """What someone else changed, the fields both sides changed (choose a side), merge or reload."""
    changed = state.stored_changed
    if changed is None:  # callers draw this panel only after a save found the stored object changed
        return
    conflicts = changed.merge.conflicts
    with st.container(border=True):
        st.warning(
            "**The stored metadata changed since you loaded it, so nothing was saved.** "
            "Merge keeps their changes and yours; reload drops yours.",
            icon=":material/sync_problem:",
        )
        st.markdown("**Changed by someone else since you loaded it:**")
        show_changes(changed.changes)
        choices: dict[int, Side] = {}
        if conflicts:
            st.markdown(f"**Both of you changed {len(conflicts)} field(s); choose the value to keep:**")
            for index, conflict in enumerate(conflicts):
                side = st.radio(
                    markdown_text(_where(conflict.path)),
                    _SIDES,
                    format_func=partial(_side_text, conflict),
                    key=widget_key(state, selection, f"conflict-{index}"),
                )
                if side is not None:  # never None (the first option is preselected); unchosen keeps theirs anyway
                    choices[index] = side
        else:
            st.markdown("Your edits and theirs touch different fields, so they merge without a choice to make.")
        actions = st.container(horizontal=True)
        if actions.button(
            "Merge into my edits", type="primary", icon=":material/merge:", key=widget_key(state, selection, "merge")
        ):
            merged = metadata_sync.resolve(changed.merge, choices)
            state.reset(
                changed.theirs,
                metadata_edits.edits_from(merged, state.cluster_ids()),
                "Merged: their changes and yours are in the editor. Review them, then press **Save** again.",
            )
            st.rerun()
        if actions.button(
            "Discard my edits and reload", icon=":material/refresh:", key=widget_key(state, selection, "reload")
        ):
            reload(client, selection, state, "Reloaded: showing the metadata as stored now; your edits were dropped.")
            st.rerun()


def save_edits(client, selection: AliasSelection, state: EditorState, mine: dict) -> None:
    """Save `mine` (read-before-write); on a stored change, keep the edits and open the merge panel."""
    try:
        result = metadata_sync.save(
            client, selection.dataset_id, selection.vector_field, selection.alias, state.base, mine
        )
    except metadata_sync.InvalidMetadataError as error:
        show_problems(error.problems)
        return
    except APIError as err:
        show_api_error(err, "Saving the metadata")
        return
    if result.stored is not None:  # saved (SaveResult holds either `stored` or `stored_changed`)
        count = len(cm.diff(state.base, result.stored))
        notice = f"Saved {count} change{'s' if count != 1 else ''} to '{markdown_text(selection.alias)}'."
        state.reset(result.stored, metadata_edits.edits_from(result.stored, state.cluster_ids()), notice)
    else:
        state.stored_changed = result.stored_changed
    st.rerun()


# --- one cluster, in place (the cluster documents page) --------------------------------------


def cluster_label_editor(client, selection: AliasSelection, cluster_id: str) -> None:
    """Label and description of one cluster, saved with the same read-before-write and merge."""
    state = editor_state(client, selection, drawn_by=f"label-{cluster_id}")
    if state is None:
        return
    if cluster_id not in state.cluster_ids():
        rows = tuple(sorted((*state.edits.clusters, ClusterRow(cluster_id)), key=lambda r: metadata_edits.natural_key(r.cluster_id)))
        state.edits = replace(state.edits, clusters=rows)
    row = next(r for r in state.edits.clusters if r.cluster_id == cluster_id)
    if state.notice:
        st.success(state.notice, icon=":material/check_circle:")
        state.notice = None
    # Plain labels: the expander around this form names the cluster (a widget label renders Markdown).
    label = st.text_input(
        "Label", value=row.label, max_chars=cm.MAX_LABEL,
        placeholder="A short name for this cluster", key=input_key(state, selection, f"label-{cluster_id}", row.label),
    )
    description = st.text_area(
        "Description", value=row.description, max_chars=cm.MAX_CLUSTER_DESCRIPTION, height=80,
        placeholder="What the documents in this cluster have in common",
        key=input_key(state, selection, f"description-{cluster_id}", row.description),
    )
    state.seen[f"label-{cluster_id}"], state.seen[f"description-{cluster_id}"] = label, description
    row = replace(row, label=label, description=description)
    state.edits = replace(
        state.edits, clusters=tuple(row if r.cluster_id == cluster_id else r for r in state.edits.clusters)
    )
    mine, problems = metadata_edits.apply(state.base, state.edits)
    show_problems(problems)
    if state.stored_changed is not None:
        stored_changed_panel(client, selection, state)
    elif st.button(
        "Save label and description", type="primary", icon=":material/save:",
        disabled=bool(problems) or mine == state.base, key=widget_key(state, selection, f"save-{cluster_id}"),
    ):
        save_edits(client, selection, state, mine)
    elif mine != state.base:
        elsewhere = [c for c in cm.diff(state.base, mine) if c.path[:2] != (cm.CLUSTERS, cluster_id)]
        also = f" Saving also saves {len(elsewhere)} unsaved edit(s) made on the Metadata page." if elsewhere else ""
        st.caption(f"Unsaved.{also}")


def _where(path: tuple[str, ...]) -> str:
    if len(path) >= 2 and path[0] == cm.CLUSTERS:
        return f"Cluster {one_line(path[1])}: " + (" ".join(path[2:]) or "whole entry")
    return "Alias description" if path == (cm.DESCRIPTION,) else f"Field '{'.'.join(path)}'"


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _tags(value) -> tuple[str, ...]:
    if value is None or isinstance(value, float):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(tag) for tag in value)
