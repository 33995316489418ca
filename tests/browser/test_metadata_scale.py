"""The metadata editor in a real browser on generated aliases of 10, 2,000 and 10,000 clusters: a page of
rows with sizes, a search that finds a cluster, an edit saved into the one object."""

from __future__ import annotations

import pytest

from centroid_explorer.client import Client
from centroid_explorer.server.runner import EmbeddedServer
from tests.browser.grid import grid_cell, type_into_cell
from tests.generated import GENERATED_ALIAS, GENERATED_FIELD, cluster_size, generated_alias, generated_dataset_id

KS = (10, 2_000, 10_000)
LABEL_COLUMN, SIZE_COLUMN = 2, 1  # Cluster, Size, Label, ...


@pytest.fixture(scope="module")
def scale_app(running_app, tmp_path_factory):
    """An app over a data folder holding only the generated aliases (so no demo is seeded)."""
    data, logs = tmp_path_factory.mktemp("scale-data"), tmp_path_factory.mktemp("scale-logs")
    with EmbeddedServer(data) as server, Client(server.base_url, server.project, server.api_key, timeout=120) as client:
        for k in KS:
            generated_alias(client, k)
    with running_app(data, logs) as url:
        yield url, data


def _open(page, url: str, k: int, wait_for_app) -> None:
    query = f"dataset_id={generated_dataset_id(k)}&vector_field={GENERATED_FIELD}&alias={GENERATED_ALIAS}"
    page.goto(f"{url}/metadata?{query}")  # straight to the page: the map is not what is measured here
    wait_for_app(page)
    page.get_by_role("heading", name="Clusters").wait_for()
    page.get_by_text(f"({k:,} in all)").wait_for()


@pytest.mark.parametrize("k", KS)
def test_the_editor_shows_a_page_of_clusters_with_sizes(page, scale_app, k, wait_for_app, save_screenshot,
                                                         assert_no_traceback):
    url, _ = scale_app
    _open(page, url, k, wait_for_app)
    grid_cell(page, 0, 4).wait_for(state="attached")  # (the empty free-fields table draws no cells to wait for)
    save_screenshot(page, f"metadata-editor-k{k}")

    page.get_by_text(f"Showing 1–{min(k, 100)} of {k:,} matching clusters").wait_for()
    assert grid_cell(page, 0, 4).text_content() == "cluster_4"
    assert grid_cell(page, SIZE_COLUMN, 4).text_content() == str(cluster_size(4))
    assert_no_traceback(page)


def test_a_cluster_found_by_search_is_labelled_and_saved(page, scale_app, wait_for_app, save_screenshot, assert_no_traceback):
    url, data = scale_app
    _open(page, url, 2_000, wait_for_app)

    page.get_by_placeholder("Cluster id or label contains…").fill("cluster_1234")
    page.keyboard.press("Enter")
    page.get_by_text("Showing 1–1 of 1 matching clusters").wait_for()
    wait_for_app(page)
    page.wait_for_function(  # the new grid, not the one it replaces
        "() => document.querySelector(\"[data-testid='stDataFrame'] [data-testid='glide-cell-0-0']\")?.textContent === 'cluster_1234'"
    )
    type_into_cell(page, LABEL_COLUMN, 0, "Found in 2,000")
    page.get_by_text("cluster 'cluster_1234' label set to").wait_for()  # it had no entry yet
    wait_for_app(page)
    save_screenshot(page, "metadata-search-k2000")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved 1 change").wait_for()
    wait_for_app(page)
    page.get_by_text("The newest 2 of 2 versions").scroll_into_view_if_needed()
    save_screenshot(page, "metadata-history-k2000", full_page=False)

    with EmbeddedServer(data) as server, Client(server.base_url, server.project, server.api_key) as client:
        stored = client.centroids.metadata(generated_dataset_id(2_000), GENERATED_FIELD, GENERATED_ALIAS)
    assert stored["clusters"]["cluster_1234"]["label"] == "Found in 2,000"
    assert stored["clusters"]["cluster_3"] == {"label": "label 3", "tags": ["odd"]}  # the others as they were
    assert_no_traceback(page)
