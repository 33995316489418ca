"""Pieces of the upload page: format help, the problem list, the preview table and the preview map.

What comes from the file (ids, column names, problem messages) is shown in tables and as escaped
plotly hover text only, never as markdown.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from centroid_explorer import centroid_csv
from centroid_explorer.centroid_csv import CentroidCSVError
from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.projection.core import quick_layout
from components import charts

PREVIEW_ROWS = 500


def format_help(dimension: int | None, file_stem: str) -> None:
    """How a centroid CSV looks, and a template to fill in for this vector field."""
    with st.expander("CSV format and template", icon=":material/help:"):
        st.markdown(
            "- One row per centroid; the first row is the header.\n"
            "- An id column named **`_id`** (or **`cluster_id`**): non-empty and unique.\n"
            "- The vector, either as **one column per dimension** (`_id,v0,v1,…`) or as **one column** "
            "holding a JSON list `[0.1, 0.2, …]` or numbers separated by spaces.\n"
            "- Every value a finite number; every vector the vector field's dimension"
            + (f" (**{dimension}**)." if dimension else ".")
            + f"\n- At most {centroid_csv.MAX_ROWS:,} centroids and {centroid_csv.MAX_BYTES // 2**20} MB per file.\n"
            "- The export below writes this same format, so an exported file uploads again as it is."
        )
        if dimension:
            st.download_button(
                f"Download a template ({dimension} dims)",
                centroid_csv.template(dimension),
                file_name=f"{file_stem}-template.csv",
                mime="text/csv",
                icon=":material/download:",
                key="upload_template",
            )
        else:
            st.caption("The template needs the vector field's dimension, which this endpoint did not report.")


def problem_list(error: CentroidCSVError) -> None:
    """The problems found, by row and column, and the reassurance that nothing was written."""
    count = len(error.problems)
    if count > centroid_csv.MAX_PROBLEMS:  # the last one says checking stopped
        headline = f"The file has more than {centroid_csv.MAX_PROBLEMS} problems; nothing was written."
    else:
        headline = f"The file has {count} problem{'s' if count != 1 else ''}; nothing was written."
    st.error(
        f"**{headline}** Fix the rows and columns listed below and upload the file again.",
        icon=":material/error:",
    )
    table = pd.DataFrame(
        {
            "row": [p.row for p in error.problems],
            "column": [p.column or "" for p in error.problems],
            "problem": [p.message for p in error.problems],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            # Narrow place columns: the problem's text is what needs the room.
            "row": st.column_config.NumberColumn("Row", help="As a spreadsheet numbers it: the header is row 1", width=50),
            "column": st.column_config.TextColumn("Column", width=150),
            "problem": st.column_config.TextColumn("Problem", width=800),
        },
        key="upload_problems",
    )


def preview_table(centroids: CentroidSet) -> None:
    shown = min(len(centroids.ids), PREVIEW_ROWS)
    vectors = centroids.vectors[:shown]
    table = pd.DataFrame(
        {
            "_id": centroids.ids[:shown],
            "length": np.linalg.norm(vectors, axis=1),
            "vector": [_short_vector(v) for v in vectors],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        height=min(38 + 35 * shown, 320),
        column_config={
            "_id": st.column_config.TextColumn("Centroid id"),
            "length": st.column_config.NumberColumn("Length", format="%.3f", help="Euclidean norm of the vector"),
            "vector": st.column_config.TextColumn("Vector (first values)", width="large"),
        },
        key="upload_preview",
    )
    if shown < len(centroids.ids):
        st.caption(f"First {shown:,} of {len(centroids.ids):,} centroids.")


def preview_map(existing: CentroidSet, uploaded: CentroidSet) -> None:
    """The uploaded centroids beside the alias's current ones, laid out together (PCA) so they compare."""
    stacked = uploaded.vectors if not existing.ids else np.vstack([existing.vectors, uploaded.vectors])
    xy = quick_layout(stacked)
    split = len(existing.ids)
    scatter = charts.scatter_type(len(stacked))
    figure = go.Figure()
    if split:
        figure.add_trace(
            scatter(
                x=xy[:split, 0], y=xy[:split, 1], mode="markers", name="in the current alias",
                marker={"symbol": "circle", "size": 10, "color": "#9aa5b1", "line": {"width": 1, "color": "#52606d"}},
                hovertext=[html.escape(i) for i in existing.ids], hoverinfo="text+name",
            )
        )
    figure.add_trace(
        scatter(
            x=xy[split:, 0], y=xy[split:, 1], mode="markers", name="in this file",
            marker={"symbol": "diamond", "size": 12, "color": "#e8590c", "line": {"width": 1, "color": "#7f2704"}},
            hovertext=[html.escape(i) for i in uploaded.ids], hoverinfo="text+name",
        )
    )
    figure.update_layout(
        height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.08, "x": 0},
        xaxis={"showticklabels": False, "title": None}, yaxis={"showticklabels": False, "title": None},
    )
    st.plotly_chart(figure, key="upload_map", config={"displaylogo": False})
    st.caption("First two principal components of all the centroids shown (cosine space): close points are similar.")


def _short_vector(vector: np.ndarray, shown: int = 6) -> str:
    head = ", ".join(f"{x:.3g}" for x in vector[:shown])
    return f"[{head}{', …' if len(vector) > shown else ''}]  ({len(vector)} dims)"
