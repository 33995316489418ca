"""The centroid CSV: every accepted layout, every kind of problem with its row and column, round trip."""

from __future__ import annotations

import csv
import io
import json
import random

import numpy as np
import pytest

from centroid_explorer import centroid_csv
from centroid_explorer.centroid_csv import CentroidCSVError, Problem


def problems_of(data, **kwargs) -> list[str]:
    with pytest.raises(CentroidCSVError) as caught:
        centroid_csv.parse(data, **kwargs)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "text",
    [
        '_id,vector\nc0,"[1, 2.5, -3]"\nc1,"[0, 0, 1e-3]"\n',  # JSON list
        '_id,vector\nc0,"1, 2.5, -3"\nc1,"0,0,1e-3"\n',  # comma-separated, quoted
        "_id,vector\nc0,1 2.5 -3\nc1,0   0\t1e-3\n",  # space-separated
        "_id,v0,v1,v2\nc0,1,2.5,-3\nc1,0,0,0.001\n",  # one column per dimension
        "cluster_id,x,y,z\nc0,1,2.5,-3\nc1,0,0,0.001\n",  # cluster_id, any column names
        "\ufeff_id,v0,v1,v2\r\nc0,1,2.5,-3\r\nc1,0,0,0.001\r\n\r\n\r\n",  # BOM, CRLF, blank trailing lines
        ' _id , v0 ,v1,v2\n"c0", 1 ,"2.5",-3\nc1,0,0,0.001',  # padded and quoted, no final newline
    ],
)
def test_every_layout_reads_the_same_centroids(text):
    parsed = centroid_csv.parse(text)
    assert parsed.ids == ["c0", "c1"]
    assert parsed.vectors.dtype == np.float32
    np.testing.assert_array_equal(parsed.vectors, np.array([[1, 2.5, -3], [0, 0, 0.001]], dtype=np.float32))


def test_bytes_are_read_as_utf8_and_ids_keep_their_text():
    parsed = centroid_csv.parse("_id,v0\ncafé ☕,1\n".encode())
    assert parsed.ids == ["café ☕"]


def test_cluster_centers_are_the_documents_insert_takes():
    parsed = centroid_csv.parse("_id,v0,v1\na,1,2\n")
    assert parsed.as_cluster_centers("title_vector_") == [{"_id": "a", "title_vector_": [1.0, 2.0]}]


def test_round_trip_keeps_ids_order_and_exact_float32_values():
    rng = np.random.default_rng(7)
    vectors = (rng.normal(size=(25, 33)) * 10.0 ** rng.integers(-8, 8, size=(25, 33))).astype(np.float32)
    ids = [f"cluster-{i}" for i in range(24)] + ['odd, "quoted" id']
    parsed = centroid_csv.parse(centroid_csv.export(ids, vectors))
    assert parsed.ids == ids
    np.testing.assert_array_equal(parsed.vectors, vectors)


def test_template_is_a_valid_file_of_the_asked_dimension():
    text = centroid_csv.template(5)
    assert text.splitlines()[0] == "_id,v0,v1,v2,v3,v4"
    assert centroid_csv.parse(text, expected_dimension=5).dimension == 5


def test_all_problems_are_reported_with_row_and_column():
    text = (
        "_id,v0,v1\n"
        "a,1,x\n"  # row 2: not a number
        "a,nan,2\n"  # row 3: duplicate id, not finite
        ",1,1e39\n"  # row 4: empty id, overflows float32
        "b,1\n"  # row 5: too few cells
        "c,,2\n"  # row 6: empty value
        "d,inf,-Infinity\n"  # row 7: two infinities
    )
    assert problems_of(text) == [
        "row 2, column 'v1': not a number: 'x'",
        "row 3, column '_id': duplicate id 'a' (first on row 2)",
        "row 3, column 'v0': not a finite 32-bit number: 'nan'",
        "row 4, column '_id': the id is empty",
        "row 4, column 'v1': not a finite 32-bit number: '1e39'",
        "row 5: has 2 cells; the header has 3",
        "row 6, column 'v0': empty value",
        "row 7, column 'v0': not a finite 32-bit number: 'inf'",
        "row 7, column 'v1': not a finite 32-bit number: '-Infinity'",
    ]


