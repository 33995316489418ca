"""Data shown as text: Markdown and plotly escaping, one-line ids, the metrics' names.

What a browser finally draws from these is checked in tests/browser/test_hostile_text.py; here,
the strings themselves.
"""

from __future__ import annotations

import re

import pytest

from centroid_explorer.display import markdown_text, one_line, plotly_text
from tests.hostile import HOSTILE, HOSTILE_EXTRA

WORD_JOINER = "\u2060"


def _unescaped(markdown: str) -> str:
    """What CommonMark makes of backslash escapes: the text a reader sees (word joiners are invisible)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


@pytest.mark.parametrize("value", [HOSTILE, HOSTILE_EXTRA, "# heading", "1. item", "- item", "> quote", "a | b", "&amp;"])
def test_markdown_text_escapes_every_markdown_character_and_reads_as_the_value(value):
    shown = markdown_text(value)
    assert _unescaped(shown) == value
    # No ASCII punctuation is left unescaped, so nothing in it can start Markdown or a directive.
    assert not re.search(r"(?<!\\)[!-/:-@\[-`{-~]", re.sub(r"\\.", "", shown))


def test_markdown_text_breaks_what_streamlit_rewrites_after_parsing():
    # The text after parsing: escapes resolved, the word joiners still there.
    parsed = re.sub(r"\\(.)", r"\1", markdown_text(":material_bolt: :streamlit: :smile: a -> b www.x.org a@b.co http://x"))
    for pattern in [r":material_\w+:", r":streamlit:", r":\w+:", r"\s->\s", r"www\.", r"@b", r"https?://"]:
        assert not re.search(pattern, parsed), pattern


def test_markdown_text_is_one_line():
    assert "\n" not in markdown_text("one\n\ntwo\r\nthree")


def test_plotly_text_shows_tags_and_cuts_long_text():
    assert plotly_text('<a href="http://evil">a</a> & <br>') == '&lt;a href="http://evil"&gt;a&lt;/a&gt; &amp; &lt;br&gt;'
    assert plotly_text("x" * 50, limit=10) == "x" * 9 + "…"
    assert "<" not in plotly_text("<" * 50, limit=10)  # cut before escaping: no half entity


def test_one_line_writes_invisible_characters_as_escapes():
    assert one_line("a\nb\u202ec\u200b d שלום") == "a\\nb\\u202ec\\u200b d שלום"
