"""The metadata editor's widgets: the full editor's pieces (views/metadata.py) and the one-cluster form.

The workflow lives in a `metadata.Draft` (no Streamlit in it); this module only draws widgets,
feeds what they return into the draft, and keeps the widget keys. The draft sits in
st.session_state under a key made of the selection, so edits survive reruns and a visit to
another page. A keyed widget keeps its own state (even over a page visit, in a real browser) and
then ignores the value it is given, so widget keys change whenever the value was changed
elsewhere: by a reload, merge or save (the draft's `generation`), or by another widget
(`input_key`). No stale widget state is ever laid over newer edits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import partial
from typing import get_args

import pandas as pd
import streamlit as st

from centroid_explorer import metadata
from centroid_explorer.alias_centroids import cluster_sizes
from centroid_explorer.client import APIError, NotSupportedError
from centroid_explorer.display import markdown_text
from centroid_explorer.metadata import ClusterFilter, ClusterNotes, Draft, FreeField, Side
from components.feedback import show_api_error
from components.pickers import AliasSelection

PAGE_ROWS = 100  # cluster rows in the table at once: the grid stays quick at any k
CHANGES_SHOWN = 50  # lines of the unsaved-changes list; then "... and N more"
JSON_SHOWN = 200_000  # characters of "the JSON that Save will write" shown in the page; larger: a download
HISTORY_SHOWN = 20  # versions listed in the History panel, newest first
PATHS_SHOWN = 3  # changed fields named per version in the history table

_SHOW_NAMES = {"all": "All clusters", "labelled": "Labelled", "unlabelled": "Unlabelled", "unsaved": "Unsaved edits"}
_ORDER_NAMES = {"id": "Cluster id", "largest": "Largest first", "smallest": "Smallest first"}


@dataclass
class Editor:
    """One selection's draft, with what its widgets need between reruns."""

    draft: Draft
    sizes: dict[str, int] | None = None  # documents per cluster, counted once per selection
    notice: str | None = None  # said once after a save, merge or reload
    seen: dict = field(default_factory=dict)  # what each input widget returned last
    versions: dict = field(default_factory=dict)  # per input widget: bumped when its value changed elsewhere
    generation: int = -1  # the draft generation `seen` and `versions` belong to
    versions_read: dict = field(default_factory=dict)  # version -> the object then (a version never changes)
    suggestions: dict[str, str] | None = None  # cluster id -> a label suggested from its members' words

    def keys_for_generation(self) -> None:
        if self.generation != self.draft.generation:  # the draft's edits were replaced: every widget anew
            self.seen.clear()
            self.versions.clear()
            self.generation = self.draft.generation


def _state_key(selection: AliasSelection, *extra: str) -> str:
    return "::".join(("metadata_editor", selection.dataset_id, selection.vector_field, selection.alias, *extra))


def widget_key(editor: Editor, selection: AliasSelection, name: str) -> str:
    editor.keys_for_generation()
    return _state_key(selection, name, str(editor.draft.generation))


def input_key(editor: Editor, selection: AliasSelection, name: str, current) -> str:
    """The key of the input widget `name` that shows `current`: a new one when `current` is not what
    that widget returned last (the value was changed elsewhere), so it shows `current`."""
    editor.keys_for_generation()
    if name in editor.seen and editor.seen[name] != current:
        editor.versions[name] = editor.versions.get(name, 0) + 1
        del editor.seen[name]
    return widget_key(editor, selection, f"{name}-v{editor.versions.get(name, 0)}")


def open_editor(client, selection: AliasSelection, drawn_by: str) -> Editor | None:
    """This selection's editor: loaded on first use; refreshed from the server when the editor is
    opened again with nothing unsaved (`drawn_by`: a widget name of the caller, absent from the
    session until it is drawn). None (with the message shown) when loading failed."""
    key = _state_key(selection)
    editor: Editor | None = st.session_state.get(key)
    try:
        if editor is None:
            with st.spinner("Reading the metadata…"):
                editor = st.session_state[key] = Editor(
                    Draft.load(client, selection.dataset_id, selection.vector_field, selection.alias)
                )
        elif widget_key(editor, selection, f"{drawn_by}-v{editor.versions.get(drawn_by, 0)}") not in st.session_state:
            with st.spinner("Reading the metadata…"):
                if editor.draft.refresh(client):
                    editor.notice = "The stored metadata changed since you last looked; showing it as stored now."
    except APIError as err:
        show_api_error(err, "Reading the metadata")
        return None
    return editor


