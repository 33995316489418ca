"""Checking incoming documents, centroids and metadata, deriving a dataset's schema, selecting stored fields.

Pure functions over parsed JSON, the same for every store: a store calls them before it writes anything, so a
request with one bad item is refused whole (each bad `_id` listed with its reason). The rules
are the ones the OpenAPI schema states (models.py builds it from the same contract constants):
an item of the wrong shape is a 400; a well-formed item at odds with the dataset or with the
other items is a 409.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from ..checks import fits_float32
from . import contract
from .errors import BadRequest, Conflict, NotFound

_NAME = re.compile(contract.NAME_PATTERN)
_CENTROID_ID = re.compile(contract.CENTROID_ID_PATTERN)
_UPDATE_PATH = re.compile(contract.UPDATE_PATH_PATTERN)
# orjson refuses to write values nested 255 levels deep; see `serialized`.
_ORJSON_MAX_DEPTH = 254
_DEPTH_PADDING = _ORJSON_MAX_DEPTH - contract.MAX_JSON_DEPTH


@dataclass
class ParsedDocument:
    doc_id: str
    body: bytes  # JSON of everything but the vectors, `_cluster_` included
    fields: dict[str, Any]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    assignments: list[tuple[str, str, str]] = field(default_factory=list)  # (vector_field, alias, cluster_id)


def is_vector_field(name: str) -> bool:
    return name.endswith(contract.VECTOR_SUFFIX)


def is_name(value: Any) -> bool:
    """A non-empty string without control characters (contract.NAME_PATTERN)."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def serialized(value: Any) -> bytes:
    """`value` as JSON; ValueError if it is nested deeper than contract.MAX_JSON_DEPTH levels.

    Serializing it inside _DEPTH_PADDING lists fails exactly when it is too deep, at C speed
    (a walk in Python would visit every number of every list); the padding is then cut off.
    """
    padded = value
    for _ in range(_DEPTH_PADDING):
        padded = [padded]
    try:
        return orjson.dumps(padded)[_DEPTH_PADDING:-_DEPTH_PADDING]
    except orjson.JSONEncodeError:
        raise ValueError(f"is nested deeper than {contract.MAX_JSON_DEPTH} levels") from None


def to_vector(value: Any) -> np.ndarray:
    """A list of 1 to MAX_DIMENSION numbers that fit a float32 (checks.fits_float32), as float32; ValueError otherwise."""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of numbers")
    if len(value) > contract.MAX_DIMENSION:
        raise ValueError(f"has {len(value)} numbers; at most {contract.MAX_DIMENSION} are allowed")
    if not set(map(type, value)) <= {int, float}:  # bool is not a number here
        bad = next(i for i, x in enumerate(value) if type(x) not in (int, float))
        raise ValueError(f"element {bad} is {type(value[bad]).__name__}, not a number")
    try:
        exact = np.asarray(value, dtype=np.float64)
    except OverflowError:
        exact = np.asarray([float("inf")])
    within = fits_float32(exact)
    if not within.all():
        raise ValueError(f"element {int(np.flatnonzero(~within)[0])} is too large for float32")
    return exact.astype(np.float32)


class _ItemError(Exception):
    def __init__(self, item_id: str, error: str, conflict: bool = False):
        super().__init__(error)
        self.failed = {"_id": item_id, "error": error}
        self.conflict = conflict


def _refuse(failures: list[_ItemError], total: int, noun: str) -> None:
    """Raise the error for a refused write: 400 if any item is malformed, else 409."""
    if not failures:
        return
    kind = Conflict if all(f.conflict for f in failures) else BadRequest
    raise kind(f"{len(failures)} of {total} {noun} are invalid; nothing was written",
               failed_documents=[f.failed for f in failures])


def _check_item(item: Any, index: int, seen: set[str], id_pattern: re.Pattern, id_rule: str) -> str:
    """The item's `_id`, once the item is an object with a valid, unrepeated `_id` and named fields."""
    if not isinstance(item, dict):
        raise _ItemError(f"#{index}", "must be a JSON object")
    doc_id = item.get(contract.ID_FIELD)
    if not isinstance(doc_id, str) or id_pattern.fullmatch(doc_id) is None:
        raise _ItemError(f"#{index}", f"`_id` must be {id_rule}")
    if doc_id in seen:
        raise _ItemError(doc_id, "`_id` is given twice in this request", conflict=True)
    seen.add(doc_id)
    bad_name = next((name for name in item if not is_name(name)), None)
    if bad_name is not None:
        raise _ItemError(doc_id, f"field name {bad_name!r} must be non-empty, without control characters")
    return doc_id


_DOCUMENT_ID_RULE = "a non-empty string without control characters"
_CENTROID_ID_RULE = (
    "a non-empty string without control characters, `/`, `?`, `#` or `%`, and not `.` or `..` "
    "(centroid ids travel in URL paths)"
)


