"""The centroid CSV format: parse and check, export, template.

One row per centroid. The id is in a column named `_id` (or `cluster_id`); the vector is either
one column holding a JSON list or numbers separated by commas/spaces, or one numeric column per
dimension (`v0, v1, ...` or any names). Export and template write `_id, v0 .. v{d-1}`, which the
parser reads back exactly: same ids, same float32 values. Ids are written so that a spreadsheet
opening the file shows them as text, never runs them as formulas (`text_cell`).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first centroid row 2.
The problems found (up to MAX_PROBLEMS) are raised together in one `CentroidCSVError`; nothing
is returned unless the whole file is good, so callers write nothing for a bad file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .centroid_set import CentroidSet
from .checks import fits_float32, problems_text

ID_COLUMNS = ("_id", "cluster_id")
MAX_BYTES = 64 * 1024 * 1024  # 10,000 centroids x 768 dims of text fits with room to spare
MAX_ROWS = 10_000  # centroids per file; far more than any k-means run a person labels by hand
MAX_PROBLEMS = 100  # then checking stops: the file needs fixing either way

_NUMBER_SEPARATORS = re.compile(r"[,\s;]+")
_LINES = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # CRLF, CR or LF ends a line; so does the end
# A cell starting with one of these runs as a formula in a spreadsheet (OWASP, "CSV injection");
# a leading "'" is escaped too, so that the one `text_cell` adds can be told from data.
_ESCAPED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_OTHER_SEPARATORS = ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))
_CSV_ERRORS = {
    "unexpected end of data": "a quoted cell is never closed (a \" without its closing \")",
    "',' expected after '\"'": "text after the closing \" of a quoted cell",
}
_FAST_FLOAT = {str: float, float: float}  # JSON integers are read as floats (parse_int=float)


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
        super().__init__(problems_text(self.problems))


def parse(
    data: bytes | str,
    expected_dimension: int | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> CentroidSet:
    """Read and check a centroid CSV: its ids in file order and their vectors. Raises CentroidCSVError listing the problems found.

    One pass over the rows, each converted to float32 as it is read, so memory holds the vectors
    and one row of text; checking stops after MAX_PROBLEMS problems."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise CentroidCSVError([Problem(f"the file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")])
    text = _decode(raw)
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))  # one cell may hold a long JSON vector
    records = _records(text)
    _, first = next(records, (1, []))
    if isinstance(first, Problem):
        raise CentroidCSVError([first])
    header = [name.strip() for name in first]
    if not any(header) and not any(isinstance(cells, Problem) or any(c.strip() for c in cells) for _, cells in records):
        raise CentroidCSVError([Problem("the file is empty; the first row must be a header such as _id,v0,v1")])
    id_column, vector_columns = _split_header(header)
    id_index = header.index(id_column)
    vector_indexes = [i for i, name in enumerate(header) if name not in ID_COLUMNS]  # linear: 100,000 columns are fine
    one_cell = len(vector_indexes) == 1

    problems = _Problems()
    ids: list[str] = []
    vectors: list[np.ndarray] = []
    first_row_of_id: dict[str, int] = {}
    dimension, dimension_source = expected_dimension, "the vector field"
    has_value = np.zeros(len(vector_indexes), dtype=bool)  # per vector column: a non-empty cell seen
    has_number = np.zeros(len(vector_indexes), dtype=bool)  # ...and one that reads as a number
    blank_rows: list[int] = []  # since the last centroid row: in the middle of the file if one follows
    rows = 0
    for row, cells in records:
        if isinstance(cells, Problem):
            problems.add(cells)
            break
        if not any(cell.strip() for cell in cells):
            if len(blank_rows) <= MAX_PROBLEMS:  # more would only be dropped by `problems`
                blank_rows.append(row)
            continue
        rows += 1
        if rows > max_rows:
            rows += sum(1 for _, cells in records if isinstance(cells, list) and any(c.strip() for c in cells))
            raise CentroidCSVError([Problem(f"the file has {rows:,} centroid rows; the limit is {max_rows:,}")])
        for blank in blank_rows:
            problems.add(Problem("blank row in the middle of the file", row=blank))
        blank_rows.clear()
        if problems.full:
            break
        if len(cells) != len(header):
            problems.add(Problem(f"has {len(cells):,} cells; the header has {len(header):,}", row=row))
            continue
        centroid_id = read_text_cell(cells[id_index])
        if not centroid_id:
            problems.add(Problem("the id is empty", row=row, column=id_column))
        elif centroid_id in first_row_of_id:
            problems.add(
                Problem(
                    f"duplicate id {_show(centroid_id)} (first on row {first_row_of_id[centroid_id]})",
                    row=row,
                    column=id_column,
                )
            )
        else:
            first_row_of_id[centroid_id] = row
        if one_cell:
            vector = _vector_from_one_cell(cells[vector_indexes[0]], row, vector_columns[0], problems)
            if vector is not None and dimension is None:
                dimension, dimension_source = len(vector), f"row {row}"
            if vector is not None and len(vector) != dimension:
                problems.add(
                    Problem(
                        f"has {len(vector):,} numbers; expected {dimension:,} (as {dimension_source})",
                        row=row,
                        column=vector_columns[0],
                    )
                )
        else:
            vector = _vector_from_columns(cells, row, header, vector_indexes, has_value, has_number, problems)
        ids.append(centroid_id)
        if vector is not None:
            vectors.append(vector)
        if problems.full:
            break
    if rows == 0 and not problems:
        raise CentroidCSVError([Problem("the file has a header but no centroid rows", row=1)])

    # A column of text (say `label`) or a header of the wrong width explains its cells' problems: alone.
    file_problems = _Problems()
    if not one_cell:
        for column in np.flatnonzero(has_value & ~has_number):
            file_problems.add(
                Problem(
                    "holds no numbers: every column but the id must be a vector dimension "
                    "(or put the whole vector in one column)",
                    row=1,
                    column=header[vector_indexes[column]],
                )
            )
        if expected_dimension is not None and len(vector_indexes) != expected_dimension:
            file_problems.add(
                Problem(
                    f"the file has {len(vector_indexes):,} vector columns; "
                    f"the vector field has dimension {expected_dimension:,}",
                    row=1,
                )
            )
    if file_problems:
        raise CentroidCSVError(file_problems)
    if problems:
        raise CentroidCSVError(problems)
    return CentroidSet(ids, np.stack(vectors))


