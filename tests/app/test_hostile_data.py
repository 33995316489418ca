"""Every page on a dataset whose ids, names, labels and text are hostile or odd (tests/hostile.py):
no page crashes, and no value from the data reaches Markdown or a chart label unescaped.

What the browser finally draws from it is checked in tests/browser/test_hostile_text.py.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.hostile import (
    ALIAS,
    CLUSTER_IDS,
    EMPTY_ALIAS,
    HOSTILE,
    HOSTILE_DATASET,
    TEXT_FIELD,
    VECTOR_FIELD,
    as_read,
    write_hostile,
)

MAP, DOCS, METADATA = None, "views/cluster_documents.py", "views/metadata.py"
VIEW = {"dataset_id": HOSTILE_DATASET, "vector_field": VECTOR_FIELD, "alias": ALIAS}
# Pieces of the hostile values that Markdown would turn into a link, an image, HTML, a colour, a
# formula, an icon or bold if they arrived as they are; and those plotly would (its labels take HTML tags).
MARKDOWN_ACTIVE = ["[link](", "](http", "<a ", ":red[", "$x^2$", "**b**", ":material/bolt:", ":streamlit:", "<b>bold"]
PLOTLY_ACTIVE = ["<a ", "<b>bold"]


@pytest.fixture(scope="module")
def hostile(demo_client):
    if HOSTILE_DATASET not in demo_client.datasets.list():
        write_hostile(demo_client)


def _markdown_sources(at) -> list[str]:
    """Everything on the page that Streamlit renders as Markdown: text elements, alerts, and the
    labels, options and help of widgets and expanders."""
    sources = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in at.get(kind)]
    sources += [e.label for e in at.expander]
    for kind in ("text_input", "text_area", "selectbox", "multiselect", "radio", "number_input", "button", "checkbox"):
        for widget in at.get(kind):
            sources += [widget.label, widget.help or ""]
    sources += [option for radio in at.radio for option in radio.options]  # radio options render Markdown
    return sources


def _chart_strings(at) -> list[str]:
    """Every string in every plotly figure on the page (names, ticks, hover, text, titles)."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("template", "legendgroup"):  # a legend group's name is never drawn
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def _assert_shown_as_text(at) -> None:
    assert not at.exception, at.exception
    for source in _markdown_sources(at):
        unescaped = re.sub(r"\\.", "\0", source)  # what is left once backslash-escaped characters are taken out
        for fragment in MARKDOWN_ACTIVE:
            assert fragment not in unescaped, f"{fragment!r} reaches Markdown unescaped in {source[:200]!r}"
    for text in _chart_strings(at):
        for fragment in PLOTLY_ACTIVE:
            assert fragment not in text, f"{fragment!r} reaches a chart unescaped in {text[:200]!r}"


def test_the_map_shows_odd_ids_and_hostile_labels_as_text(app_page, hostile):
    at = app_page(MAP, **VIEW)
    _assert_shown_as_text(at)
    assert any(c.value.startswith(f"{len(CLUSTER_IDS)} clusters") for c in at.main.caption)
    sizes = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Cluster sizes" in c.proto.spec)
    ticks = sizes["layout"]["yaxis"]["ticktext"]
    assert len(ticks) == len(CLUSTER_IDS)  # "007", "7", "1e3", "-1" are names, not numbers on an axis
    # Every cluster has a suggested label from its words here; its id stays readable in the centroid's hover.
    hovers = " ".join(json.loads(at.get("plotly_chart")[0].proto.spec)["data"][1]["hovertext"])
    for shown in ["(007)", "(7)", "(1e3)", "(' ')", "(line one\\u2028line two)"]:  # blank and multi-line ids readable
        assert shown in hovers, shown