def _check_dimension(name: str, vector: np.ndarray, dims: dict[str, int]) -> None:
    expected = dims.setdefault(name, len(vector))
    if len(vector) != expected:
        raise ValueError(f"has {len(vector)} dimensions, the field has {expected}")


def _assignments(value: Any) -> list[tuple[str, str, str]]:
    if not isinstance(value, dict):
        raise ValueError("`_cluster_` must be an object {vector_field: {alias: cluster_id}}")
    found = []
    for vector_field, aliases in value.items():
        if not is_name(vector_field):
            raise ValueError(f"vector field name {vector_field!r} in `_cluster_` must be non-empty, "
                             "without control characters")
        if not isinstance(aliases, dict):
            raise ValueError(f"`_cluster_.{vector_field}` must be an object {{alias: cluster_id}}")
        for alias, cluster_id in aliases.items():
            if not is_name(alias):
                raise ValueError(f"alias {alias!r} in `_cluster_.{vector_field}` must be non-empty, "
                                 "without control characters")
            if not is_name(cluster_id):
                raise ValueError(f"`_cluster_.{vector_field}.{alias}` must be a non-empty string "
                                 "without control characters")
            found.append((vector_field, alias, cluster_id))
    return found


def parse_documents(documents: list[Any], dims: dict[str, int]) -> list[ParsedDocument]:
    """Split documents into fields, vectors and cluster assignments, or raise (400 / 409) naming each bad one.

    `dims` maps the dataset's known vector fields to their dimension; new fields are added to it.
    """
    parsed: list[ParsedDocument] = []
    failed: list[_ItemError] = []
    seen: set[str] = set()
    for index, item in enumerate(documents):
        try:
            doc_id = _check_item(item, index, seen, _NAME, _DOCUMENT_ID_RULE)
            fields, vectors, assignments = {}, {}, []
            for name, value in item.items():
                if is_vector_field(name):
                    try:
                        vectors[name] = to_vector(value)
                    except ValueError as e:
                        raise _ItemError(doc_id, f"vector field `{name}` {e}") from None
                    try:
                        _check_dimension(name, vectors[name], dims)
                    except ValueError as e:
                        raise _ItemError(doc_id, f"vector field `{name}` {e}", conflict=True) from None
                    continue
                if name == contract.CLUSTER_FIELD:
                    try:
                        assignments = _assignments(value)
                    except ValueError as e:
                        raise _ItemError(doc_id, str(e)) from None
                fields[name] = value
            try:
                body = serialized(fields)
            except ValueError as e:
                raise _ItemError(doc_id, f"the document {e}") from None
            parsed.append(ParsedDocument(doc_id, body, fields, vectors, assignments))
        except _ItemError as e:
            failed.append(e)
    _refuse(failed, len(documents), "documents")
    return parsed


def update_ids(updates: list[Any]) -> list[str]:
    """The `_id` of each partial update, once every update is an object with a valid, unrepeated `_id`
    and field paths (dotted names) without empty parts; else raise (400 / 409) naming each bad one."""
    ids: list[str] = []
    failed: list[_ItemError] = []
    seen: set[str] = set()
    for index, item in enumerate(updates):
        try:
            doc_id = _check_item(item, index, seen, _NAME, _DOCUMENT_ID_RULE)
            bad_path = next((name for name in item if _UPDATE_PATH.fullmatch(name) is None), None)
            if bad_path is not None:
                raise _ItemError(doc_id, f"field path {bad_path!r} has an empty part between dots")
            ids.append(doc_id)
        except _ItemError as e:
            failed.append(e)
    _refuse(failed, len(updates), "updates")
    return ids


def refuse_unknown(unknown: list[str], total: int) -> None:
    """A bulk update naming documents that do not exist: a 404 listing them (nothing is written)."""
    if unknown:
        raise NotFound(f"{len(unknown)} of {total} updates name no stored document; nothing was written",
                       failed_documents=[{"_id": doc_id, "error": "no document with this `_id`"} for doc_id in unknown])


