"""Load documents from a JSONL, CSV or Parquet file into a dataset, all or nothing.

The file is read twice, streaming both times (memory holds one batch and the set of ids):
1. check every document: a JSON object with a non-empty string `_id` unique in the file, every
   `*_vector_` field a non-empty list of finite numbers with one dimension per field (the
   dataset's, if it has the field already), `_cluster_` shaped {vector_field: {alias: cluster_id}};
2. only if nothing is wrong, send the documents in batches through `client.datasets.bulk_insert`,
   re-checking each batch before it goes.
So a bad file writes nothing. (A server or network failure in step 2 can still leave the batches
already sent; re-running the load replaces them by `_id`.)

Where a problem is: "line N" for JSONL and CSV (the header is line 1), "row N" for Parquet, and
the field in backticks. Vectors may be JSON lists or JSON strings of lists (CSV and Parquet have no
list type of their own for some writers); CSV cells that read as numbers become numbers, empty
cells are left out. A CSV header must name an `_id` column and no column twice; a broken quote
ends the check at its line.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .centroid_csv import csv_error_text, json_numbers, names_text, repeated_names, separator_hint
from .checks import fits_float32, problems_text
from .client import CLUSTER_FIELD, VECTOR_SUFFIX, Client, NotFoundError, vector_fields

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
MAX_PROBLEMS = 100  # stop checking after this many: the file needs fixing either way
PARQUET_BATCH_ROWS = 1_000
MAX_CELL_CHARS = 64 * 1024 * 1024  # Python's csv stops at 128 KiB; a long document's text is more

Located = tuple[str, Any]  # ("line 4", the parsed document or the reason it could not be parsed)


@dataclass(frozen=True)
class Problem:
    where: str  # "line 4", "row 7", or "" for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class LoadError(ValueError):
    """The file cannot be loaded; `problems` lists what is wrong and where. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems_text(problems))


class _Unreadable(str):
    """A record that could not be parsed; its text says why."""


@dataclass(frozen=True)
class LoadSummary:
    dataset_id: str
    inserted: int
    vector_fields: dict[str, int]  # field -> dimension, the dataset's and the file's


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise LoadError([Problem("", f"unknown file type '{path.suffix}' for {path.name}: use one of {known}")]) from None


def check_file(path: str | Path, known_dimensions: dict[str, int] | None = None) -> tuple[int, dict[str, int]]:
    """Check every document of the file. Returns (count, vector field -> dimension); raises LoadError."""
    path = Path(path)
    dimensions = dict(known_dimensions or {})
    seen_ids: dict[str, str] = {}
    problems: list[Problem] = []
    count = 0
    for where, document in read_documents(path):
        count += 1
        problems += check_document(where, document, dimensions, seen_ids)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem("", f"stopped checking after {MAX_PROBLEMS} problems"))
            break
    if not problems and count == 0:
        problems.append(Problem("", f"{path.name} holds no documents"))
    if problems:
        raise LoadError(problems)
    return count, dimensions


