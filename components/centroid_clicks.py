"""A click on a centroid's diamond opens that centroid, even where documents lie under it.

Plotly gives a hover, and so the click that Streamlit's `on_select` reports, to the closest point,
and for scatter markers it measures from the marker's edge with a floor that favours small ones:
a 6 px document within ~4 px of the pointer beats the 20 px diamond the pointer is on (with WebGL
traces, the nearest centre wins outright). After UMAP a cluster's sampled documents sit mostly
under its diamond, so on a real dataset almost every click on a centroid opened a document.

This script, loaded once per page, runs before plotly's own mouse handling: while the pointer is
inside a visible centroid diamond of a map, the document traces are left out of the hover (plotly
skips traces whose `hoverinfo` is "skip"), so the diamond gets the hover and the click; outside
one, or while a button is held (zoom, box or lasso drag), documents are hovered as before. Traces
are told apart by their `meta` ("document" / "centroid", set in components/charts.cluster_map).
"""

from __future__ import annotations

import streamlit as st

_KEY = "centroid_clicks"
# Plotly draws the "diamond" symbol with corners at 1.3 x the marker's radius; its outline adds half its width.
_SCRIPT = """
if (!window.__centroidClicks) {
  window.__centroidClicks = true;
  const insideDiamond = (plot, event) => {
    const layout = plot._fullLayout, box = plot.getBoundingClientRect();
    if (!layout || !layout.xaxis || !layout.yaxis || !layout._size) return false;
    const px = event.clientX - box.left - layout._size.l, py = event.clientY - box.top - layout._size.t;
    return plot._fullData.some(t => t.meta === 'centroid' && t.visible === true && Array.from(t.x, (x, i) => {
      const size = t.marker.size[i] ?? t.marker.size;  // one size for all, or one per centroid
      const reach = 1.3 * size / 2 + ((t.marker.line || {}).width || 0) / 2;
      return Math.abs(layout.xaxis.l2p(x) - px) + Math.abs(layout.yaxis.l2p(t.y[i]) - py) <= reach;
    }).some(Boolean));
  };
  document.addEventListener('mousemove', (event) => {
    const plot = event.target.closest && event.target.closest('.js-plotly-plot');
    if (!plot || !plot._fullData) return;
    const onCentroid = event.buttons === 0 && insideDiamond(plot, event);
    for (const trace of plot._fullData) {
      if (trace.meta !== 'document') continue;
      if (onCentroid && trace.hoverinfo !== 'skip') {
        trace._hoverinfoShown = trace.hoverinfo;
        trace.hoverinfo = 'skip';
      } else if (!onCentroid && '_hoverinfoShown' in trace) {
        trace.hoverinfo = trace._hoverinfoShown;
        delete trace._hoverinfoShown;
      }
    }
  }, true);
}
"""


def centroid_clicks() -> None:
    """Render the (invisible) script; a no-op in the browser once it is installed."""
    style = f"[data-testid=stLayoutWrapper]:has(> .st-key-{_KEY}){{display:none}}"
    with st.container(key=_KEY):
        st.html(f"<style>{style}</style><script>{_SCRIPT}</script>", unsafe_allow_javascript=True)
