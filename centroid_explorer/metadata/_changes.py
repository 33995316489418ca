"""Comparing metadata objects: what changed (`diff`), and the three-way `merge` with the `resolve`
that applies the side a user chose for each conflict.

`merge` is the read-before-write step: what this user changed since loading is replayed onto what
is stored now, and a field both sides changed differently is reported, not overwritten.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from centroid_explorer.metadata._model import CLUSTERS, MISSING, TAGS, as_dict, show_path, show_value

Side = Literal["mine", "theirs"]


@dataclass(frozen=True)
class Change:
    """One difference between two metadata objects. `path` is like ("clusters", "c3", "label")."""

    path: tuple[str, ...]
    before: Any
    after: Any

    def __str__(self) -> str:
        where = show_path(self.path)
        before, after = self.before, self.after
        if before is MISSING:
            return f"{where} set to {show_value(after)}"
        if after is MISSING:
            return f"{where} notes removed" if len(self.path) == 2 and self.path[0] == CLUSTERS else f"{where} removed"
        if self.path[-1:] == (TAGS,) and isinstance(before, list) and isinstance(after, list):
            added = [t for t in after if t not in before]
            removed = [t for t in before if t not in after]
            parts = ([f"added {', '.join(map(show_value, added))}"] if added else []) + (
                [f"removed {', '.join(map(show_value, removed))}"] if removed else []
            )
            return f"{where}: {'; '.join(parts) or 'reordered'}"
        return f"{where} changed from {show_value(before)} to {show_value(after)}"


@dataclass(frozen=True)
class Conflict:
    """A field changed one way in this edit and another way in the stored object since it was loaded."""

    path: tuple[str, ...]
    base: Any
    mine: Any
    theirs: Any

    def side(self, side: Side) -> Any:
        return self.mine if side == "mine" else self.theirs

    def __str__(self) -> str:
        return (
            f"{show_path(self.path)}: you changed it to {show_value(self.mine)}, "
            f"but it was changed to {show_value(self.theirs)} since you loaded it (it was {show_value(self.base)})"
        )


@dataclass(frozen=True)
class MergeResult:
    merged: dict  # holds `prefer`'s value for each conflict
    conflicts: list[Conflict]


def diff(before: Any, after: Any) -> list[Change]:
    """What changed from `before` to `after`, field by field."""
    changes: list[Change] = []
    _diff((), as_dict(before), as_dict(after), changes)
    return changes


def merge(base: Any, mine: Any, theirs: Any, *, prefer: Side = "theirs") -> MergeResult:
    """Three-way merge: `base` as loaded, `mine` as edited, `theirs` as stored now.

    A field changed on one side only takes that side's value; the same change on both sides is no
    conflict. A field changed differently on both sides is a Conflict, and the merged object holds
    `prefer`'s value for it ("theirs", the default, so nothing stored is overwritten unseen).
    """
    if prefer not in ("mine", "theirs"):
        raise ValueError("prefer must be 'mine' or 'theirs'")
    conflicts: list[Conflict] = []
    merged = _merge((), as_dict(base), as_dict(mine), as_dict(theirs), conflicts, prefer)
    return MergeResult(merged, conflicts)


def resolve(merge: MergeResult, choices: Mapping[int, Side]) -> dict:
    """The merged object with each conflict (by its index in `merge.conflicts`) set to the side chosen.

    Conflicts not in `choices` keep the value `merge` put there (the stored one by default).
    """
    resolved = copy.deepcopy(merge.merged)
    for index, conflict in enumerate(merge.conflicts):
        if index in choices:
            _set_path(resolved, conflict.path, conflict.side(choices[index]))
    return resolved


def _is_structure(path: tuple[str, ...]) -> bool:
    """Objects compared key by key: the root, `clusters`, and each cluster entry. Anything deeper is one value."""
    return path == () or path == (CLUSTERS,) or (len(path) == 2 and path[0] == CLUSTERS)


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key, MISSING) if isinstance(mapping, dict) else MISSING


def _keys(*objects: Any) -> list[str]:
    """Every key of the objects, in first-seen order (a dict, not a list: linear in the number of keys)."""
    keys: dict[str, None] = {}
    for obj in objects:
        keys.update(dict.fromkeys(as_dict(obj)))
    return list(keys)


def _diff(path: tuple[str, ...], before: Any, after: Any, changes: list[Change]) -> None:
    if before is after or before == after:
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


def _merge(path, base, mine, theirs, conflicts: list[Conflict], prefer: Side) -> Any:
    if mine is base or mine == theirs or mine == base:
        return theirs
    if theirs == base:
        return mine
    if _is_structure(path) and isinstance(mine, dict) and isinstance(theirs, dict):
        base_dict = as_dict(base)
        merged = {}
        for key in _keys(theirs, mine):
            value = _merge(path + (key,), _get(base_dict, key), _get(mine, key), _get(theirs, key), conflicts, prefer)
            if value is not MISSING:
                merged[key] = value
        return merged
    conflicts.append(Conflict(path, base, mine, theirs))
    return mine if prefer == "mine" else theirs


def _set_path(obj: dict, path: tuple[str, ...], value: Any) -> None:
    *parents, last = path
    for key in parents:
        child = obj.get(key)
        if not isinstance(child, dict):
            child = obj[key] = {}
        obj = child
    if value is MISSING:
        obj.pop(last, None)
    else:
        obj[last] = copy.deepcopy(value)

