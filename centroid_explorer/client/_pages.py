"""Walk a cursor-paged endpoint to its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..array_pages import ArrayPage
from ._vectors import with_arrays

# Iterators fetch bigger pages than the seed's single-page default of 5: fewer round trips.
ITER_PAGE_SIZE = 100


def walk_pages(
    fetch_page: Callable[[str | None], dict[str, Any]], items_key: str, *, as_arrays: bool
) -> Iterator[dict[str, Any]]:
    """Every item of every page, in order. Stops on a null cursor, or on an empty page (older
    servers keep handing out a cursor after the last page)."""
    cursor = None
    while True:
        page = fetch_page(cursor)
        items = page.get(items_key) or []
        if as_arrays:
            with_arrays(items)
        yield from items
        cursor = page.get("cursor")
        if not cursor or not items:
            return


def walk_array_pages(fetch_page: Callable[[str | None], ArrayPage]) -> Iterator[ArrayPage]:
    """Every page, in order, as `walk_pages` walks them."""
    cursor = None
    while True:
        page = fetch_page(cursor)
        yield page
        cursor = page.payload.get("cursor")
        if not cursor or not page.documents:
            return