def ensure_sizes(client, selection: AliasSelection, editor: Editor) -> None:
    """Count the clusters' documents once per selection (metadata edits do not change them)."""
    if editor.sizes is not None:
        return
    try:
        with st.spinner("Counting the documents in each cluster…"):
            editor.sizes = cluster_sizes(client, selection.dataset_id, selection.vector_field, selection.alias)
    except APIError as err:
        show_api_error(err, "Counting the documents per cluster")
        editor.sizes = {}


def show_notice(editor: Editor) -> None:
    if editor.notice:
        st.success(editor.notice, icon=":material/check_circle:")
        editor.notice = None


def reload(client, selection: AliasSelection, editor: Editor, notice: str) -> None:
    try:
        editor.draft.reload(client)
    except APIError as err:
        show_api_error(err, "Reloading the metadata")
        return
    editor.notice = notice


# --- the full editor's pieces ---------------------------------------------------------------


def description_editor(editor: Editor, selection: AliasSelection) -> None:
    draft = editor.draft
    text = st.text_area(
        "Alias description",
        value=draft.edits.description,
        max_chars=metadata.MAX_ALIAS_DESCRIPTION,
        height=90,
        placeholder="What this clustering is: how it was made, what the clusters mean…",
        key=input_key(editor, selection, "description", draft.edits.description),
    )
    draft.set_description(text)
    editor.seen["description"] = text


def cluster_filter(editor: Editor, selection: AliasSelection) -> ClusterFilter:
    """Search, filter and order of the cluster table (kept per selection, not per draft generation)."""
    controls = st.container(horizontal=True, vertical_alignment="bottom")
    text = controls.text_input(
        "Search", placeholder="Cluster id or label contains…", key=_state_key(selection, "search"), width=260
    )
    show = controls.selectbox(
        "Show", get_args(metadata.Show), format_func=_SHOW_NAMES.__getitem__, key=_state_key(selection, "show"), width=170
    )
    tags = [None, *metadata.tags_in(editor.draft.edits)]
    tag = controls.selectbox(
        "Tag", tags, format_func=lambda t: "Any tag" if t is None else t, key=_state_key(selection, "tag"), width=170
    )
    order = controls.selectbox(
        "Order", get_args(metadata.Order), format_func=_ORDER_NAMES.__getitem__, key=_state_key(selection, "order"),
        width=170, disabled=not editor.sizes,
    )
    return ClusterFilter(text, show, tag, order if editor.sizes else "id", editor.sizes or {})


def cluster_table_editor(editor: Editor, selection: AliasSelection, wanted: ClusterFilter) -> None:
    """The clusters `wanted` picks, a page at a time: id and size read-only; label, description and tags editable."""
    draft = editor.draft
    rows = draft.find(wanted)
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    page = 1
    if pages > 1:
        page = int(st.number_input("Page", 1, pages, key=_state_key(selection, "page"), width=170))
    shown = tuple(rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS])
    total = len(draft.edits.clusters)
    first = (page - 1) * PAGE_ROWS + 1 if shown else 0
    st.caption(
        f"Showing {first:,}–{first + len(shown) - 1:,} of {len(rows):,} matching clusters ({total:,} in all). "
        "Click a cell to edit it. Cluster ids and sizes are read-only."
        if shown else f"No cluster matches ({total:,} in all)."
    )
    # A keyed fixed-rows editor keeps its edits while its data changes, so it gets a new key when
    # the rows it shows are not the rows it returned last (another view, or edited elsewhere).
    view = (wanted.text, wanted.show, wanted.tag, wanted.order, page)
    key = input_key(editor, selection, "clusters", (view, shown))
    sizes = wanted.sizes
    suggested = editor.suggestions or {}
    columns = ["cluster_id", "size", "label", *(["suggested", "accept"] if suggested else []), "description", "tags"]
    table = pd.DataFrame(
        [
            {"cluster_id": r.cluster_id, "size": sizes.get(r.cluster_id), "label": r.label,
             "suggested": suggested.get(r.cluster_id, ""), "accept": False,
             "description": r.description, "tags": list(r.tags)}
            for r in shown
        ],
        columns=columns,
    )
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="fixed",
        disabled=["cluster_id", "size", "suggested"],
        height=min(38 + 35 * max(len(table), 1), 460),
        column_config={
            "cluster_id": st.column_config.TextColumn("Cluster", pinned=True, width="medium"),  # a long id leaves room
            "size": st.column_config.NumberColumn("Size", help="Documents in the cluster", format="%d"),
            "label": st.column_config.TextColumn("Label", max_chars=metadata.MAX_LABEL, width="medium"),
            "suggested": st.column_config.TextColumn("Suggested", help="From the cluster's members' words", width="medium"),
            "accept": st.column_config.CheckboxColumn("Use it", help="Make the suggestion this cluster's label"),
            "description": st.column_config.TextColumn(
                "Description", max_chars=metadata.MAX_CLUSTER_DESCRIPTION, width="large"
            ),
            "tags": st.column_config.ListColumn("Tags", help="Type a tag and press Enter", width="medium"),
        },
    )
    records = edited.to_dict("records")
    returned = tuple(
        ClusterNotes(str(r["cluster_id"]), _text(r["label"]), _text(r["description"]), _tags(r["tags"])) for r in records
    )
    editor.seen["clusters"] = (view, returned)
    accepted = {r["cluster_id"] for r in records if r.get("accept") and suggested.get(r["cluster_id"])}
    draft.set_rows(replace(n, label=suggested[n.cluster_id]) if n.cluster_id in accepted else n for n in returned)
    if accepted:  # drawn again at once, as a new table (its rows differ from what it returned): label in, tick cleared
        st.rerun()


