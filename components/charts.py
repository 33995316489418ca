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

from centroid_explorer.cluster_view import ClusterSample, cluster_names
from centroid_explorer.display import one_line, plotly_text
from centroid_explorer.metrics import LABELS
from centroid_explorer.projection import Layout

PALETTE = qualitative.Plotly + qualitative.Dark24
SVG_MAX_POINTS = 2_000
_MARGIN = dict(l=10, r=10, t=40, b=10)
# Names from data are escaped (plotly draws <a>, <b>, <br>... in labels) and cut to these lengths;
# the hover text has them longer.
LEGEND_CHARS = 40
TEXT_CHARS = 30  # the label next to a centroid on the map
TICK_CHARS = 30
HOVER_CHARS = 80


@dataclass(frozen=True)
class MapTraces:
    """What each trace of the map is, so a selected point can be traced back to its row or centroid."""

    cluster_of_trace: list[str]
    is_centroid_trace: list[bool]
    rows_of_trace: list[np.ndarray]  # document rows (into sample.documents) per document trace


def colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def scatter_type(points: int) -> type[go.Scatter] | type[go.Scattergl]:
    """The scatter trace for a chart of this many points (SVG for a few, WebGL for many)."""
    return go.Scatter if points <= SVG_MAX_POINTS else go.Scattergl


def cluster_map(
    sample: ClusterSample, layout: Layout, labels: dict[str, str], hover: np.ndarray, height: int = 640
) -> tuple[go.Figure, MapTraces]:
    """Documents coloured by cluster, centroids as large labelled markers; one legend entry per cluster
    toggles both its documents and its centroid. Every document trace comes before every centroid
    trace, so the diamonds are drawn on top (traces are drawn in order) and a click on one is a
    click on what is visible. `meta` tells components/centroid_clicks.py which trace is which."""
    figure = go.Figure()
    scatter = scatter_type(len(layout.documents) + len(layout.centroids))
    rows_per_trace, centroid_traces = [], []
    names = cluster_names(sample.cluster_ids, labels)
    for position, cluster_id in enumerate(sample.cluster_ids):
        name = names[position]
        rows = np.flatnonzero(sample.cluster_index == position)
        xy = layout.documents[rows]
        figure.add_trace(
            scatter(
                x=xy[:, 0], y=xy[:, 1], mode="markers", name=plotly_text(name, LEGEND_CHARS), legendgroup=cluster_id,
                meta="document",
                marker=dict(size=6, color=colour(position), opacity=0.75),
                text=hover[rows], hovertemplate="%{text}<extra></extra>",
            )
        )
        rows_per_trace.append(rows)
        centroid = layout.centroids[position]
        centroid_traces.append(
            scatter(
                x=centroid[:1], y=centroid[1:2], mode="markers+text", name=plotly_text(name, LEGEND_CHARS),
                legendgroup=cluster_id, meta="centroid", showlegend=False, text=[plotly_text(name, TEXT_CHARS)],
                textposition="top center",
                textfont=dict(size=13, color="#1F2333"),
                marker=dict(size=20, color=colour(position), symbol="diamond", line=dict(width=2, color="#1F2333")),
                hovertext=[_centroid_hover(cluster_id, labels.get(cluster_id), int(sample.sizes[position]))],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    figure.add_traces(centroid_traces)
    figure.update_layout(
        # Zoom, not lasso, by default: Streamlit selects a clicked point only outside box/lasso mode,
        # and a click on a centroid opens its cluster. Box and lasso are in the toolbar.
        height=height, margin=_MARGIN, dragmode="zoom", hovermode="closest",
        legend=dict(title="Clusters (click to hide):", itemsizing="constant", orientation="h", y=-0.02, yanchor="top"),
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        hoverlabel=dict(align="left"), plot_bgcolor="#FAFAFD",
    )
    clusters = list(sample.cluster_ids)
    no_rows = [np.empty(0, dtype=np.int64)] * len(clusters)
    return figure, MapTraces(clusters + clusters, [False] * len(clusters) + [True] * len(clusters), rows_per_trace + no_rows)


def _centroid_hover(cluster_id: str, label: str | None, size: int) -> str:
    title = plotly_text(cluster_names([cluster_id], {})[0], HOVER_CHARS)  # the id as it reads elsewhere
    if label:
        title = f"{plotly_text(one_line(label), HOVER_CHARS)} ({title})"
    return f"<b>Centroid {title}</b><br>{size:,} documents<br>click to open its documents"


def _cluster_axis(names: list[str]) -> dict:
    """An axis with one tick per cluster, at positions 0..k-1: names that look like numbers ("007",
    "1e3") are not read as numbers, and two clusters never share a tick."""
    return dict(tickmode="array", tickvals=np.arange(len(names)), ticktext=[plotly_text(n, TICK_CHARS) for n in names])


def cluster_sizes(cluster_ids: list[str], labels: dict[str, str], sizes: np.ndarray) -> go.Figure:
    names = cluster_names(cluster_ids, labels)
    figure = go.Figure(
        go.Bar(
            x=sizes, y=np.arange(len(names)), orientation="h", marker_color=[colour(i) for i in range(len(cluster_ids))],
            customdata=np.array([plotly_text(n) for n in names], dtype=object),
            hovertemplate="%{customdata}: %{x:,} documents<extra></extra>",
        )
    )
    figure.update_layout(
        title="Cluster sizes", height=max(220, 24 * len(cluster_ids) + 80), margin=_MARGIN,
        yaxis=dict(autorange="reversed", **_cluster_axis(names)), xaxis_title="documents",
    )
    return figure


def centroid_similarity(cluster_ids: list[str], labels: dict[str, str], matrix: np.ndarray, metric: str) -> go.Figure:
    """`matrix` as `cluster_view.centroid_similarity` gives it (higher is closer); distances are shown positive."""
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
        title=f"{shown.name} between centroids",
        height=max(300, 26 * len(cluster_ids) + 120), margin=_MARGIN,
        yaxis=dict(autorange="reversed", **_cluster_axis(names)), xaxis=dict(showticklabels=False),
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
