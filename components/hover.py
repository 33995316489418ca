"""The map's tooltips. A document's tooltip is its id and cluster (`Tooltips.titles`), its closeness to
the centroid, and as many of its fields as the budget allows (`Tooltips.details`). The closeness is
not text per point: the figure sends it as a float32 column, and `hovertemplate` formats it, so that
the 30-odd characters of "Cosine similarity to centroid: 0.123" are not sent 200,000 times. Every
value is escaped (a document's text is data, not HTML), and the more documents are drawn the shorter
the tooltips, so that what is sent to the browser stays within HOVER_BUDGET bytes."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from centroid_explorer.cluster_sample import RELEVANCE, ClusterSample
from centroid_explorer.display import cluster_names, one_line, plotly_text
from centroid_explorer.metrics import LABELS

HOVER_BUDGET = 12_000_000  # characters of tooltip text for the whole map (the figure stays well below 50 MB)
TITLE_CHARS = 150  # an id, a cluster name and their separator, at most (each is cut to HOVER_NAME_CHARS)
HOVER_FIELD_CHARS = 240
HOVER_LINE_CHARS = 70
HOVER_MAX_FIELDS = 6
HOVER_NAME_CHARS = 60  # a document id, a cluster's or a field's name in a tooltip


@dataclass(frozen=True)
class Tooltips:
    """Per drawn document, in row order: `titles` ("id · cluster") and `details` (its fields, each line
    starting with "<br>"; None when the budget leaves no room for fields)."""

    titles: np.ndarray
    details: np.ndarray | None

    def template(self, metric: str, scored: bool) -> str:
        """The documents' `hovertemplate`: `%{text}` is the title, `%{hovertext}` the details and
        `%{customdata[1]}` the closeness (left out when no document has one)."""
        shown = LABELS[metric]
        score = f"<br>{shown.name} {'with' if metric == 'dp' else 'to'} centroid: %{{customdata[1]:.3f}}" if scored else ""
        return "<b>%{text}</b>" + score + ("%{hovertext}" if self.details is not None else "") + "<extra></extra>"

    def rows(self, rows: np.ndarray) -> dict[str, Any]:
        """The trace settings that show these rows' tooltips (with `template`)."""
        return dict(text=self.titles[rows], **({"hovertext": self.details[rows]} if self.details is not None else {}))


def tooltips(sample: ClusterSample, labels: Mapping[str, str]) -> Tooltips:
    """Every drawn document's tooltip, all of them within HOVER_BUDGET: a few thousand documents get
    six fields of a few lines each, 200,000 get the id and cluster only."""
    chars = max(0, HOVER_BUDGET // max(sample.drawn, 1) - TITLE_CHARS) // 2  # halved: escaping and tags
    max_fields = min(HOVER_MAX_FIELDS, chars // 60)
    field_chars = min(HOVER_FIELD_CHARS, chars // max_fields) if max_fields else 0
    documents = sample.documents
    # Each cluster's name is escaped once, not once per member.
    names = {cid: plotly_text(one_line(name), HOVER_NAME_CHARS)
             for cid, name in zip(sample.cluster_ids, cluster_names(sample.cluster_ids, labels), strict=True)}
    titles = np.array([f"{plotly_text(one_line(document_id), HOVER_NAME_CHARS)} · {names[cluster_id]}"
                       for document_id, cluster_id in zip(documents["_id"], documents["cluster_id"], strict=True)],
                      dtype=object)
    if not max_fields:
        return Tooltips(titles, None)
    fields = documents.drop(columns=["_id", "cluster_id", RELEVANCE]).to_dict("records")
    details = np.array([field_lines(row, max_fields, field_chars) for row in fields], dtype=object)
    return Tooltips(titles, details)


def field_lines(fields: Mapping[str, Any], max_fields: int = HOVER_MAX_FIELDS, field_chars: int = HOVER_FIELD_CHARS) -> str:
    """Up to `max_fields` of a document's fields cut to `field_chars`, escaped, each line after a "<br>"."""
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
        lines.append(f"<br><i>{plotly_text(one_line(field), HOVER_NAME_CHARS)}</i>: {wrapped}")
    return "".join(lines)
