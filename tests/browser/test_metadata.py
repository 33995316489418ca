"""The metadata page in a real browser: a label typed into the grid and saved survives a reload."""

from __future__ import annotations

from tests.browser.grid import grid_cell, type_into_cell

DEMO_QUERY = "dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"
LABEL_COLUMN = 2  # Cluster, Size, Label, ...


def _open(page, app_url, wait_for_app):
    """Open the demo view at the root, then this page from the sidebar, as a user does."""
    page.goto(f"{app_url}/?{DEMO_QUERY}")
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Metadata", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name="Clusters").wait_for()


def _type_into_cell(page, wait_for_app, column: int, row: int, text: str) -> None:
    type_into_cell(page, column, row, text)
    # The edit has reached the app once the page lists it (the script state alone may not have flipped yet).
    # demo rows are cluster_0..9 in order; the History panel may list another change of that label
    page.get_by_text(f"cluster 'cluster_{row}' label changed").filter(has_text=f'to "{text}"').wait_for()
    wait_for_app(page)


def test_a_label_edited_and_saved_survives_a_reload(page, app_url, wait_for_app, save_screenshot, assert_no_traceback):
    _open(page, app_url, wait_for_app)
    save_screenshot(page, "metadata-editor")

    _type_into_cell(page, wait_for_app, LABEL_COLUMN, 3, "Threes (browser test)")
    save_screenshot(page, "metadata-unsaved")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Saved 1 change to 'kmeans-10'.").wait_for()

    page.reload()
    wait_for_app(page)
    assert grid_cell(page, LABEL_COLUMN, 3).text_content() == "Threes (browser test)"
    assert_no_traceback(page)


def test_an_unsaved_edit_is_still_there_after_visiting_another_page(page, app_url, wait_for_app, assert_no_traceback):
    _open(page, app_url, wait_for_app)
    _type_into_cell(page, wait_for_app, LABEL_COLUMN, 6, "Zeros, not saved yet")

    page.get_by_role("link", name="Connect").click()
    wait_for_app(page)
    page.get_by_role("link", name="Metadata").click()
    wait_for_app(page)

    page.get_by_text("cluster 'cluster_6' label changed").filter(has_text='"Zeros, not saved yet"').wait_for()
    assert grid_cell(page, LABEL_COLUMN, 6).text_content() == "Zeros, not saved yet"
    assert_no_traceback(page)


def test_a_save_over_another_users_save_shows_the_merge_panel(browser, app_url, wait_for_app, save_screenshot, assert_no_traceback):
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1400}) for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(120_000)
    mine, theirs = (context.new_page() for context in contexts)  # two users: two Streamlit sessions
    try:
        _open(mine, app_url, wait_for_app)
        _open(theirs, app_url, wait_for_app)
        _type_into_cell(theirs, wait_for_app, LABEL_COLUMN, 8, "Eights, from the other user")
        theirs.get_by_role("button", name="Save", exact=True).click()
        theirs.get_by_text("Saved 1 change").wait_for()

        _type_into_cell(mine, wait_for_app, LABEL_COLUMN, 8, "Eights, from me")
        mine.get_by_role("button", name="Save", exact=True).click()
        mine.get_by_text("The stored metadata changed since you loaded it").wait_for()
        wait_for_app(mine)
        mine.get_by_text('Stored now: "Eights, from the other user"').scroll_into_view_if_needed()
        save_screenshot(mine, "metadata-conflict")

        mine.get_by_text('Yours: "Eights, from me"').click()
        wait_for_app(mine)
        mine.get_by_role("button", name="Merge into my edits").click()
        mine.get_by_text("Merged: their changes and yours are in the editor").wait_for()
        mine.get_by_role("button", name="Save", exact=True).click()
        mine.get_by_text("Saved 1 change").wait_for()
        wait_for_app(mine)
        assert grid_cell(mine, LABEL_COLUMN, 8).text_content() == "Eights, from me"
        assert_no_traceback(mine)
    finally:
        for context in contexts:
            context.close()
