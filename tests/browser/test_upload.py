"""The upload page in a real browser: a CSV chosen in the file input is checked, written, and listed back."""

from __future__ import annotations

import numpy as np

from centroid_explorer import centroid_csv

DEMO_QUERY = "dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"


def _open(page, app_url, wait_for_app):
    """Open this page by its own URL with the demo view in the query string, as a shared link does."""
    page.goto(f"{app_url}/upload_centroids?{DEMO_QUERY}")
    wait_for_app(page)
    page.get_by_role("heading", name="Upload a CSV").wait_for()


def _choose_file(page, path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))


def test_an_uploaded_csv_appears_in_the_centroid_list(page, app_url, wait_for_app, save_screenshot, assert_no_traceback, tmp_path):
    path = tmp_path / "browser-centroids.csv"
    ids = ["browser_0", "browser_1", "browser_2"]
    path.write_text(centroid_csv.export(ids, np.random.default_rng(7).random((3, 64)) * 16))
    _open(page, app_url, wait_for_app)
    save_screenshot(page, "upload-centroids-empty")

    _choose_file(page, path)
    page.get_by_text("3 centroids of 64 dims, all good").wait_for()
    wait_for_app(page)
    save_screenshot(page, "upload-centroids-preview")
    page.get_by_label("New alias name").fill("browser-upload")
    page.get_by_label("New alias name").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Upload 3 centroids").click()
    page.get_by_text("Inserted 3 centroids into 'browser-upload'.").wait_for()
    wait_for_app(page)
    save_screenshot(page, "upload-centroids-done")

    listed = page.locator("[data-testid='stDataFrame']").last
    for row, centroid_id in enumerate(ids):
        assert listed.locator(f"[data-testid='glide-cell-0-{row}']").text_content() == centroid_id
    assert_no_traceback(page)


def test_a_bad_csv_shows_its_problems_and_no_upload_button(page, app_url, wait_for_app, save_screenshot, tmp_path):
    path = tmp_path / "bad.csv"
    header, first, second = centroid_csv.export(["x", "y"], np.ones((2, 64))).splitlines()
    path.write_text("\n".join([header, first, second.replace("y,1.0", "x,oops", 1)]) + "\n")
    _open(page, app_url, wait_for_app)

    _choose_file(page, path)
    page.get_by_text("bad.csv has 2 problems; nothing was written.").wait_for()
    wait_for_app(page)
    problems = page.locator("[data-testid='stDataFrame']").first
    first_problem = problems.locator("[data-testid='glide-cell-2-0']")
    first_problem.wait_for(state="attached")  # the grid is drawn (its cells' text mirror exists)
    save_screenshot(page, "upload-centroids-problems")

    assert problems.locator("[data-testid='glide-cell-0-0']").text_content() == "3"
    assert problems.locator("[data-testid='glide-cell-1-0']").text_content() == "_id"
    assert "duplicate id 'x'" in first_problem.text_content()

    assert page.get_by_role("button", name="Upload", exact=False).filter(has_text="centroids").count() == 0