def test_single_column_vectors_report_the_item_and_the_dimension_mismatch():
    text = '_id,embedding\na,"[1, 2, 3]"\nb,"[1, true, 3]"\nc,1 2\nd,"[1, 2,"\ne,\nf,1 two 3\n'
    assert problems_of(text) == [
        "row 3, column 'embedding': item 2 is not a number: 'true'",
        "row 4, column 'embedding': has 2 numbers; expected 3 (as row 2)",
        "row 5, column 'embedding': not a valid JSON list (Expecting value at character 7)",
        "row 6, column 'embedding': the vector is empty",
        "row 7, column 'embedding': item 2 is not a number: 'two'",
    ]


def test_expected_dimension_is_checked_for_both_layouts():
    assert problems_of("_id,v0,v1\na,1,2\n", expected_dimension=3) == [
        "row 1: the file has 2 vector columns; the vector field has dimension 3"
    ]
    assert problems_of('_id,vector\na,"[1,2]"\n', expected_dimension=3) == [
        "row 2, column 'vector': has 2 numbers; expected 3 (as the vector field)"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("_id,v0\n", "row 1: the file has a header but no centroid rows"),
        ("name,v0\na,1\n", "row 1: no id column"),
        ("_id;v0;v1\na;1;2\n", "separated by ';'"),
        ("_id,cluster_id,v0\na,b,1\n", "row 1: both '_id' and 'cluster_id'"),
        ("_id\na\n", "row 1: no vector column"),
        ("_id,v0,v0\na,1,2\n", "row 1: the column name 'v0' appears more than once"),
        ("_id,v0,label\na,1,big\nb,2,small\n", "row 1, column 'label': holds no numbers"),
        ("_id,v0\na,1\n\nb,2\n", "row 3: blank row in the middle of the file"),
    ],
)
def test_file_level_problems_name_what_is_wrong(text, expected):
    messages = problems_of(text)
    assert len(messages) == 1
    assert expected in messages[0]


def test_a_non_utf8_file_gets_a_clear_message_with_its_row():
    data = "_id,v0\nok,1\ncaf\u00e9,2\n".encode("latin-1")
    (message,) = problems_of(data)
    assert message.startswith("row 3: the file is not UTF-8 text (byte 0xe9")
    assert "CSV UTF-8" in message


def test_size_limits_are_enforced_before_parsing():
    text = "_id,v0\n" + "".join(f"c{i},1\n" for i in range(11))
    assert problems_of(text, max_rows=10) == ["the file has 11 centroid rows; the limit is 10"]
    assert problems_of(text, max_bytes=20) == [f"the file is {len(text):,} bytes; the limit is 20 bytes"]
    assert centroid_csv.parse(text, max_rows=11).ids[-1] == "c10"


def test_the_error_message_lists_problems_and_counts_the_rest():
    text = "_id,v0,v1\n1st,1,1\n" + "".join(f"c{i},x,1\n" for i in range(30))
    with pytest.raises(CentroidCSVError) as caught:
        centroid_csv.parse(text)
    assert len(caught.value.problems) == 30
    lines = str(caught.value).splitlines()
    assert lines[0] == "row 3, column 'v0': not a number: 'x'"
    assert lines[-1] == "... and 10 more"


def test_problem_text_without_a_place():
    assert str(Problem("too big")) == "too big"
    assert str(Problem("bad", row=4)) == "row 4: bad"


# --- Export is spreadsheet-safe, and the round trip stays exact for any id ---

FORMULA_IDS = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted"]


def test_export_writes_formula_leading_ids_as_text_and_numbers_as_numbers():
    ids = [*FORMULA_IDS, "plain", "a=b"]
    vectors = np.full((len(ids), 2), -0.5, dtype=np.float32)
    rows = list(csv.reader(io.StringIO(centroid_csv.export(ids, vectors), newline="")))

    assert [row[0] for row in rows[1:]] == ["'" + i for i in FORMULA_IDS] + ["plain", "a=b"]
    assert all(row[1:] == ["-0.5", "-0.5"] for row in rows[1:])  # a negative number stays a number


def _odd_ids(count: int, seed: int) -> list[str]:
    """Ids built from the characters that break CSV and spreadsheets, plus some fixed hard cases."""
    rng = random.Random(seed)
    pieces = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "'", "''", '"', ",", ";", " ", "\u00a0", "é", "☕",
              "𝔘", "\u200b", "\ufeff", "\u2028", "\x85", "\x0c", "\x00", "שלום", "a", "b1", "0.5", "-1e9", "\\", "[", "]"]
    fixed = ["=HYPERLINK(\"http://evil\")", "'", "''x", " leading", "trailing ", "  both  ", " ", "\t", "\r",
             "\n", "\r\n", "a\rb", "a\nb", "a\r\nb", '"quoted"', "comma,inside", "-0.5", "@", "x" * 10_000, "ünï©ødé"]
    generated = {"".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(count)}
    return fixed + sorted(generated - set(fixed))


