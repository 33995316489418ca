"""A small alias with a planted structure, for the insight tests (library, CLI, pages, browser).

Four clusters in 16 dims under alias `planted` of vector field `text_vector_`:
- `volcanoes` (centroid e0) and `music` (e1): 12 members each, near their centroid;
- `glaciers` (centroid e2 + 0.3 e0): 8 members near e2, and 4 (MISASSIGNED) near e0 + 0.3 e2, closer
  to the volcanoes centroid than to their own under every metric, and the farthest from their own;
- `empty`: a centroid without members.
Each cluster's text has its own words ("lava", "violin", "glacier"); every document says "report".
"""

from __future__ import annotations

import numpy as np

from centroid_explorer.clustering import with_assignment

VECTOR_FIELD = "text_vector_"
ALIAS = "planted"
DIM = 16
MISASSIGNED = [f"glacier-odd-{i}" for i in range(4)]
WORDS = {
    "volcanoes": ["lava", "volcano", "crater", "magma"],
    "music": ["violin", "orchestra", "symphony", "cello"],
    "glaciers": ["glacier", "ice", "snow", "frozen"],
}


def _unit(i: int) -> np.ndarray:
    vector = np.zeros(DIM)
    vector[i] = 1.0
    return vector


CENTROIDS = {"volcanoes": _unit(0), "music": _unit(1), "glaciers": _unit(2) + 0.3 * _unit(0), "empty": _unit(5)}


def planted_documents() -> list[dict]:
    rng = np.random.default_rng(0)
    documents = []

    def add(document_id: str, cluster: str, vector: np.ndarray, words: list[str], i: int) -> None:
        text = f"The {words[i % 4]} report: {words[(i + 1) % 4]} and {words[(i + 2) % 4]} seen, {words[i % 4]} again."
        document = {"_id": document_id, "title": f"note {i}", "text": text,
                    VECTOR_FIELD: (vector + rng.normal(0, 0.02, DIM)).tolist()}
        documents.append(with_assignment(document, VECTOR_FIELD, ALIAS, cluster))

    for cluster, axis in (("volcanoes", 0), ("music", 1)):
        for i in range(12):
            add(f"{cluster}-{i}", cluster, _unit(axis), WORDS[cluster], i)
    for i in range(8):
        add(f"glacier-{i}", "glaciers", _unit(2), WORDS["glaciers"], i)
    for i, document_id in enumerate(MISASSIGNED):
        add(document_id, "glaciers", _unit(0) + 0.3 * _unit(2), WORDS["glaciers"], i)
    return documents


def write_planted(client, dataset_id: str) -> None:
    """The planted alias in `dataset_id` (replaced if it exists)."""
    if dataset_id in client.datasets.list():
        client.datasets.delete(dataset_id)
    client.datasets.bulk_insert(dataset_id, planted_documents())
    centers = [{"_id": cid, VECTOR_FIELD: vector.tolist()} for cid, vector in CENTROIDS.items()]
    client.centroids.insert(dataset_id, centers, VECTOR_FIELD, ALIAS)