def export(ids: Sequence[str], vectors: np.ndarray | Sequence[Sequence[float]]) -> str:
    """CSV text for these centroids, `_id, v0 .. v{d-1}`; `parse` reads it back to the same ids and float32 values.

    Ids are written spreadsheet-safe (see `text_cell`); rows end in CRLF, as RFC 4180 and Excel
    have it, which also makes the writer quote an id holding a lone CR."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise ValueError(f"expected one vector per id: {len(ids)} ids, vectors of shape {matrix.shape}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([ID_COLUMNS[0], *(f"v{i}" for i in range(matrix.shape[1]))])
    for centroid_id, vector in zip(ids, matrix, strict=True):
        # str() of a float32 is the shortest text that reads back as the same float32.
        writer.writerow([text_cell(centroid_id), *(str(x) for x in vector)])
    return out.getvalue()


def text_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: `'` before a formula start (OWASP's = + - @ TAB CR).

    Also before a leading `'` and before leading or trailing whitespace, so that `read_text_cell`
    can tell the added `'` from data and give back exactly this text."""
    if text.startswith(_ESCAPED_STARTS) or text != text.strip():
        return "'" + text
    return text


def read_text_cell(cell: str) -> str:
    """The text `text_cell` wrote: one leading `'` removed exactly where it adds one; otherwise stripped."""
    if cell.startswith("'") and text_cell(cell[1:]) == cell:
        return cell[1:]
    return cell.strip()


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


def json_numbers(text: str):
    """JSON as a vector cell holds it. Integers are read as floats (a 5,000-digit one is then just too
    large, not a crash); nesting too deep for the parser is a JSONDecodeError like any other."""
    try:
        return json.loads(text, parse_int=float)
    except RecursionError:
        raise json.JSONDecodeError("lists nested too deeply", text, 0) from None


def csv_error_text(error: csv.Error) -> str:
    """What a csv.Error (from a reader with strict=True) means, in a user's words."""
    return _CSV_ERRORS.get(str(error), f"not valid CSV ({error})")


def separator_hint(header: list[str]) -> str | None:
    """For a header with no id column: the advice, if it looks separated by something else than commas."""
    for separator, name in _OTHER_SEPARATORS:
        if any(separator in cell for cell in header):
            return f"the header looks separated by {name}: save the file as CSV with commas"
    return None


