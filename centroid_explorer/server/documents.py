"""Checking incoming documents and centroids, and deriving a dataset's schema from them.

Pure functions over parsed JSON: the storage layer calls them before it writes anything, so a
request with one bad item is refused whole (each bad `_id` listed with its reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import contract


@dataclass
class ParsedDocument:
    doc_id: str
    fields: dict[str, Any]  # everything but the vectors, `_cluster_` included
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    assignments: list[tuple[str, str, str]] = field(default_factory=list)  # (vector_field, alias, cluster_id)


def is_vector_field(name: str) -> bool:
    return name.endswith(contract.VECTOR_SUFFIX)


def to_vector(value: Any) -> np.ndarray:
    """A non-empty list of finite numbers as float32; ValueError with the reason otherwise."""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of numbers")
    if not set(map(type, value)) <= {int, float}:  # bool is not a number here
        bad = next(i for i, x in enumerate(value) if type(x) not in (int, float))
        raise ValueError(f"element {bad} is {type(value[bad]).__name__}, not a number")
    try:
        with np.errstate(over="ignore"):  # overflow becomes inf, refused just below
            vector = np.asarray(value, dtype=np.float32)
    except OverflowError:
        raise ValueError("has an element too large for float32") from None
    finite = np.isfinite(vector)
    if not finite.all():
        raise ValueError(f"element {int(np.flatnonzero(~finite)[0])} is not finite in float32")
    return vector


def _check_id(item: Any, index: int, seen: set[str]) -> str:
    if not isinstance(item, dict):
        raise _ItemError(f"#{index}", "must be a JSON object")
    doc_id = item.get(contract.ID_FIELD)
    label = doc_id if isinstance(doc_id, str) and doc_id else f"#{index}"
    if not isinstance(doc_id, str) or not doc_id:
        raise _ItemError(label, "`_id` must be a non-empty string")
    if doc_id in seen:
        raise _ItemError(label, "duplicate `_id` in this request")
    seen.add(doc_id)
    return doc_id


class _ItemError(Exception):
    def __init__(self, item_id: str, error: str):
        super().__init__(error)
        self.failed = {"_id": item_id, "error": error}


def _check_dimension(name: str, vector: np.ndarray, dims: dict[str, int]) -> None:
    expected = dims.setdefault(name, len(vector))
    if len(vector) != expected:
        raise ValueError(f"has {len(vector)} dimensions, the field has {expected}")


def _assignments(value: Any) -> list[tuple[str, str, str]]:
    if not isinstance(value, dict):
        raise ValueError("`_cluster_` must be an object {vector_field: {alias: cluster_id}}")
    found = []
    for vector_field, aliases in value.items():
        if not isinstance(aliases, dict):
            raise ValueError(f"`_cluster_.{vector_field}` must be an object {{alias: cluster_id}}")
        for alias, cluster_id in aliases.items():
            if not isinstance(cluster_id, str) or not cluster_id:
                raise ValueError(f"`_cluster_.{vector_field}.{alias}` must be a non-empty string")
            found.append((vector_field, alias, cluster_id))
    return found


def parse_documents(documents: list[Any], dims: dict[str, int]) -> tuple[list[ParsedDocument], list[dict]]:
    """Split documents into fields, vectors and cluster assignments.

    `dims` maps the dataset's known vector fields to their dimension; new fields are added to it.
    Returns (parsed, failed) where failed lists {"_id", "error"} for each bad document.
    """
    parsed, failed, seen = [], [], set()
    for index, item in enumerate(documents):
        try:
            doc_id = _check_id(item, index, seen)
            doc = ParsedDocument(doc_id, {})
            for name, value in item.items():
                if is_vector_field(name):
                    try:
                        doc.vectors[name] = to_vector(value)
                        _check_dimension(name, doc.vectors[name], dims)
                    except ValueError as e:
                        raise _ItemError(doc_id, f"vector field `{name}` {e}") from None
                    continue
                if name == contract.CLUSTER_FIELD:
                    try:
                        doc.assignments = _assignments(value)
                    except ValueError as e:
                        raise _ItemError(doc_id, str(e)) from None
                doc.fields[name] = value
            parsed.append(doc)
        except _ItemError as e:
            failed.append(e.failed)
    return parsed, failed


def parse_centroids(
    centers: list[Any], vector_field: str, dimension: int
) -> tuple[list[tuple[str, np.ndarray, dict[str, Any]]], list[dict]]:
    """Check centroid documents: (cluster_id, vector, other fields) each, or the failures.

    The vector is read from `vector_field`, else from the legacy `centroid_vector_` key.
    """
    parsed, failed, seen = [], [], set()
    for index, item in enumerate(centers):
        try:
            cluster_id = _check_id(item, index, seen)
            key = vector_field if vector_field in item else contract.LEGACY_CENTROID_VECTOR
            if key not in item:
                raise _ItemError(cluster_id, f"no vector under `{vector_field}` (or `{contract.LEGACY_CENTROID_VECTOR}`)")
            try:
                vector = to_vector(item[key])
                _check_dimension(vector_field, vector, {vector_field: dimension})
            except ValueError as e:
                raise _ItemError(cluster_id, f"`{key}` {e}") from None
            rest = {k: v for k, v in item.items() if k not in (contract.ID_FIELD, vector_field, key)}
            for name in rest:
                if is_vector_field(name):
                    raise _ItemError(cluster_id, f"a centroid holds one vector; `{name}` is a second one")
            parsed.append((cluster_id, vector, rest))
        except _ItemError as e:
            failed.append(e.failed)
    return parsed, failed


def field_types(fields: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> schema type for the non-vector fields of one document (nulls are skipped)."""
    types: dict[str, Any] = {}
    for name, value in fields.items():
        if prefix == "" and name == contract.ID_FIELD:
            continue
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            types.update(field_types(value, f"{path}."))
        elif isinstance(value, bool):
            types[path] = contract.TYPE_BOOL
        elif isinstance(value, (int, float)):
            types[path] = contract.TYPE_NUMERIC
        elif isinstance(value, str):
            types[path] = contract.TYPE_TEXT
        elif isinstance(value, list):
            types[path] = contract.TYPE_ARRAY
    return types


def check_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema given to `datasets/create`: type names or {"vector": dim} for `_vector_` fields."""
    allowed = {contract.TYPE_TEXT, contract.TYPE_NUMERIC, contract.TYPE_BOOL, contract.TYPE_ARRAY}
    for path, kind in schema.items():
        if is_vector_field(path):
            dim = kind.get("vector") if isinstance(kind, dict) else None
            if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
                raise ValueError(f"schema field `{path}` must be {{\"vector\": <positive int>}}")
        elif kind not in allowed:
            raise ValueError(f"schema field `{path}` has type {kind!r}; use one of {sorted(allowed)} or a `_vector_` name")
    return schema