def suggestions_controls(client, selection: AliasSelection, editor: Editor) -> None:
    """Labels suggested from each cluster's members' words (class-based TF-IDF), beside the labels: accepted
    one by one in the table, or all at once for the clusters without a label. Nothing is written until Save."""
    from centroid_explorer.insight.labels import suggest_labels  # scikit-learn: only once asked for

    columns = st.columns([2, 3], vertical_alignment="center")
    if editor.suggestions is None:
        if columns[0].button("Suggest labels", icon=":material/auto_awesome:",
                             help="Read the clusters' members and suggest a label from the words that set each apart."):
            try:
                with st.spinner("Reading the members' text…"):
                    found = suggest_labels(client, selection.dataset_id, selection.vector_field, selection.alias)
            except APIError as err:
                show_api_error(err, "Suggesting labels")
                return
            except ValueError as err:  # no member holds text
                st.warning(f"No labels to suggest: {markdown_text(err)}", icon=":material/text_fields:")
                return
            editor.suggestions = {cid: s.label for cid, s in found.labels.items() if s.label}
            st.rerun()
        return
    unlabelled = [r for r in editor.draft.edits.clusters.values() if not r.label and editor.suggestions.get(r.cluster_id)]
    if columns[0].button(f"Use the suggestion for every unlabelled cluster ({len(unlabelled):,})", disabled=not unlabelled,
                         icon=":material/done_all:"):
        editor.draft.set_rows(replace(r, label=editor.suggestions[r.cluster_id]) for r in unlabelled)
        st.rerun()
    columns[1].caption(f"{len(editor.suggestions):,} suggestions from the members' words. Tick **Use it** in a row to take "
                       "one; nothing is written until you press **Save**.")


