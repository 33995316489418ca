"""Upload centroids page through AppTest on the demo data: good file written, bad file named and not written."""

from __future__ import annotations

import json
import uuid

import numpy as np
from streamlit.testing.v1 import AppTest

from centroid_explorer import centroid_csv
from tests.app.conftest import DEMO_ALIAS, DEMO_DATASET, DEMO_VECTOR_FIELD

UPLOAD = "views/upload_centroids.py"
DEMO = {"dataset_id": DEMO_DATASET, "vector_field": DEMO_VECTOR_FIELD, "alias": DEMO_ALIAS}
DIMENSION = 64


def _csv(ids: list[str], seed: int = 0) -> bytes:
    vectors = np.random.default_rng(seed).random((len(ids), DIMENSION)) * 16
    return centroid_csv.export(ids, vectors).encode()


def _button(at: AppTest, label: str):
    return next(b for b in at.main.button if b.label == label)


def _table_with(at: AppTest, column: str):
    """The table on the page that has this column (read-only tables carry no key AppTest can look up)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _aliases(demo_client) -> dict[str, int]:
    return {c["alias"]: c["count"] for c in demo_client.centroids.configs(DEMO_DATASET)}


def test_the_page_runs_and_offers_the_template_and_the_export(app_page):
    at = app_page(UPLOAD, **DEMO)

    assert not at.exception
    assert len(at.file_uploader) == 1
    labels = [b.label for b in at.get("download_button")]
    assert f"Download a template ({DIMENSION} dims)" in labels
    assert "Download the current alias as CSV (10 centroids)" in labels


def test_a_good_file_goes_to_a_new_alias_and_reads_back(app_page, demo_client):
    alias = f"upload-{uuid.uuid4().hex[:6]}"
    at = app_page(UPLOAD, **DEMO)
    at.file_uploader[0].set_value(("mine.csv", _csv(["a", "b", "c"]), "text/csv")).run()
    assert any("3 centroids of 64 dims, all good" in s.value for s in at.success)
    assert alias not in _aliases(demo_client)  # nothing written before the button

    next(t for t in at.main.text_input if t.label == "New alias name").input(alias).run()
    _button(at, "Upload 3 centroids").click().run()

    assert not at.exception
    assert any("Inserted 3 centroids." in s.value for s in at.success)
    assert any(f"Centroids now in the alias {alias} (3)" in t.value for t in at.text)
    stored = list(demo_client.centroids.iter_list(DEMO_DATASET, DEMO_VECTOR_FIELD, alias, include_vector=True))
    assert [c["_id"] for c in stored] == ["a", "b", "c"]
    assert _table_with(at, "Centroid id")["Centroid id"].tolist() == ["a", "b", "c"]


def test_a_bad_file_lists_each_problem_by_row_and_column_and_writes_nothing(app_page, demo_client):
    before = _aliases(demo_client)
    good = _csv(["a", "b", "c"]).decode().splitlines()
    header, row_a, row_b, row_c = good
    bad = "\n".join([header, row_a, row_b.replace("b,", "a,", 1), row_c.replace(row_c.split(",")[5], "seven", 1)])
    at = app_page(UPLOAD, **DEMO)

    at.file_uploader[0].set_value(("bad.csv", bad.encode(), "text/csv")).run()

    assert not at.exception
    assert any("The file has 2 problems; nothing was written" in e.value for e in at.error)
    problems = _table_with(at, "problem")
    assert problems[["row", "column"]].values.tolist() == [[3, "_id"], [4, "v4"]]
    assert "duplicate id 'a'" in problems["problem"][0]
    assert not [b for b in at.main.button if b.label.startswith("Upload")]
    assert _aliases(demo_client) == before


def test_a_file_with_very_many_problems_lists_the_first_hundred_and_says_checking_stopped(app_page):
    header, *rows = _csv([f"c{i}" for i in range(150)]).decode().splitlines()
    # One bad number a row, in v0 or v1 by turns (a column of text alone would be one problem).
    bad = "\n".join([header, *(row.replace(",", ",x", 1 + i % 2).replace(",x", ",", i % 2) for i, row in enumerate(rows))])
    at = app_page(UPLOAD, **DEMO)

    at.file_uploader[0].set_value(("many.csv", bad.encode(), "text/csv")).run()

    assert any("The file has more than 100 problems; nothing was written" in e.value for e in at.error)
    problems = _table_with(at, "problem")
    assert len(problems) == 101
    assert problems["column"][0] == "v0" and problems["problem"][0].startswith("not a number: 'x")
    assert problems["problem"].iloc[-1] == "checking stopped after 100 problems: fix these and check the file again"


def test_a_file_of_another_dimension_is_refused(app_page):
    at = app_page(UPLOAD, **DEMO)
    at.file_uploader[0].set_value(("short.csv", b"_id,v0,v1\nx,1,2\n", "text/csv")).run()

    problems = _table_with(at, "problem")
    assert "the vector field has dimension 64" in problems["problem"][0]


def test_replace_needs_the_confirmation_then_leaves_exactly_the_files_centroids(app_page, demo_client):
    alias = f"replace-{uuid.uuid4().hex[:6]}"
    old = centroid_csv.parse(_csv(["old", "kept"], seed=1), DIMENSION)
    demo_client.centroids.insert(DEMO_DATASET, old.as_cluster_centers(DEMO_VECTOR_FIELD), DEMO_VECTOR_FIELD, alias)
    at = app_page(UPLOAD, **{**DEMO, "alias": alias})
    assert f"current alias {alias} (2 centroids)" in at.text[0].value  # never replace the demo alias by mistake
    at.file_uploader[0].set_value(("new.csv", _csv(["kept", "new"]), "text/csv")).run()
    at.main.radio(key="upload_target").set_value("replace").run()

    assert _button(at, "Upload 2 centroids").proto.disabled
    at.checkbox(key="upload_confirm_replace").check().run()
    _button(at, "Upload 2 centroids").click().run()

    assert not at.exception
    assert any("Inserted 2 centroids" in s.value and "removed 1 old one" in s.value for s in at.success)
    assert sorted(c["_id"] for c in demo_client.centroids.iter_list(DEMO_DATASET, DEMO_VECTOR_FIELD, alias)) == [
        "kept",
        "new",
    ]


def test_the_first_alias_of_a_vector_field_is_created_and_listed(app_page, demo_client):
    """A freshly loaded dataset (documents, no centroids): pick it, upload a CSV, and the new alias is picked."""
    dataset, field = f"fresh-{uuid.uuid4().hex[:6]}", "emb_vector_"
    vectors = np.random.default_rng(3).random((30, 8))
    demo_client.datasets.bulk_insert(dataset, [{"_id": f"doc-{i}", field: v} for i, v in enumerate(vectors)])
    at = app_page(UPLOAD, dataset_id=dataset)

    assert not at.exception
    assert [s.label for s in at.sidebar.selectbox] == ["Dataset", "Vector field"]  # no alias to pick yet
    assert "no aliases yet" in at.text[0].value
    at.file_uploader[0].set_value(("first.csv", centroid_csv.export(["c0", "c1"], vectors[:2]).encode(), "text/csv")).run()
    assert not at.main.radio  # nothing to replace: a new alias is the only target
    next(t for t in at.main.text_input if t.label == "New alias name").input("first").run()
    _button(at, "Upload 2 centroids").click().run()

    assert not at.exception
    assert any("Inserted 2 centroids." in s.value for s in at.success)
    assert any("Centroids now in the alias first (2)" in t.value for t in at.text)
    alias_picker = next(s for s in at.sidebar.selectbox if s.label == "Clustering alias")
    assert alias_picker.value == "first" and alias_picker.options == ["first · 2 centroids"]
    assert [c["_id"] for c in demo_client.centroids.iter_list(dataset, field, "first")] == ["c0", "c1"]


# --- Whatever the file or the data holds is shown as text ---

# Markdown, Streamlit's own syntax, HTML and LaTeX: any of them rendered would show on the page.
HOSTILE = ":red[x] [a](http://evil.example) ![i](http://evil.example/i.png) $x$ <b>b</b> **s** :material/warning:"
MARKER = "evil.example"
TEXT_ELEMENTS = {"text", "dataframe", "plotly_chart"}  # plain text, table cells; plotly is checked on its own


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _rendered_as_markdown(at: AppTest) -> list[str]:
    """Every string of the page's main area that Streamlit renders as markdown: bodies, labels, help, options."""
    found = []
    for node in _nodes(at.main):
        if getattr(node, "type", None) in TEXT_ELEMENTS or not hasattr(node, "proto"):
            continue
        if node.type == "text_input":  # its value is data the user edits, not markdown
            found += [node.proto.label, node.proto.help, node.proto.placeholder]
        else:
            found.append(str(node.proto))
    return found


