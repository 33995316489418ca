"""Plotly figures for the cluster pages: the map, cluster sizes, centroid similarity, relevance histogram.

Arrays go to plotly as numpy (building from lists is ~100x slower). Scatter plots are SVG up to
SVG_MAX_POINTS and WebGL above: on a machine without a GPU, WebGL's set-up (shaders compiled in
software) costs ~0.3 s per chart, more than SVG takes to draw a couple of thousand points, while
SVG falls behind past ~3,000 (benchmarks/README.md, "first paint").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from centroid_explorer.cluster_sample import RELEVANCE, ClusterSample
from centroid_explorer.display import cluster_names, one_line, plotly_text
from centroid_explorer.metrics import LABELS
from centroid_explorer.projection import Layout
from components.hover import Tooltips

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
# A name's box on the map, to keep names from covering each other: 13 px text, about this wide a character,
# on a map about this wide (the page's main column; narrower screens overlap a little more).
NAME_CHAR_PX = 7.5
NAME_LINE_PX = 18
MAP_WIDTH_PX = 1_100
SIZE_BARS = 10  # past it, the largest and the smallest clusters' bars
TOP_VALUES = 10  # a categorical field's values with a colour of their own on the map
OTHER_COLOUR = "#B8BCC8"
MATCH_COLOUR = "#E4572E"
FADED_CENTROID = "rgba(160,160,170,0.5)"


@dataclass(frozen=True)
class MapTraces:
    """What each trace of the map is, so that a selected point can be traced back to its row or centroid:
    `roles[i]` is "documents" (point j is row `rows[i][j]` of sample.documents), "centroids" (point j is
    cluster j), "names" (the named centroids' names) or "legend" (no points)."""

    roles: list[str]
    rows: list[np.ndarray]

    def role(self, curve: int) -> str:
        return self.roles[curve]

    def row(self, curve: int, point: int) -> int:
        return int(self.rows[curve][point])


@dataclass(frozen=True)
class FieldColours:
    """A document field as colours: numbers on a continuous scale, anything else as its TOP_VALUES most
    frequent values, each its own colour, and "other"."""

    field: str
    numbers: np.ndarray | None  # (n,) float, NaN where missing; None for a categorical field
    categories: list[str]  # the values with a colour of their own (categorical)
    codes: np.ndarray  # (n,) index into categories; len(categories) for any other value


def colour_choice(field: str | None) -> str:
    """How the map's "Colour by" names a choice: None is by cluster."""
    return "cluster" if field is None else one_line(field)


def field_colours(field: str, values: pd.Series) -> FieldColours:
    numeric = pd.to_numeric(values, errors="coerce")
    if values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all() and numeric.notna().any():
        return FieldColours(field, numeric.to_numpy(dtype=float), [], np.empty(0, dtype=np.int64))
    text = values.map(lambda v: "(none)" if v is None or (isinstance(v, float) and v != v) else one_line(str(v)))
    categories = text.value_counts(sort=True).index[:TOP_VALUES].tolist()
    codes = pd.Categorical(text, categories=categories).codes.astype(np.int64)
    return FieldColours(field, None, categories, np.where(codes < 0, len(categories), codes))


def colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def colours(positions: np.ndarray) -> np.ndarray:
    return np.asarray(PALETTE, dtype=object)[np.asarray(positions) % len(PALETTE)]


def discrete_colours(palette: list[str], codes: np.ndarray) -> dict:
    """Marker settings that paint point i with `palette[codes[i]]`: numbers on a banded colour scale,
    which plotly checks and sends as one typed array (a colour string per point costs seconds at 200,000)."""
    bands = len(palette)
    scale = [[edge, fill] for i, fill in enumerate(palette) for edge in (i / bands, (i + 1) / bands)]
    return dict(color=np.asarray(codes, dtype=np.float32) + 0.5, colorscale=scale, cmin=0, cmax=bands, showscale=False)


def scatter_type(points: int) -> type[go.Scatter] | type[go.Scattergl]:
    """The scatter trace for a chart of this many points (SVG for a few, WebGL for many)."""
    return go.Scatter if points <= SVG_MAX_POINTS else go.Scattergl


def labelled_clusters(sizes: np.ndarray, highlighted: int | None, pixels: np.ndarray, names: list[str]) -> list[int]:
    """Positions of the clusters named on the map: all of a few; else the highlighted one, then the largest
    whose name covers none placed before it (a label for each of hundreds of centroids is one unreadable
    pile, and so are a few by centroids that lie close). `pixels`: each centroid's place on the map, (k, 2)
    in pixels, y up; a name is drawn above its centroid, cut to TEXT_CHARS."""
    if len(sizes) <= LABELLED_CLUSTERS:
        return list(range(len(sizes)))
    largest = [int(i) for i in np.argsort(-sizes, kind="stable")[:LARGEST_LABELLED] if i != highlighted]
    placed: list[int] = []

    def half_width(i: int) -> float:
        return min(len(names[i]), TEXT_CHARS) * NAME_CHAR_PX / 2

    for i in ([] if highlighted is None else [highlighted]) + largest:
        if all(abs(pixels[i, 1] - pixels[j, 1]) >= NAME_LINE_PX
               or abs(pixels[i, 0] - pixels[j, 0]) >= half_width(i) + half_width(j) for j in placed):
            placed.append(i)
    return placed


def cluster_map(
    sample: ClusterSample, layout: Layout, labels: dict[str, str], tooltips: Tooltips, metric: str,
    highlighted: int | None = None, *, by_field: FieldColours | None = None, visible: np.ndarray | None = None,
    matches: np.ndarray | None = None, height: int = 720,
) -> tuple[go.Figure, MapTraces]:
    """Documents coloured by cluster (or `by_field`), centroids as diamonds on top, a few of them named; the
    highlighted cluster's documents and the search `matches` drawn large over the rest, which fade. Only the
    `visible` rows (a filter) are drawn. A fixed number of traces whatever k is. `meta` tells
    components/centroid_clicks.py which trace is which; `customdata` holds each document's cluster position
    and closeness to its centroid (float32, in `metric`'s terms), and each centroid's cluster id (escaped
    like every string in a figure, though not shown)."""
    k = len(sample.cluster_ids)
    scatter = scatter_type(len(layout.documents) + k)
    names = cluster_names(sample.cluster_ids, labels)
    documents = layout.documents
    shown = np.arange(len(documents)) if visible is None else np.flatnonzero(visible)
    faded = highlighted is not None or (matches is not None and len(matches) > 0)
    marker: dict = dict(size=5 if len(shown) > 20_000 else 6, opacity=0.25 if faded else 0.75)
    legend: list[tuple[str, str]] = []
    if by_field is None:
        marker.update(discrete_colours(PALETTE, sample.cluster_index[shown] % len(PALETTE)))
    elif by_field.numbers is not None:
        marker.update(color=by_field.numbers[shown], colorscale="Viridis", showscale=True,
                      colorbar=dict(title=dict(text=plotly_text(by_field.field, LEGEND_CHARS), side="right")))
    else:
        palette = [*(colour(i) for i in range(len(by_field.categories))), OTHER_COLOUR]
        marker.update(discrete_colours(palette, by_field.codes[shown]))
        legend = [(plotly_text(value, LEGEND_CHARS), palette[i]) for i, value in enumerate(by_field.categories)]
        legend.append(("other", OTHER_COLOUR))
    closeness = LABELS[metric].shown(pd.to_numeric(sample.documents[RELEVANCE], errors="coerce").to_numpy(dtype=np.float64))
    customdata = np.column_stack([sample.cluster_index, closeness]).astype(np.float32)
    template = tooltips.template(metric, scored=bool(np.isfinite(closeness).any()))
    figure = go.Figure(scatter(
        x=documents[shown, 0], y=documents[shown, 1], mode="markers", meta="document", name="documents",
        marker=marker, hovertemplate=template, customdata=customdata[shown], showlegend=False, **tooltips.rows(shown),
    ))
    roles, rows = ["documents"], [shown]
    emphasised = []
    if highlighted is not None:
        emphasised.append(("highlighted", shown[sample.cluster_index[shown] == highlighted], colour(highlighted)))
    if matches is not None and len(matches):
        emphasised.append(("matches", np.intersect1d(matches, shown), MATCH_COLOUR))
    for name, points, fill in emphasised:
        figure.add_trace(scatter(
            x=documents[points, 0], y=documents[points, 1], mode="markers", meta="document", name=name, showlegend=False,
            marker=dict(size=9, color=fill, line=dict(width=1, color="#1F2333")),
            hovertemplate=template, customdata=customdata[points], **tooltips.rows(points),
        ))
        roles.append("documents")
        rows.append(points)
    x_range = _padded(np.concatenate([documents[:, 0], layout.centroids[:, 0]]))
    y_range = _padded(np.concatenate([documents[:, 1], layout.centroids[:, 1]]))
    named = np.zeros(k, dtype=bool)
    named[labelled_clusters(sample.sizes, highlighted, _pixels(layout.centroids, x_range, y_range, height), names)] = True
    # Hundreds of full-size diamonds would hide the documents: smaller the more there are, the found one large.
    centroid_sizes = np.full(k, 20 if k <= LABELLED_CLUSTERS else 11 if k <= 200 else 7)
    if highlighted is not None:
        centroid_sizes[highlighted] = 20
    centroid_colours = np.arange(k) % len(PALETTE)
    if highlighted is not None or by_field is not None:  # the others step back: only the found one keeps its colour
        centroid_colours[np.arange(k) != highlighted] = len(PALETTE)
    figure.add_trace(scatter(
        x=layout.centroids[:, 0], y=layout.centroids[:, 1], mode="markers", meta="centroid", name="centroids",
        showlegend=False, marker=dict(
            size=centroid_sizes, symbol="diamond", line=dict(width=2 if k <= LABELLED_CLUSTERS else 0.5, color="#1F2333"),
            **discrete_colours([*PALETTE, FADED_CENTROID], centroid_colours)),
        hovertext=[_centroid_hover(cid, labels.get(cid), int(size)) for cid, size in zip(sample.cluster_ids, sample.sizes, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>", customdata=np.array([plotly_text(cid) for cid in sample.cluster_ids], dtype=object),
    ))
    roles.append("centroids")
    rows.append(np.empty(0, dtype=np.int64))
    # The names in a trace of their own: a text per centroid, even empty, cost plotly.js ~2 s at k = 10,000.
    figure.add_trace(scatter(
        x=layout.centroids[named, 0], y=layout.centroids[named, 1], mode="markers+text", meta="names", name="names",
        text=[plotly_text(names[i], TEXT_CHARS) for i in np.flatnonzero(named)], showlegend=False, hoverinfo="skip",
        textposition="top center", textfont=dict(size=13, color="#1F2333"),
        marker=dict(size=centroid_sizes[named], opacity=0),  # unseen: plotly sets a name above its marker's size
        **({"cliponaxis": False} if scatter is go.Scatter else {}),  # a name at the edge is drawn whole (SVG only)
    ))
    roles.append("names")
    rows.append(np.empty(0, dtype=np.int64))
    for name, fill in legend:  # a legend entry per value: a trace without points
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, meta="legend",
                                    marker=dict(size=9, color=fill), hoverinfo="skip"))
        roles.append("legend")
        rows.append(np.empty(0, dtype=np.int64))
    figure.update_layout(
        # Zoom, not lasso, by default: Streamlit selects a clicked point only outside box/lasso mode,
        # and a click on a centroid opens its cluster. Box and lasso are in the toolbar.
        height=height, margin=_MARGIN, dragmode="zoom", hovermode="closest", showlegend=bool(legend),
        legend=dict(title=dict(text=plotly_text(by_field.field, LEGEND_CHARS) if by_field else ""), itemclick=False,
                    itemdoubleclick=False),
        # Room around the points, so that a name by a centroid at the edge is not cut (WebGL clips text to the plot).
        xaxis=dict(visible=False, range=x_range), yaxis=dict(visible=False, range=y_range),
        hoverlabel=dict(align="left"), plot_bgcolor="#FAFAFD",
    )
    return figure, MapTraces(roles, rows)


def _pixels(points: np.ndarray, x_range: list[float] | None, y_range: list[float] | None, height: int) -> np.ndarray:
    """Where `points` fall on a map of MAP_WIDTH_PX x `height` drawn over these ranges, in pixels (y up)."""
    if x_range is None or y_range is None:
        return np.zeros((len(points), 2))
    size = np.array([MAP_WIDTH_PX, height - _MARGIN["t"] - _MARGIN["b"]], dtype=np.float64)
    low = np.array([x_range[0], y_range[0]])
    return (points - low) / (np.array([x_range[1], y_range[1]]) - low) * size


def _padded(values: np.ndarray, share: float = 0.08) -> list[float] | None:
    if not len(values):
        return None
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * share or 1.0
    return [low - pad, high + pad]


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
