"""Start loading plotly.js in the browser as soon as a page opens, not when its first chart arrives.

Streamlit's frontend imports its plotly chunk (4.7 MB of JavaScript) lazily, when the first chart
element arrives, i.e. after the script has fetched and computed everything above that chart. On a
2-core machine the import then costs ~0.5 s of download and evaluation before the chart can be
drawn. Importing the same module from the first element of every run overlaps that cost with the
script run; the browser keeps one instance per URL, so Streamlit's own import later finds it ready.

The chunk's file name carries a hash that changes with each Streamlit release, so it is looked up
in the installed package. If a release drops it, nothing is preloaded and the charts load as
before; tests/test_plotly_preload.py fails to say so.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
_KEY = "plotly_preload"


@functools.cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly chunk, or None if this release has no single one."""
    found = sorted(STATIC_JS.glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def preload_plotly() -> None:
    """Render an invisible element that imports the plotly chunk (a no-op once it is loaded)."""
    chunk = plotly_chunk()
    if chunk is None:
        return
    # Resolved against Streamlit's own entry module, so a baseUrlPath or a page's URL path does not matter.
    script = (
        "const entry = document.querySelector('script[type=module][src*=\"/static/js/index.\"]');"
        f"if (entry) import(new URL('./{chunk}', entry.src).href);"
    )
    # Hidden with the wrapper Streamlit puts around the container, so it adds no gap above the page.
    style = f"[data-testid=stLayoutWrapper]:has(> .st-key-{_KEY}){{display:none}}"
    with st.container(key=_KEY):
        st.html(f"<style>{style}</style><script>{script}</script>", unsafe_allow_javascript=True)
