"""The dashboard's keys inside an alias's metadata object: reading, writing, checking, and the one
way a path or a value of it is shown in words.

The API stores one JSON object per (dataset, vector field, alias) and replaces it whole on write.
The dashboard's part of it:

    {"description": "...",
     "run": {"algorithm": "kmeans", "k": 10, "date": "...", "inertia": 1.5},
     "clusters": {"cluster_3": {"label": "...", "description": "...", "tags": ["..."]}},
     ...any key another tool wrote...}

Reading tolerates junk (a string where an object should be, numbers as labels). Writing returns
a new object and keeps every key it does not know, at the top level and inside each cluster entry.
Every function here is linear in the number of clusters: the editor calls them on each rerun.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
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
    """What the dashboard shows and edits for one cluster: a row of the editor's table."""

    cluster_id: str
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


# --- the one renderer of a path and of a value ------------------------------------------------


def show_path(path: tuple[str, ...]) -> str:
    """Where a value sits, in words: "cluster 'c3' label", "alias description", "owner"."""
    if len(path) >= 2 and path[0] == CLUSTERS:
        field = " ".join(path[2:])
        return f"cluster '{one_line(path[1])}'" + (f" {field}" if field else "")
    if path == (DESCRIPTION,):
        return "alias description"
    return one_line(" ".join(path)) if path else "metadata"


def show_value(value: Any, limit: int = 80) -> str:
    """A stored value as one short line of JSON ("(not set)" when absent); invisible characters escaped."""
    if value is MISSING:
        return "(not set)"
    text = one_line(json_text(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


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


# --- reading -------------------------------------------------------------------------------


def alias_description(metadata: Any) -> str:
    return _text(as_dict(metadata).get(DESCRIPTION))


def run_info(metadata: Any) -> dict:
    """What was run to make these clusters (algorithm, k, date, inertia, ...), or {}."""
    return dict(as_dict(as_dict(metadata).get(RUN)))


def cluster_notes(metadata: Any) -> dict[str, ClusterNotes]:
    """Every cluster entry, read leniently: anything unreadable reads as empty."""
    entries = as_dict(as_dict(metadata).get(CLUSTERS))
    return {str(cluster_id): _notes_of(str(cluster_id), entry) for cluster_id, entry in entries.items()}


def notes_for(metadata: Any, cluster_id: str) -> ClusterNotes:
    """One cluster's notes (reads that entry only)."""
    return _notes_of(cluster_id, as_dict(as_dict(metadata).get(CLUSTERS)).get(cluster_id))


# --- writing (each returns a new object; the input is never modified) ----------------------


def with_alias_description(metadata: Any, description: str) -> dict:
    updated = copy.deepcopy(as_dict(metadata))
    updated[DESCRIPTION] = description.strip()
    return updated


def with_run(metadata: Any, run: Mapping[str, Any]) -> dict:
    updated = copy.deepcopy(as_dict(metadata))
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
    return with_clusters(copy.deepcopy(as_dict(metadata)), {cluster_id: {LABEL: label, DESCRIPTION: description, TAGS: tags}})


def with_clusters(metadata: dict, fields: Mapping[str, Mapping[str, Any]]) -> dict:
    """`metadata` with each cluster's given fields set (a None value leaves that field as stored).

    Copies only the objects on the way to what changes: the result shares every other entry with
    `metadata`, so setting one label among 10,000 clusters costs one entry, not the whole object.
    """
    if not fields:
        return metadata
    updated = dict(metadata)
    clusters = updated.get(CLUSTERS)
    # junk in our own key is replaced by a proper object
    clusters = updated[CLUSTERS] = dict(clusters) if isinstance(clusters, dict) else {}
    for cluster_id, values in fields.items():
        entry = clusters.get(cluster_id)
        entry = clusters[cluster_id] = dict(entry) if isinstance(entry, dict) else {}
        if values.get(LABEL) is not None:
            entry[LABEL] = values[LABEL].strip()
        if values.get(DESCRIPTION) is not None:
            entry[DESCRIPTION] = values[DESCRIPTION].strip()
        if values.get(TAGS) is not None:
            entry[TAGS] = _clean_tags(values[TAGS])
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


def new_problems(base: Any, mine: Any) -> list[Problem]:
    """What breaks the dashboard's rules in `mine` and did not already in `base`.

    Another tool may have stored a value this dashboard would refuse (a number as a label); writing
    it back untouched makes nothing worse, so it must not block saving an unrelated edit.
    """
    already = set(validate(base)) if isinstance(base, dict) else set()
    return [problem for problem in validate(mine) if problem not in already]


# --- helpers -------------------------------------------------------------------------------


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _notes_of(cluster_id: str, entry: Any) -> ClusterNotes:
    entry = as_dict(entry)
    tags = entry.get(TAGS)
    if isinstance(tags, str):
        tags = [tags]
    tag_list = tuple(t for t in (_text(t).strip() for t in tags) if t) if isinstance(tags, list) else ()
    return ClusterNotes(cluster_id, _text(entry.get(LABEL)), _text(entry.get(DESCRIPTION)), tag_list)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tag for tag in (t.strip() for t in tags) if tag))


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
            problems.append(Problem("tags", f"tag {show_value(tag)} is {len(tag)} characters; the limit is {MAX_TAG}", cluster_id))
    return problems
