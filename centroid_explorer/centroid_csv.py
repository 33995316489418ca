"""The centroid CSV format: parse and check, export, template.

One row per centroid. The id is in a column named `_id` (or `cluster_id`); the vector is either
one column holding a JSON list or numbers separated by commas/spaces, or one numeric column per
dimension (`v0, v1, ...` or any names). Export and template write `_id, v0 .. v{d-1}`, which the
parser reads back exactly.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first centroid row 2.
Every problem found is collected and raised together in one `CentroidCSVError`; nothing is
returned unless the whole file is good, so callers write nothing for a bad file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ID_COLUMNS = ("_id", "cluster_id")
MAX_BYTES = 64 * 1024 * 1024  # 10,000 centroids x 768 dims of text fits with room to spare
MAX_ROWS = 10_000  # centroids per file; far more than any k-means run a person labels by hand
MAX_PROBLEMS_SHOWN = 20

_NUMBER_SEPARATORS = re.compile(r"[,\s;]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; `row` and `column` are None when it is about the whole file."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class CentroidCSVError(ValueError):
    """The file is not a usable centroid CSV; `problems` lists everything found wrong."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class Centroids:
    """A checked centroid file: ids in file order and their vectors, shape (n, d), float32."""

    ids: list[str]
    vectors: np.ndarray
    id_column: str
    vector_columns: list[str]

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def as_cluster_centers(self, vector_field: str) -> list[dict]:
        """The documents `centroids.insert` takes: `{"_id": id, vector_field: [floats]}`."""
        return [{"_id": i, vector_field: v.tolist()} for i, v in zip(self.ids, self.vectors)]


def parse(
    data: bytes | str,
    expected_dimension: int | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Centroids:
    """Read and check a centroid CSV. Raises CentroidCSVError listing every problem found."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise CentroidCSVError([Problem(f"the file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")])
    text = _decode(raw)
    records = list(csv.reader(io.StringIO(text, newline="")))
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()  # blank trailing lines are not centroids
    if not records:
        raise CentroidCSVError([Problem("the file is empty; the first row must be a header such as _id,v0,v1")])

    header = [name.strip() for name in records[0]]
    id_column, vector_columns = _split_header(header)
    rows = records[1:]
    if not rows:
        raise CentroidCSVError([Problem("the file has a header but no centroid rows", row=1)])
    if len(rows) > max_rows:
        raise CentroidCSVError([Problem(f"the file has {len(rows):,} centroid rows; the limit is {max_rows:,}")])

    id_index = header.index(id_column)
    vector_indexes = [header.index(name) for name in vector_columns]
    problems: list[Problem] = []
    if len(vector_columns) > 1:
        problems += _non_numeric_columns(rows, vector_columns, vector_indexes, id_index)
    if len(vector_columns) > 1 and expected_dimension is not None and len(vector_columns) != expected_dimension:
        problems.append(
            Problem(
                f"the file has {len(vector_columns)} vector columns; the vector field has dimension {expected_dimension}",
                row=1,
            )
        )
    if problems:
        raise CentroidCSVError(problems)

    ids: list[str] = []
    vectors: list[list[float]] = []
    first_row_of_id: dict[str, int] = {}
    dimension, dimension_source = expected_dimension, "the vector field"
    for row_number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            problems.append(Problem("blank row in the middle of the file", row=row_number))
            continue
        if len(cells) != len(header):
            problems.append(Problem(f"has {len(cells)} cells; the header has {len(header)}", row=row_number))
            continue
        centroid_id = cells[id_index].strip()
        if not centroid_id:
            problems.append(Problem("the id is empty", row=row_number, column=id_column))
        elif centroid_id in first_row_of_id:
            problems.append(
                Problem(
                    f"duplicate id '{centroid_id}' (first on row {first_row_of_id[centroid_id]})",
                    row=row_number,
                    column=id_column,
                )
            )
        else:
            first_row_of_id[centroid_id] = row_number
        if len(vector_columns) == 1:
            vector, row_problems = _vector_from_one_cell(cells[vector_indexes[0]], row_number, vector_columns[0])
            if not row_problems and dimension is None:
                dimension, dimension_source = len(vector), f"row {row_number}"
            if not row_problems and len(vector) != dimension:
                row_problems.append(
                    Problem(
                        f"has {len(vector)} numbers; expected {dimension} (as {dimension_source})",
                        row=row_number,
                        column=vector_columns[0],
                    )
                )
        else:
            vector, row_problems = _vector_from_columns(cells, row_number, vector_columns, vector_indexes)
        problems += row_problems
        ids.append(centroid_id)
        vectors.append(vector)
    if problems:
        raise CentroidCSVError(problems)
    return Centroids(ids, np.asarray(vectors, dtype=np.float32), id_column, vector_columns)


def export(ids: Sequence[str], vectors: np.ndarray | Sequence[Sequence[float]]) -> str:
    """CSV text for these centroids, `_id, v0 .. v{d-1}`; `parse` reads it back to the same float32 values."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise ValueError(f"expected one vector per id: {len(ids)} ids, vectors of shape {matrix.shape}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([ID_COLUMNS[0], *(f"v{i}" for i in range(matrix.shape[1]))])
    for centroid_id, vector in zip(ids, matrix):
        # str() of a float32 is the shortest text that reads back as the same float32.
        writer.writerow([centroid_id, *(str(x) for x in vector)])
    return out.getvalue()


def template(dimension: int, rows: int = 2) -> str:
    """An example file for vectors of this dimension, to fill in."""
    if dimension < 1:
        raise ValueError("dimension must be at least 1")
    return export([f"cluster_{i}" for i in range(rows)], np.zeros((rows, dimension), dtype=np.float32))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # -sig drops the byte-order mark Excel writes
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        raise CentroidCSVError(
            [
                Problem(
                    f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} at position {error.start}); "
                    "save it as 'CSV UTF-8'",
                    row=row,
                )
            ]
        ) from None


