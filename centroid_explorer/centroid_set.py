"""A set of centroids: cluster ids and their vectors. What a centroid CSV parses to, what an alias's
read returns, what k-means produces and what the map draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CentroidSet:
    """`ids[i]` is the cluster whose centroid is `vectors[i]`; vectors are (k, d) float32, (0, 0) when empty."""

    ids: list[str]
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dimension(self) -> int | None:
        return int(self.vectors.shape[1]) if self.ids else None

    @classmethod
    def empty(cls) -> CentroidSet:
        return cls([], np.empty((0, 0), dtype=np.float32))

    def as_cluster_centers(self, vector_field: str) -> list[dict[str, Any]]:
        """The documents `centroids.insert` takes: `{"_id": id, vector_field: [floats]}`."""
        return [{"_id": i, vector_field: v.tolist()} for i, v in zip(self.ids, self.vectors, strict=True)]
