"""centroid_explorer.display.markdown_code: a value inside Markdown stays one code span with the value's text.

Parsed with markdown-it (CommonMark, as Streamlit's remark is for code spans); the browser test
tests/browser/test_connection.py checks what Streamlit itself draws."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from centroid_explorer.display import markdown_code

VALUES = [
    "plain-name",
    "x` [Sign in again](https://evil.example/login) ![img](https://evil.example/a.png) `",
    "``double`` and `single`",
    "`starts",
    "ends`",
    " spaced ",
    "<img src=x onerror=alert(1)> **bold** $x$ :red[red] https://evil.example",
    "line one\n# heading\n\n- item",
]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_is_one_code_span_holding_its_text(value):
    tokens = MarkdownIt("commonmark").parseInline(f"Alias {markdown_code(value)} was not found.")[0].children
    kinds = [t.type for t in tokens]
    assert kinds == ["text", "code_inline", "text"], kinds
    assert tokens[1].content == value.replace("\n", " ")


def test_streamlit_icon_syntax_is_kept_as_written():
    """Streamlit turns ":material/…:" into an icon before parsing; an invisible joiner prevents it."""
    assert ":material/" not in markdown_code(":material/home:")
    assert markdown_code(":material/home:").replace("\u2060", "") == "`:material/home:`"