def free_fields_editor(editor: Editor, selection: AliasSelection) -> None:
    """Top-level keys the dashboard does not own, as key / JSON value rows (add and delete rows too)."""
    draft = editor.draft
    key = input_key(editor, selection, "free_fields", draft.edits.free_fields)
    table = pd.DataFrame(
        [{"key": f.key, "value": f.value} for f in draft.edits.free_fields], columns=["key", "value"], dtype=str
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
    draft.set_free_fields(fields)
    editor.seen["free_fields"] = fields


def show_problems(problems: list[metadata.Problem]) -> None:
    for problem in problems:
        st.error(markdown_text(problem), icon=":material/error:")


def show_changes(changes: list[metadata.Change]) -> None:
    """One line per change, as plain text (the values in it are data); a long list is cut."""
    lines = [f"• {change}" for change in changes[:CHANGES_SHOWN]]
    if len(changes) > CHANGES_SHOWN:
        lines.append(f"… and {len(changes) - CHANGES_SHOWN:,} more")
    st.text("\n".join(lines))


def show_json(editor: Editor, selection: AliasSelection) -> None:
    """The object Save will write: in the page when small, else as a download (it reaches megabytes at k = 10,000)."""
    mine = editor.draft.mine
    text = json.dumps(mine, ensure_ascii=False, indent=2)
    if len(text) <= JSON_SHOWN:
        st.json(mine, expanded=2)
        return
    st.caption(f"{len(text) / 1e6:.1f} MB of JSON: too large to show here.")
    st.download_button(
        "Download it", text, file_name="metadata.json", mime="application/json", on_click="ignore",
        icon=":material/download:", key=widget_key(editor, selection, "download"),
    )

_SIDES: list[Side] = ["theirs", "mine"]  # the stored value first: it is the preselected one


def _side_text(conflict: metadata.Conflict, side: Side) -> str:
    # radio options render Markdown too
    return f"{'Stored now' if side == 'theirs' else 'Yours'}: {markdown_text(metadata.show_value(conflict.side(side)))}"


def stored_changed_panel(client, selection: AliasSelection, editor: Editor) -> None:
    """What someone else changed, the fields both sides changed (choose a side), merge or reload."""
    draft = editor.draft
    changed = draft.stored_changed
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
                    markdown_text(metadata.show_path(conflict.path)),
                    _SIDES,
                    format_func=partial(_side_text, conflict),
                    key=widget_key(editor, selection, f"conflict-{index}"),
                )
                if side is not None:  # never None (the first option is preselected); unchosen keeps theirs anyway
                    choices[index] = side
        else:
            st.markdown("Your edits and theirs touch different fields, so they merge without a choice to make.")
        actions = st.container(horizontal=True)
        if actions.button(
            "Merge into my edits", type="primary", icon=":material/merge:", key=widget_key(editor, selection, "merge")
        ):
            draft.merge(choices)
            editor.notice = "Merged: their changes and yours are in the editor. Review them, then press **Save** again."
            st.rerun()
        if actions.button(
            "Discard my edits and reload", icon=":material/refresh:", key=widget_key(editor, selection, "reload")
        ):
            reload(client, selection, editor, "Reloaded: showing the metadata as stored now; your edits were dropped.")
            st.rerun()


def save_edits(client, selection: AliasSelection, editor: Editor) -> None:
    """Save the draft (read-before-write); on a stored change, keep the edits and open the merge panel."""
    try:
        result = editor.draft.save(client)
    except metadata.InvalidMetadataError as error:
        show_problems(error.problems)
        return
    except APIError as err:
        show_api_error(err, "Saving the metadata")
        return
    if result.saved:
        count = result.changes
        editor.notice = f"Saved {count} change{'s' if count != 1 else ''} to '{markdown_text(selection.alias)}'."
    st.rerun()


def history_panel(client, selection: AliasSelection, editor: Editor) -> None:
    """The stored versions (when, by whom, what changed), one version's changes in words, and
    "Restore this version": writing that version's object whole, a new version, conflict-checked."""
    try:
        page = client.centroids.metadata_history(
            selection.dataset_id, selection.vector_field, selection.alias, page_size=HISTORY_SHOWN + 1
        )
    except NotSupportedError:
        st.caption("This server keeps no history of the metadata (the hosted API does not; Centroid Explorer's own server does).")
        return
    except APIError as err:
        show_api_error(err, "Reading the metadata history")
        return
    listed = page["results"]
    shown = listed[:HISTORY_SHOWN]
    if not shown:
        st.caption("Nothing has been written to this alias's metadata yet.")
        return
    st.caption(f"The newest {len(shown):,} of {page['count']:,} versions. Restoring a version writes it again as a new one.")
    st.dataframe(
        pd.DataFrame(
            [{"version": v["version"], "written_at": v["written_at"], "written_by": v["written_by"],
              "changed": _changed_paths(v["changed"])} for v in shown],
            columns=["version", "written_at", "written_by", "changed"],
        ),
        hide_index=True,
        column_config={
            "version": st.column_config.TextColumn("Version"),
            "written_at": st.column_config.TextColumn("When (UTC)"),
            "written_by": st.column_config.TextColumn("By (API key)"),
            "changed": st.column_config.TextColumn("Changed", width="large"),
        },
    )
    by_version = {v["version"]: position for position, v in enumerate(listed)}
    chosen = st.selectbox(  # keyed by the newest version: after a write, the new one is shown first
        "Version to look at", [v["version"] for v in shown], key=_state_key(selection, "history", shown[0]["version"]),
        format_func=lambda version: f"Version {version} · {listed[by_version[version]]['written_at'] or 'time not recorded'}",
    )
    position = by_version.get(chosen)
    if position is None:
        return
    older = listed[position + 1]["version"] if position + 1 < len(listed) else None
    try:
        after = _version(client, selection, editor, chosen)
        before = _version(client, selection, editor, older) if older is not None else {}
    except APIError as err:
        show_api_error(err, "Reading a version of the metadata")
        return
    changes = metadata.diff(before, after)
    if changes:
        show_changes(changes)
    else:
        st.caption("No change from the version before.")
    draft = editor.draft
    current = position == 0
    if st.button(
        "Restore this version", icon=":material/restore:", key=widget_key(editor, selection, "restore"),
        disabled=current or draft.dirty or draft.stored_changed is not None,
        help="It is the current version." if current else "Save or discard your edits first." if draft.dirty else None,
    ):
        try:
            result = draft.restore(client, after)
        except metadata.InvalidMetadataError as error:
            show_problems(error.problems)
            return
        except APIError as err:
            show_api_error(err, "Restoring the version")
            return
        if result.saved:
            editor.notice = f"Restored version {markdown_text(chosen)} as a new version ({result.changes} change(s))."
        st.rerun()