def test_the_map_coloured_and_filtered_by_a_hostile_field_shows_its_name_as_text(app_page, hostile):
    at = app_page(MAP, **VIEW)
    next(s for s in at.main.selectbox if s.label == "Colour by").set_value(TEXT_FIELD).run()
    values = next(m for m in at.main.multiselect if m.label == "Only these values")
    values.set_value([values.options[0]]).run()
    _assert_shown_as_text(at)
    assert any(c.value.startswith("Showing ") and "filtered by" in c.value for c in at.main.caption)


def test_the_documents_page_does_not_crash_on_odd_ids_and_escapes_them(app_page, hostile):
    at = app_page(DOCS, **VIEW)
    _assert_shown_as_text(at)
    for cluster_id in ["²", "x" * 300, "line one\u2028line two", " ", "٣"]:
        at.main.multiselect[0].set_value([cluster_id]).run()
        _assert_shown_as_text(at)
        assert at.main.dataframe[0].value["#"].tolist()[0] == 1
    at.main.multiselect[0].set_value([HOSTILE]).run()
    [expander] = [e for e in at.expander if e.label.startswith("Label and description of")]
    assert as_read(expander.label) == f"Label and description of '{HOSTILE[:79]}…'"  # cut at 80 characters


def test_the_metadata_page_does_not_crash_on_odd_ids_and_escapes_them(app_page, hostile):
    at = app_page(METADATA, **VIEW)
    _assert_shown_as_text(at)
    table = at.data_editor[0].value
    assert sorted(table["cluster_id"]) == sorted(CLUSTER_IDS)
    caption = next(c.value for c in at.caption if c.value.startswith("Dataset"))
    assert ALIAS in as_read(caption) and ALIAS not in caption


def test_labelling_a_cluster_without_notes_reads_as_a_label_set(app_page, hostile):
    at = app_page(METADATA, **VIEW)
    key = at.data_editor[0].key
    row = at.data_editor[0].value["cluster_id"].tolist().index("007")
    label = ":red[x] <b>bold</b> $x^2$"
    at.session_state[key] = {"edited_rows": {row: {"label": label}}, "added_rows": [], "deleted_rows": []}
    at.run()
    _assert_shown_as_text(at)
    changes = "\n".join(t.value for t in at.text)
    assert f"cluster '007' label set to \"{label}\"" in changes  # plain text: shown exactly
    assert "added" not in changes


def test_an_alias_with_centroids_but_no_documents_says_so(app_page, hostile):
    view = {**VIEW, "alias": EMPTY_ALIAS}
    for page in (MAP, DOCS):
        at = app_page(page, **view)
        assert not at.exception
        assert any("No documents are assigned to" in as_read(i.value) for i in at.main.info), page
        assert not at.get("plotly_chart") and not at.main.dataframe
        assert not any(re.search(r"documents 1.0 of", m.value) for m in at.main.markdown)


def test_distances_are_named_and_shown_positive_closest_first(app_page, hostile):
    at = app_page(DOCS, **VIEW)
    metric = next(s for s in at.main.selectbox if s.label == "Similarity metric")
    assert metric.options == ["Cosine similarity", "Dot product", "Euclidean (L2) distance", "Manhattan (L1) distance"]
    metric.set_value("l2").run()
    assert not at.exception
    distances = at.main.dataframe[0].value["_relevance"]
    assert (distances >= 0).all() and distances.is_monotonic_increasing
    histogram = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert histogram["layout"]["xaxis"]["title"]["text"] == "Euclidean (L2) distance"
    assert "_relevance" not in json.dumps(histogram["layout"])

    at.switch_page("views/cluster_map.py").run()
    next(s for s in at.main.selectbox if s.label == "Similarity metric").set_value("l2").run()
    assert not at.exception
    heatmap = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "between centroids" in c.proto.spec)
    assert heatmap["layout"]["title"]["text"] == "Euclidean (L2) distance between centroids"
    assert heatmap["data"][0]["colorscale"][0][1] == "#fde725"  # reversed: the closest pairs are the brightest
