"""The projection engine, one per process, and its warm-up started as soon as the app starts."""

from __future__ import annotations

import streamlit as st

from centroid_explorer.config import data_dir
from centroid_explorer.projection import ProjectionEngine, start_warmup

# cosine, dp and l2 all fit UMAP with its euclidean code path: warming "cosine" compiles it for the three.
WARM_METRICS = ("cosine",)


def start_projection_warmup() -> None:
    """Compile UMAP's numba code in the background (idempotent); call before anything imports umap."""
    start_warmup(WARM_METRICS, cache_dir=data_dir() / "numba-cache")


@st.cache_resource(show_spinner=False)  # quick to make: no "Running `projection_engine()`" flashes by
def projection_engine() -> ProjectionEngine:
    """Layouts cached in memory and in the data folder, so reopening a view (even after a restart) is instant."""
    return ProjectionEngine(data_dir() / "projection-cache")
