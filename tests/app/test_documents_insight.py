"""Cluster documents' search, find-similar and outliers through AppTest, on a planted alias."""

from __future__ import annotations

import pytest

from centroid_explorer.clustering import with_assignment
from tests.planted import ALIAS, MISASSIGNED, VECTOR_FIELD, planted_documents, write_planted

DOCS = "views/cluster_documents.py"
DATASET = "planted-app-docs"
HOSTILE = "ice :red[alert] **bold** [link](http://evil.example) <b>x</b>"


@pytest.fixture(scope="module")
def planted(demo_client):
    write_planted(demo_client, DATASET)
    twin = next(d for d in planted_documents() if d["_id"] == "glacier-0")
    hostile = with_assignment({**twin, "_id": "glacier-hostile", "text": HOSTILE, "cluster": "not the cluster"},
                              VECTOR_FIELD, ALIAS, "glaciers")
    demo_client.datasets.bulk_insert(DATASET, [hostile])


def _open(app_page):
    return app_page(DOCS, dataset_id=DATASET, vector_field=VECTOR_FIELD, alias=ALIAS, cluster_id="glaciers")


def _frame(at, column):
    """The table that has `column` (each insight table has one of its own)."""
    return next(df.value for df in at.main.dataframe if column in df.value.columns)


def _markdown_texts(at) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "info", "warning", "error") for e in at.main.get(kind))


def test_search_lists_matching_members_with_the_match_marked_as_text(app_page, planted):
    at = _open(app_page)
    at.main.text_input(key="documents_search").set_value("ALERT").run()
    assert not at.exception
    found = _frame(at, "match")
    assert found["_id"].tolist() == ["glacier-hostile"]
    assert "»alert«" in found["match"].iloc[0] and found["text"].iloc[0] == HOSTILE
    # A field named like one of the page's columns neither replaces it nor is lost.
    assert found["cluster"].iloc[0] == "glaciers" and found[" cluster"].iloc[0] == "not the cluster"
    assert "evil.example" not in _markdown_texts(at)  # data stays in the table, never in Markdown
    assert any("1 of the 13 members match" in c.value for c in at.main.caption)


def test_search_without_a_match_says_so(app_page, planted):
    at = _open(app_page)
    at.main.text_input(key="documents_search").set_value("volcano").run()
    assert any("No text field of the 13 members contains it" in i.value for i in at.main.info)


def test_find_similar_lists_the_nearest_members_across_clusters(app_page, planted):
    at = _open(app_page)
    at.main.radio(key="documents_tool").set_value("Find similar").run()
    at.main.selectbox(key="documents_similar_to").set_value(MISASSIGNED[0]).run()
    assert not at.exception
    similar = _frame(at, "score")
    assert set(similar["_id"][:3]) == set(MISASSIGNED[1:])  # its planted twins first
    assert any("Nearest of all 37 members of the 4 clusters" in c.value for c in at.main.caption)


def test_outliers_of_the_open_cluster_are_the_planted_ones(app_page, planted):
    at = _open(app_page)
    assert not [df for df in at.main.dataframe if "reason" in df.value.columns]  # read only when opened
    at.main.radio(key="documents_tool").set_value("Outliers and likely mis-assigned").run()
    outliers = _frame(at, "reason")
    closer = outliers[outliers["reason"].str.contains("closer")]
    assert sorted(closer["_id"]) == sorted(MISASSIGNED) and set(closer["closer_cluster_id"]) == {"volcanoes"}
    assert set(outliers["cluster_id"]) == {"glaciers"}


def test_the_chosen_document_leaving_the_page_resets_find_similar(app_page, planted):
    at = _open(app_page)
    at.main.selectbox(key="documents_page_size").set_value(10).run()
    at.main.radio(key="documents_tool").set_value("Find similar").run()
    at.main.selectbox(key="documents_similar_to").set_value(at.main.selectbox(key="documents_similar_to").options[0]).run()
    next(b for b in at.main.button if b.label == "Next").click().run()
    assert not at.exception
    assert at.main.selectbox(key="documents_similar_to").value is None
