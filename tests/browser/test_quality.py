"""The Cluster quality page in a real browser: it opens with its table, a click on a row opens that cluster,
and the way back stays on the quality page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

QUALITY = "cluster_quality?dataset_id=python-docs&vector_field=text_vector_&alias=kmeans-12"
TABLE = ".st-key-quality_table"


def test_quality_page_opens_and_a_row_click_opens_the_cluster(page, app_url, wait_for_app, wait_for_grids,
                                                              save_screenshot, assert_no_traceback):
    page.goto(f"{app_url}/{QUALITY}")
    wait_for_app(page)
    page.get_by_role("heading", name="Cluster quality").wait_for()
    wait_for_grids(page)
    assert_no_traceback(page)
    assert "every one of the" in page.inner_text("body")  # what was read is stated
    save_screenshot(page, "cluster-quality")

    grid = page.locator(TABLE)
    # The grid mirrors its cells as text: the worst cluster's id is in the first row, beside its name.
    first_row = grid.locator("[data-testid^='glide-cell-'][data-testid$='-0']").all_text_contents()
    worst = next(text for text in first_row if re.fullmatch(r"cluster_\d+", text))
    box = grid.locator("canvas").first.bounding_box()
    # The row marker (its selection checkbox) sits at the left edge; the first row under the header.
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)

    page.wait_for_url(re.compile(r"/cluster_documents\?"))
    wait_for_app(page)
    page.get_by_role("heading", name="Cluster documents").wait_for()
    assert parse_qs(urlparse(page.url).query)["cluster_id"] == [worst]
    assert_no_traceback(page)

    # Back on the quality page, the old row selection does not send the user off again.
    page.locator("[data-testid='stSidebarNav']").get_by_text("Cluster quality", exact=True).click()
    page.get_by_role("heading", name="Cluster quality").wait_for()
    wait_for_app(page)
    wait_for_grids(page)
    assert "/cluster_quality" in page.url
    assert_no_traceback(page)
