"""Streamlit's data grid driven as a user drives it: cells are read from the canvas's accessible mirror,
and a cell is edited by clicking the grid, moving with the arrow keys and pressing Enter."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout


def grid_cell(page, column: int, row: int):
    """The first grid's cell; the grid draws on a canvas, its accessible mirror holds each cell's text."""
    return page.locator(f"[data-testid='stDataFrame'] [data-testid='glide-cell-{column}-{row}']").first


def type_into_cell(page, column: int, row: int, text: str) -> None:
    """Select the first grid's first cell, move to (column, row), open the cell editor, type and press Enter."""
    page.bring_to_front()  # keyboard focus goes to the front tab only
    grid = page.locator("[data-testid='stDataFrame']").first
    editor = page.locator("textarea.gdg-input")
    for attempt in range(3):  # a grid drawn a moment ago may not take the first click yet
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 30, box["y"] + 36 + 17)  # first body row, first column
        for key in ["ArrowRight"] * column + ["ArrowDown"] * row + ["Enter"]:
            page.keyboard.press(key)
        try:
            editor.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    editor.fill(text)
    page.keyboard.press("Enter")
