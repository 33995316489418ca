"""Plotly figures for the cluster pages: the map, cluster sizes, centroid similarity, relevance histogram.

Arrays go to plotly as numpy (building from lists is ~100x slower). Scatter plots are SVG up to
SVG_MAX_POINTS and WebGL above: on a machine without a GPU, WebGL's set-up (shaders compiled in
software) costs ~0.3 s per chart, more than SVG takes to draw a couple of thousand points, while
SVG falls behind past ~3,000 (benchmarks/README.md, "first paint").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from centroid_explorer.cluster_sample import ClusterSample
from centroid_explorer.display import cluster_names, one_line, plotly_text
from centroid_explorer.metrics import LABELS
from centroid_explorer.projection import Layout

PALETTE = qualitative.Plotly + qualitative.Dark24
SVG_MAX_POINTS = 2_000
_MARGIN = dict(l=10, r=10, t=40, b=10)
# Names from data are escaped (plotly draws <a>, <b>, <br>... in labels) and cut to these lengths;
# the hover text has them longer.
LEGEND_CHARS = 40  # a histogram's legend
TEXT_CHARS = 30  # the label next to a centroid on the map
TICK_CHARS = 30
HOVER_CHARS = 80
LABELLED_CLUSTERS = 30  # up to this many clusters, each is named on the map and has its bar and heatmap row
LARGEST_LABELLED = 10  # past it, the largest clusters named on the map
SIZE_BARS = 10  # past it, the largest and the smallest clusters' bars


@dataclass(frozen=True)
class MapTraces:
    """What each trace of the map is, so that a selected point can be traced back to its row or centroid:
    trace 0 is every drawn document (point i is row i), then the highlighted cluster's documents if
    any, then the centroids (point i is cluster i)."""

    highlighted_rows: np.ndarray  # rows (into sample.documents) of the highlight trace's points

    def role(self, curve: int) -> str:
        roles = ["documents", "highlight", "centroids"] if len(self.highlighted_rows) else ["documents", "centroids"]
        return roles[curve]

    def row(self, curve: int, point: int) -> int:
        return int(self.highlighted_rows[point]) if self.role(curve) == "highlight" else point


def colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def colours(positions: np.ndarray) -> np.ndarray:
    return np.asarray(PALETTE, dtype=object)[np.asarray(positions) % len(PALETTE)]


def scatter_type(points: int) -> type[go.Scatter] | type[go.Scattergl]:
    """The scatter trace for a chart of this many points (SVG for a few, WebGL for many)."""
    return go.Scatter if points <= SVG_MAX_POINTS else go.Scattergl


def labelled_clusters(sizes: np.ndarray, highlighted: int | None) -> np.ndarray:
    """Positions of the clusters named on the map: all of a few, else the largest and the highlighted one
    (a label for each of hundreds of centroids is one unreadable pile)."""
    if len(sizes) <= LABELLED_CLUSTERS:
        return np.arange(len(sizes))
    chosen = np.argsort(-sizes, kind="stable")[:LARGEST_LABELLED]
    return chosen if highlighted is None else np.union1d(chosen, [highlighted])


def cluster_map(
    sample: ClusterSample, layout: Layout, labels: dict[str, str], hover: np.ndarray,
    highlighted: int | None = None, height: int = 720,
) -> tuple[go.Figure, MapTraces]:
    """Documents coloured by cluster, centroids as diamonds on top, a few of them named; the highlighted
    cluster's documents drawn large over the rest, which fade. A fixed number of traces whatever k is.
    `meta` tells components/centroid_clicks.py which trace is which; `customdata` holds each document's
    cluster position and each centroid's cluster id (escaped like every string in a figure, though not shown)."""
    k = len(sample.cluster_ids)
    scatter = scatter_type(len(layout.documents) + k)
    names = cluster_names(sample.cluster_ids, labels)
    documents = layout.documents
    figure = go.Figure(
        scatter(
            x=documents[:, 0], y=documents[:, 1], mode="markers", meta="document", name="documents",
            marker=dict(size=5 if len(documents) > 20_000 else 6, color=colours(sample.cluster_index),
                        opacity=0.25 if highlighted is not None else 0.75),
            text=hover, hovertemplate="%{text}<extra></extra>", customdata=sample.cluster_index,
        )
    )
    rows = np.empty(0, dtype=np.int64)
    if highlighted is not None:
        rows = np.flatnonzero(sample.cluster_index == highlighted)
        if len(rows):
            figure.add_trace(scatter(
                x=documents[rows, 0], y=documents[rows, 1], mode="markers", meta="document", name="highlighted",
                marker=dict(size=9, color=colour(highlighted), line=dict(width=1, color="#1F2333")),
                text=hover[rows], hovertemplate="%{text}<extra></extra>",
            ))
    named = np.zeros(k, dtype=bool)
    named[labelled_clusters(sample.sizes, highlighted)] = True
    # Hundreds of full-size diamonds would hide the documents: smaller the more there are, the found one large.
    centroid_sizes = np.full(k, 20 if k <= LABELLED_CLUSTERS else 11 if k <= 200 else 7)
    if highlighted is not None:
        centroid_sizes[highlighted] = 20
    centroid_colours = colours(np.arange(k))
    if highlighted is not None:
        centroid_colours[np.arange(k) != highlighted] = "rgba(160,160,170,0.5)"
    figure.add_trace(scatter(
        x=layout.centroids[:, 0], y=layout.centroids[:, 1], mode="markers+text", meta="centroid", name="centroids",
        text=[plotly_text(name, TEXT_CHARS) if named[i] else "" for i, name in enumerate(names)],
        textposition="top center", textfont=dict(size=13, color="#1F2333"),
        marker=dict(size=centroid_sizes, color=centroid_colours, symbol="diamond",
                    line=dict(width=2 if k <= LABELLED_CLUSTERS else 0.5, color="#1F2333")),
        hovertext=[_centroid_hover(cid, labels.get(cid), int(size)) for cid, size in zip(sample.cluster_ids, sample.sizes, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>", customdata=np.array([plotly_text(cid) for cid in sample.cluster_ids], dtype=object),
    ))
    figure.update_layout(
        # Zoom, not lasso, by default: Streamlit selects a clicked point only outside box/lasso mode,
        # and a click on a centroid opens its cluster. Box and lasso are in the toolbar.
        height=height, margin=_MARGIN, dragmode="zoom", hovermode="closest", showlegend=False,
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        hoverlabel=dict(align="left"), plot_bgcolor="#FAFAFD",
    )
    return figure, MapTraces(rows)


def _centroid_hover(cluster_id: str, label: str | None, size: int) -> str:
    title = plotly_text(cluster_names([cluster_id], {})[0], HOVER_CHARS)  # the id as it reads elsewhere
    if label:
        title = f"{plotly_text(one_line(label), HOVER_CHARS)} ({title})"
    return f"<b>Centroid {title}</b><br>{size:,} documents<br>click to open its documents"


def _cluster_axis(names: list[str]) -> dict:
    """An axis with one tick per cluster, at positions 0..k-1: names that look like numbers ("007",
    "1e3") are not read as numbers, and two clusters never share a tick."""
    return dict(tickmode="array", tickvals=np.arange(len(names)), ticktext=[plotly_text(n, TICK_CHARS) for n in names])


def cluster_sizes(cluster_ids: list[str], labels: dict[str, str], sizes: np.ndarray, estimated: bool = False) -> go.Figure:
    """A bar per cluster, in its map colour; past LABELLED_CLUSTERS, the largest and the smallest only."""
    k = len(cluster_ids)
    if k <= LABELLED_CLUSTERS:
        shown, title = np.arange(k), "Cluster sizes"
    else:
        order = np.argsort(-sizes, kind="stable")
        shown = np.concatenate([order[:SIZE_BARS], order[-SIZE_BARS:]])
        title = f"The {SIZE_BARS} largest and {SIZE_BARS} smallest of {k:,} clusters"
    names = cluster_names([cluster_ids[i] for i in shown], labels)
    figure = go.Figure(
        go.Bar(
            x=sizes[shown], y=np.arange(len(shown)), orientation="h", marker_color=colours(shown),
            customdata=np.array([plotly_text(n) for n in names], dtype=object),
            hovertemplate="%{customdata}: %{x:,} documents<extra></extra>",
        )
    )
    figure.update_layout(
        title=title + (" (estimated from the sample)" if estimated else ""), height=max(220, 24 * len(shown) + 80),
        margin=_MARGIN, yaxis=dict(autorange="reversed", **_cluster_axis(names)), xaxis_title="documents",
    )
    return figure


def size_distribution(sizes: np.ndarray, estimated: bool = False) -> go.Figure:
    """How many clusters have each size: the shape of a clustering too large for a bar per cluster."""
    figure = go.Figure(go.Histogram(x=sizes, marker_color=PALETTE[0], hovertemplate="%{x} documents: %{y:,} clusters<extra></extra>"))
    figure.update_layout(
        title="Cluster sizes" + (" (estimated from the sample)" if estimated else ""), height=300, margin=_MARGIN,
        xaxis_title="documents in the cluster", yaxis_title="clusters", bargap=0.05,
    )
    return figure


def centroid_similarity(cluster_ids: list[str], labels: dict[str, str], matrix: np.ndarray, metric: str, title: str) -> go.Figure:
    """`matrix` as `metrics.similarity` gives it (higher is closer); distances are shown positive."""
    names = cluster_names(cluster_ids, labels)
    shown = LABELS[metric]
    escaped = np.array([plotly_text(n) for n in names], dtype=object)
    positions = np.arange(len(names))
    figure = go.Figure(
        go.Heatmap(
            z=shown.shown(matrix), x=positions, y=positions,
            colorscale="Viridis_r" if shown.is_distance else "Viridis",  # the closest pairs bright either way
            colorbar=dict(title=dict(text=shown.name, side="right")),
            customdata=np.stack(np.broadcast_arrays(escaped[:, None], escaped[None, :]), axis=-1),
            hovertemplate="%{customdata[0]} ↔ %{customdata[1]}<br>" + shown.name + ": %{z:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title, height=max(360, 22 * len(cluster_ids) + 200), margin=dict(_MARGIN, b=10),
        yaxis=dict(autorange="reversed", **_cluster_axis(names)), xaxis=dict(tickangle=-45, **_cluster_axis(names)),
    )
    return figure


def relevance_histogram(
    relevance_by_cluster: dict[str, np.ndarray], labels: dict[str, str], metric: str, positions: dict[str, int]
) -> go.Figure:
    """How close each cluster's members are to its centroid (`_relevance` values, shown in the metric's
    terms). `positions` give each cluster the colour it has on the map."""
    shown = LABELS[metric]
    names = cluster_names(list(relevance_by_cluster), labels)
    figure = go.Figure()
    for name, (cluster_id, values) in zip(names, relevance_by_cluster.items(), strict=False):
        figure.add_trace(
            go.Histogram(
                x=shown.shown(values), name=plotly_text(name, LEGEND_CHARS), opacity=0.7,
                marker_color=colour(positions.get(cluster_id, 0)),
            )
        )
    figure.update_layout(
        title=f"{shown.name} of each member to its centroid ({shown.closer})",
        barmode="overlay", height=300, margin=_MARGIN, xaxis_title=shown.name, yaxis_title="documents",
        showlegend=len(relevance_by_cluster) > 1,
    )
    return figure
