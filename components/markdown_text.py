"""Values from data, a URL or a form, put into Markdown (alerts, captions, spinners) as literal text.

Streamlit renders the body of st.error / st.warning / st.info / st.caption / st.spinner as Markdown:
a name such as ``x` [Sign in again](https://evil.example)`` closes a hand-written `backtick` span
and renders a working link (or an image, a heading, a bare URL turned into a link). Backslash
escapes do not help against the bare-URL links. A code span does: its content is never parsed,
so it shows what it holds, provided its backtick fence is longer than any run of backticks inside.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_BACKTICKS = re.compile(r"`+")


def literal(value: object) -> str:
    """`value` as an inline code span that Markdown shows character for character (line breaks as
    spaces: a span cannot hold one)."""
    text = _LINE_BREAKS.sub(" ", str(value))
    # Streamlit rewrites ":material/" to an icon token before parsing, code spans included;
    # an invisible word joiner keeps it as written.
    text = text.replace(":material/", ":\u2060material/")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}" if text else "` `"