def _records(text: str) -> Iterator[tuple[int, list[str] | Problem]]:
    """(row number, cells) of each record; a record the csv module cannot read ends it with its Problem."""
    # The lines as io.StringIO(text, newline="") gives them, without its copy of the text at 4 bytes a character.
    reader = csv.reader((line.group() for line in _LINES.finditer(text)), strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield row, Problem(csv_error_text(error), row=row)
            return
        yield row, cells


class _Problems(list):
    """The problems found so far; `full` once there are MAX_PROBLEMS, and then it takes no more."""

    def add(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(problem)
        elif len(self) == MAX_PROBLEMS:
            self.append(Problem(f"checking stopped after {MAX_PROBLEMS} problems: fix these and check the file again"))

    @property
    def full(self) -> bool:
        return len(self) > MAX_PROBLEMS


def repeated_names(header: list[str]) -> list[str]:
    """The column names the header holds more than once, in header order (linear in the columns)."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}  # a dict, not a set: names come back in header order
    for name in header:
        if name in seen:
            repeated[name] = None
        seen.add(name)
    return list(repeated)


def _split_header(header: list[str]) -> tuple[str, list[str]]:
    problems = []
    seen = set(header)
    repeated = repeated_names(header)
    if len(repeated) == 1:
        problems.append(Problem(f"the column name {names_text(repeated)} appears more than once", row=1))
    elif repeated:
        problems.append(Problem(f"the column names {names_text(repeated)} appear more than once", row=1))
    present = [name for name in ID_COLUMNS if name in seen]
    if not present:
        problems.append(Problem(f"no id column: {_no_id_column_hint(header)}", row=1))
    elif len(present) > 1:
        problems.append(Problem("both '_id' and 'cluster_id' columns: keep one of them as the id", row=1))
    vector_columns = [name for name in header if name not in ID_COLUMNS]
    if present and not vector_columns:
        problems.append(Problem("no vector column: add the vector as one column or one column per dimension", row=1))
    unnamed = [position for position, name in enumerate(header, start=1) if not name]
    if unnamed:
        problems.append(Problem(f"column {unnamed[0]:,} has no name in the header", row=1))
    if problems:
        raise CentroidCSVError(problems)
    return present[0], vector_columns


def _no_id_column_hint(header: list[str]) -> str:
    """What to do; first, as the problem table's cell may show only its start."""
    return separator_hint(header) or f"name one column '_id' or 'cluster_id' (the header has {names_text(header)})"


def names_text(names, shown: int = 5) -> str:
    """'a', 'b', 'c' … and 95 more: a header of any width in one short line."""
    names = list(names)
    listed = ", ".join(_show(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _vector_from_one_cell(cell: str, row: int, column: str, problems: _Problems) -> np.ndarray | None:
    """The cell's vector, or None with its problems added."""
    text = cell.strip()
    if not text:
        problems.add(Problem("the vector is empty", row=row, column=column))
        return None
    if text.startswith("["):
        try:
            items = json_numbers(text)
        except json.JSONDecodeError as error:
            problems.add(Problem(f"not a valid JSON list ({error.msg} at character {error.pos + 1})", row=row, column=column))
            return None
        if not isinstance(items, list):
            problems.add(Problem("not a JSON list of numbers", row=row, column=column))
            return None
    else:
        items = [item for item in _NUMBER_SEPARATORS.split(text) if item]
    if not items:
        problems.add(Problem("the vector is empty", row=row, column=column))
        return None
    vector = _row_values(items)
    if vector is None:
        for position, item in enumerate(items, start=1):
            _, defect = _number(item)
            if defect:
                problems.add(Problem(f"item {position:,} is {defect}", row=row, column=column))
    return vector


def _vector_from_columns(cells, row, header, vector_indexes, has_value, has_number, problems) -> np.ndarray | None:
    """The row's vector, or None with its problems added; notes which columns hold values and numbers."""
    vector = _row_values([cells[i] for i in vector_indexes])
    if vector is not None:
        has_value[:] = has_number[:] = True
        return vector
    for column, index in enumerate(vector_indexes):
        text = cells[index].strip()
        has_value[column] |= bool(text)
        has_number[column] |= _to_float(text) is not None
        if problems.full:
            continue
        _, defect = _number(text) if text else (None, "empty value")
        if defect:
            problems.add(Problem(defect, row=row, column=header[index]))
    return None


def _row_values(items: list) -> np.ndarray | None:
    """The items as float32 when every one is a finite number (the common case, done at once), else None."""
    try:
        values = [_FAST_FLOAT[type(item)](item) for item in items]
    except (KeyError, ValueError, OverflowError):
        return None
    if any(isinstance(item, str) and "_" in item for item in items):
        return None
    exact = np.asarray(values)
    return exact.astype(np.float32) if fits_float32(exact).all() else None


def _number(text: str) -> tuple[float | None, str | None]:
    """The value of one cell or list item, or what is wrong with it."""
    value = _to_float(text)
    if value is None:
        return None, f"not a number: {_show(text)}"
    if not fits_float32(value):
        return None, f"not a finite 32-bit number: {_show(text)}"
    return value, None


def _to_float(item) -> float | None:
    if isinstance(item, bool):  # JSON true/false are not coordinates
        return None
    if isinstance(item, float):
        return item
    if not isinstance(item, str) or "_" in item:  # float() accepts '1_0'; nobody means that
        return None
    try:
        return float(item)
    except ValueError:
        return None


def _show(item) -> str:
    text = item if isinstance(item, str) else json.dumps(item)
    return repr(text if len(text) <= 40 else text[:37] + "...")
