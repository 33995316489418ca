"""Write a plan: to a new alias (the default), or in place after an explicit confirmation.

The API has no transaction across requests (our server makes each request one transaction; a
hosted one promises nothing), so neither write can be one atomic step. What each guarantees:

New alias (`write_new_alias`): the source alias is never written to. The new name must be free
(no centroids, no document assigned under it). Order: every document's assignment under the new
alias, then its centroids, then its metadata (the source's, with the plan's cluster entries and
a `derived_from` record). An alias shows up complete only once its centroids exist, so a failure
before that leaves the new alias without centroids; a failure at its metadata deletes its
centroids again. Either way the error says so and the source alias is as it was.

In place (`write_in_place`): first the alias is read again and must still hold what the preview
was computed from (else nothing is written). Then, in this order: the new and recomputed
centroids are inserted (one upsert), the moved documents get their new cluster (requests of
UPDATE_BATCH documents, each all-or-nothing), the removed centroids are deleted, and the metadata
is re-read and written with the plan's cluster entries (other keys and clusters as stored then; on a
server that versions the metadata, only if it is still the version re-read, else read again).
Each intermediate state is a valid clustering (at worst a cluster with no members). If any step
fails, what was done is undone from the state read for the preview: documents already moved get
their old cluster back (those that still exist), deleted centroids are inserted again, added ones
deleted and changed ones given their old vector, and the metadata written back if it was written.
The error says whether that restore succeeded; if it did not (the server went away), it says
what is left, and the preview's state is kept by the caller to try again.

The safest path, on any server, is the default: write to a new alias, look at it, then use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from centroid_explorer.alias_centroids import centroid_ids
from centroid_explorer.client import CLUSTER_FIELD, APIError, NotFoundError, PreconditionFailedError
from centroid_explorer.curation.plans import DERIVED, Plan
from centroid_explorer.curation.state import changed_since, read_assignments
from centroid_explorer.display import one_line

UPDATE_BATCH = 1000  # documents per bulk_update request (each one all-or-nothing)
METADATA_ATTEMPTS = 3  # reads and conditional writes of the metadata, while others keep writing it

log = logging.getLogger(__name__)


class AliasTakenError(ValueError):
    """The new alias's name is already used: writing would mix two clusterings."""


class SourceChangedError(ValueError):
    """The alias changed since the preview; nothing was written."""


class WriteFailedError(RuntimeError):
    """A write stopped part-way. `source_intact`: the alias the plan was made from is as before (a new
    alias's write never touches it; an in-place write is undone)."""

    def __init__(self, message: str, source_intact: bool):
        self.source_intact = source_intact
        super().__init__(message)


@dataclass(frozen=True)
class WriteResult:
    alias: str
    centroids: int  # centroids written
    documents: int  # documents whose assignment was written
    removed: int  # centroids deleted (in place only)


def assignment_update(document_id: str, vector_field: str, alias: str, cluster_id: str) -> dict:
    """A partial update setting `_cluster_.{vector_field}.{alias}`: nested objects, which the server
    merges key by key (a dotted path would split a field or alias name that holds a dot)."""
    return {"_id": document_id, CLUSTER_FIELD: {vector_field: {alias: cluster_id}}}


def write_new_alias(client, plan: Plan, new_alias: str) -> WriteResult:
    source = plan.source
    _check_new_alias(client, plan, new_alias)
    _check_unchanged(client, plan)
    assignments = plan.assignments_after()
    step = "assigning the documents"
    centroids_written = False
    try:
        _update(client, source.dataset_id, [
            assignment_update(doc_id, source.vector_field, new_alias, cid) for doc_id, cid in assignments.items()
        ])
        step = "writing the centroids"
        ids, vectors = plan.cluster_ids_after, plan.centroids_after()
        centroids_written = True
        client.centroids.insert(source.dataset_id, _centres(ids, vectors, source.vector_field), source.vector_field, new_alias)
        step = "writing the metadata"
        metadata = plan.metadata_after(source.metadata) | {DERIVED: plan.derived_record()}
        client.centroids.metadata(source.dataset_id, source.vector_field, new_alias, metadata)
    except (APIError, _RefusedError) as error:
        cleaned = not centroids_written or _deleted_alias(client, source.dataset_id, source.vector_field, new_alias)
        left = "has no centroids" if cleaned else "may hold some centroids (delete them before using it)"
        raise WriteFailedError(
            f"Writing the new alias '{one_line(new_alias)}' stopped while {step}: {error.message}. "
            f"The alias '{one_line(source.alias)}' is unchanged (nothing was written to it). "
            f"'{one_line(new_alias)}' {left}; its name stays taken by the documents assigned under it, "
            "so write again under another name.",
            source_intact=True,
        ) from error
    return WriteResult(new_alias, len(ids), len(assignments), 0)


