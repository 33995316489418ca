"""Cluster documents through AppTest: paging (next, previous, jump), several clusters, the map's link."""

from __future__ import annotations

import re

DOCS = "views/cluster_documents.py"


def _position(at) -> tuple[int, int, int]:
    """(page, pages, total documents) as the page states them."""
    text = next(m.value for m in at.main.markdown if m.value.startswith("Page **"))
    page, pages, total = re.match(r"Page \*\*(\d+)\*\* of \*\*(\d+)\*\*.* of \*\*([\d,]+)\*\*", text).groups()
    return int(page), int(pages), int(total.replace(",", ""))


def _button(at, label):
    return next(b for b in at.main.button if b.label == label)


def _first_ids(at) -> list[str]:
    return at.main.dataframe[0].value["_id"].tolist()


def test_documents_page_runs_and_lists_the_closest_first(app_page):
    at = app_page(DOCS)
    assert not at.exception
    table = at.main.dataframe[0].value
    assert len(table) == 20  # default page size
    assert table["_relevance"].is_monotonic_decreasing
    assert len(at.get("plotly_chart")) == 1  # the similarity histogram


def test_next_previous_and_jump(app_page):
    at = app_page(DOCS)
    first_page = _first_ids(at)
    _, pages, _ = _position(at)
    _button(at, "Next").click().run()
    assert not at.exception and _position(at)[0] == 2
    assert set(_first_ids(at)).isdisjoint(first_page)
    _button(at, "Previous").click().run()
    assert _position(at)[0] == 1 and _first_ids(at) == first_page
    at.main.number_input[0].set_value(pages).run()
    assert _position(at)[0] == pages
    assert _button(at, "Next").disabled


def test_a_page_past_the_end_says_which_pages_there_are(app_page):
    at = app_page(DOCS)
    _, pages, _ = _position(at)
    at.main.number_input[0].set_value(pages + 50).run()
    assert not at.exception
    assert _position(at)[0] == pages  # the last page is shown, with its documents
    assert len(at.main.dataframe[0].value) > 0
    assert any(f"There is no page {pages + 50}: pages go from 1 to {pages}" in w.value for w in at.main.warning)


def test_page_size_changes_the_number_of_pages(app_page):
    at = app_page(DOCS)
    _, pages_at_20, total = _position(at)
    next(s for s in at.main.selectbox if s.label == "Page size").set_value(50).run()
    assert not at.exception
    assert _position(at) == (1, -(-total // 50), total) and pages_at_20 > _position(at)[1]


def test_several_clusters_are_listed_together(app_page):
    at = app_page(DOCS)
    alone = _position(at)[2]
    clusters = at.main.multiselect[0]
    clusters.set_value(clusters.options[:2]).run()
    assert not at.exception
    assert _position(at)[2] > alone
    assert set(at.main.dataframe[0].value["cluster"]) and len(set(at.main.dataframe[0].value["cluster"])) == 2


def test_the_maps_link_opens_that_cluster(app_page):
    at = app_page(DOCS, dataset_id="digits", vector_field="pixels_vector_", alias="kmeans-10", cluster_id="cluster_7")
    assert not at.exception
    assert at.main.multiselect[0].value == ["cluster_7"]