def load_file(
    client: Client,
    path: str | Path,
    dataset_id: str,
    progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Check the whole file, then insert it into `dataset_id` (created if missing).

    `progress(sent, total)` is called after each batch (the total is known from the check)."""
    path = Path(path)
    file_format(path)
    if not path.is_file():
        raise LoadError([Problem("", f"no such file: {path}")])
    count, dimensions = check_file(path, _dataset_dimensions(client, dataset_id))
    report = (lambda sent, _unknown_total: progress(sent, count)) if progress else None
    answer = client.datasets.bulk_insert(dataset_id, _checked_documents(path, dimensions), progress=report)
    if answer["failed_documents"]:
        failed = answer["failed_documents"]
        raise LoadError([Problem("", f"the server refused document '{f.get('_id')}': {f.get('error')}") for f in failed])
    return LoadSummary(dataset_id, answer["inserted"], dimensions)


def read_documents(path: Path) -> Iterator[Located]:
    """(where, document) for each record, streaming; unparseable records come as `_Unreadable`."""
    readers = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet}
    return readers[file_format(path)](path)


def check_document(where: str, document: Any, dimensions: dict[str, int], seen_ids: dict[str, str]) -> list[Problem]:
    """Problems with one document. Vector strings are decoded in place; new vector fields go into `dimensions`."""
    if isinstance(document, _Unreadable):
        return [Problem(where, str(document))]
    if not isinstance(document, dict):
        return [Problem(where, f"must be a JSON object, not {type(document).__name__}")]
    problems = []
    doc_id = document.get("_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        problems.append(Problem(where, "`_id` must be a non-empty string"))
    elif doc_id in seen_ids:
        problems.append(Problem(where, f"duplicate `_id` '{doc_id}' (first at {seen_ids[doc_id]})"))
    else:
        seen_ids[doc_id] = where
    for field in [f for f in document if f.endswith(VECTOR_SUFFIX)]:
        vector, reason = _vector(document[field])
        if vector is None:
            problems.append(Problem(where, f"`{field}` {reason}"))
            continue
        document[field] = vector
        expected = dimensions.setdefault(field, len(vector))
        if len(vector) != expected:
            problems.append(Problem(where, f"`{field}` has {len(vector)} numbers; the field has {expected}"))
    if CLUSTER_FIELD in document and not _valid_assignments(document[CLUSTER_FIELD]):
        problems.append(Problem(where, "`_cluster_` must be an object {vector_field: {alias: cluster_id}}"))
    return problems


def _checked_documents(path: Path, dimensions: dict[str, int]) -> Iterator[dict[str, Any]]:
    seen_ids: dict[str, str] = {}
    dimensions = dict(dimensions)  # once, not per document (fields x documents)
    for where, document in read_documents(path):
        problems = check_document(where, document, dimensions, seen_ids)
        if problems:  # the file changed since it was checked
            raise LoadError(problems)
        yield document


def _dataset_dimensions(client: Client, dataset_id: str) -> dict[str, int]:
    try:
        return vector_fields(client.datasets.schema(dataset_id))
    except NotFoundError:
        return {}


def _vector(value: Any) -> tuple[list[float] | None, str]:
    if isinstance(value, str):
        try:
            value = json_numbers(value)
        except json.JSONDecodeError:
            return None, "is text that is not a JSON list of numbers"
    if hasattr(value, "tolist"):  # numpy arrays from Parquet
        value = value.tolist()
    if not isinstance(value, list) or not value:
        return None, "must be a non-empty list of numbers"
    for position, x in enumerate(value, start=1):  # counted as people count, like the centroid CSV's items
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return None, f"item {position} is not a number: {x!r}"
        if not fits_float32(x):
            return None, f"item {position} is not a finite 32-bit number: {x!r}"
    return value, ""


def _valid_assignments(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(aliases, dict) and all(isinstance(c, str) and c for c in aliases.values())
        for aliases in value.values()
    )


def _read_jsonl(path: Path) -> Iterator[Located]:
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                yield f"line {number}", orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield f"line {number}", _Unreadable(f"not valid JSON ({error})")


def _read_csv(path: Path) -> Iterator[Located]:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
    lines = _utf8_lines(path)
    reader = csv.reader(lines, strict=True)
    start = 1  # the line the record being read starts on (a quoted cell may span lines)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        wrong = _header_problems(header)
        if wrong:  # the rows cannot be read as documents
            yield from (("line 1", _Unreadable(message)) for message in wrong)
            return
        start = reader.line_num + 1
        for cells in reader:
            where, start = f"line {start}", reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield where, _Unreadable(f"has {len(cells)} cells; the header has {len(header)}")
                continue
            yield where, {name: _csv_value(name, cell) for name, cell in zip(header, cells, strict=True) if cell.strip()}
    except _NotUtf8 as error:
        yield f"line {error.line}", _Unreadable(f"is not UTF-8 text (byte 0x{error.byte:02x}); save the file as UTF-8")
    except csv.Error as error:
        yield f"line {start}", _Unreadable(csv_error_text(error))


def _header_problems(header: list[str]) -> list[str]:
    seen = set(header)
    repeated = repeated_names(header)
    problems = []
    if "_id" not in seen:
        problems.append(f"no `_id` column: {separator_hint(header) or 'name the id column `_id`'}")
    if repeated:
        problems.append(f"column names appear more than once: {names_text(repeated)}")
    unnamed = [position for position, name in enumerate(header, start=1) if not name]
    if unnamed:
        problems.append(f"column {unnamed[0]:,} has no name in the header")
    return problems


class _NotUtf8(Exception):
    def __init__(self, line: int, byte: int):
        self.line, self.byte = line, byte


def _utf8_lines(path: Path) -> Iterator[str]:
    """The file's lines decoded one by one, so a bad byte is reported on its own line."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _NotUtf8(number, raw[error.start]) from None
            yield line.removeprefix("\ufeff") if number == 1 else line


def _csv_value(name: str, cell: str) -> Any:
    """Numbers become numbers, except in `_id` and vector columns (vectors are decoded when checked)."""
    text = cell.strip()
    if name == "_id" or name.endswith(VECTOR_SUFFIX):
        return text
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if kind is int or math.isfinite(value) else text
    return text


def _read_parquet(path: Path) -> Iterator[Located]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for a file that is not Parquet
        yield "", _Unreadable(f"not a readable Parquet file ({error})")
        return
    row = 0
    batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    while True:
        try:
            batch = next(batches, None)
        except Exception as error:  # noqa: BLE001 - a damaged page: pyarrow's types vary, as at the open
            yield f"row {row + 1}", _Unreadable(f"not readable from here on ({error})")
            return
        if batch is None:
            return
        for document in batch.to_pylist():
            row += 1
            yield f"row {row}", {k: v for k, v in document.items() if v is not None}
