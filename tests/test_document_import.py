"""The document loader's checks (JSONL, CSV, Parquet): every broken file gets a message naming its line
or row and field, never a crash, and a bad file writes nothing to a real server."""

from __future__ import annotations

import json

import numpy as np
import pytest

from centroid_explorer import document_import
from centroid_explorer.document_import import LoadError


def problems_of(path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        document_import.check_file(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("id,text\na,x\nb,y\nc,z\n", ["line 1: no `_id` column: name the id column `_id`"]),
        (
            "_id;text;t_vector_\na;x;[1,2]\n",
            ["line 1: no `_id` column: the header looks separated by ';': save the file as CSV with commas"],
        ),
        ("_id,text,text\na,kept,lost\n", ["line 1: column names appear more than once: 'text'"]),
        ("_id,,text\na,x,y\n", ["line 1: column 2 has no name in the header"]),
        ('_id,text\na,"never closed\nb,y\n', ['line 2: a quoted cell is never closed (a " without its closing ")']),
        ('_id,text\na,"quoted"then text\n', ['line 2: text after the closing " of a quoted cell']),
    ],
)
def test_a_broken_csv_header_or_quote_is_one_clear_problem(tmp_path, text, expected):
    path = tmp_path / "docs.csv"
    path.write_text(text)
    assert problems_of(path) == expected


def test_a_csv_cell_longer_than_pythons_default_limit_is_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("_id,text\na," + "x" * 200_000 + "\n")
    assert document_import.check_file(path) == (1, {})


@pytest.mark.parametrize(
    "vector_text, expected",
    [
        ("[1, " + "9" * 5000 + "]", "item 2 is not a finite 32-bit number"),
        ("[" * 100_000, "is text that is not a JSON list of numbers"),
        ('[1, "x"]', "item 2 is not a number: 'x'"),
    ],
)
def test_a_vector_given_as_json_text_is_checked_without_crashing(tmp_path, vector_text, expected):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"_id": "a", "t_vector_": vector_text}) + "\n")
    (message,) = problems_of(path)
    assert message.startswith(f"line 1: `t_vector_` {expected}")


def test_a_damaged_parquet_file_names_where_reading_stopped(tmp_path):
    import pandas as pd

    path = tmp_path / "docs.parquet"
    pd.DataFrame({"_id": [f"d{i}" for i in range(5000)], "t_vector_": [[1.0, 2.0]] * 5000}).to_parquet(path)
    damaged = bytearray(path.read_bytes())
    damaged[200:4000] = bytes(3800)  # the first data page, not the footer: the file still opens
    path.write_bytes(bytes(damaged))

    (message,) = problems_of(path)
    assert message.startswith("row 1: not readable from here on (")


def test_a_wide_csv_is_read(tmp_path):
    columns = 100_000
    path = tmp_path / "wide.csv"
    path.write_text("_id," + ",".join(f"c{i}" for i in range(columns)) + "\na," + ",".join("1" for _ in range(columns)) + "\n")
    assert document_import.check_file(path) == (1, {})


def test_a_csv_without_an_id_column_writes_nothing(client, tmp_path):
    path = tmp_path / "docs.csv"
    vectors = np.random.default_rng(0).random((5, 3))
    path.write_text("id,t_vector_\n" + "".join(f'd{i},"{json.dumps(v.tolist())}"\n' for i, v in enumerate(vectors)))

    with pytest.raises(LoadError, match="no `_id` column"):
        document_import.load_file(client, path, "loader-no-id")
    assert "loader-no-id" not in client.datasets.list()