@pytest.mark.parametrize("seed", range(5))
def test_export_then_parse_gives_back_any_ids_and_the_same_float32_vectors(seed):
    ids = _odd_ids(300, seed)
    rng = np.random.default_rng(seed)
    vectors = (rng.normal(size=(len(ids), 5)) * 10.0 ** rng.integers(-30, 30, size=(len(ids), 5))).astype(np.float32)

    parsed = centroid_csv.parse(centroid_csv.export(ids, vectors).encode("utf-8"))  # as the upload page reads it

    assert parsed.ids == ids
    np.testing.assert_array_equal(parsed.vectors, vectors)


def test_the_importer_removes_a_leading_quote_only_where_the_export_adds_one():
    parsed = centroid_csv.parse("_id,v0\n'abc,1\n'=x,2\n''y,3\n' padded ,4\n  spaced  ,5\n")
    assert parsed.ids == ["'abc", "=x", "'y", " padded ", "spaced"]


# --- Wide, long and odd files get their message, quickly and without a crash ---


def test_a_100000_column_header_gets_its_message():
    columns = 100_000
    text = "_id," + ",".join(f"v{i}" for i in range(columns)) + "\na," + ",".join("1" for _ in range(columns)) + "\n"

    assert problems_of(text, expected_dimension=64) == [
        "row 1: the file has 100,000 vector columns; the vector field has dimension 64"
    ]
    assert centroid_csv.parse(text).dimension == columns


def test_a_vector_of_20000_numbers_in_one_cell_is_read():
    vector = np.random.default_rng(1).random(20_000).astype(np.float32)
    text = '_id,vector\na,"' + json.dumps([float(x) for x in vector]) + '"\n'
    np.testing.assert_array_equal(centroid_csv.parse(text).vectors[0], vector)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('_id,vector\na,"[1' + "0" * 400 + ', 2]"\n', "row 2, column 'vector': item 1 is not a finite 32-bit number"),
        ('_id,vector\na,"[1' + "0" * 5000 + ', 2]"\n', "row 2, column 'vector': item 1 is not a finite 32-bit number"),
        ('_id,vector\na,"' + "[" * 100_000 + '"\n', "row 2, column 'vector': not a valid JSON list (lists nested too deeply"),
        ('_id,v0\n"a,1\n', "row 2: a quoted cell is never closed"),
        ('_id,v0\n"a"b,1\n', "row 2: text after the closing \" of a quoted cell"),
    ],
)
def test_huge_numbers_and_broken_quotes_are_problems_not_crashes(text, expected):
    (message,) = problems_of(text)
    assert message.startswith(expected)


def test_checking_stops_after_max_problems_and_says_so():
    text = "_id,v0,v1\n" + "".join(f"c{i},1,x\n" for i in range(3)) + "".join(f"d{i},x,2\n" for i in range(300))
    messages = problems_of(text)
    assert len(messages) == centroid_csv.MAX_PROBLEMS + 1
    assert messages[:4] == ["row 2, column 'v1': not a number: 'x'", "row 3, column 'v1': not a number: 'x'",
                            "row 4, column 'v1': not a number: 'x'", "row 5, column 'v0': not a number: 'x'"]
    assert messages[-1] == f"checking stopped after {centroid_csv.MAX_PROBLEMS} problems: fix these and check the file again"


@pytest.mark.parametrize("separator, name", [(";", "';'"), ("\t", "tabs")])
def test_a_file_with_another_separator_says_so_first_in_a_short_message(separator, name):
    header = separator.join(["_id", *(f"v{i}" for i in range(64))])
    row = separator.join(["a", *("0,5" for _ in range(64))])
    (message,) = problems_of(f"{header}\n{row}\n", expected_dimension=64)
    assert message == f"row 1: no id column: the header looks separated by {name}: save the file as CSV with commas"


def test_a_header_without_id_lists_a_few_of_its_columns():
    (message,) = problems_of("name," + ",".join(f"v{i}" for i in range(64)) + "\na" + ",1" * 64 + "\n")
    assert message == (
        "row 1: no id column: name one column '_id' or 'cluster_id' "
        "(the header has 'name', 'v0', 'v1', 'v2', 'v3' and 60 more)"
    )


def test_repeated_column_names_are_one_problem():
    assert problems_of("_id,v,v,w,w,w\na,1,2,3,4,5\n") == ["row 1: the column names 'v', 'w' appear more than once"]
