"""Every cached function of the dashboard says what it is doing in words, or nothing.

Streamlit's default spinner for st.cache_data / st.cache_resource reads "Running `_embedded_client()`",
which shows a newcomer a Python name on the first start.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "app.py", ROOT / "dashboard.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "components").glob("*.py"))]


def _cached_functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    yield node.name, decorator


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_cached_function_shows_its_python_name(path):
    for name, decorator in _cached_functions(path):
        spinner = next((k.value for k in getattr(decorator, "keywords", []) if k.arg == "show_spinner"), None)
        assert isinstance(spinner, ast.Constant) and (spinner.value is False or isinstance(spinner.value, str)), (
            f"{name} in {path.name}: give show_spinner a plain sentence, or False where another spinner says it"
        )
