"""Upload centroids from a CSV (checked before anything is written), and export the current ones.

Names from the data or the file (dataset, vector field, alias, file name, ids, columns) appear only
in st.text and tables, never in markdown: messages and labels say "the current alias" instead.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath

import streamlit as st

from centroid_explorer import centroid_csv
from centroid_explorer.alias_centroids import (
    AliasExistsError,
    ReplaceIncompleteError,
    centroid_ids,
    upload,
)
from centroid_explorer.centroid_csv import CentroidCSVError
from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.client import APIError
from components.connection import connection_id
from components.csv_upload import format_help, preview_map, preview_table, problem_list
from components.feedback import require_client, require_selection, show_api_error
from components.page_reads import current_centroids
from components.pickers import Selection, clear_listing_cache

_NEW, _REPLACE = "new", "replace"
_RESULT = "upload_result"  # (selection, file id, UploadResult, ids read back) of the last upload
_OPEN_MAP = "upload_open_map"  # set by the "open on the map" button; acted on in the run the click starts




def _open_alias(alias: str) -> None:
    """Button callback: make the sidebar pick `alias` (callbacks run before the sidebar is drawn)."""
    clear_listing_cache()
    st.session_state["alias"] = alias
    st.session_state[_OPEN_MAP] = True


if st.session_state.pop(_OPEN_MAP, False):
    st.switch_page("views/cluster_map.py")
st.title(":material/upload_file: Upload centroids", anchor=False)
selection: Selection = require_selection(alias_required=False)  # alias None: this upload makes the first one
client = require_client()
file_stem = f"{selection.dataset_id}-{selection.vector_field.removesuffix('_vector_')}"

try:
    existing = CentroidSet.empty() if selection.alias is None else current_centroids(
        client, connection_id(), selection.dataset_id, selection.vector_field, selection.alias
    )
except APIError as err:
    show_api_error(err, "Reading the current centroids")
    st.stop()
dimension = selection.dimension or existing.dimension
st.text(
    f"Dataset {selection.dataset_id} · vector field {selection.vector_field}"
    + (f" ({dimension} dims)" if dimension else "")
    + (
        f" · current alias {selection.alias} ({len(existing.ids):,} centroids)"
        if selection.alias
        else " · no aliases yet: upload centroids to create the first one"
    )
)

st.subheader("Upload a CSV", anchor=False)
format_help(dimension, file_stem)
uploaded_file = st.file_uploader(
    "Centroid CSV",
    type=["csv"],
    max_upload_size=centroid_csv.MAX_BYTES // 2**20,
    help="Checked completely before anything is written: nothing is uploaded until you press the button.",
    key="upload_file",
)

def _names(selection) -> tuple:
    """What a selection names, to compare across runs: once its alias exists, the sidebar's selection
    comes back as an AliasSelection, which never equals the plain Selection stored before."""
    return selection.dataset_id, selection.vector_field, selection.alias


last = st.session_state.get(_RESULT)
if uploaded_file is None:
    st.info(
        "Choose a `.csv` file with one centroid per row, or start from the template above. "
        "You will see every problem, a preview and a map before anything is written.",
        icon=":material/upload_file:",
    )
else:
    centroids: CentroidSet | None
    try:
        centroids = centroid_csv.parse(uploaded_file.getvalue(), dimension)
    except CentroidCSVError as error:
        problem_list(error)
        centroids = None
    if centroids is not None:
        already_done = last is not None and last[0] == _names(selection) and last[1] == uploaded_file.file_id
        st.success(
            f"**The file holds {len(centroids.ids):,} centroids of {centroids.dimension:,} dims, all good.**"
            + ("" if already_done else " Nothing is written until you press Upload below."),
            icon=":material/check_circle:",
        )
        left, right = st.columns([1, 1])
        with left:
            preview_table(centroids)
        with right:
            preview_map(existing, centroids)

        if not already_done:
            st.subheader("Where to write them", anchor=False)
            target = _NEW if selection.alias is None else st.radio(
                "Target alias",
                [_NEW, _REPLACE],
                format_func=lambda t: "A new alias" if t == _NEW else "Replace the current alias",
                horizontal=True,
                key="upload_target",
            )
            ready = False
            if target == _NEW:
                alias = st.text_input(
                    "New alias name", value=PurePath(uploaded_file.name).stem, max_chars=200, key="upload_new_alias"
                ).strip()
                if not alias:
                    st.warning("Type a name for the new alias.", icon=":material/edit:")
                else:
                    try:
                        taken = len(centroid_ids(client, selection.dataset_id, selection.vector_field, alias))
                    except APIError as err:
                        show_api_error(err, "Checking the alias name")
                        st.stop()
                    if taken:
                        st.warning(
                            f"**An alias of this name already has {taken:,} centroids.** Type another name, or pick "
                            "it in the sidebar and choose *Replace* to overwrite it.",
                            icon=":material/warning:",
                        )
                    else:
                        st.caption(
                            "A new alias starts with centroids only: no documents are assigned to its clusters yet, "
                            "so its map shows the centroids alone."
                        )
                        ready = True
            elif selection.alias is not None:  # always, when Replace is offered: there is a current alias
                alias = selection.alias
                in_file = set(centroids.ids)
                removed = sum(1 for cid in existing.ids if cid not in in_file)
                updated = len(existing.ids) - removed
                st.markdown(
                    f"**Replace** means the current alias will hold exactly the {len(centroids.ids):,} centroids of "
                    f"this file: {updated:,} existing centroid(s) with the same id are overwritten, {removed:,} whose "
                    "id is not in the file are deleted, the rest are added. The file is written first and the old "
                    "ones are deleted after, so a rejected file changes nothing. Documents keep their cluster "
                    "assignments and the alias keeps its metadata (labels of deleted clusters stay in it)."
                )
                ready = st.checkbox(
                    f"Yes, replace the {len(existing.ids):,} centroids of the current alias", key="upload_confirm_replace"
                )
            if st.button(
                f"Upload {len(centroids.ids):,} centroids", type="primary", disabled=not ready,
                icon=":material/cloud_upload:", key="upload_go",
            ):
                try:
                    with st.spinner(f"Writing {len(centroids.ids):,} centroids…"):
                        result = upload(
                            client, selection.dataset_id, selection.vector_field, alias, centroids,
                            replace=target == _REPLACE,
                        )
                        stored = centroid_ids(client, selection.dataset_id, selection.vector_field, alias)
                except (AliasExistsError, ReplaceIncompleteError) as error:
                    st.error("**The upload did not finish.**", icon=":material/error:")
                    st.text(str(error))  # names the alias: text, not markdown
                except APIError as err:
                    show_api_error(err, "Uploading the centroids")
                else:
                    current_centroids.clear()
                    clear_listing_cache()  # the sidebar lists the new alias at once
                    if selection.alias is None:  # the first alias: the sidebar picks it
                        st.session_state["alias"] = alias
                        selection = replace(selection, alias=alias)
                    st.session_state[_RESULT] = (_names(selection), uploaded_file.file_id, result, stored)
                    st.rerun()

if last is not None and last[0] == _names(selection) and uploaded_file is not None and last[1] == uploaded_file.file_id:
    _, _, result, stored = last
    removed_text = f" and removed {result.removed:,} old one(s)" if result.removed else ""
    st.success(f"**Inserted {result.inserted:,} centroids{removed_text}.**", icon=":material/task_alt:")
    st.text(f"Centroids now in the alias {result.alias} ({len(stored):,}), read back from the server:")
    st.dataframe({"Centroid id": stored}, hide_index=True, height=min(38 + 35 * len(stored), 320), key="upload_stored")
    st.button(
        "Open this alias on the cluster map", icon=":material/scatter_plot:",
        on_click=_open_alias, args=(result.alias,), key="upload_open_alias",
    )

st.divider()
st.subheader("Export the current centroids", anchor=False)
if existing.ids:
    st.download_button(
        f"Download the current alias as CSV ({len(existing.ids):,} centroids)",
        centroid_csv.export(existing.ids, existing.vectors),
        file_name=f"{file_stem}-{selection.alias}-centroids.csv",
        mime="text/csv",
        icon=":material/download:",
        key="upload_export",
    )
    st.caption("Same format as the upload: the file uploads again unchanged.")
elif selection.alias is None:
    st.caption("This vector field has no aliases yet: nothing to export.")
else:
    st.caption("The current alias has no centroids yet: nothing to export.")