def _version(client, selection: AliasSelection, editor: Editor, version: str) -> dict:
    if version not in editor.versions_read:
        if len(editor.versions_read) >= 4:  # two are shown at a time; each may be megabytes at k = 10,000
            editor.versions_read.pop(next(iter(editor.versions_read)))
        stored = client.centroids.metadata_at(selection.dataset_id, selection.vector_field, selection.alias, version)
        editor.versions_read[version] = stored if isinstance(stored, dict) else {}
    return editor.versions_read[version]


def _changed_paths(paths) -> str:
    if paths is None:
        return "(not recorded)"
    named = [metadata.show_path(tuple(str(part) for part in path)) for path in paths[:PATHS_SHOWN]]
    more = f" … and {len(paths) - PATHS_SHOWN:,} more" if len(paths) > PATHS_SHOWN else ""
    return "; ".join(named) + more


# --- one cluster, in place (the cluster documents page) --------------------------------------


def cluster_label_editor(client, selection: AliasSelection, cluster_id: str) -> None:
    """Label and description of one cluster, saved with the same read-before-write and merge."""
    editor = open_editor(client, selection, drawn_by=f"label-{cluster_id}")
    if editor is None:
        return
    draft = editor.draft
    row = draft.row(cluster_id)
    show_notice(editor)
    # Plain labels: the expander around this form names the cluster (a widget label renders Markdown).
    label = st.text_input(
        "Label", value=row.label, max_chars=metadata.MAX_LABEL,
        placeholder="A short name for this cluster", key=input_key(editor, selection, f"label-{cluster_id}", row.label),
    )
    description = st.text_area(
        "Description", value=row.description, max_chars=metadata.MAX_CLUSTER_DESCRIPTION, height=80,
        placeholder="What the documents in this cluster have in common",
        key=input_key(editor, selection, f"description-{cluster_id}", row.description),
    )
    editor.seen[f"label-{cluster_id}"], editor.seen[f"description-{cluster_id}"] = label, description
    draft.set_rows([replace(row, label=label, description=description)])
    show_problems(draft.problems)
    if draft.stored_changed is not None:
        stored_changed_panel(client, selection, editor)
    elif st.button(
        "Save label and description", type="primary", icon=":material/save:",
        disabled=bool(draft.problems) or not draft.changes, key=widget_key(editor, selection, f"save-{cluster_id}"),
    ):
        save_edits(client, selection, editor)
    elif draft.changes:
        elsewhere = [c for c in draft.changes if c.path[:2] != (metadata.CLUSTERS, cluster_id)]
        also = f" Saving also saves {len(elsewhere)} unsaved edit(s) made on the Metadata page." if elsewhere else ""
        st.caption(f"Unsaved.{also}")


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _tags(value) -> tuple[str, ...]:
    if value is None or isinstance(value, float):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(tag) for tag in value)
