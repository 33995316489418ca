"""The plotly preload finds Streamlit's plotly chunk, and the chunk is what Streamlit imports for charts.

If a Streamlit upgrade renames or splits the chunk, the preload silently does nothing (charts still
load, only later); this test is what notices.
"""

from components.plotly_preload import STATIC_JS, plotly_chunk


def test_the_installed_streamlit_has_one_plotly_chunk():
    chunk = plotly_chunk()
    assert chunk is not None, f"no single PlotlyChart.*.js in {STATIC_JS}"
    assert (STATIC_JS / chunk).stat().st_size > 1_000_000  # plotly.js itself, not a stub


def test_streamlit_imports_that_chunk_for_its_plotly_element():
    entry = (STATIC_JS.parent.parent / "index.html").read_text()
    index_js = next(name for name in entry.split('"') if name.startswith("./static/js/index."))
    assert plotly_chunk() in (STATIC_JS.parent.parent / index_js).read_text()
