"""An alias's metadata: the dashboard's keys in it, and the editing workflow (`Draft`), in one place.

Everything is imported from here; the modules behind it are private:
  _model    the keys, limits and `ClusterNotes`; lenient reading, writes that keep unknown keys,
            validation; the one renderer of a path (`show_path`) and a value (`show_value`)
  _changes  `diff`, the three-way `merge` and its `resolve`
  _edits    the editor's rows and free fields, `apply` (edits -> the object to write), the table's filter
  _draft    `load` / `read` (the one stored-metadata read) and `Draft`: load, edit, save with the
            read-before-write check, merge with choices, reload
"""

from centroid_explorer.metadata._changes import Change, Conflict, MergeResult, Side, diff, merge, resolve
from centroid_explorer.metadata._draft import Draft, InvalidMetadataError, SaveResult, StoredChanged, load, read
from centroid_explorer.metadata._edits import (
    ClusterFilter,
    Edits,
    FreeField,
    Order,
    Show,
    apply,
    edits_from,
    find_clusters,
    tags_in,
)
from centroid_explorer.metadata._model import (
    CLUSTERS,
    DESCRIPTION,
    LABEL,
    MAX_ALIAS_DESCRIPTION,
    MAX_CLUSTER_DESCRIPTION,
    MAX_LABEL,
    MAX_TAG,
    MAX_TAGS,
    MISSING,
    RUN,
    TAGS,
    ClusterNotes,
    Problem,
    alias_description,
    cluster_notes,
    natural_key,
    notes_for,
    run_info,
    show_path,
    show_value,
    validate,
    with_alias_description,
    with_cluster_notes,
    with_run,
)

__all__ = [
    "CLUSTERS", "DESCRIPTION", "LABEL", "MAX_ALIAS_DESCRIPTION", "MAX_CLUSTER_DESCRIPTION", "MAX_LABEL", "MAX_TAG", "MAX_TAGS",
    "MISSING", "RUN", "TAGS", "Change", "ClusterFilter", "ClusterNotes", "Conflict", "Draft", "Edits", "FreeField",
    "InvalidMetadataError", "MergeResult", "Order", "Problem", "SaveResult", "Show", "Side", "StoredChanged",
    "alias_description", "apply", "cluster_notes", "diff", "edits_from", "find_clusters", "load", "merge",
    "natural_key", "notes_for", "read", "resolve", "run_info", "show_path", "show_value", "tags_in", "validate",
    "with_alias_description", "with_cluster_notes", "with_run",
]
