"""The metadata workflow as one object, without Streamlit: load, edit, check, save, and when the
stored object changed meanwhile, the merge with the user's choices or a reload; a version restored.

A save never overwrites someone's change unseen. It re-reads the stored object just before writing:
if that differs from the `base` the user loaded, nothing is written and `stored_changed` holds what
changed plus a three-way merge to offer. A write by someone else between that re-read and ours: our
server versions the object (an ETag on each read), so the write names the version it re-read
(If-Match) and is refused (412) if another landed in between, which is reported like a change found
on the re-read. The hosted API sends no version: there the window stays open, only short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from centroid_explorer.alias_centroids import centroid_ids
from centroid_explorer.client import NotFoundError, PreconditionFailedError
from centroid_explorer.metadata._changes import Change, MergeResult, Side, diff, merge, resolve
from centroid_explorer.metadata._edits import ClusterFilter, Edits, FreeField, apply, edits_from, find_clusters
from centroid_explorer.metadata._model import CLUSTERS, ClusterNotes, Problem, new_problems


class InvalidMetadataError(ValueError):
    """The edited object breaks the dashboard's rules (a too-long label...); nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class StoredChanged:
    """The stored object changed since `base` was loaded; nothing was written."""

    theirs: dict  # the object stored now
    version: str | None  # its version, when the server gives one
    changes: list[Change]  # base -> theirs: what someone else changed
    merge: MergeResult  # my edits replayed onto theirs; `conflicts` are fields both sides changed


@dataclass(frozen=True)
class SaveResult:
    """Either saved (`stored` is what the API holds now) or `stored_changed` (nothing written)."""

    stored: dict | None = None
    stored_changed: StoredChanged | None = None
    written: bool = False  # False when there was nothing to write, or on a conflict
    changes: int = 0  # how many changes the save made to what was loaded

    @property
    def saved(self) -> bool:
        return self.stored_changed is None


def load(client, dataset_id: str, vector_field: str, alias: str) -> dict:
    """The alias's metadata object as stored now: {} when nothing is stored (an API may answer 404 for
    a new alias) or the stored value is not an object. The one read of it, for the pages, the CLI's
    clustering and the demo seeding."""
    return read(client, dataset_id, vector_field, alias)[0]


def read(client, dataset_id: str, vector_field: str, alias: str) -> tuple[dict, str | None]:
    """The stored object (as `load`) and its version (None: the server gives none)."""
    try:
        stored, version = client.centroids.read_metadata(dataset_id, vector_field, alias)
    except NotFoundError:
        return {}, None
    return (stored if isinstance(stored, dict) else {}), version


