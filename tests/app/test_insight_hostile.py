"""The insight pages and tools on the hostile dataset (tests/hostile.py): no crash, data never in Markdown."""

from __future__ import annotations

import pytest

from tests.app.test_hostile_data import VIEW, _assert_shown_as_text
from tests.hostile import CLUSTER_IDS, EMPTY_ALIAS, HOSTILE, HOSTILE_DATASET, as_read, write_hostile

QUALITY, DOCS = "views/cluster_quality.py", "views/cluster_documents.py"


@pytest.fixture(scope="module")
def hostile(demo_client):
    if HOSTILE_DATASET not in demo_client.datasets.list():
        write_hostile(demo_client)


def test_the_quality_page_lists_odd_ids_as_text(app_page, hostile):
    at = app_page(QUALITY, **VIEW)
    _assert_shown_as_text(at)
    assert sorted(at.main.dataframe[0].value["cluster_id"]) == sorted(CLUSTER_IDS)
    assert HOSTILE in set(at.main.dataframe[1].value["cluster_id"])  # outliers: ids as table cells
    for metric in ("l1", "dp"):
        at.main.selectbox(key="similarity_metric").set_value(metric).run()
        _assert_shown_as_text(at)


def test_the_documents_tools_show_hostile_text_as_text(app_page, hostile):
    at = app_page(DOCS, **VIEW)
    at.main.multiselect[0].set_value([HOSTILE]).run()
    at.main.text_input(key="documents_search").set_value("[link](").run()
    _assert_shown_as_text(at)
    found = next(df.value for df in at.main.dataframe if "match" in df.value.columns)
    assert len(found) == 6 and found["match"].str.contains("»[link](«", regex=False).all()
    at.main.radio(key="documents_tool").set_value("Find similar").run()
    at.main.selectbox(key="documents_similar_to").set_value(f"{HOSTILE} #0-0").run()
    _assert_shown_as_text(at)
    at.main.radio(key="documents_tool").set_value("Outliers and likely mis-assigned").run()
    _assert_shown_as_text(at)
    assert any(df.value.columns[0] == "_id" and "reason" in df.value.columns for df in at.main.dataframe)


def test_the_quality_page_of_an_alias_without_members_says_so(app_page, hostile):
    at = app_page(QUALITY, **{**VIEW, "alias": EMPTY_ALIAS})
    assert not at.exception
    assert any("No documents are assigned to" in as_read(i.value) for i in at.main.info)
    assert not at.main.dataframe
