"""A page of documents with one vector field as a float32 block: what the map reads, 4 bytes a
number instead of ~20 of JSON (and no Python float per number on either side).

Our server answers `POST /services/cluster/centroids/documents` and the centroids' `list` this way
when the request asks for vectors and sends `Accept: MEDIA_TYPE`; any other server (the hosted API)
answers JSON, which the client turns into the same `ArrayPage`. The body is

    MAGIC | header length (uint32, little-endian) | header (JSON) | n x d float32, little-endian

where the header is the JSON answer with no vector fields in its documents, plus
`"vectors": {"field": name, "shape": [n, d], "rows": key}`: row i is the field of the i-th
document of `key` ("results", or "documents" for `list`), NaN where that document has none (stored
vectors are finite, so NaN only ever means absent).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

MEDIA_TYPE = "application/vnd.centroid-explorer.arrays"
MAGIC = b"CEA1"
_LENGTH = struct.Struct("<I")
_DTYPE = np.dtype("<f4")


@dataclass(frozen=True)
class ArrayPage:
    payload: dict[str, Any]  # the JSON answer; its documents hold no vector fields
    vectors: np.ndarray  # (n, d) float32: row i belongs to payload[rows][i], NaN if it has none
    rows: str = "results"  # the payload's key of the documents

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self.payload[self.rows]

    def present(self) -> np.ndarray:
        """(n,) bool: the documents that have the vector."""
        if not self.vectors.shape[1]:
            return np.zeros(len(self.vectors), dtype=bool)
        return ~np.isnan(self.vectors).any(axis=1)


def split_vectors(documents: list[dict[str, Any]], field: str, vector_suffix: str) -> np.ndarray:
    """Remove every vector field (named `*{vector_suffix}`) from `documents`, in place, and return
    `field`'s as (n, d) float32: NaN rows for documents without it, (n, 0) when none has it.
    ValueError names a vector of another length than the first. (The suffix is a parameter: this
    module sits below both the client and the server, and imports neither.)"""
    vectors = [document.get(field) for document in documents]
    dimension = next((len(v) for v in vectors if v is not None), 0)
    block = np.full((len(documents), dimension), np.nan, dtype=np.float32)
    for row, (document, vector) in enumerate(zip(documents, vectors, strict=True)):
        if vector is not None:
            if len(vector) != dimension:
                raise ValueError(f"document {document.get('_id')!r} has a {field!r} of length {len(vector)}, expected {dimension}")
            block[row] = vector  # a null inside becomes NaN: the document then counts as without the vector
        for name in [f for f in document if f.endswith(vector_suffix)]:
            del document[name]
    return block


def encode(payload: dict[str, Any], field: str, vectors: np.ndarray, rows: str = "results") -> bytes:
    header = orjson.dumps({**payload, "vectors": {"field": field, "shape": list(vectors.shape), "rows": rows}},
                          option=orjson.OPT_SERIALIZE_NUMPY)
    return MAGIC + _LENGTH.pack(len(header)) + header + np.ascontiguousarray(vectors, dtype=_DTYPE).tobytes()


def decode(body: bytes) -> ArrayPage:
    """The page in `body`; ValueError saying what is wrong with it."""
    start = len(MAGIC) + _LENGTH.size
    if len(body) < start or not body.startswith(MAGIC):
        raise ValueError("it does not start with the arrays format's marker")
    (length,) = _LENGTH.unpack_from(body, len(MAGIC))
    try:
        payload = orjson.loads(body[start:start + length])
        header = payload.pop("vectors")
        n, d = header["shape"]
        rows = header.get("rows", "results")  # a server before `list` had arrays pages wrote no "rows"
        results = payload[rows]
        if not (isinstance(results, list) and isinstance(n, int) and isinstance(d, int) and d >= 0):
            raise ValueError
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise ValueError("its header is not a page of documents with a vector shape") from None
    offset = start + length
    if not (n == len(results) and len(body) - offset == n * d * _DTYPE.itemsize):
        raise ValueError(f"its vectors ({len(body) - offset:,} bytes) do not match the shape {n} x {d} of {len(results)} documents")
    vectors = np.frombuffer(body, dtype=_DTYPE, count=n * d, offset=offset).reshape(n, d)
    return ArrayPage(payload, vectors.astype(np.float32, copy=False), rows)
