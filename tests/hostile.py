"""A dataset whose ids, names, labels and text are hostile or odd, for the dashboard's text-safety tests.

Every value that comes from data must be shown as the literal text: no link, image, colour, maths,
emoji, icon or bold made from it, and no page may crash on an odd id.

    write_hostile(client)   # dataset HOSTILE_DATASET, vector field VECTOR_FIELD, aliases ALIAS and EMPTY_ALIAS
"""

from __future__ import annotations

import re

import numpy as np

from centroid_explorer.client import Client

# Markdown, a Streamlit colour directive, a link, an image, HTML, LaTeX and bold, all in one label.
# No `/`, `?`, `#` or `%`: it is a cluster id too, and centroid ids travel in URL paths (the server refuses
# those characters in them); a link and an image need none of them to render.
HOSTILE = ':red[x] [link](https:evil.example) ![img](evil.png) <a href="https:evil.example">a $x^2$ **b**'
# What else Streamlit's markdown and plotly's labels turn into something else.
HOSTILE_EXTRA = ":material/bolt: :streamlit: :smile: a -> b `code` ~~s~~ <b>bold</b> www.evil.example"
# Ids that have crashed or could crash a page: a superscript digit (int() fails), other digits, a long id,
# a line separator (the server refuses control characters such as a newline), whitespace only, RTL text, numbers with leading zeros.
ODD_IDS = ["²", "٣", "x" * 300, "line one\u2028line two", " ", "שלום", "007", "7", "1e3", "-1"]
CLUSTER_IDS = [HOSTILE, *ODD_IDS]

HOSTILE_DATASET = "hostile"
VECTOR_FIELD = "text_vector_"
ALIAS = HOSTILE  # the alias name is data too
EMPTY_ALIAS = "no-members"  # centroids, but no document is assigned to them yet
TEXT_FIELD = HOSTILE  # a document field whose name is hostile
DIMENSION = 8
PER_CLUSTER = 6


def as_read(markdown: str) -> str:
    """What a reader sees of Markdown that escapes its data (backslash escapes resolved, word joiners invisible)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _vectors(count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)


def write_hostile(client: Client) -> None:
    """The hostile dataset: clusters with the ids above, documents in each, labels and notes that are all hostile."""
    centroids = _vectors(len(CLUSTER_IDS), 0) * 4
    documents = []
    for position, cluster_id in enumerate(CLUSTER_IDS):
        members = centroids[position] + _vectors(PER_CLUSTER, position + 1)
        for i, vector in enumerate(members):
            documents.append({
                "_id": f"{HOSTILE} #{position}-{i}" if i == 0 else f"doc-{position}-{i}",
                "text": f"{HOSTILE} {HOSTILE_EXTRA}",
                TEXT_FIELD: HOSTILE,
                VECTOR_FIELD: vector.tolist(),
                "_cluster_": {VECTOR_FIELD: {ALIAS: cluster_id}},
            })
    answer = client.datasets.bulk_insert(HOSTILE_DATASET, documents)
    assert not answer["failed_documents"], answer["failed_documents"][:3]
    rows = [{"_id": cid, VECTOR_FIELD: vector.tolist()} for cid, vector in zip(CLUSTER_IDS, centroids, strict=False)]
    client.centroids.insert(HOSTILE_DATASET, rows, VECTOR_FIELD, ALIAS)
    client.centroids.insert(HOSTILE_DATASET, rows[:3], VECTOR_FIELD, EMPTY_ALIAS)
    labels = {HOSTILE: HOSTILE, "²": HOSTILE_EXTRA, "٣": HOSTILE}
    client.centroids.metadata(HOSTILE_DATASET, VECTOR_FIELD, ALIAS, metadata={
        "description": f"{HOSTILE}\n{HOSTILE_EXTRA}",
        "clusters": {cid: {"label": label, "description": HOSTILE, "tags": [HOSTILE]} for cid, label in labels.items()},
        "run": {"algorithm": HOSTILE},
        HOSTILE: HOSTILE,
    })
