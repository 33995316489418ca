"""Plotly figures for the cluster pages: the map, cluster sizes, centroid similarity, relevance histogram.

Arrays go to plotly as numpy (building from lists is ~100x slower). Scatter plots are SVG up to
SVG_MAX_POINTS and WebGL above: on a machine without a GPU, WebGL's set-up (shaders compiled in
software) costs ~0.3 s per chart, more than SVG takes to draw a couple of thousand points, while
SVG falls behind past ~3,000 (benchmarks/README.md, "first paint").
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from centroid_explorer.cluster_view import ClusterSample
from centroid_explorer.projection import Layout

PALETTE = qualitative.Plotly + qualitative.Dark24
SVG_MAX_POINTS = 2_000
_MARGIN = dict(l=10, r=10, t=40, b=10)


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
    for position, cluster_id in enumerate(sample.cluster_ids):
        name = labels.get(cluster_id) or cluster_id
        rows = np.flatnonzero(sample.cluster_index == position)
        xy = layout.documents[rows]
        figure.add_trace(
            scatter(
                x=xy[:, 0], y=xy[:, 1], mode="markers", name=name, legendgroup=cluster_id, meta="document",
                marker=dict(size=6, color=colour(position), opacity=0.75),
                text=hover[rows], hovertemplate="%{text}<extra></extra>",
            )
        )
        rows_per_trace.append(rows)
        centroid = layout.centroids[position]
        centroid_traces.append(
            scatter(
                x=centroid[:1], y=centroid[1:2], mode="markers+text", name=name, legendgroup=cluster_id, meta="centroid",
                showlegend=False, text=[html.escape(name)], textposition="top center",
                textfont=dict(size=13, color="#1F2333"),
                marker=dict(size=20, color=colour(position), symbol="diamond", line=dict(width=2, color="#1F2333")),
                hovertext=[_centroid_hover(cluster_id, name, int(sample.sizes[position]))],
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


def _centroid_hover(cluster_id: str, name: str, size: int) -> str:
    title = html.escape(name) if name == cluster_id else f"{html.escape(name)} ({html.escape(cluster_id)})"
    return f"<b>Centroid {title}</b><br>{size:,} documents<br>click to open its documents"


def cluster_sizes(cluster_ids: list[str], labels: dict[str, str], sizes: np.ndarray) -> go.Figure:
    names = np.array([labels.get(c) or c for c in cluster_ids], dtype=object)
    figure = go.Figure(
        go.Bar(
            x=sizes, y=names, orientation="h", marker_color=[colour(i) for i in range(len(cluster_ids))],
            hovertemplate="%{y}: %{x:,} documents<extra></extra>",
        )
    )
    figure.update_layout(
        title="Cluster sizes", height=max(220, 24 * len(cluster_ids) + 80), margin=_MARGIN,
        yaxis=dict(autorange="reversed"), xaxis_title="documents",
    )
    return figure


def centroid_similarity(cluster_ids: list[str], labels: dict[str, str], matrix: np.ndarray, metric: str) -> go.Figure:
    names = [labels.get(c) or c for c in cluster_ids]
    what = {"cosine": "cosine similarity", "dp": "dot product", "l2": "−L2 distance", "l1": "−L1 distance"}[metric]
    figure = go.Figure(
        go.Heatmap(
            z=matrix, x=names, y=names, colorscale="Viridis", colorbar=dict(title=dict(text=what, side="right")),
            hovertemplate="%{y} ↔ %{x}<br>" + what + ": %{z:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"Centroid similarity ({what})", height=max(300, 26 * len(cluster_ids) + 120), margin=_MARGIN,
        yaxis=dict(autorange="reversed"), xaxis=dict(showticklabels=False),
    )
    return figure


def relevance_histogram(
    relevance_by_cluster: dict[str, np.ndarray], labels: dict[str, str], metric: str, positions: dict[str, int]
) -> go.Figure:
    """`positions` give each cluster the colour it has on the map."""
    figure = go.Figure()
    for cluster_id, values in relevance_by_cluster.items():
        figure.add_trace(
            go.Histogram(
                x=values, name=labels.get(cluster_id) or cluster_id, opacity=0.7,
                marker_color=colour(positions.get(cluster_id, 0)),
            )
        )
    figure.update_layout(
        title=f"Members' similarity to their centroid ({metric}; higher is closer)", barmode="overlay",
        height=300, margin=_MARGIN, xaxis_title="_relevance", yaxis_title="documents",
        showlegend=len(relevance_by_cluster) > 1,
    )
    return figure
