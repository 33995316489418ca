"""The editor's view of an alias metadata object, the object its edits make, and the table's
search, filter and order.

The editor shows the alias description, one row per cluster (label, description, tags), and the
top-level keys the dashboard does not own as key / JSON-text pairs. `apply` builds the object to
write by starting from the stored one and setting only what the user changed, so everything the
editor does not show (the `run` record, unknown keys inside cluster entries, odd-typed values the
user left alone) is written back exactly as it was read. All of it is linear in the clusters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from centroid_explorer.metadata._model import (
    CLUSTERS,
    DESCRIPTION,
    LABEL,
    MISSING,
    RUN,
    TAGS,
    ClusterNotes,
    Problem,
    alias_description,
    as_dict,
    cluster_notes,
    json_text,
    natural_key,
    new_problems,
    with_clusters,
)

# Top-level keys with their own place in the editor (`run` is shown read-only); the rest are free fields.
OWNED_KEYS = (DESCRIPTION, CLUSTERS, RUN)

Show = Literal["all", "labelled", "unlabelled", "unsaved"]
Order = Literal["id", "largest", "smallest"]


@dataclass(frozen=True)
class FreeField:
    key: str
    value: str  # JSON text, as the user sees and types it


@dataclass(frozen=True)
class Edits:
    description: str
    clusters: Mapping[str, ClusterNotes]  # by cluster id, in natural order of the ids
    free_fields: tuple[FreeField, ...] = ()

    def with_rows(self, rows: Iterable[ClusterNotes]) -> Edits:
        """These edits with the given rows replaced or added (a new id goes in its natural place)."""
        updates = {row.cluster_id: row for row in rows if self.clusters.get(row.cluster_id) != row}
        if not updates:
            return self
        merged = {**self.clusters, **updates}
        if not updates.keys() <= self.clusters.keys():
            merged = {cid: merged[cid] for cid in sorted(merged, key=natural_key)}
        return Edits(self.description, merged, self.free_fields)


@dataclass(frozen=True)
class ClusterFilter:
    """What the cluster table shows: ids or labels containing `text`, `show`, a tag, in an order."""

    text: str = ""
    show: Show = "all"
    tag: str | None = None
    order: Order = "id"
    sizes: Mapping[str, int] = field(default_factory=dict)


def edits_from(metadata: Any, cluster_ids: Iterable[str] = ()) -> Edits:
    """What the editor shows for `metadata`: every cluster in `cluster_ids` or in the metadata, in natural order."""
    notes = cluster_notes(metadata)
    ids = sorted(set(cluster_ids) | notes.keys(), key=natural_key)
    rows = {cid: notes.get(cid) or ClusterNotes(cid) for cid in ids}
    free = tuple(FreeField(key, json_text(value)) for key, value in as_dict(metadata).items() if key not in OWNED_KEYS)
    return Edits(alias_description(metadata), rows, free)


def apply(base: Any, edits: Edits) -> tuple[dict, list[Problem]]:
    """The object to write: `base` with the edits set on it, and every problem found (write nothing if any).

    Problems name where they are: `cluster_id` set for a cluster's field, `field == "description"`
    for the alias description, and `field` = "field '<key>'" (or "free fields") for the free fields.
    """
    base = as_dict(base)
    result = with_clusters(base, changed_fields(base, edits.clusters.values()))
    if edits.description.strip() != alias_description(base).strip():
        result = {**result, DESCRIPTION: edits.description.strip()}
    free_values, problems = _parse_free_fields(edits.free_fields)
    deleted = [k for k in result if k not in OWNED_KEYS and k not in free_values]  # rows the user deleted
    changed = {k: v for k, v in free_values.items() if base.get(k, MISSING) != v}
    if deleted or changed:
        result = {k: v for k, v in result.items() if k not in deleted} | changed
    return result, problems + new_problems(base, result)


def changed_fields(base: Any, rows: Iterable[ClusterNotes]) -> dict[str, dict[str, Any]]:
    """Per cluster id, the fields of `rows` that differ from what `base` stores (ignoring spaces around)."""
    stored = cluster_notes(base)  # once: one lookup per row after this
    changed: dict[str, dict[str, Any]] = {}
    for row in rows:
        before = stored.get(row.cluster_id) or ClusterNotes(row.cluster_id)
        fields: dict[str, Any] = {}
        if row.label.strip() != before.label.strip():
            fields[LABEL] = row.label
        if row.description.strip() != before.description.strip():
            fields[DESCRIPTION] = row.description
        if tuple(t.strip() for t in row.tags if t.strip()) != before.tags:
            fields[TAGS] = row.tags
        if fields:
            changed[row.cluster_id] = fields
    return changed


def find_clusters(edits: Edits, wanted: ClusterFilter, unsaved: Iterable[str] = ()) -> list[ClusterNotes]:
    """The rows the table shows for `wanted`; `unsaved` are the ids with an unsaved edit."""
    text = wanted.text.strip().casefold()
    unsaved_ids = set(unsaved)
    rows = [
        row
        for row in edits.clusters.values()
        if (not text or text in row.cluster_id.casefold() or text in row.label.casefold())
        and (wanted.tag is None or wanted.tag in row.tags)
        and (
            wanted.show == "all"
            or (wanted.show == "labelled" and bool(row.label.strip()))
            or (wanted.show == "unlabelled" and not row.label.strip())
            or (wanted.show == "unsaved" and row.cluster_id in unsaved_ids)
        )
    ]
    if wanted.order != "id":  # sorted() is stable: equal sizes stay in id order; unknown sizes go last
        sign = -1 if wanted.order == "largest" else 1
        rows.sort(key=lambda r: (r.cluster_id not in wanted.sizes, sign * wanted.sizes.get(r.cluster_id, 0)))
    return rows


def tags_in(edits: Edits) -> list[str]:
    """Every tag the rows hold, sorted, for the tag filter."""
    return sorted({tag for row in edits.clusters.values() for tag in row.tags}, key=str.casefold)


def _parse_free_fields(fields: Iterable[FreeField]) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for position, free in enumerate(fields, start=1):
        key, text = free.key.strip(), free.value.strip()
        if not key:
            if text:
                problems.append(Problem("free fields", f"row {position} has a value but no key"))
            continue
        where = f"field '{key}'"
        if key in OWNED_KEYS:
            problems.append(Problem(where, f"'{key}' is edited in its own place on this page; use another key"))
        elif key in values:
            problems.append(Problem(where, "appears twice; keep one row per key"))
        elif not text:
            problems.append(Problem(where, 'has no value; write null, "text", a number, [..] or {..}'))
        else:
            try:
                values[key] = json.loads(text)
            except json.JSONDecodeError as error:
                problems.append(
                    Problem(
                        where,
                        f"the value is not JSON ({error.msg} at character {error.pos + 1}); "
                        'text needs double quotes, like "owner name"',
                    )
                )
    return values, problems
