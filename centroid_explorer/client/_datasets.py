"""`client.datasets`: the dataset endpoints the pickers and loaders need."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from typing import Any

from ._batches import json_batches
from ._pages import ITER_PAGE_SIZE, walk_pages
from ._session import Session, path_segment

# progress(documents_sent, total): total is None when `documents` is a generator.
Progress = Callable[[int, "int | None"], None]


def _path(dataset_id: str) -> str:
    return f"/datasets/{path_segment(dataset_id)}"


class Datasets:
    def __init__(self, session: Session):
        self._session = session

    def list(self) -> list[str]:
        """The ids of every dataset in the project."""
        return self._session.get("/datasets/list")["datasets"]

    def schema(self, dataset_id: str) -> dict[str, Any]:
        """Dotted field path -> type (`"text"`, `"numeric"`, `{"vector": 768}`, ...)."""
        return self._session.get(f"{_path(dataset_id)}/schema")

    def create(self, dataset_id: str, schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._session.post("/datasets/create", {"id": dataset_id, "schema": schema})

    def bulk_insert(
        self, dataset_id: str, documents: Iterable[Mapping[str, Any]], progress: Progress | None = None
    ) -> dict[str, Any]:
        """Insert or replace (by `_id`) documents, in requests under the size bound; creates the
        dataset if missing. Vectors may be numpy arrays. `documents` may be a generator: it is
        read one batch at a time.

        Returns `{"inserted": n, "failed_documents": [{"_id", "error"}]}` summed over the
        requests. `progress(sent, total)` is called after each request.
        """
        total = len(documents) if isinstance(documents, Sized) else None
        inserted = 0
        failed: list[dict[str, Any]] = []
        sent = 0
        for batch in json_batches(documents):
            answer = self._session.post(f"{_path(dataset_id)}/documents/bulk_insert", {"documents": batch})
            inserted += answer.get("inserted", 0)
            failed.extend(answer.get("failed_documents") or [])
            sent += len(batch)
            if progress is not None:
                progress(sent, total)
        return {"inserted": inserted, "failed_documents": failed}

    def bulk_update(self, dataset_id: str, updates: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Partial updates by `_id`: `{"_id": id, "field": value, "a.b": value}` (a dotted name is a path;
        an object value is merged into the stored object). Sent as ONE request, so that on the embedded
        server they are written all together or not at all (an unknown `_id` is a NotFoundError naming
        it). Returns `{"inserted": n, "failed_documents": [...]}`: `inserted` counts the documents
        updated (the SDK's name); a hosted API may list documents it could not update in `failed_documents`.
        """
        return self._session.post(f"{_path(dataset_id)}/documents/bulk_update",
                                  {"updates": list(updates), "insert_date": False})

    def list_documents(
        self,
        dataset_id: str,
        page_size: int = 20,
        cursor: str | None = None,
        include_vector: bool = False,
        select_fields: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """One page of documents: `{"documents": [...], "cursor": str | None, "count": int}`."""
        return self._session.get(
            f"{_path(dataset_id)}/documents/list",
            {
                "page_size": page_size,
                "cursor": cursor,
                "include_vector": include_vector,
                "select_fields": list(select_fields) if select_fields is not None else None,
            },
        )

    def iter_documents(
        self,
        dataset_id: str,
        page_size: int = ITER_PAGE_SIZE,
        include_vector: bool = False,
        select_fields: Sequence[str] | None = None,
        *,
        as_arrays: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every document of the dataset, page after page. `as_arrays`: vectors as float32 arrays,
        converted page by page so the lists never pile up."""
        return walk_pages(
            lambda cursor: self.list_documents(dataset_id, page_size, cursor, include_vector, select_fields),
            "documents",
            as_arrays=as_arrays,
        )

    def delete(self, dataset_id: str) -> dict[str, Any]:
        return self._session.post("/datasets/delete", {"dataset_id": dataset_id})
