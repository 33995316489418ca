"""Checks in the library run under `python -O` too."""

from __future__ import annotations

import ast
from pathlib import Path

import centroid_explorer

LIBRARY = Path(centroid_explorer.__file__).parent


def test_no_check_in_the_library_is_an_assert():
    """`python -O` removes assert statements, so a check written as one silently stops checking."""
    found = [
        f"{path.relative_to(LIBRARY.parent)}:{node.lineno}"
        for path in sorted(LIBRARY.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []

