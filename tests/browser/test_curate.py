"""Curate and Compare clusterings in a real browser: merge two clusters, preview, write a new alias, open it,
then compare it with the alias it came from."""

from __future__ import annotations

DEMO_QUERY = "dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"
NEW_ALIAS = "browser-merged"


def _pick_first_options(page, label: str, count: int) -> None:
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=label)
    for _ in range(count):
        box.locator("input").click()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_merge_two_clusters_preview_write_a_new_alias_and_open_it(page, app_url, wait_for_app, wait_for_grids,
                                                                  save_screenshot, assert_no_traceback):
    page.goto(f"{app_url}/curate?{DEMO_QUERY}")
    wait_for_app(page)
    page.get_by_role("heading", name="Curate clusters").wait_for()
    _pick_first_options(page, "Clusters to merge", 2)
    wait_for_app(page)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    wait_for_app(page)
    # plotly's bundle loads after the script ends: wait for the charts to be drawn, then count them
    page.locator(".js-plotly-plot").nth(1).wait_for()
    assert page.locator(".js-plotly-plot").count() == 2  # the affected clusters before and after
    assert page.get_by_text("document(s) change cluster").count() == 1
    wait_for_grids(page)
    save_screenshot(page, "curate-merge-preview")
    page.get_by_role("heading", name="Write").scroll_into_view_if_needed()
    save_screenshot(page, "curate-merge-preview-write")

    page.get_by_label("New alias").fill(NEW_ALIAS)
    page.get_by_label("New alias").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Write to the new alias").click()
    page.get_by_text(f"written to the new alias '{NEW_ALIAS}'").wait_for()
    wait_for_app(page)
    save_screenshot(page, "curate-merge-written")

    page.get_by_role("button", name=f"Open {NEW_ALIAS}").click()
    page.get_by_role("heading", name="Cluster documents").wait_for()
    wait_for_app(page)
    save_screenshot(page, "curate-opened-new-alias", full_page=False)
    sidebar_values = [box.input_value() for box in page.locator("[data-testid='stSidebar'] input").all()]
    assert f"{NEW_ALIAS} · 9 centroids" in sidebar_values, sidebar_values  # the sidebar has it chosen
    assert f"alias={NEW_ALIAS}" in page.url
    assert_no_traceback(page)


def test_compare_the_new_alias_with_its_source(page, app_url, wait_for_app, wait_for_grids, save_screenshot,
                                               assert_no_traceback):
    page.goto(f"{app_url}/compare_clusterings?{DEMO_QUERY}")
    wait_for_app(page)
    # waited for, not counted at once: the sidebar may rerun the page as it settles on the URL's names
    page.locator("[data-testid='stMetric']").filter(has_text="Adjusted Rand index").wait_for()
    page.get_by_role("heading", name="Member flows").wait_for()
    page.locator(".js-plotly-plot").wait_for()
    wait_for_app(page)
    wait_for_grids(page)
    save_screenshot(page, "compare-clusterings")
    page.get_by_role("heading", name="Documents that changed cluster").scroll_into_view_if_needed()
    save_screenshot(page, "compare-clusterings-flows")
    assert_no_traceback(page)


def test_merge_two_clusters_chosen_on_the_map(page, app_url, wait_for_app, wait_for_grids, save_screenshot,
                                              assert_no_traceback):
    """Issue 13: a box dragged over two centroids on the map hands them to Curate's merge, previewed and
    written to a new alias, which then opens."""
    from tests.browser.test_map import MAP, _open_refined_map

    centroids = [p for p in _open_refined_map(page, app_url, wait_for_app) if p["centroid"]]
    first, second = min(((a, b) for a in centroids for b in centroids if a["cluster"] < b["cluster"]),
                        key=lambda ab: (ab[0]["x"] - ab[1]["x"]) ** 2 + (ab[0]["y"] - ab[1]["y"]) ** 2)
    left, right = sorted((first["x"], second["x"]))
    top, bottom = sorted((first["y"], second["y"]))
    inside = {c["cluster"] for c in centroids if left - 6 <= c["x"] <= right + 6 and top - 6 <= c["y"] <= bottom + 6}
    page.locator(MAP).hover()
    page.locator(".st-key-cluster_map .modebar-btn[data-title='Box Select']").click()
    page.mouse.move(left - 6, top - 6)
    page.mouse.down()
    page.mouse.move(right + 6, bottom + 6, steps=8)
    page.mouse.up()
    merge = page.get_by_role("button", name=f"Merge these {len(inside)} clusters…")
    merge.wait_for()
    merge.click()

    page.get_by_role("heading", name="Curate clusters").wait_for()
    wait_for_app(page)
    chosen = page.locator("[data-testid='stMultiSelect']").filter(has_text="Clusters to merge").inner_text()
    assert chosen.count(" documents") == len(inside), (inside, chosen)  # each shown by its label and size
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    wait_for_app(page)
    page.get_by_label("New alias").fill("from-the-map")
    page.get_by_label("New alias").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Write to the new alias").click()
    page.get_by_text("written to the new alias 'from-the-map'").wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Open from-the-map").click()
    page.get_by_role("heading", name="Cluster documents").wait_for()
    wait_for_app(page)
    assert "alias=from-the-map" in page.url
    save_screenshot(page, "curate-merged-from-the-map", full_page=False)
    assert_no_traceback(page)
