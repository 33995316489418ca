"""Every page in a real browser: no traceback, a screenshot each; the connect page's wrong-key message."""

from __future__ import annotations

import pytest

VIEW = "?dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"
PAGES = [
    ("Cluster documents", "cluster-documents"),
    ("Metadata", "metadata"),
    ("Upload centroids", "upload-centroids"),
    ("Connect", "connect"),
]


def _open(page, app_url, wait_for_app, link: str) -> None:
    """Open the app at its root, then go to `link` through the sidebar, as a user does."""
    page.goto(app_url + "/" + VIEW)
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text(link, exact=True).click()
    page.get_by_role("heading", name=link).wait_for()
    wait_for_app(page)


@pytest.mark.parametrize("link, name", PAGES)
def test_each_page_opens_without_a_traceback(
    page, app_url, wait_for_app, wait_for_grids, save_screenshot, assert_no_traceback, link, name
):
    _open(page, app_url, wait_for_app, link)
    assert_no_traceback(page)
    wait_for_grids(page)
    save_screenshot(page, name)


def test_wrong_api_key_shows_the_message_not_a_traceback(
    page, app_url, live_server, wait_for_app, save_screenshot, assert_no_traceback
):
    _open(page, app_url, wait_for_app, "Connect")
    page.get_by_text("Hosted or compatible endpoint").click()
    wait_for_app(page)
    page.get_by_label("Region").click()
    page.get_by_role("option", name="Custom URL").click()
    wait_for_app(page)
    page.get_by_role("textbox", name="Base URL", exact=True).fill(live_server.base_url)  # a real server; only the key is wrong
    page.get_by_role("textbox", name="Project", exact=True).fill(live_server.project)
    page.get_by_role("textbox", name="API key", exact=True).fill("wrong-key-123")
    page.get_by_role("textbox", name="API key", exact=True).press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Test connection").click()
    wait_for_app(page)
    message = page.get_by_test_id("stAlertContentError").first
    message.wait_for()
    assert_no_traceback(page)
    assert "wrong-key-123" not in page.inner_text("body")
    assert "rejected the project or API key" in message.inner_text()
    save_screenshot(page, "connect-wrong-key")


def test_a_page_without_charts_already_loads_plotly_for_the_next_one(page, app_url, wait_for_app):
    """components/plotly_preload.py: opening Connect imports plotly.js, so a map opened next need not
    wait for it; the preload element takes no room on the page."""
    page.goto(app_url + "/connect")
    wait_for_app(page)
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('/PlotlyChart.'))", timeout=30_000
    )
    assert page.locator(".js-plotly-plot").count() == 0
    # Out of the layout altogether: a zero-height element would still add the column's gap above the title.
    wrapper = "[data-testid='stLayoutWrapper']:has(> .st-key-plotly_preload)"
    assert page.evaluate(f"() => getComputedStyle(document.querySelector({wrapper!r})).display") == "none"
