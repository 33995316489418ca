"""Hostile labels and odd ids in a real browser: every value from the data is drawn as its literal
text, never as a link, an image, HTML, a colour, a formula, an icon or bold; no page crashes.

The app runs on a data folder holding only tests/hostile.py's dataset (so no demo data is seeded).
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlencode

import pytest

from centroid_explorer.client import Client
from centroid_explorer.metadata import natural_key
from centroid_explorer.server.runner import EmbeddedServer
from tests.browser.grid import type_into_cell
from tests.hostile import ALIAS, CLUSTER_IDS, EMPTY_ALIAS, HOSTILE, HOSTILE_DATASET, VECTOR_FIELD, write_hostile

VIEW = urlencode({"dataset_id": HOSTILE_DATASET, "vector_field": VECTOR_FIELD, "alias": ALIAS})
LABEL = ":red[x] [a](http://evil) $x^2$ **b**"  # typed into the grid: short enough to be shown whole
WORD_JOINER = "\u2060"  # invisible; breaks what Streamlit would turn into icons or links

# What Markdown or plotly would have made of the hostile values.
RENDERED_FROM_DATA = """() => ({
    links: [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
        .filter(href => href.includes('evil')),
    images: [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || '').filter(src => src.includes('evil'))
        .concat([...document.querySelectorAll('[data-testid=stMain] img[alt="Streamlit logo"]')].map(() => 'logo')),
    formulas: document.querySelectorAll('.katex').length,
    colours: document.querySelectorAll('.stMarkdownColoredText, .stMarkdownColoredBackground').length,
    icons: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMarkdownContainer] span[role=img]')]
        .map(s => s.textContent).filter(name => name === 'bolt'),
    bold: [...document.querySelectorAll('strong, b, del, code')].map(e => e.textContent)
        .filter(t => t === 'b' || t === 'bold' || t === 's' || t === 'code'),
})"""


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile-data")
    with _client_of(data) as client:
        write_hostile(client)
    return data


@pytest.fixture(scope="module")
def hostile_app(running_app, hostile_data, tmp_path_factory):
    with running_app(hostile_data, tmp_path_factory.mktemp("hostile-log")) as url:
        yield url


@contextmanager
def _client_of(data):
    """A client of a second server on the app's data folder (SQLite takes both), to write as another user would."""
    with EmbeddedServer(data) as server, Client(server.base_url, server.project, server.api_key) as client:
        yield client


def _assert_nothing_rendered_from_data(page) -> None:
    found = page.evaluate(RENDERED_FROM_DATA)
    assert found == {"links": [], "images": [], "formulas": 0, "colours": 0, "icons": [], "bold": []}, found


def _main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']").replace(WORD_JOINER, "")


def test_the_map_draws_hostile_names_as_text(page, hostile_app, wait_for_app, save_screenshot, assert_no_traceback):
    page.goto(f"{hostile_app}/?{VIEW}")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 3")
    wait_for_app(page)
    assert_no_traceback(page)
    _assert_nothing_rendered_from_data(page)
    named = page.locator(".st-key-cluster_map .textpoint text").all_text_contents()  # the centroids' names
    assert HOSTILE[:29] + "…" in named  # a hostile label, cut, as text
    # Unlabelled clusters are named by their words (suggested, ≈); ids that share a name follow it as text.
    assert all(any(f"({cid})" in name for name in named) for cid in ("007", "1e3", "-1"))
    sizes_ticks = page.locator(".js-plotly-plot").nth(1).locator(".ytick text").all_text_contents()
    assert len(sizes_ticks) == len(CLUSTER_IDS)  # one tick per cluster: "7" and "007" are not one number
    save_screenshot(page, "hostile-map", full_page=False)


def test_the_documents_page_shows_odd_ids_as_text(page, hostile_app, wait_for_app, wait_for_grids, save_screenshot,
                                                   assert_no_traceback):
    page.goto(f"{hostile_app}/cluster_documents?{VIEW}")
    wait_for_app(page)
    wait_for_grids(page)
    assert_no_traceback(page)
    _assert_nothing_rendered_from_data(page)
    assert f"Label and description of '{HOSTILE[:79]}…'" in _main_text(page)  # the expander's title
    save_screenshot(page, "hostile-documents", full_page=False)

    page.goto(f"{hostile_app}/cluster_documents?{VIEW}&cluster_id=%C2%B2")  # "²" crashed this page
    wait_for_app(page)
    assert_no_traceback(page)
    assert "Label and description of '²'" in _main_text(page)


def test_an_alias_with_no_documents_says_so(page, hostile_app, wait_for_app, save_screenshot, assert_no_traceback):
    view = urlencode({"dataset_id": HOSTILE_DATASET, "vector_field": VECTOR_FIELD, "alias": EMPTY_ALIAS})
    page.goto(f"{hostile_app}/cluster_documents?{view}")
    wait_for_app(page)
    assert_no_traceback(page)
    text = _main_text(page)
    assert "No documents are assigned to this cluster yet." in text and "documents 1–0" not in text
    assert page.locator(".js-plotly-plot").count() == 0
    save_screenshot(page, "hostile-no-documents", full_page=False)


def test_metadata_edits_and_the_merge_panel_show_hostile_values_as_text(
    page, hostile_app, hostile_data, wait_for_app, wait_for_grids, save_screenshot, assert_no_traceback
):
    page.goto(f"{hostile_app}/metadata?{VIEW}")
    wait_for_app(page)
    wait_for_grids(page)
    assert_no_traceback(page)
    _assert_nothing_rendered_from_data(page)
    assert f"alias {HOSTILE}." in _main_text(page)  # the page's caption names the alias as it is

    row = sorted(CLUSTER_IDS, key=natural_key).index("007")  # a cluster with no notes yet
    type_into_cell(page, 2, row, LABEL)
    page.get_by_text(f"cluster '007' label set to \"{LABEL}\"").wait_for()
    wait_for_app(page)
    _assert_nothing_rendered_from_data(page)

    # Someone else labels the same cluster meanwhile: Save opens the merge panel with both values.
    with _client_of(hostile_data) as client:
        stored = client.centroids.metadata(HOSTILE_DATASET, VECTOR_FIELD, ALIAS)
        stored["clusters"]["007"] = {"label": HOSTILE[:60]}
        client.centroids.metadata(HOSTILE_DATASET, VECTOR_FIELD, ALIAS, metadata=stored)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("The stored metadata changed since you loaded it").wait_for()
    wait_for_app(page)
    assert_no_traceback(page)
    _assert_nothing_rendered_from_data(page)
    page.get_by_text("Yours: ").wait_for()  # the choice's radio is drawn a moment after the rest of the panel
    text = _main_text(page)
    assert f"Yours: \"{LABEL}\"" in text and "Stored now: \"" + HOSTILE[:60].replace('"', '\\"') in text
    page.get_by_text("Yours: ").scroll_into_view_if_needed()
    save_screenshot(page, "hostile-merge-panel", full_page=False)

