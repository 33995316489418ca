"""Plotly figures of the Curate and Compare pages: the affected clusters before and after, member flows.

Names from data go through `plotly_text` (plotly draws a subset of HTML in labels) and are cut.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from centroid_explorer.curation.plans import PreviewLayout
from centroid_explorer.display import cluster_names, plotly_text
from components.charts import LEGEND_CHARS, TICK_CHARS, colour, scatter_type

_MARGIN = dict(l=10, r=10, t=40, b=10)
HEATMAP_MAX = 40  # clusters per side of the flow heatmap, the largest ones


def before_after(layout: PreviewLayout, labels_before: dict[str, str], labels_after: dict[str, str]) -> tuple[go.Figure, go.Figure]:
    """The affected documents in one 2D projection, coloured by cluster before and after, with the
    centroids as diamonds; both figures share the axes' ranges."""
    all_clusters = list(dict.fromkeys([*layout.clusters_before, *layout.clusters_after]))
    colours = {cid: colour(i) for i, cid in enumerate(all_clusters)}
    x_range = _range(layout.documents[:, 0], layout.centroids_before[:, 0], layout.centroids_after[:, 0])
    y_range = _range(layout.documents[:, 1], layout.centroids_before[:, 1], layout.centroids_after[:, 1])
    figures = []
    for title, of_document, centroid_ids, centroid_xy, labels in (
        ("Before", layout.document_before, layout.clusters_before, layout.centroids_before, labels_before),
        ("After", layout.document_after, layout.clusters_after, layout.centroids_after, labels_after),
    ):
        figure = go.Figure()
        scatter = scatter_type(len(of_document))
        names = dict(zip(centroid_ids, cluster_names(centroid_ids, labels), strict=True))
        for position, cid in enumerate(centroid_ids):
            rows = of_document == cid
            name = plotly_text(names[cid], LEGEND_CHARS)
            # names go in as customdata: a template would read "%{...}" inside a name as a placeholder
            figure.add_trace(scatter(
                x=layout.documents[rows, 0], y=layout.documents[rows, 1], mode="markers", name=name,
                legendgroup=str(position), marker=dict(size=6, color=colours[cid], opacity=0.7),
                customdata=np.full(int(rows.sum()), name, dtype=object), hovertemplate="%{customdata}<extra></extra>",
            ))
            figure.add_trace(go.Scatter(
                x=centroid_xy[position : position + 1, 0], y=centroid_xy[position : position + 1, 1], mode="markers",
                legendgroup=str(position), showlegend=False,
                marker=dict(symbol="diamond", size=16, color=colours[cid], line=dict(width=2, color="black")),
                customdata=np.array([name], dtype=object), hovertemplate="centroid of %{customdata}<extra></extra>",
            ))
        figure.update_layout(title=title, height=420, margin=_MARGIN, xaxis=dict(range=x_range, showticklabels=False),
                             yaxis=dict(range=y_range, showticklabels=False), legend=dict(orientation="h"))
        figures.append(figure)
    return figures[0], figures[1]


def flows_heatmap(flows, names_a: dict[str, str], names_b: dict[str, str], alias_a: str, alias_b: str) -> go.Figure:
    """Documents in cluster a of the first alias (rows) and b of the second (columns), for the
    HEATMAP_MAX largest clusters of each; `flows` is a pandas crosstab, rows and columns ordered already."""
    shown = flows.iloc[:HEATMAP_MAX, :HEATMAP_MAX]
    rows = [names_a.get(str(c), str(c)) for c in shown.index]
    columns = [names_b.get(str(c), str(c)) for c in shown.columns]
    escaped_rows = np.array([plotly_text(n) for n in rows], dtype=object)
    escaped_columns = np.array([plotly_text(n) for n in columns], dtype=object)
    figure = go.Figure(go.Heatmap(
        z=shown.to_numpy(), x=np.arange(len(columns)), y=np.arange(len(rows)), colorscale="Blues",
        colorbar=dict(title=dict(text="documents", side="right")),
        customdata=np.stack(np.broadcast_arrays(escaped_rows[:, None], escaped_columns[None, :]), axis=-1),
        hovertemplate="%{customdata[0]} → %{customdata[1]}<br>%{z:,} documents<extra></extra>",
    ))
    figure.update_layout(
        title="Where each cluster's documents went", height=max(320, 24 * len(rows) + 160), margin=_MARGIN,
        xaxis=dict(title=plotly_text(alias_b, LEGEND_CHARS), tickmode="array", tickvals=np.arange(len(columns)),
                   ticktext=[plotly_text(n, TICK_CHARS) for n in columns], tickangle=-45),
        yaxis=dict(title=plotly_text(alias_a, LEGEND_CHARS), autorange="reversed", tickmode="array",
                   tickvals=np.arange(len(rows)), ticktext=[plotly_text(n, TICK_CHARS) for n in rows]),
    )
    return figure


def _range(*values: np.ndarray) -> list[float]:
    joined = np.concatenate([v for v in values if len(v)]) if any(len(v) for v in values) else np.zeros(1)
    low, high = float(joined.min()), float(joined.max())
    pad = (high - low) * 0.05 or 1.0
    return [low - pad, high + pad]