def _split_header(header: list[str]) -> tuple[str, list[str]]:
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(f"the column name '{name}' appears more than once", row=1))
        seen.add(name)
    present = [name for name in ID_COLUMNS if name in header]
    if not present:
        hint = ""
        if len(header) == 1 and ";" in header[0]:
            hint = " (the header looks separated by ';': save the file with commas)"
        problems.append(
            Problem(f"no id column: name one column '_id' or 'cluster_id' (the header is {header}){hint}", row=1)
        )
    elif len(present) > 1:
        problems.append(Problem("both '_id' and 'cluster_id' columns: keep one of them as the id", row=1))
    vector_columns = [name for name in header if name not in ID_COLUMNS]
    if present and not vector_columns:
        problems.append(Problem("no vector column: add the vector as one column or one column per dimension", row=1))
    if any(not name for name in vector_columns):
        problems.append(Problem("a column has no name in the header", row=1))
    if problems:
        raise CentroidCSVError(problems)
    return present[0], vector_columns


def _non_numeric_columns(rows, vector_columns, vector_indexes, id_index) -> list[Problem]:
    """A whole column of text (say `label`) gets one problem, not one per row."""
    problems = []
    for name, index in zip(vector_columns, vector_indexes):
        cells = [r[index].strip() for r in rows if len(r) > max(index, id_index) and r[index].strip()]
        if cells and all(_to_float(c) is None for c in cells):
            problems.append(
                Problem(
                    "holds no numbers: every column but the id must be a vector dimension "
                    "(or put the whole vector in one column)",
                    row=1,
                    column=name,
                )
            )
    return problems


def _vector_from_one_cell(cell: str, row: int, column: str) -> tuple[list[float], list[Problem]]:
    text = cell.strip()
    if not text:
        return [], [Problem("the vector is empty", row=row, column=column)]
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            return [], [Problem(f"not a valid JSON list ({error.msg} at character {error.pos + 1})", row=row, column=column)]
        if not isinstance(items, list):
            return [], [Problem("not a JSON list of numbers", row=row, column=column)]
    else:
        items = [item for item in _NUMBER_SEPARATORS.split(text) if item]
    vector, problems = [], []
    for position, item in enumerate(items, start=1):
        value, defect = _number(item)
        if defect:
            problems.append(Problem(f"item {position} is {defect}", row=row, column=column))
        else:
            vector.append(value)
    if not items:
        problems.append(Problem("the vector is empty", row=row, column=column))
    return vector, problems


def _vector_from_columns(cells, row, vector_columns, vector_indexes) -> tuple[list[float], list[Problem]]:
    vector, problems = [], []
    for name, index in zip(vector_columns, vector_indexes):
        text = cells[index].strip()
        value, defect = _number(text) if text else (None, "empty value")
        if defect:
            problems.append(Problem(defect, row=row, column=name))
        else:
            vector.append(value)
    return vector, problems


def _number(text: str) -> tuple[float | None, str | None]:
    """The value of one cell or list item, or what is wrong with it."""
    value = _to_float(text)
    if value is None:
        return None, f"not a number: {_show(text)}"
    if not _finite_float32(value):
        return None, f"not a finite 32-bit number: {_show(text)}"
    return value, None


def _to_float(item) -> float | None:
    if isinstance(item, bool):  # JSON true/false are not coordinates
        return None
    if isinstance(item, (int, float)):
        return float(item)
    if not isinstance(item, str) or "_" in item:  # float() accepts '1_0'; nobody means that
        return None
    try:
        return float(item)
    except ValueError:
        return None


def _finite_float32(value: float) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.isfinite(np.float32(value)))


def _show(item) -> str:
    text = item if isinstance(item, str) else json.dumps(item)
    return repr(text if len(text) <= 40 else text[:37] + "...")
