"""The dashboard's keys inside an alias's metadata object, and how edits are kept safe.

The API stores one JSON object per (dataset, vector field, alias) and replaces it whole on write.
The dashboard's part of it:

    {"description": "...",
     "run": {"algorithm": "kmeans", "k": 10, "date": "...", "inertia": 1.5},
     "clusters": {"cluster_3": {"label": "...", "description": "...", "tags": ["..."]}},
     ...any key another tool wrote...}

Reading tolerates junk (a string where an object should be, numbers as labels). Writing returns
a new object and keeps every key it does not know, at the top level and inside each cluster
entry. `merge` is the read-before-write step: what this user changed since loading is replayed
onto what is stored now, and a field both sides changed differently is reported, not overwritten.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from centroid_explorer.display import one_line

DESCRIPTION = "description"
CLUSTERS = "clusters"
RUN = "run"
LABEL = "label"
TAGS = "tags"

MAX_ALIAS_DESCRIPTION = 5000
MAX_LABEL = 100
MAX_CLUSTER_DESCRIPTION = 2000
MAX_TAGS = 20
MAX_TAG = 40


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key absent from an object (distinct from null or "")


@dataclass(frozen=True)
class ClusterNotes:
    """What the dashboard shows and edits for one cluster."""

    label: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One invalid field; `cluster_id` is None for the alias-level fields."""

    field: str
    message: str
    cluster_id: str | None = None

    def __str__(self) -> str:
        where = f"cluster '{one_line(self.cluster_id)}', {self.field}" if self.cluster_id is not None else self.field
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Change:
    """One difference between two metadata objects. `path` is like ("clusters", "c3", "label")."""

    path: tuple[str, ...]
    before: Any
    after: Any

    def __str__(self) -> str:
        return _describe_change(self.path, self.before, self.after)


@dataclass(frozen=True)
class Conflict:
    """A field changed one way in this edit and another way in the stored object since it was loaded."""

    path: tuple[str, ...]
    base: Any
    mine: Any
    theirs: Any

    def __str__(self) -> str:
        return (
            f"{_where(self.path)}: you changed it to {_show(self.mine)}, "
            f"but it was changed to {_show(self.theirs)} since you loaded it (it was {_show(self.base)})"
        )


@dataclass(frozen=True)
class MergeResult:
    merged: dict
    conflicts: list[Conflict]


# --- reading -------------------------------------------------------------------------------


def alias_description(metadata: Any) -> str:
    return _text(_as_dict(metadata).get(DESCRIPTION))


def run_info(metadata: Any) -> dict:
    """What was run to make these clusters (algorithm, k, date, inertia, ...), or {}."""
    return dict(_as_dict(_as_dict(metadata).get(RUN)))


def cluster_notes(metadata: Any) -> dict[str, ClusterNotes]:
    """Every cluster entry, read leniently: anything unreadable reads as empty."""
    entries = _as_dict(_as_dict(metadata).get(CLUSTERS))
    return {str(cluster_id): _notes_of(entry) for cluster_id, entry in entries.items()}


def notes_for(metadata: Any, cluster_id: str) -> ClusterNotes:
    return cluster_notes(metadata).get(cluster_id, ClusterNotes())


# --- writing (each returns a new object; the input is never modified) ----------------------


def with_alias_description(metadata: Any, description: str) -> dict:
    updated = copy.deepcopy(_as_dict(metadata))
    updated[DESCRIPTION] = description.strip()
    return updated


def with_run(metadata: Any, run: Mapping[str, Any]) -> dict:
    updated = copy.deepcopy(_as_dict(metadata))
    updated[RUN] = dict(run)
    return updated


def with_cluster_notes(
    metadata: Any,
    cluster_id: str,
    *,
    label: str | None = None,
    description: str | None = None,
    tags: Iterable[str] | None = None,
) -> dict:
    """Set the given fields of one cluster (None leaves a field as stored); other keys are kept."""
    updated = copy.deepcopy(_as_dict(metadata))
    _set_notes(updated, cluster_id, label, description, tags)
    return updated


