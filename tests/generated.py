"""A generated alias of any size, written quickly through the client: k centroids with small
vectors, a few documents assigned to each cluster, and metadata labelling some of the clusters.

    dataset_id = generated_alias(client, k=10_000)   # alias GENERATED_ALIAS, vector field GENERATED_FIELD

Cluster i is `cluster_{i}`; it holds 1 + i % PER_CLUSTER_SPREAD documents (sizes differ, so an
order by size means something); every LABEL_EVERY-th cluster is labelled "label {i}" and tagged
"even" or "odd". The dataset is named after k, and written once per server (seen: skipped).
"""

from __future__ import annotations

import numpy as np

from centroid_explorer.client import NotFoundError

GENERATED_FIELD = "gen_vector_"
GENERATED_ALIAS = "generated"
DIMENSION = 8
PER_CLUSTER_SPREAD = 5  # cluster i holds 1 + i % 5 documents: 3 a cluster on average
LABEL_EVERY = 3


def generated_dataset_id(k: int) -> str:
    return f"generated-k{k}"


def generated_alias(client, k: int, seed: int = 0) -> str:
    """Write (once) the dataset of k clusters and return its id."""
    dataset_id = generated_dataset_id(k)
    try:
        if client.centroids.list(dataset_id, GENERATED_FIELD, GENERATED_ALIAS, page_size=1)["count"] == k:
            return dataset_id
    except NotFoundError:
        pass
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, DIMENSION)).astype(np.float32)
    ids = [f"cluster_{i}" for i in range(k)]
    documents = (
        {"_id": f"d{i}-{j}", "text": f"document {j} of cluster {i}",
         GENERATED_FIELD: (centres[i] + 0.05 * rng.normal(size=DIMENSION)).astype(np.float32),
         "_cluster_": {GENERATED_FIELD: {GENERATED_ALIAS: ids[i]}}}
        for i in range(k)
        for j in range(1 + i % PER_CLUSTER_SPREAD)
    )
    client.datasets.bulk_insert(dataset_id, documents)
    client.centroids.insert(
        dataset_id, [{"_id": cid, GENERATED_FIELD: centres[i]} for i, cid in enumerate(ids)], GENERATED_FIELD, GENERATED_ALIAS
    )
    clusters = {
        ids[i]: {"label": f"label {i}", "tags": ["even" if i % 2 == 0 else "odd"]} for i in range(0, k, LABEL_EVERY)
    }
    client.centroids.metadata(
        dataset_id, GENERATED_FIELD, GENERATED_ALIAS, metadata={"description": f"{k} generated clusters", "clusters": clusters}
    )
    return dataset_id


def cluster_size(i: int) -> int:
    return 1 + i % PER_CLUSTER_SPREAD
