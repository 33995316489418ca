"""The map's tooltips: plotly hover HTML for each drawn document, every value escaped (a document's
text is data, not HTML), and shorter the more documents are drawn, so that what is sent to the
browser stays within HOVER_BUDGET bytes."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from centroid_explorer.cluster_sample import RELEVANCE, ClusterSample
from centroid_explorer.display import cluster_names, one_line, plotly_text
from centroid_explorer.metrics import LABELS

HOVER_BUDGET = 12_000_000  # bytes of tooltip text for the whole map (the figure stays well below 50 MB)
HOVER_FIELD_CHARS = 240
HOVER_LINE_CHARS = 70
HOVER_MAX_FIELDS = 6
HOVER_NAME_CHARS = 60  # a cluster's or a field's name in a tooltip


def hover_text(
    document_id: str, cluster_name: str, fields: Mapping[str, Any], relevance: float | None, metric: str = "cosine",
    *, max_fields: int = HOVER_MAX_FIELDS, field_chars: int = HOVER_FIELD_CHARS,
) -> str:
    """Plotly hover text for one document: its id and cluster, its closeness to the centroid, and up to
    `max_fields` of its fields cut to `field_chars`."""
    score = _scores(pd.Series([relevance], dtype=object), metric)[0]
    lines = [_title(document_id, plotly_text(one_line(cluster_name), HOVER_NAME_CHARS)), *score]
    return "<br>".join(lines + _field_lines(fields, max_fields, field_chars))


def hover_texts(sample: ClusterSample, labels: Mapping[str, str], metric: str = "cosine") -> np.ndarray:
    """One hover text per drawn document, in row order, all of them within HOVER_BUDGET."""
    # ~300 bytes go to the id, cluster and score; the rest (halved: escaping) to fields. A few thousand
    # points get the full tooltip; 200,000 get the id, cluster and score.
    chars = max(0, HOVER_BUDGET // max(sample.drawn, 1) - 300) // 2
    max_fields = min(HOVER_MAX_FIELDS, chars // 60)
    field_chars = min(HOVER_FIELD_CHARS, chars // max_fields) if max_fields else 0
    documents = sample.documents
    # Each cluster's name is escaped once, not once per member.
    names = {cid: plotly_text(one_line(name), HOVER_NAME_CHARS)
             for cid, name in zip(sample.cluster_ids, cluster_names(sample.cluster_ids, labels), strict=True)}
    fields = documents.drop(columns=["_id", "cluster_id", RELEVANCE]).to_dict("records") if max_fields else None
    texts = []
    scores = _scores(documents[RELEVANCE], metric)
    for row, (document_id, cluster_id, score) in enumerate(zip(documents["_id"], documents["cluster_id"], scores, strict=True)):
        lines = [_title(document_id, names[cluster_id]), *score]
        if fields is not None:
            lines += _field_lines(fields[row], max_fields, field_chars)
        texts.append("<br>".join(lines))
    return np.array(texts, dtype=object)


def _title(document_id: str, escaped_name: str) -> str:
    return f"<b>{plotly_text(one_line(document_id), HOVER_NAME_CHARS)}</b> · {escaped_name}"


def _scores(relevance: pd.Series, metric: str) -> list[list[str]]:
    """Each document's closeness line (none where `_relevance` is missing), computed for all at once."""
    shown = LABELS[metric]
    prefix = f"{shown.name} {'with' if metric == 'dp' else 'to'} centroid: "
    values = shown.shown(pd.to_numeric(relevance, errors="coerce").to_numpy(dtype=np.float64))
    return [[f"{prefix}{value:.3f}"] if value == value else [] for value in values.tolist()]


def _field_lines(fields: Mapping[str, Any], max_fields: int, field_chars: int) -> list[str]:
    # Scalars only: a list or object (pixels, tags) is noise in a tooltip; the tables show it.
    scalars = [(f, v) for f, v in fields.items() if isinstance(v, (str, int, float, bool)) and v == v]
    lines = []
    for field, value in scalars[:max_fields]:
        text = value if isinstance(value, str) else str(value)
        if len(text) > field_chars:
            text = text[: field_chars - 1] + "…"
        # Line breaks are kept (a docstring's layout, a digit's ASCII picture); long lines are wrapped
        # between words (a word longer than a line is cut).
        wrapped = "<br>".join(
            plotly_text(piece)
            for line in text.strip("\n").splitlines() or [""]
            for piece in ([line] if len(line) <= HOVER_LINE_CHARS else textwrap.wrap(line, HOVER_LINE_CHARS, break_on_hyphens=False))
        )
        lines.append(f"<i>{plotly_text(one_line(field), HOVER_NAME_CHARS)}</i>: {wrapped}")
    return lines