# --- checking ------------------------------------------------------------------------------


def validate(metadata: Any) -> list[Problem]:
    """Problems with the dashboard's keys; other keys are not ours to judge."""
    if not isinstance(metadata, dict):
        return [Problem("metadata", "must be a JSON object")]
    problems: list[Problem] = []
    if DESCRIPTION in metadata:
        problems += _check_text(metadata[DESCRIPTION], "description", MAX_ALIAS_DESCRIPTION, None)
    if RUN in metadata and not isinstance(metadata[RUN], dict):
        problems.append(Problem("run", "must be an object"))
    if CLUSTERS not in metadata:
        return problems
    clusters = metadata[CLUSTERS]
    if not isinstance(clusters, dict):
        return problems + [Problem("clusters", "must be an object of cluster id -> notes")]
    for cluster_id, entry in clusters.items():
        if not isinstance(entry, dict):
            problems.append(Problem("entry", "must be an object with label, description, tags", cluster_id))
            continue
        if LABEL in entry:
            problems += _check_text(entry[LABEL], "label", MAX_LABEL, cluster_id, one_line=True)
        if DESCRIPTION in entry:
            problems += _check_text(entry[DESCRIPTION], "description", MAX_CLUSTER_DESCRIPTION, cluster_id)
        if TAGS in entry:
            problems += _check_tags(entry[TAGS], cluster_id)
    return problems


# --- comparing and merging -----------------------------------------------------------------


def diff(before: Any, after: Any) -> list[Change]:
    """What changed from `before` to `after`, field by field."""
    changes: list[Change] = []
    _diff((), _as_dict(before), _as_dict(after), changes)
    return changes


def merge(base: Any, mine: Any, theirs: Any, *, prefer: str = "theirs") -> MergeResult:
    """Three-way merge: `base` as loaded, `mine` as edited, `theirs` as stored now.

    A field changed on one side only takes that side's value; the same change on both sides is no
    conflict. A field changed differently on both sides is a Conflict, and the merged object holds
    `prefer`'s value for it ("theirs", the default, so nothing stored is overwritten unseen).
    """
    if prefer not in ("mine", "theirs"):
        raise ValueError("prefer must be 'mine' or 'theirs'")
    conflicts: list[Conflict] = []
    merged = _merge((), _as_dict(base), _as_dict(mine), _as_dict(theirs), conflicts, prefer)
    return MergeResult(merged, conflicts)


# --- helpers -------------------------------------------------------------------------------


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _notes_of(entry: Any) -> ClusterNotes:
    entry = _as_dict(entry)
    tags = entry.get(TAGS)
    if isinstance(tags, str):
        tags = [tags]
    tag_list = tuple(t for t in (_text(t).strip() for t in tags) if t) if isinstance(tags, list) else ()
    return ClusterNotes(_text(entry.get(LABEL)), _text(entry.get(DESCRIPTION)), tag_list)


def _set_notes(metadata: dict, cluster_id: str, label, description, tags) -> None:
    clusters = metadata.get(CLUSTERS)
    if not isinstance(clusters, dict):  # junk in our own key: replaced by a proper object
        clusters = metadata[CLUSTERS] = {}
    entry = clusters.get(cluster_id)
    if not isinstance(entry, dict):
        entry = clusters[cluster_id] = {}
    if label is not None:
        entry[LABEL] = label.strip()
    if description is not None:
        entry[DESCRIPTION] = description.strip()
    if tags is not None:
        entry[TAGS] = _clean_tags(tags)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _check_text(value: Any, field: str, limit: int, cluster_id: str | None, one_line: bool = False) -> list[Problem]:
    if not isinstance(value, str):
        return [Problem(field, "must be text", cluster_id)]
    if len(value) > limit:
        return [Problem(field, f"is {len(value):,} characters; the limit is {limit:,}", cluster_id)]
    if one_line and "\n" in value:
        return [Problem(field, "must be a single line", cluster_id)]
    return []


