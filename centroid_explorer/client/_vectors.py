"""Vectors as numpy float32 arrays: 4 bytes a number instead of a 32-byte Python float in a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._schema import VECTOR_SUFFIX


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


def with_arrays(documents: list[dict[str, Any]]) -> None:
    """Turn, in place, every top-level `*_vector_` list of the documents into a float32 array.

    Each field is converted for all documents at once (one numpy call per page, not per
    document); the documents then hold rows of that one array.
    """
    fields = {
        field
        for document in documents
        for field, value in document.items()
        if field.endswith(VECTOR_SUFFIX) and isinstance(value, list)
    }
    for field in fields:
        holders = [d for d in documents if isinstance(d.get(field), list)]
        try:
            matrix = np.array([d[field] for d in holders], dtype=np.float32)
        except ValueError:  # lengths differ: convert one by one
            for d in holders:
                d[field] = np.asarray(d[field], dtype=np.float32)
            continue
        for d, row in zip(holders, matrix, strict=True):
            d[field] = row