def write_in_place(client, plan: Plan) -> WriteResult:
    source = plan.source
    _check_unchanged(client, plan)
    done = _Done()
    try:
        client.centroids.insert(
            source.dataset_id, _centres(list(plan.centroids), list(plan.centroids.values()), source.vector_field),
            source.vector_field, source.alias,
        )
        done.centroids_inserted = True
        moves = list(plan.moves.items())
        for start in range(0, len(moves), UPDATE_BATCH):
            batch = moves[start : start + UPDATE_BATCH]
            done.moved.extend(doc_id for doc_id, _ in batch)  # before the request: a lost answer may hide a write
            _update(client, source.dataset_id, [
                assignment_update(doc_id, source.vector_field, source.alias, cid) for doc_id, cid in batch
            ])
        for cluster_id in plan.removed:
            client.centroids.delete(source.dataset_id, source.vector_field, source.alias, centroid_id=cluster_id)
            done.deleted.append(cluster_id)
        _write_metadata(client, plan, done)
    except (APIError, _RefusedError) as error:
        problem = _restore(client, plan, done)
        where = f"the alias '{one_line(source.alias)}'"
        if problem is None:
            message = f"{plan.summary} failed: {error.message}. What was written has been undone: {where} is as before."
        else:
            message = (f"{plan.summary} failed: {error.message}. Undoing it failed too ({problem}): {where} may be "
                       "left part-way. Try the write again, or write to a new alias.")
        raise WriteFailedError(message, source_intact=problem is None) from error
    return WriteResult(source.alias, len(plan.centroids), len(plan.moves), len(plan.removed))


@dataclass
class _Done:
    """What an in-place write has changed so far."""

    centroids_inserted: bool = False
    moved: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    metadata_before: dict | None = None


def _write_metadata(client, plan: Plan, done: _Done) -> None:
    """The plan's cluster entries onto the metadata stored now. Where the server versions it, the write
    names the version read (If-Match), so an edit landing in between is re-read, not overwritten."""
    source = plan.source
    for attempt in range(METADATA_ATTEMPTS):
        try:
            stored, version = client.centroids.read_metadata(source.dataset_id, source.vector_field, source.alias)
        except NotFoundError:
            stored, version = {}, None
        done.metadata_before = stored if isinstance(stored, dict) else {}
        try:
            client.centroids.metadata(source.dataset_id, source.vector_field, source.alias,
                                      plan.metadata_after(done.metadata_before), if_match=version)
            return
        except PreconditionFailedError:
            done.metadata_before = None  # nothing of ours was written
            if attempt == METADATA_ATTEMPTS - 1:
                raise


def _restore(client, plan: Plan, done: _Done) -> str | None:
    """Undo `done` from the plan's source state; None when that worked, else what failed."""
    source = plan.source
    dataset_id, vector_field, alias = source.dataset_id, source.vector_field, source.alias
    try:
        if done.metadata_before is not None:
            client.centroids.metadata(dataset_id, vector_field, alias, done.metadata_before)
        if done.moved:
            still_there = read_assignments(client, dataset_id, vector_field, alias)  # a document may be gone
            back = [d for d in done.moved if d in still_there and still_there[d] != source.assignments[d]]
            _update(client, dataset_id, [assignment_update(d, vector_field, alias, source.assignments[d]) for d in back])
        old = list(dict.fromkeys(cid for cid in [*done.deleted, *plan.centroids] if cid in source.cluster_ids))
        if done.centroids_inserted and old:
            client.centroids.insert(dataset_id, _centres(old, [source.centroid(c) for c in old], vector_field),
                                    vector_field, alias)
        if done.centroids_inserted:
            for cid in plan.centroids:
                if cid not in source.cluster_ids:
                    client.centroids.delete(dataset_id, vector_field, alias, centroid_id=cid)
    except (APIError, _RefusedError) as error:
        log.warning("restoring alias %r after a failed write failed: %s", alias, error.message)
        return error.message
    return None


def _check_new_alias(client, plan: Plan, new_alias: str) -> None:
    source = plan.source
    name = new_alias.strip()
    if not name or name != new_alias or not name.isprintable():
        raise ValueError("the new alias must be a name without leading or trailing spaces or control characters")
    if name == source.alias:
        raise AliasTakenError("the new alias must differ from the alias being changed; to change it, write in place")
    if centroid_ids(client, source.dataset_id, source.vector_field, name):
        raise AliasTakenError(f"the alias '{one_line(name)}' already has centroids: pick another name")
    if f"{CLUSTER_FIELD}.{source.vector_field}.{name}" in client.datasets.schema(source.dataset_id):
        raise AliasTakenError(f"documents are already assigned under the alias '{one_line(name)}': pick another name")


def _check_unchanged(client, plan: Plan) -> None:
    change = changed_since(client, plan.source)
    if change is not None:
        raise SourceChangedError(f"Nothing was written: {change}. Preview again to see the current clusters.")


class _RefusedError(Exception):
    """A server answered a bulk_update but listed documents it did not update."""

    def __init__(self, failed: list):
        self.message = f"the server did not update {len(failed)} document(s), for example {failed[0]!r}"
        super().__init__(self.message)


def _update(client, dataset_id: str, updates: list[dict]) -> None:
    """Each request of UPDATE_BATCH updates is all-or-nothing on our server; a hosted one may instead
    answer with the documents it skipped, which counts as a failure here."""
    for start in range(0, len(updates), UPDATE_BATCH):
        answer = client.datasets.bulk_update(dataset_id, updates[start : start + UPDATE_BATCH])
        if failed := (answer or {}).get("failed_documents"):
            raise _RefusedError(failed)


def _centres(ids, vectors, vector_field: str) -> list[dict]:
    return [{"_id": cid, vector_field: [float(x) for x in vector]} for cid, vector in zip(ids, vectors, strict=True)]


def _deleted_alias(client, dataset_id: str, vector_field: str, alias: str) -> bool:
    try:
        client.centroids.delete(dataset_id, vector_field, alias)
    except APIError as error:
        log.warning("deleting the centroids of %r after a failed write failed: %s", alias, error.message)
        return False
    return True