def _check_tags(tags: Any, cluster_id: str) -> list[Problem]:
    if not isinstance(tags, list):
        return [Problem("tags", "must be a list of short texts", cluster_id)]
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(Problem("tags", f"{len(tags)} tags; the limit is {MAX_TAGS}", cluster_id))
    for position, tag in enumerate(tags, start=1):
        if not isinstance(tag, str) or not tag.strip():
            problems.append(Problem("tags", f"tag {position} must be non-empty text", cluster_id))
        elif len(tag) > MAX_TAG:
            problems.append(Problem("tags", f"tag {_show(tag)} is {len(tag)} characters; the limit is {MAX_TAG}", cluster_id))
    return problems


def _is_structure(path: tuple[str, ...]) -> bool:
    """Objects compared key by key: the root, `clusters`, and each cluster entry. Anything deeper is one value."""
    return path == () or path == (CLUSTERS,) or (len(path) == 2 and path[0] == CLUSTERS)


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key, MISSING) if isinstance(mapping, dict) else MISSING


def _diff(path: tuple[str, ...], before: Any, after: Any, changes: list[Change]) -> None:
    if before == after:
        return
    # A new cluster entry reads field by field ("cluster 'x' label set to ..."): to the user it is a
    # label given to a cluster that exists, not a cluster added. An entry removed whole is one change.
    both_objects = isinstance(before, dict) and isinstance(after, dict)
    one_clusters_object = path == (CLUSTERS,) and (isinstance(before, dict) or isinstance(after, dict))
    new_entry = len(path) == 2 and before is MISSING and isinstance(after, dict)
    if _is_structure(path) and (both_objects or one_clusters_object or new_entry):
        for key in _keys(before, after):
            _diff(path + (key,), _get(before, key), _get(after, key), changes)
    else:
        changes.append(Change(path, before, after))


def _merge(path, base, mine, theirs, conflicts: list[Conflict], prefer: str) -> Any:
    if mine == theirs or mine == base:
        return theirs
    if theirs == base:
        return mine
    if _is_structure(path) and isinstance(mine, dict) and isinstance(theirs, dict):
        base_dict = _as_dict(base)
        merged = {}
        for key in _keys(theirs, mine):
            value = _merge(path + (key,), _get(base_dict, key), _get(mine, key), _get(theirs, key), conflicts, prefer)
            if value is not MISSING:
                merged[key] = value
        return merged
    conflicts.append(Conflict(path, base, mine, theirs))
    return mine if prefer == "mine" else theirs


def _keys(*objects: Any) -> list[str]:
    keys: list[str] = []
    for obj in objects:
        for key in _as_dict(obj):
            if key not in keys:
                keys.append(key)
    return keys


def _where(path: tuple[str, ...]) -> str:
    if len(path) >= 2 and path[0] == CLUSTERS:
        field = " ".join(path[2:])
        return f"cluster '{one_line(path[1])}'" + (f" {field}" if field else "")
    if path == (DESCRIPTION,):
        return "alias description"
    return " ".join(path) if path else "metadata"


def _describe_change(path: tuple[str, ...], before: Any, after: Any) -> str:
    where = _where(path)
    if before is MISSING:
        return f"{where} set to {_show(after)}"
    if after is MISSING:
        return f"{where} notes removed" if len(path) == 2 and path[0] == CLUSTERS else f"{where} removed"
    if path[-1:] == (TAGS,) and isinstance(before, list) and isinstance(after, list):
        added = [t for t in after if t not in before]
        removed = [t for t in before if t not in after]
        parts = ([f"added {', '.join(map(_show, added))}"] if added else []) + (
            [f"removed {', '.join(map(_show, removed))}"] if removed else []
        )
        return f"{where}: {'; '.join(parts) or 'reordered'}"
    return f"{where} changed from {_show(before)} to {_show(after)}"


def _show(value: Any) -> str:
    if value is MISSING:
        return "(not set)"
    text = f'"{one_line(value)}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
