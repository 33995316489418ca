"""How data is shown as text: in Streamlit's Markdown and in plotly's labels.

Ids, names, labels, descriptions, server messages and anything from a URL are data. Streamlit renders
Markdown (with its own colour directives, icons, emoji and LaTeX) in st.markdown, captions, alerts,
expander and widget labels and radio options; plotly renders a subset of HTML in legends, ticks,
hover and text labels. Data goes into either only through `markdown_text` or `plotly_text`, so it
shows as the literal text and never becomes a link, an image, a colour or a formula.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

# Any ASCII punctuation can be backslash-escaped in CommonMark: escaping all of it leaves no
# emphasis, link, image, code, HTML, table, list, heading, directive (:red[..]) or maths ($..$).
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Some rewriting happens after parsing, on the text itself, where escapes no longer count:
# `:material_x:`, `:streamlit:` and `:smile:` become icons, images and emoji, `http://..`, `www.`
# and `a@b.c` become links (GFM autolinks), " -> " an arrow. An invisible word joiner breaks
# exactly those patterns and nothing else.
_WORD_JOINER = "\u2060"
_AUTOMATIC = re.compile(r"(?<=:)(?=[\w+\-/])|(?<=www)(?=\.)|(?<=@)(?=[\w-])", re.IGNORECASE)
_TYPOGRAPHIC = re.compile(r"(?:(?<=\s)|^)(<->|->|<-|--|>=|<=|~=)(?=\s|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def markdown_text(value: Any, limit: int | None = None) -> str:
    """`value` as Markdown that Streamlit renders as exactly its text, on one line; cut to `limit`
    characters with an ellipsis."""
    text = _LINE_BREAK.sub(" ", _cut(str(value), limit))
    text = _TYPOGRAPHIC.sub(lambda m: m.group(1)[0] + _WORD_JOINER + m.group(1)[1:], text)
    text = _AUTOMATIC.sub(_WORD_JOINER, text)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def plotly_text(value: Any, limit: int | None = None) -> str:
    """`value` as plotly label text (legend, tick, hover, annotation): its HTML-like tags shown, not
    drawn; cut to `limit` characters with an ellipsis."""
    return html.escape(_cut(str(value), limit), quote=False).replace("\n", " ")


_CODE_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_BACKTICKS = re.compile(r"`+")


def markdown_code(value: object) -> str:
    """`value` as an inline code span that Markdown shows character for character (line breaks as
    spaces: a span cannot hold one): for names (datasets, fields, aliases, URLs) inside a message.
    A code span is never parsed, so even a bare URL stays text; its fence is longer than any run of
    backticks inside."""
    text = _CODE_LINE_BREAKS.sub(" ", str(value))
    # Streamlit rewrites ":material/" to an icon token before parsing, code spans included;
    # an invisible word joiner keeps it as written.
    text = text.replace(":material/", ":\u2060material/")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}" if text else "` `"


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """`text` with every invisible or control character written as an escape (a newline as \\n, a
    right-to-left override as \\u202e), so an id reads unambiguously in a message or a label."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def cluster_names(cluster_ids: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    """What each cluster is called in a chart or a list: its label, else its id, on one line. A blank
    name is quoted; a name two clusters share is followed by the id."""
    names = []
    for cluster_id in cluster_ids:
        name = one_line(labels.get(cluster_id) or cluster_id)
        names.append(name if name.strip() else repr(name))
    shared = Counter(names)
    return [f"{name} ({one_line(cid)})" if shared[name] > 1 else name for name, cid in zip(names, cluster_ids, strict=True)]
