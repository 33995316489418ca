"""The upload page in a real browser: a CSV chosen in the file input is checked, written, and listed back."""

from __future__ import annotations

from pathlib import Path

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
    page.get_by_text("Inserted 3 centroids.").wait_for()
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
    page.get_by_text("The file has 2 problems; nothing was written.").wait_for()
    wait_for_app(page)
    problems = page.locator("[data-testid='stDataFrame']").first
    first_problem = problems.locator("[data-testid='glide-cell-2-0']")
    first_problem.wait_for(state="attached")  # the grid is drawn (its cells' text mirror exists)
    save_screenshot(page, "upload-centroids-problems")

    assert problems.locator("[data-testid='glide-cell-0-0']").text_content() == "3"
    assert problems.locator("[data-testid='glide-cell-1-0']").text_content() == "_id"
    assert "duplicate id 'x'" in first_problem.text_content()

    assert page.get_by_role("button", name="Upload", exact=False).filter(has_text="centroids").count() == 0


# Markdown links and images, Streamlit's colour syntax, LaTeX, HTML: rendered, any would show.
HOSTILE = ":red[x] [a](http://evil.example) ![i](http://evil.example/i.png) $x$ <b>b</b> :material/warning:"
HOSTILE_FILE_NAME = ":red[x] [a](evil.example) ![i](evil.example) $x$ <b>bold.csv"  # no '/' in a file name


def _rendered_anywhere(page) -> list[str]:
    """What the page would show if the hostile text had been rendered instead of shown as text."""
    checks = {
        "a link to it": "a[href*='evil.example']",
        "an image from it": "img[src*='evil.example']",
        "LaTeX": "[data-testid='stMain'] .katex",
        "HTML from the data": "[data-testid='stMain'] b",  # Streamlit writes bold as <strong>
        "markdown holding it": "[data-testid='stMarkdownContainer']:has-text('evil.example')",
    }
    return [what for what, selector in checks.items() if page.locator(selector).count()]


def test_a_hostile_file_is_shown_as_text(page, app_url, wait_for_app, wait_for_grids, save_screenshot, assert_no_traceback, tmp_path):
    header, first, second = centroid_csv.export(["a", "b"], np.ones((2, 64))).splitlines()
    path = tmp_path / HOSTILE_FILE_NAME
    path.write_text("\n".join([
        header.replace(",v0,", f",{HOSTILE},", 1),
        first.replace("a,", f"{HOSTILE},", 1),
        second.replace("b,1.0", f"{HOSTILE},oops", 1),
    ]) + "\n")
    _open(page, app_url, wait_for_app)

    _choose_file(page, path)
    page.get_by_text("The file has 2 problems; nothing was written.").wait_for()
    wait_for_app(page)
    wait_for_grids(page)
    save_screenshot(page, "upload-centroids-hostile-file")

    problems = page.locator("[data-testid='stDataFrame']").first
    assert problems.locator("[data-testid='glide-cell-1-1']").text_content() == HOSTILE  # the column, as text
    duplicate = problems.locator("[data-testid='glide-cell-2-0']").text_content()
    assert duplicate.startswith("duplicate id ':red[x] [a](http://evil.example)")  # the id, as text
    assert _rendered_anywhere(page) == []
    assert_no_traceback(page)


def test_tables_offer_no_raw_csv_download(page, app_url, wait_for_app, wait_for_grids, tmp_path):
    """Streamlit's table export writes cells raw: an id such as =1+1 would run in a spreadsheet."""
    path = tmp_path / "formulas.csv"
    path.write_text(centroid_csv.export(["=1+1", "@SUM(A1)"], np.ones((2, 64))))
    _open(page, app_url, wait_for_app)
    _choose_file(page, path)
    page.get_by_text("2 centroids of 64 dims, all good").wait_for()
    wait_for_app(page)
    wait_for_grids(page)

    table = page.locator("[data-testid='stDataFrame']").first
    assert table.locator("[data-testid='glide-cell-0-0']").text_content() == "=1+1"  # read back without the '
    table.hover()
    page.get_by_role("button", name="Fullscreen").first.wait_for()  # the table's toolbar is showing
    assert page.get_by_role("button", name="Download as CSV").count() == 0


def test_a_semicolon_file_gets_the_separator_hint(page, app_url, wait_for_app, wait_for_grids, save_screenshot, tmp_path):
    path = tmp_path / "semicolons.csv"
    path.write_text(centroid_csv.export(["a", "b"], np.full((2, 64), 0.5)).replace(",", ";").replace("0.5", "0,5"))
    _open(page, app_url, wait_for_app)

    _choose_file(page, path)
    page.get_by_text("The file has 1 problem; nothing was written.").wait_for()
    wait_for_app(page)
    wait_for_grids(page)
    save_screenshot(page, "upload-centroids-semicolons")

    problem = page.locator("[data-testid='stDataFrame']").first.locator("[data-testid='glide-cell-2-0']")
    assert problem.text_content().startswith("no id column: the header looks separated by ';': save the file as CSV with commas")


def test_the_export_download_writes_formula_ids_as_text_and_uploads_again(page, app_url, wait_for_app, tmp_path):
    ids = ["=1+1", "+cmd", "-2", "@SUM(A1)", " padded ", "plain"]
    vectors = np.random.default_rng(3).random((len(ids), 64)).astype(np.float32) - 0.5
    path = tmp_path / "formulas.csv"
    path.write_text(centroid_csv.export(ids, vectors))
    _open(page, app_url, wait_for_app)
    _choose_file(page, path)
    page.get_by_label("New alias name").fill("formula-ids")
    page.get_by_label("New alias name").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name=f"Upload {len(ids)} centroids").click()
    page.get_by_text(f"Inserted {len(ids)} centroids.").wait_for()
    wait_for_app(page)

    page.goto(f"{app_url}/upload_centroids?dataset_id=digits&vector_field=pixels_vector_&alias=formula-ids")
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download the current alias as CSV ({len(ids)} centroids)").click()
    exported = Path(download.value.path()).read_text()

    first_cells = sorted(line.split(",")[0] for line in exported.splitlines()[1:])
    assert first_cells == sorted(["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "' padded ", "plain"])
    assert ",-0." in exported  # negative numbers are written as numbers
    parsed = centroid_csv.parse(exported)
    assert sorted(parsed.ids) == sorted(ids)
    np.testing.assert_array_equal(parsed.vectors[np.argsort(parsed.ids)], vectors[np.argsort(ids)])
