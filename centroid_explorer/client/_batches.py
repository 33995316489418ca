"""Split a large insert into requests under a size bound, serializing each document only once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

# Well under the request limits of the hosted API and the embedded server; ~1,000 documents
# with 768-dim vectors.
MAX_BATCH_BYTES = 8 * 1024 * 1024
MAX_BATCH_DOCUMENTS = 1_000


def json_batches(
    documents: Iterable[Mapping[str, Any]],
    *,
    max_bytes: int = MAX_BATCH_BYTES,
    max_documents: int = MAX_BATCH_DOCUMENTS,
) -> Iterator[list[orjson.Fragment]]:
    """Batches of pre-serialized documents, each batch at most `max_documents` long and at most
    `max_bytes` of JSON (a single document larger than that goes alone: the server judges it).

    Documents may hold numpy arrays; they are written as JSON lists.
    """
    batch: list[orjson.Fragment] = []
    size = 0
    for document in documents:
        encoded = orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
        if batch and (size + len(encoded) + 1 > max_bytes or len(batch) >= max_documents):
            yield batch
            batch, size = [], 0
        batch.append(orjson.Fragment(encoded))
        size += len(encoded) + 1  # and a comma
    if batch:
        yield batch
