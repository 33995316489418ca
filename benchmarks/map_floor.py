"""The reference page for benchmarks/map_browser.py: Streamlit with nothing but one plotly map drawn as the
cluster map draws it (one WebGL trace of ?points= documents coloured by numbers on a banded scale, a tooltip per
point as the map's at that size, and ?clusters= centroids), with no data to fetch or lay
out: what Streamlit and plotly.js cost on their own for that many points in this browser.

    .venv/bin/python -m streamlit run benchmarks/map_floor.py   # then open ?points=200000&clusters=10
"""

import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from components.charts import PALETTE, discrete_colours, scatter_type  # noqa: E402  (the repository root is not on the path)

points = int(st.query_params.get("points", 200_000))
clusters = int(st.query_params.get("clusters", 10))
rng = np.random.default_rng(0)
index = rng.integers(0, clusters, points)
xy = rng.normal(size=(points, 2)).astype(np.float32) + index[:, None]
scatter = scatter_type(points + clusters)
# The map's tooltip at 200,000 points: "id · cluster" per point, the closeness to the centroid a float32 column.
text = np.array([f"d{i} · c{c}" for i, c in enumerate(index)], dtype=object)
closeness = rng.random(points)
figure = go.Figure(scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", meta="document", name="documents", text=text,
                           hovertemplate="<b>%{text}</b><br>Cosine similarity to centroid: %{customdata[1]:.3f}<extra></extra>",
                           marker=dict(size=5, opacity=0.75, **discrete_colours(PALETTE, index % len(PALETTE))),
                           customdata=np.column_stack([index, closeness]).astype(np.float32)))
figure.add_trace(scatter(x=np.arange(clusters, dtype=np.float32), y=np.arange(clusters, dtype=np.float32), mode="markers",
                         marker=dict(size=11, symbol="diamond")))
figure.update_layout(height=720, showlegend=False)
st.plotly_chart(figure, key="cluster_map", on_select="rerun", selection_mode=("points", "box", "lasso"))
