"""Vectors as numpy float32 arrays: 4 bytes a number instead of a 32-byte Python float in a list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .schema import VECTOR_SUFFIX


def vectors_of(documents: Sequence[dict[str, Any]], field: str) -> np.ndarray:
    """The `field` vectors of `documents` as one float32 array of shape (n, d), in document order.

    Takes documents whose vectors are JSON lists or arrays already (see `with_arrays`). Raises
    ValueError naming the first document that lacks the field or has another length.
    """
    if not documents:
        return np.empty((0, 0), dtype=np.float32)
    dimension = None
    for document in documents:
        vector = document.get(field)
        if vector is None:
            raise ValueError(f"document {document.get('_id')!r} has no {field!r}")
        if dimension is None:
            dimension = len(vector)
        elif len(vector) != dimension:
            raise ValueError(
                f"document {document.get('_id')!r} has a {field!r} of length {len(vector)}, expected {dimension}"
            )
    return np.array([document[field] for document in documents], dtype=np.float32)


def with_arrays(documents: Iterable[dict[str, Any]]) -> None:
    """Turn, in place, every top-level `*_vector_` list of each document into a float32 array."""
    for document in documents:
        for field, value in document.items():
            if field.endswith(VECTOR_SUFFIX) and isinstance(value, list):
                document[field] = np.asarray(value, dtype=np.float32)
