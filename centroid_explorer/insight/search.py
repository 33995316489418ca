"""Search among members: plain text in their string fields, and the nearest members to one document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.array_pages import ArrayPage
from centroid_explorer.client import NotFoundError
from centroid_explorer.cluster_sample import readable_fields
from centroid_explorer.insight.members import MEMBER_BUDGET, PAGE_SIZE
from centroid_explorer.metrics import LABELS, similarity

SIMILAR = 10
SNIPPET_CONTEXT = 40  # characters each side of a match


def matching_fields(fields: Mapping[str, Any], query: str) -> list[str]:
    """The string fields of one member that contain `query` (plain text, any case); [] for a blank query."""
    needle = query.strip().casefold()
    if not needle:
        return []
    return [name for name, value in fields.items() if isinstance(value, str) and needle in value.casefold()]


def snippet(text: str, query: str, context: int = SNIPPET_CONTEXT) -> str:
    """The first match of `query` in `text` with `context` characters each side, the match between
    » and «, as plain text (one line)."""
    needle = query.strip().casefold()
    at = text.casefold().find(needle) if needle else -1
    if at < 0:
        return ""
    # casefold() may change lengths (ß -> ss); the match is cut from the folded positions of the
    # original only when they agree, else the snippet shows the context without the marks.
    if len(text.casefold()) != len(text):
        return " ".join(text.split())[: 2 * context]
    end = at + len(needle)
    before = ("…" if at > context else "") + text[max(0, at - context):at]
    after = text[end:end + context] + ("…" if end + context < len(text) else "")
    return " ".join(f"{before}»{text[at:end]}«{after}".split())


@dataclass(frozen=True)
class Neighbour:
    document_id: str
    cluster_id: str
    score: float  # as the metric shows it: similarity, or distance under L1/L2
    fields: dict[str, Any]  # its readable fields


@dataclass(frozen=True)
class Similar:
    results: list[Neighbour]  # nearest first
    clusters_searched: int  # clusters whose members were compared, nearest centroid to the document first
    clusters: int
    read: int  # members compared
    exact: bool  # every member of the alias was compared


def find_similar(
    client,
    dataset_id: str,
    vector_field: str,
    alias: str,
    vector: np.ndarray,
    metric: str = "cosine",
    *,
    count: int = SIMILAR,
    exclude_id: str | None = None,
    budget: int = MEMBER_BUDGET,
) -> Similar:
    """The `count` members nearest to `vector` under `metric`, across all clusters. Clusters are read
    whole, the one whose centroid is nearest to `vector` first, until `budget` members were compared:
    exact on an alias of up to `budget` members; beyond, it searches where neighbours are likely."""
    stored = read_centroids(client, dataset_id, vector_field, alias)
    cluster_ids, centroids = stored.ids, stored.vectors
    query = np.asarray(vector, dtype=np.float32)[None, :]
    order: list[int] = np.argsort(-similarity(query, centroids, metric)[0], kind="stable").tolist() if cluster_ids else []
    best: list[tuple[float, str, dict[str, Any]]] = []  # (`_relevance`, cluster id, document)
    read = searched = 0
    complete = True
    for c in order:
        if read >= budget:
            complete = False
            break
        searched += 1
        cursor = None
        try:
            while True:
                page = client.centroids.documents_with_vectors(
                    dataset_id, [cluster_ids[c]], vector_field, alias, page_size=PAGE_SIZE, cursor=cursor,
                    similarity_metric=metric,
                )
                results = page.documents
                best = _keep_best(best, page, query, metric, cluster_ids[c], exclude_id, count)
                read += len(results)
                cursor = page.payload.get("cursor")
                if not cursor or not results:
                    break
                if read >= budget:
                    complete = False
                    break
        except NotFoundError:  # deleted meanwhile
            continue
    shown = LABELS[metric]
    results = [Neighbour(str(d.get("_id")), cluster_id, float(shown.shown(score)), readable_fields(d))
               for score, cluster_id, d in best]
    return Similar(results, searched, len(cluster_ids), read, complete and searched == len(cluster_ids))


def _keep_best(best, page: ArrayPage, query, metric, cluster_id, exclude_id, count):
    """The `count` highest-scoring of `best` and the page's members (scores in `_relevance` terms)."""
    results = page.documents
    if page.vectors.shape[1] != query.shape[1]:
        return best
    kept = [i for i in np.flatnonzero(page.present()) if str(results[i].get("_id")) != exclude_id]
    if not kept:
        return best
    scores = similarity(page.vectors[kept], query, metric)[:, 0]
    top = np.argsort(-scores, kind="stable")[:count]
    candidates = best + [(float(scores[i]), cluster_id, results[kept[i]]) for i in top]
    candidates.sort(key=lambda pair: -pair[0])
    return candidates[:count]