def apply_updates(documents: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """Apply each partial update to its stored document (same order), or raise a 409 naming each conflict.

    A dotted name is a path (`"a.b": 1` sets `b` inside `a`, making `a` an object if missing); an
    object value is merged into an object already there, key by key; any other value replaces.
    """
    failed: list[_ItemError] = []
    for document, update in zip(documents, updates, strict=True):
        for name, value in update.items():
            if name == contract.ID_FIELD:
                continue
            *parents, last = name.split(".")
            target = document
            try:
                for depth, part in enumerate(parents):
                    child = target.setdefault(part, {})
                    if not isinstance(child, dict):
                        where = ".".join(parents[: depth + 1])
                        raise _ItemError(document[contract.ID_FIELD],
                                         f"`{name}` goes through `{where}`, which is not an object", conflict=True)
                    target = child
            except _ItemError as e:
                failed.append(e)
                break
            _merge(target, last, value)
    _refuse(failed, len(updates), "updates")


def _merge(target: dict[str, Any], name: str, value: Any) -> None:
    if isinstance(value, dict) and isinstance(target.get(name), dict):
        for key, inner in value.items():
            _merge(target[name], key, inner)
    else:
        target[name] = value


def parse_centroids(centers: list[Any], vector_field: str, dimension: int) -> list[tuple[str, np.ndarray, bytes]]:
    """(cluster_id, vector, JSON of the other fields) for each centroid, or raise (400 / 409) naming each bad one.

    The vector is read from `vector_field`, else from the legacy `centroid_vector_` key.
    """
    parsed: list[tuple[str, np.ndarray, bytes]] = []
    failed: list[_ItemError] = []
    seen: set[str] = set()
    for index, item in enumerate(centers):
        try:
            cluster_id = _check_item(item, index, seen, _CENTROID_ID, _CENTROID_ID_RULE)
            vectors = {}
            for name, value in item.items():
                if is_vector_field(name):
                    try:
                        vectors[name] = to_vector(value)
                    except ValueError as e:
                        raise _ItemError(cluster_id, f"`{name}` {e}") from None
            key = vector_field if vector_field in item else contract.LEGACY_CENTROID_VECTOR
            if key not in vectors:
                raise _ItemError(cluster_id, f"no vector under `{vector_field}` (or `{contract.LEGACY_CENTROID_VECTOR}`)",
                                 conflict=True)
            vector = vectors[key]
            try:
                _check_dimension(vector_field, vector, {vector_field: dimension})
            except ValueError as e:
                raise _ItemError(cluster_id, f"`{key}` {e}", conflict=True) from None
            rest = {k: v for k, v in item.items() if k not in (contract.ID_FIELD, vector_field, key)}
            second = next((name for name in rest if is_vector_field(name)), None)
            if second is not None:
                raise _ItemError(cluster_id, f"a centroid holds one vector; `{second}` is a second one", conflict=True)
            try:
                body = serialized(rest)
            except ValueError as e:
                raise _ItemError(cluster_id, f"the centroid {e}") from None
            parsed.append((cluster_id, vector, body))
        except _ItemError as e:
            failed.append(e)
    _refuse(failed, len(centers), "centroids")
    return parsed


def serialized_metadata(metadata: dict[str, Any]) -> bytes:
    try:
        return serialized(metadata)
    except ValueError as e:
        raise BadRequest(f"`metadata` {e}") from None


def changed_paths(before: dict[str, Any], after: dict[str, Any]) -> list[list[str]]:
    """Where two metadata objects differ: the key path of each value added, removed or changed, sorted
    (objects on both sides are compared key by key; other values whole, as JSON, so `1` is not `true`)."""
    paths: list[list[str]] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            paths += [[key, *inner] for inner in changed_paths(old, new)]
        elif key not in before or key not in after or orjson.dumps(old) != orjson.dumps(new):
            paths.append([key])
    return paths


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
    """A schema given to `datasets/create`: type names, or {"vector": dim} for `_vector_` fields; else a 400."""
    allowed = contract.FIELD_TYPES
    checked: dict[str, Any] = {}
    for path, kind in schema.items():
        if not is_name(path):
            raise BadRequest(f"schema field name {path!r} must be non-empty, without control characters")
        if is_vector_field(path):
            dim = kind.get("vector") if isinstance(kind, dict) and set(kind) == {"vector"} else None
            if isinstance(dim, float) and dim.is_integer():  # JSON Schema's integer takes 768.0
                dim = int(dim)
            if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= contract.MAX_DIMENSION:
                raise BadRequest(f"schema field `{path}` must be {{\"vector\": <1 to {contract.MAX_DIMENSION}>}}")
            checked[path] = {"vector": dim}
        elif not isinstance(kind, str) or kind not in allowed:
            raise BadRequest(f"schema field `{path}` has type {kind!r}; use one of {sorted(allowed)} "
                             "or a `_vector_` name")
        else:
            checked[path] = kind
    return checked


def selected(doc: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Only `_id` and the named (dotted) fields of a document."""
    out: dict[str, Any] = {contract.ID_FIELD: doc.get(contract.ID_FIELD)}
    for path in paths:
        source, target = doc, out
        parts = path.split(".")
        for part in parts[:-1]:
            if not isinstance(source, dict) or part not in source:
                break
            source = source[part]
            target = target.setdefault(part, {})
        else:
            if isinstance(source, dict) and parts[-1] in source:
                target[parts[-1]] = source[parts[-1]]
    return out