class Draft:
    """One alias's metadata being edited: the object as loaded (`base`, `version`) and the edits on top."""

    def __init__(self, dataset_id: str, vector_field: str, alias: str, base: dict, version: str | None, cluster_ids: Iterable[str]):
        self.dataset_id, self.vector_field, self.alias = dataset_id, vector_field, alias
        self.generation = 0  # bumped whenever the edits are replaced from outside (reload, merge, save)
        self.base: dict
        self.version: str | None
        self.edits: Edits
        self.stored_changed: StoredChanged | None = None
        self._reset(base, version, edits_from(base, cluster_ids))

    @classmethod
    def load(cls, client, dataset_id: str, vector_field: str, alias: str) -> Draft:
        """The stored object and the alias's centroid ids (a row each, labelled or not)."""
        base, version = read(client, dataset_id, vector_field, alias)
        return cls(dataset_id, vector_field, alias, base, version, centroid_ids(client, dataset_id, vector_field, alias))

    # --- the edits ----------------------------------------------------------------------------

    def set_description(self, text: str) -> None:
        if text != self.edits.description:
            self.edits = replace(self.edits, description=text)

    def set_rows(self, rows: Iterable[ClusterNotes]) -> None:
        """Replace these clusters' rows (others unchanged); a new id adds a row."""
        self.edits = self.edits.with_rows(rows)

    def set_free_fields(self, fields: Iterable[FreeField]) -> None:
        fields = tuple(fields)
        if fields != self.edits.free_fields:
            self.edits = replace(self.edits, free_fields=fields)

    def row(self, cluster_id: str) -> ClusterNotes:
        return self.edits.clusters.get(cluster_id) or ClusterNotes(cluster_id)

    def find(self, wanted: ClusterFilter) -> list[ClusterNotes]:
        return find_clusters(self.edits, wanted, self.unsaved_ids() if wanted.show == "unsaved" else ())

    # --- what the edits make (computed once per edit: each is linear in the clusters) ----------

    @property
    def mine(self) -> dict:
        return self._result()[0]

    @property
    def problems(self) -> list[Problem]:
        return self._result()[1]

    @property
    def changes(self) -> list[Change]:
        return self._result()[2]

    @property
    def dirty(self) -> bool:
        return bool(self.problems or self.changes)

    def unsaved_ids(self) -> set[str]:
        return {c.path[1] for c in self.changes if len(c.path) >= 2 and c.path[0] == CLUSTERS}

    # --- saving, and what follows a stored change ---------------------------------------------

    def save(self, client) -> SaveResult:
        """Write the edits unless the stored object changed since `base` was read (then `stored_changed`
        is set and nothing is written). Raises InvalidMetadataError (before any call) when the edits
        break a dashboard rule the base kept, and the client's APIError subclasses when a call fails."""
        return self._write(client, self.mine, len(self.changes))

    def restore(self, client, old: dict) -> SaveResult:
        """Write `old` (a version from the history) whole, as a save is written: a new version, and
        refused like a save when the stored object changed since `base` was read. Only with nothing
        unsaved: the edits would be lost."""
        if self.dirty or self.stored_changed is not None:
            raise ValueError("save or discard the edits before restoring a version")
        return self._write(client, old, len(diff(self.base, old)))

    def merge(self, choices: Mapping[int, Side]) -> None:
        """After a stored change: the stored object becomes the base, and the edits hold the merge
        (each conflict's chosen side; unchosen ones keep the stored value). Save again to write it."""
        changed = self.stored_changed
        if changed is None:
            raise ValueError("nothing to merge: the last save found no stored change")
        merged = resolve(changed.merge, choices)
        self._reset(changed.theirs, changed.version, self._edits_for(merged))

    def reload(self, client) -> None:
        """Drop the edits: show the object as stored now."""
        base, version = read(client, self.dataset_id, self.vector_field, self.alias)
        self._reset(base, version, self._edits_for(base))

    def refresh(self, client) -> bool:
        """With nothing unsaved, re-read the stored object; True when it changed (the edits now show it)."""
        if self.dirty or self.stored_changed is not None:
            return False
        base, version = read(client, self.dataset_id, self.vector_field, self.alias)
        if base == self.base:
            self.version = version
            return False
        self._reset(base, version, self._edits_for(base))
        return True

    # --- inside ---------------------------------------------------------------------------------

    def _write(self, client, mine: dict, count: int) -> SaveResult:
        problems = new_problems(self.base, mine)
        if problems:
            raise InvalidMetadataError(problems)
        theirs, version = read(client, self.dataset_id, self.vector_field, self.alias)
        if theirs == self.base and theirs != mine:
            try:
                stored = client.centroids.metadata(
                    self.dataset_id, self.vector_field, self.alias, metadata=mine, if_match=version
                )
            except PreconditionFailedError:  # written by someone else since the re-read: nothing of ours was
                theirs, version = read(client, self.dataset_id, self.vector_field, self.alias)
            else:
                stored = stored if isinstance(stored, dict) else mine
                self._reset(stored, None, self._edits_for(stored))  # its version: known at the next read
                return SaveResult(stored=stored, written=True, changes=count)
        if theirs == mine:  # already stored: by us in another tab, or the same edit by someone else
            self._reset(theirs, version, self._edits_for(theirs))
            return SaveResult(stored=theirs, changes=count)
        self.stored_changed = StoredChanged(theirs, version, diff(self.base, theirs), merge(self.base, mine, theirs))
        return SaveResult(stored_changed=self.stored_changed)

    def _edits_for(self, metadata: dict) -> Edits:
        return edits_from(metadata, self.edits.clusters)

    def _reset(self, base: dict, version: str | None, edits: Edits) -> None:
        self.base, self.version, self.edits = base, version, edits
        self.stored_changed = None
        self.generation += 1
        self._cached: tuple[Edits, tuple[dict, list[Problem], list[Change]]] | None = None

    def _result(self) -> tuple[dict, list[Problem], list[Change]]:
        if self._cached is None or self._cached[0] is not self.edits:
            mine, problems = apply(self.base, self.edits)
            self._cached = (self.edits, (mine, problems, diff(self.base, mine)))
        return self._cached[1]


