"""Compare two clusterings (two aliases of one vector field) over the documents both assign.

- Agreement: adjusted Rand index and normalised mutual information (scikit-learn), over the
  documents that have a cluster in both aliases; documents only one alias assigns are counted.
- Matching: each cluster of the first alias is paired with at most one of the second by the
  Hungarian assignment (scipy's linear_sum_assignment) that maximises the summed centroid
  similarity under the chosen metric; with k1 != k2 the extra clusters stay unmatched.
- Flows: the contingency table (documents in cluster a of the first and b of the second).
- Changed: a document changed cluster when its cluster in the second alias is not the match of its
  cluster in the first (or that cluster has no match).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.curation.state import read_assignments
from centroid_explorer.metrics import similarity


@dataclass(frozen=True)
class Comparison:
    alias_a: str
    alias_b: str
    common: int  # documents both aliases assign
    only_a: int
    only_b: int
    adjusted_rand: float | None  # None when fewer than two documents are shared
    nmi: float | None
    matches: pd.DataFrame  # cluster_a, cluster_b (None: unmatched), similarity, documents_a, documents_b, shared
    flows: pd.DataFrame  # contingency: index clusters of a, columns clusters of b, counts
    changed: pd.DataFrame  # _id, cluster_a, cluster_b, expected_b (the match of cluster_a)


def compare_aliases(client, dataset_id: str, vector_field: str, alias_a: str, alias_b: str, metric: str) -> Comparison:
    """Read both aliases (centroids with vectors, every document's assignment) and compare them."""
    centroids_a = read_centroids(client, dataset_id, vector_field, alias_a)
    centroids_b = read_centroids(client, dataset_id, vector_field, alias_b)
    return compare(
        alias_a,
        alias_b,
        read_assignments(client, dataset_id, vector_field, alias_a),
        read_assignments(client, dataset_id, vector_field, alias_b),
        (centroids_a.ids, centroids_a.vectors),
        (centroids_b.ids, centroids_b.vectors),
        metric,
    )


def compare(
    alias_a: str,
    alias_b: str,
    assignments_a: dict[str, str],
    assignments_b: dict[str, str],
    centroids_a: tuple[list[str], np.ndarray],
    centroids_b: tuple[list[str], np.ndarray],
    metric: str,
) -> Comparison:
    from scipy.optimize import linear_sum_assignment  # scipy and scikit-learn are slow to import
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    common = [doc_id for doc_id in assignments_a if doc_id in assignments_b]
    labels_a = [assignments_a[d] for d in common]
    labels_b = [assignments_b[d] for d in common]
    shared_enough = len(common) >= 2
    ari = float(adjusted_rand_score(labels_a, labels_b)) if shared_enough else None
    nmi = float(normalized_mutual_info_score(labels_a, labels_b)) if shared_enough else None

    ids_a, vectors_a = centroids_a
    ids_b, vectors_b = centroids_b
    match: dict[str, tuple[str, float]] = {}
    if ids_a and ids_b:
        scores = similarity(vectors_a, vectors_b, metric)
        rows, cols = linear_sum_assignment(scores, maximize=True)
        match = {ids_a[r]: (ids_b[c], float(scores[r, c])) for r, c in zip(rows, cols, strict=True)}

    flows = pd.crosstab(pd.Series(labels_a, name=alias_a), pd.Series(labels_b, name=alias_b))
    sizes_a = pd.Series(list(assignments_a.values())).value_counts()
    sizes_b = pd.Series(list(assignments_b.values())).value_counts()
    matched_b = {b for b, _ in match.values()}
    rows_out = []
    for cid in ids_a:
        b, score = match.get(cid, (None, float("nan")))
        shared = int(flows.at[cid, b]) if b is not None and cid in flows.index and b in flows.columns else 0
        rows_out.append({"cluster_a": cid, "cluster_b": b, "similarity": score, "documents_a": int(sizes_a.get(cid, 0)),
                         "documents_b": int(sizes_b.get(b, 0)) if b is not None else 0, "shared": shared})
    for cid in ids_b:
        if cid not in matched_b:
            rows_out.append({"cluster_a": None, "cluster_b": cid, "similarity": float("nan"), "documents_a": 0,
                             "documents_b": int(sizes_b.get(cid, 0)), "shared": 0})
    changed = [
        {"_id": doc_id, "cluster_a": a, "cluster_b": b, "expected_b": expected}
        for doc_id, a, b in zip(common, labels_a, labels_b, strict=True)
        for expected in [match[a][0] if a in match else None]
        if b != expected
    ]
    return Comparison(
        alias_a,
        alias_b,
        len(common),
        len(assignments_a) - len(common),
        sum(1 for d in assignments_b if d not in assignments_a),
        ari,
        nmi,
        pd.DataFrame(rows_out, columns=["cluster_a", "cluster_b", "similarity", "documents_a", "documents_b", "shared"]),
        flows,
        pd.DataFrame(changed, columns=["_id", "cluster_a", "cluster_b", "expected_b"]),
    )
