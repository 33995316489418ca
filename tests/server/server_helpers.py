"""Data makers shared by the server tests."""

from __future__ import annotations

import uuid

import numpy as np

VF = "emb_vector_"


def fresh_id(prefix: str = "ds") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_documents(n: int, dim: int, k: int, seed: int = 0, alias: str = "default"):
    """n documents in k clusters (cluster_{j}); returns (documents, centroids as {cluster_id: vector})."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, dim)) * 3
    labels = np.arange(n) % k
    vectors = centers[labels] + rng.normal(size=(n, dim))
    documents = [
        {
            "_id": f"doc-{i:04d}",
            VF: vectors[i].tolist(),
            "title": f"document {i}",
            "size": i,
            "_cluster_": {VF: {alias: f"cluster_{labels[i]}"}},
        }
        for i in range(n)
    ]
    # Centroids a little off the cluster means, so that the four metrics order members differently.
    centroids = {f"cluster_{j}": (centers[j] + rng.normal(size=dim) * 0.5).tolist() for j in range(k)}
    return documents, centroids
