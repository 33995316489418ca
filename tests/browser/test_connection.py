"""A connection made on the Connect page, in a real browser: it survives a reload, is never silently
replaced by the embedded demo (after a restart, or in a browser that never connected), and no API
key reaches a cookie, the URL or the page. `live_server` stands in for a hosted endpoint."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from centroid_explorer.client import Client

DATASET = "browser-link-data"
COOKIE = "centroid_explorer_connection"
CRAFTED = "x` [Sign in again](https://evil.example/login) ![](https://evil.example/a.png) `"


@pytest.fixture(scope="module")
def hosted(live_server):
    """The live server with a dataset the embedded demo server does not have."""
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(DATASET, [{"_id": f"d{i}", "emb_vector_": [float(i), 1.0]} for i in range(3)])
    return live_server


def _picked_dataset(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").input_value()


def _sidebar(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def _connect(page, wait_for_app, server, token: str | None = None) -> None:
    """On the Connect page: Custom URL, the server's base URL, its project and key (or `token`), Connect."""
    page.get_by_text("Hosted or compatible endpoint").click()
    wait_for_app(page)
    page.get_by_label("Region").click()
    page.get_by_role("option", name="Custom URL").click()
    wait_for_app(page)
    page.get_by_role("textbox", name="Base URL", exact=True).fill(server.base_url)
    if token is None:
        page.get_by_role("textbox", name="Project", exact=True).fill(server.project)
        page.get_by_role("textbox", name="API key", exact=True).fill(server.api_key)
    else:
        page.get_by_role("textbox", name=re.compile("paste a")).fill(token)
    page.get_by_role("textbox", name="Base URL", exact=True).press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_text(re.compile(r"Connected to \S+: \d+ datasets?")).wait_for()
    wait_for_app(page)


def _open_map(page, wait_for_app, pick: bool = True) -> None:
    """The map page; with `pick`, DATASET picked in the sidebar (the server may hold others, listed first)."""
    page.get_by_test_id("stSidebarNav").get_by_text("Cluster map", exact=True).click()
    page.get_by_role("heading", name="Cluster map").wait_for()
    wait_for_app(page)
    if pick and _picked_dataset(page) != DATASET:
        page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
        page.get_by_role("option", name=DATASET, exact=True).click()
        page.wait_for_url(re.compile(f"dataset_id={DATASET}"))
        wait_for_app(page)


def _assert_no_key_anywhere(page, server) -> None:
    assert server.api_key not in page.url + page.inner_text("body")
    assert all(server.api_key not in cookie["value"] for cookie in page.context.cookies())


def test_a_reload_keeps_the_connection_and_the_dataset(
    page, app_url, hosted, wait_for_app, save_screenshot, assert_no_traceback
):
    page.goto(app_url + "/connect")
    wait_for_app(page)
    _connect(page, wait_for_app, hosted)
    _open_map(page, wait_for_app)
    assert _picked_dataset(page) == DATASET
    assert f"dataset_id={DATASET}" in page.url
    link = page.url

    page.reload()
    page.get_by_role("heading", name="Cluster map").wait_for()
    wait_for_app(page)
    assert page.url == link  # not rewritten to a demo dataset
    sidebar = _sidebar(page)
    assert f"{hosted.project} @ 127.0.0.1" in sidebar and "Embedded server" not in sidebar
    assert _picked_dataset(page) == DATASET
    assert_no_traceback(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert cookie["sameSite"] == "Strict" and cookie["expires"] == -1  # a session cookie
    _assert_no_key_anywhere(page, hosted)
    save_screenshot(page, "connection-after-reload", full_page=False)


def test_a_link_opened_where_that_connection_is_unknown_names_the_dataset(
    page, app_url, hosted, wait_for_app, save_screenshot, assert_no_traceback
):
    """A shared link in a browser that never connected: the embedded server lacks the dataset, and says so."""
    link = f"{app_url}/?dataset_id={DATASET}&vector_field=emb_vector_"
    page.goto(link)
    wait_for_app(page)
    page.get_by_text(f"The link names dataset {DATASET}, which this connection does not have.").wait_for()
    assert page.url == link
    assert _picked_dataset(page) == ""  # no demo dataset instead
    assert page.locator(".js-plotly-plot").count() == 0
    assert_no_traceback(page)
    save_screenshot(page, "connection-link-elsewhere", full_page=False)


def test_a_connection_lost_in_a_restart_says_so_and_keeps_the_link(
    browser, running_app, tmp_path, hosted, wait_for_app, save_screenshot, assert_no_traceback
):
    """The dashboard restarts (forgetting every connection); the browser comes back with its cookie."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(120_000)
    page = context.new_page()
    data, logs = tmp_path / "data", tmp_path / "logs"
    data.mkdir(), logs.mkdir()
    with running_app(data, logs) as url:
        page.goto(url + "/connect")
        wait_for_app(page)
        _connect(page, wait_for_app, hosted)
        _open_map(page, wait_for_app)
        link_path = page.url.removeprefix(url)
        assert f"dataset_id={DATASET}" in link_path
    with running_app(data, logs) as url:  # another port on the same host: the browser sends the cookie
        page.goto(url + link_path)
        wait_for_app(page)
        page.get_by_text("This tab's connection is gone").first.wait_for()
        assert page.url == url + link_path
        assert "Embedded server" not in _sidebar(page) and "digits" not in _sidebar(page)
        assert page.locator(".js-plotly-plot").count() == 0
        assert_no_traceback(page)
        save_screenshot(page, "connection-lost", full_page=False)

        page.get_by_role("link", name="Open the Connect page").click()
        page.get_by_role("heading", name="Connect").wait_for()
        wait_for_app(page)
        _connect(page, wait_for_app, hosted, token=f"{hosted.project}:{hosted.api_key}:us-east-1:user-123")
        _open_map(page, wait_for_app, pick=False)
        assert f"dataset_id={DATASET}" in page.url  # the link's dataset, on the endpoint connected again
        _assert_no_key_anywhere(page, hosted)
    context.close()


def test_a_crafted_alias_in_a_link_is_shown_as_text(page, app_url, wait_for_app, assert_no_traceback):
    """Finding 4: the alias closes a backtick span and adds a link and an image; both stay text."""
    page.goto(app_url + "/?dataset_id=digits&vector_field=pixels_vector_&alias=" + quote(CRAFTED, safe=""))
    wait_for_app(page)
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for()
    assert CRAFTED.strip() in warning.inner_text()
    main = page.get_by_test_id("stMain")
    assert main.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    assert_no_traceback(page)