def _assert_shown_as_text_only(at: AppTest) -> None:
    assert not at.exception
    leaked = [text for text in _rendered_as_markdown(at) if MARKER in text]
    assert leaked == [], "data rendered as markdown"
    for chart in (n for n in _nodes(at.main) if getattr(n, "type", None) == "plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            assert MARKER not in trace.get("name", "")
            assert not any("<" in text for text in trace.get("hovertext", []))  # escaped: &lt;b&gt;


def test_a_hostile_file_name_ids_and_columns_are_shown_as_text(app_page):
    at = app_page(UPLOAD, **DEMO)
    good = _csv([HOSTILE, "=1+1", f"{HOSTILE} 2"])
    at.file_uploader[0].set_value((f"{HOSTILE}.csv", good, "text/csv")).run()
    assert any("3 centroids of 64 dims, all good" in s.value for s in at.success)
    assert _table_with(at, "_id")["_id"].tolist() == [HOSTILE, "=1+1", f"{HOSTILE} 2"]
    _assert_shown_as_text_only(at)

    header, first, second = _csv(["a", "b"]).decode().splitlines()
    first, second = first.replace("a,", f"{HOSTILE},", 1), second.replace("b,", f"{HOSTILE},x", 1)  # v0 of row 3: "x…"
    bad = "\n".join([header.replace(",v0,", f",{HOSTILE},", 1), first, second]).encode()
    at.file_uploader[0].set_value((f"{HOSTILE}.csv", bad, "text/csv")).run()
    problems = _table_with(at, "problem")
    assert problems["column"].tolist() == ["_id", HOSTILE]
    assert problems["problem"][0].startswith("duplicate id ':red[x] [a](http://evil.example)")
    _assert_shown_as_text_only(at)


def test_a_hostile_alias_name_is_shown_as_text(app_page, demo_client):
    alias = f"{HOSTILE} {uuid.uuid4().hex[:6]}"
    at = app_page(UPLOAD, **DEMO)
    at.file_uploader[0].set_value(("first.csv", _csv(["a", "b"]), "text/csv")).run()
    next(t for t in at.main.text_input if t.label == "New alias name").input(alias).run()
    _button(at, "Upload 2 centroids").click().run()
    assert any(f"Centroids now in the alias {alias} (2)" in t.value for t in at.text)
    _assert_shown_as_text_only(at)

    at = app_page(UPLOAD, **{**DEMO, "alias": alias})  # the hostile alias is the current one
    assert f"current alias {alias} (2 centroids)" in at.text[0].value
    at.file_uploader[0].set_value(("second.csv", _csv(["a", "c"], seed=1), "text/csv")).run()
    at.main.radio(key="upload_target").set_value("replace").run()
    at.checkbox(key="upload_confirm_replace").check().run()
    _assert_shown_as_text_only(at)  # the replace explanation, the confirmation, the map's legend, the export
