"""The reference page for benchmarks/first_paint.py: Streamlit with nothing but one plotly map.

The same number of points and clusters as the digits map (?points=&clusters=), drawn with the same
trace type, so the benchmark can show what Streamlit and plotly.js cost on their own in this browser.

    .venv/bin/python -m streamlit run benchmarks/first_paint_floor.py   # then open ?points=467&clusters=10
"""

import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from components.charts import scatter_type  # noqa: E402  (the repository root is not on the path)

points = int(st.query_params.get("points", 500))
clusters = int(st.query_params.get("clusters", 10))
rng = np.random.default_rng(0)
scatter = scatter_type(points + clusters)
figure = go.Figure()
for cluster, rows in enumerate(np.array_split(np.arange(points), clusters)):
    xy = rng.normal(cluster, 1.0, size=(len(rows), 2))
    figure.add_trace(scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", text=[f"document {i}" for i in rows]))
st.plotly_chart(figure, key="cluster_map", on_select="rerun")
