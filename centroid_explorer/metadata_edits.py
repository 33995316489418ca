"""The metadata editor's view of an alias metadata object, and the object its edits make.

The editor shows the alias description, one row per cluster (label, description, tags), and the
top-level keys the dashboard does not own as key / JSON-text pairs. `apply` builds the object to
write by starting from the stored one and setting only what the user changed, so everything the
editor does not show (the `run` record, unknown keys inside cluster entries, odd-typed values the
user left alone) is written back exactly as it was read.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from centroid_explorer import cluster_metadata as cm
from centroid_explorer.cluster_metadata import Problem

# Top-level keys with their own place in the editor (`run` is shown read-only); the rest are free fields.
OWNED_KEYS = (cm.DESCRIPTION, cm.CLUSTERS, cm.RUN)


@dataclass(frozen=True)
class ClusterRow:
    cluster_id: str
    label: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreeField:
    key: str
    value: str  # JSON text, as the user sees and types it


@dataclass(frozen=True)
class Edits:
    description: str
    clusters: tuple[ClusterRow, ...]
    free_fields: tuple[FreeField, ...]


def edits_from(metadata: Any, cluster_ids: Iterable[str] = ()) -> Edits:
    """What the editor shows for `metadata`: every cluster in `cluster_ids` or in the metadata, in natural order."""
    notes = cm.cluster_notes(metadata)
    ids = sorted(set(cluster_ids) | set(notes), key=natural_key)
    rows = tuple(
        ClusterRow(cid, notes[cid].label, notes[cid].description, notes[cid].tags) if cid in notes else ClusterRow(cid)
        for cid in ids
    )
    metadata = metadata if isinstance(metadata, dict) else {}
    free = tuple(FreeField(key, _json_text(value)) for key, value in metadata.items() if key not in OWNED_KEYS)
    return Edits(cm.alias_description(metadata), rows, free)


def apply(base: Any, edits: Edits) -> tuple[dict, list[Problem]]:
    """The object to write: `base` with the edits set on it, and every problem found (write nothing if any).

    Problems name where they are: `cluster_id` set for a cluster's field, `field == "description"`
    for the alias description, and `field` = "field '<key>'" (or "free fields") for the free fields.
    """
    base = base if isinstance(base, dict) else {}
    result = copy.deepcopy(base)
    if edits.description.strip() != cm.alias_description(base).strip():
        result = cm.with_alias_description(result, edits.description)
    for row in edits.clusters:
        result = with_row(result, row)
    free_values, problems = _parse_free_fields(edits.free_fields)
    for key in [k for k in result if k not in OWNED_KEYS and k not in free_values]:
        del result[key]  # the user deleted that row
    for key, value in free_values.items():
        if base.get(key, cm.MISSING) != value:
            result[key] = value
    return result, problems + new_problems(base, result)


def new_problems(base: Any, mine: Any) -> list[Problem]:
    """What breaks the dashboard's rules in `mine` and did not already in `base`.

    Another tool may have stored a value this dashboard would refuse (a number as a label); writing
    it back untouched makes nothing worse, so it must not block saving an unrelated edit.
    """
    already = set(cm.validate(base)) if isinstance(base, dict) else set()
    return [problem for problem in cm.validate(mine) if problem not in already]


def rows_as_records(rows: Iterable[ClusterRow], sizes: Mapping[str, int | None]) -> list[dict]:
    """One dict per cluster for a table: id, size, label, description, tags (a list)."""
    return [
        {
            "cluster_id": r.cluster_id,
            "size": sizes.get(r.cluster_id),
            "label": r.label,
            "description": r.description,
            "tags": list(r.tags),
        }
        for r in rows
    ]


def show_value(value: Any, limit: int = 80) -> str:
    """A stored value as one short line of JSON, for messages and choices ("(not set)" when absent)."""
    if value is cm.MISSING:
        return "(not set)"
    text = _json_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def natural_key(text: str) -> list:
    """Sort key that puts cluster_2 before cluster_10. Any id sorts: runs of decimal digits in any
    script compare by value (without int(), which refuses 4,300 digits), and `²` or `½` as text."""
    key = []
    for part in re.split(r"(\d+)", text):
        if part.isdecimal():
            digits = "".join(str(unicodedata.decimal(c)) for c in part).lstrip("0")
            key.append((0, len(digits), digits, part))
        elif part:
            key.append((1, 0, part, ""))
    return key


def with_row(metadata: dict, row: ClusterRow) -> dict:
    """`metadata` with the fields of `row` that differ from what is stored set; the rest untouched."""
    stored = cm.notes_for(metadata, row.cluster_id)
    changed: dict[str, Any] = {}
    if row.label.strip() != stored.label.strip():
        changed["label"] = row.label
    if row.description.strip() != stored.description.strip():
        changed["description"] = row.description
    if tuple(t.strip() for t in row.tags if t.strip()) != stored.tags:
        changed["tags"] = row.tags
    return cm.with_cluster_notes(metadata, row.cluster_id, **changed) if changed else metadata


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


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
