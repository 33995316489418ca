"""Pages and cursors, the same for every store.

A cursor names a position: `p<n>`, where n is what the store pages by (a key it lists in order,
or an offset into a ranking). Only cursors of that form are read (contract.CURSOR_PATTERN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import contract
from .errors import BadRequest

_CURSOR = re.compile(contract.CURSOR_PATTERN)


@dataclass
class Page:
    items: list[dict[str, Any]]
    cursor: str | None  # None on the last page
    count: int  # across all pages
    # With `vector_block`: the vector field's (n, d) float32, NaN rows for items without it (items then carry none).
    vectors: np.ndarray | None = None


def encode_cursor(position: int) -> str:
    return f"p{position}"


def decode_cursor(cursor: str | None, first: int = 0) -> int:
    """The position a cursor names (`first` when there is none); a 400 for anything this server does not issue."""
    if not cursor:
        return first
    if _CURSOR.fullmatch(cursor) is None:
        raise BadRequest(f"cursor {cursor[:40]!r} is not one this server issued; pass the `cursor` from the previous page")
    return int(cursor[1:])


def offset_cursor(end: int, total: int) -> str | None:
    """The cursor after a page of an ordered list that ends at offset `end`: None when nothing follows."""
    return encode_cursor(end) if end < total else None
