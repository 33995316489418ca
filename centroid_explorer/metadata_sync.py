"""Read-before-write for an alias's metadata object, so a save never overwrites someone's change unseen.

The API stores the object whole. `save` re-reads the stored object just before writing: if it
differs from the `base` the user loaded, nothing is written and the caller gets what changed plus a
three-way merge to offer. A write by someone else between that re-read and our write: our server
versions the object (an ETag on the read), so the write names the version re-read (If-Match) and
is refused (412) if another landed in between, which `save` reports like a change found on the
re-read. The hosted API sends no version: there the window stays open, only short.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from centroid_explorer import cluster_metadata
from centroid_explorer.client import NotFoundError, PreconditionFailedError
from centroid_explorer.cluster_metadata import MISSING, Change, MergeResult, Problem
from centroid_explorer.metadata_edits import new_problems


class InvalidMetadataError(ValueError):
    """The edited object breaks the dashboard's rules (a too-long label...); nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class StoredChanged:
    """The stored object changed since `base` was loaded; nothing was written."""

    theirs: dict  # the object stored now
    changes: list[Change]  # base -> theirs: what someone else changed
    merge: MergeResult  # my edits replayed onto theirs; `conflicts` are fields both sides changed


@dataclass(frozen=True)
class SaveResult:
    """Either `stored` (what the API holds after the save) or `stored_changed` (nothing written)."""

    stored: dict | None = None
    stored_changed: StoredChanged | None = None
    written: bool = False  # False when there was nothing to write, or on a conflict

    @property
    def saved(self) -> bool:
        return self.stored_changed is None


def load(client, dataset_id: str, vector_field: str, alias: str) -> dict:
    """The alias's metadata object as stored now: {} when nothing is stored (an API may answer 404 for
    a new alias) or the stored value is not an object. The one read of it, for the pages, the CLI's
    clustering and the demo seeding."""
    try:
        stored = client.centroids.metadata(dataset_id, vector_field, alias)
    except NotFoundError:
        return {}
    return stored if isinstance(stored, dict) else {}


def save(client, dataset_id: str, vector_field: str, alias: str, base: Mapping, mine: Mapping) -> SaveResult:
    """Write `mine` unless the stored object changed since `base` was loaded.

    Raises InvalidMetadataError (before any call) when `mine` breaks a dashboard rule `base` kept, and the
    client's APIError subclasses when a call fails.
    """
    problems = new_problems(base, dict(mine))
    if problems:
        raise InvalidMetadataError(problems)
    try:
        theirs, version = client.centroids.read_metadata(dataset_id, vector_field, alias)
    except NotFoundError:
        theirs, version = {}, None
    theirs = theirs if isinstance(theirs, dict) else {}
    if theirs == base and theirs != mine:
        try:
            stored = client.centroids.metadata(dataset_id, vector_field, alias, metadata=dict(mine), if_match=version)
        except PreconditionFailedError:  # written by someone else since the re-read: nothing of ours was written
            theirs = load(client, dataset_id, vector_field, alias)
        else:
            return SaveResult(stored=stored if isinstance(stored, dict) else dict(mine), written=True)
    if theirs == mine:
        return SaveResult(stored=theirs)  # already stored: by us in another tab, or the same edit by someone else
    return SaveResult(
        stored_changed=StoredChanged(
            theirs=theirs,
            changes=cluster_metadata.diff(base, theirs),
            merge=cluster_metadata.merge(base, mine, theirs),
        )
    )


def resolve(merge: MergeResult, choices: Mapping[int, Literal["mine", "theirs"]]) -> dict:
    """The merged object with each conflict (by its index in `merge.conflicts`) set to the side chosen.

    Conflicts not in `choices` keep the stored ("theirs") value, as `cluster_metadata.merge` proposed.
    """
    resolved = copy.deepcopy(merge.merged)
    for index, conflict in enumerate(merge.conflicts):
        if choices.get(index) == "mine":
            _set_path(resolved, conflict.path, conflict.mine)
    return resolved


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

