"""`client.centroids`: the cluster-centroid endpoints, with the seed SDK's names, order and defaults."""

from __future__ import annotations

import builtins  # `list` below is a method: annotations after it name the built-in through this
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .. import array_pages
from ..array_pages import ArrayPage
from ._batches import json_batches
from ._errors import NotFoundError, NotSupportedError
from ._pages import ITER_PAGE_SIZE, walk_array_pages, walk_pages
from ._schema import VECTOR_SUFFIX
from ._session import Session, path_segment, query_params

_BASE = "/services/cluster/centroids"
ARRAYS_ACCEPT = f"{array_pages.MEDIA_TYPE}, application/json;q=0.5"


class CentroidEndpoints:
    def __init__(self, session: Session):
        self._session = session

    def list(
        self,
        dataset_id: str,
        vector_field: str,
        alias: str = "default",
        page_size: int = 5,
        cursor: str | None = None,
        include_vector: bool = False,
    ) -> dict[str, Any]:
        """One page of centroids: `{"documents": [...], "cursor": str | None, "count": int}`."""
        return self._list(dataset_id, vector_field, alias, page_size, cursor, include_vector)

    def list_with_vectors(
        self, dataset_id: str, vector_field: str, alias: str = "default", page_size: int = 5, cursor: str | None = None
    ) -> ArrayPage:
        """`list` with the centroids' `vector_field` as one float32 matrix (`ArrayPage.rows` is "documents"),
        as `documents_with_vectors` is for members: binary from our server, converted here from JSON."""
        answer = self._list(dataset_id, vector_field, alias, page_size, cursor, True, accept=ARRAYS_ACCEPT)
        return _array_page(answer, vector_field, "documents")

    def _list(
        self, dataset_id: str, vector_field: str, alias: str, page_size: int, cursor: str | None,
        include_vector: bool, accept: str | None = None,
    ) -> Any:
        params = {"dataset_id": dataset_id, "vector_field": vector_field, "alias": alias, "page_size": page_size,
                  "cursor": cursor, "include_vector": include_vector}
        return self._session.get(f"{_BASE}/list", params, headers={"Accept": accept} if accept else None)

    def get(
        self,
        dataset_id: str,
        cluster_ids: Sequence[str],
        vector_field: str,
        alias: str = "default",
        page_size: int = 5,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """The named centroids, vectors included, in the order asked; same shape as `list`."""
        return self._session.get(
            f"{_BASE}/get",
            {
                "dataset_id": dataset_id,
                "cluster_ids": list(cluster_ids),
                "vector_field": vector_field,
                "alias": alias,
                "page_size": page_size,
                "cursor": cursor,
            },
        )

    def insert(
        self,
        dataset_id: str,
        cluster_centers: Sequence[Mapping[str, Any]],
        vector_field: str,
        alias: str = "default",
    ) -> dict[str, Any]:
        """Upsert centroids `{"_id": cluster_id, vector_field: [...]}` (vectors may be numpy arrays).

        Returns `{"inserted": n, "failed_documents": [...]}`. Each request is all-or-nothing on the
        server; more centroids than fit one request go in several, and a rejected one raises
        BadRequestError after the earlier requests were written.
        """
        inserted = 0
        failed: list[dict[str, Any]] = []
        for batch in json_batches(cluster_centers):
            answer = self._session.post(
                f"{_BASE}/insert",
                {"dataset_id": dataset_id, "cluster_centers": batch, "vector_field": vector_field, "alias": alias},
            )
            inserted += answer.get("inserted", 0)
            failed.extend(answer.get("failed_documents") or [])
        return {"inserted": inserted, "failed_documents": failed}

    def documents(
        self,
        dataset_id: str,
        cluster_ids: Sequence[str],
        vector_field: str,
        alias: str = "default",
        page_size: int = 5,
        cursor: str | None = None,
        page: int = 1,
        include_vector: bool = False,
        similarity_metric: str = "cosine",
    ) -> dict[str, Any]:
        """One page of the documents in `cluster_ids` (empty: all clusters), closest to their own
        centroid first, each with `_relevance`: `{"results": [...], "count": int, "cursor": ...}`."""
        return self._documents(dataset_id, cluster_ids, vector_field, alias, page_size, cursor, page, include_vector,
                               similarity_metric)

    def documents_with_vectors(
        self,
        dataset_id: str,
        cluster_ids: Sequence[str],
        vector_field: str,
        alias: str = "default",
        page_size: int = 5,
        page: int = 1,
        similarity_metric: str = "cosine",
        cursor: str | None = None,
    ) -> ArrayPage:
        """`documents` with the members' `vector_field` as one float32 matrix and no vector fields in
        the documents: sent by our server as a binary arrays page, converted here from any other
        server's JSON. A member without the vector has a row of NaN; ValueError names a document whose
        vector has another length."""
        answer = self._documents(dataset_id, cluster_ids, vector_field, alias, page_size, cursor, page, True,
                                 similarity_metric, accept=ARRAYS_ACCEPT)
        return _array_page(answer, vector_field, "results")

    def _documents(
        self, dataset_id: str, cluster_ids: Sequence[str], vector_field: str, alias: str, page_size: int,
        cursor: str | None, page: int, include_vector: bool, similarity_metric: str, accept: str | None = None,
    ) -> Any:
        body = {
            "dataset_id": dataset_id,
            "cluster_ids": list(cluster_ids),
            "vector_field": vector_field,
            "alias": alias,
            "page_size": page_size,
            "cursor": cursor,
            "page": page,
            "include_vector": include_vector,
            "similarity_metric": similarity_metric,
        }
        return self._session.post(f"{_BASE}/documents", body, headers={"Accept": accept} if accept else None)

    def list_closest_to_center(
        self,
        dataset_id: str,
        vector_field: str,
        cluster_ids: Sequence[str] = (),
        alias: str = "default",
        *,
        select_fields: Sequence[str] = (),
        page_size: int = 1,
        page: int = 1,
        similarity_metric: str = "cosine",
        include_vector: bool = False,
    ) -> dict[str, Any]:
        """Each cluster's members closest to its centroid first, `page_size` per cluster (page `page`):
        `{"results": {cluster_id: [documents with _relevance]}, "count": int}`; empty `cluster_ids`: every
        cluster. The SDK 0.19.2's route and defaults."""
        return self._from_center("list_closest_to_center", dataset_id, vector_field, cluster_ids, alias,
                                 select_fields, page_size, page, similarity_metric, include_vector)

    def list_furthest_from_center(
        self,
        dataset_id: str,
        vector_field: str,
        cluster_ids: Sequence[str] = (),
        alias: str = "default",
        *,
        select_fields: Sequence[str] = (),
        page_size: int = 1,
        page: int = 1,
        similarity_metric: str = "cosine",
        include_vector: bool = False,
    ) -> dict[str, Any]:
        """Like `list_closest_to_center`, farthest from the centroid first."""
        return self._from_center("list_furthest_from_center", dataset_id, vector_field, cluster_ids, alias,
                                 select_fields, page_size, page, similarity_metric, include_vector)

    def _from_center(
        self, route: str, dataset_id: str, vector_field: str, cluster_ids: Sequence[str], alias: str,
        select_fields: Sequence[str], page_size: int, page: int, similarity_metric: str, include_vector: bool,
    ) -> dict[str, Any]:
        return self._session.post(
            f"{_BASE}/{route}",
            {
                "dataset_id": dataset_id,
                "vector_field": vector_field,
                "alias": alias,
                "cluster_ids": list(cluster_ids),
                "select_fields": list(select_fields),
                "page_size": page_size,
                "page": page,
                "similarity_metric": similarity_metric,
                "include_vector": include_vector,
            },
        )

    def metadata(
        self,
        dataset_id: str,
        vector_field: str,
        alias: str = "default",
        metadata: Mapping[str, Any] | None = None,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """The alias's metadata object. With `metadata`, replaces the stored object whole first and
        returns what was stored; with `if_match` too (a version from `read_metadata`), only if the
        stored object is still at that version, else PreconditionFailedError and nothing is written."""
        fields = {"dataset_id": dataset_id, "vector_field": vector_field, "alias": alias}
        if metadata is None:
            if if_match is not None:
                raise ValueError("if_match applies to a write: pass `metadata` too")
            return self._session.get(f"{_BASE}/metadata", fields)["results"]
        headers = {"If-Match": f'"{if_match}"'} if if_match is not None else None
        return self._session.post(f"{_BASE}/metadata", {**fields, "metadata": dict(metadata)}, headers)["results"]

    def read_metadata(
        self, dataset_id: str, vector_field: str, alias: str = "default"
    ) -> tuple[dict[str, Any], str | None]:
        """(the alias's metadata object, its version) in one read. The version is the strong ETag the
        server sent, without its quotes, for `metadata(..., if_match=)`; None when the server sends none
        (the hosted API), and then a write cannot be made conditional."""
        answer = self._session.request("GET", f"{_BASE}/metadata", query=query_params(
            {"dataset_id": dataset_id, "vector_field": vector_field, "alias": alias}))
        return answer.body["results"], _strong_etag(answer.headers.get("etag"))

    def metadata_history(
        self, dataset_id: str, vector_field: str, alias: str = "default", page_size: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        """One page of the alias's metadata versions, newest first: `{"results": [{"version", "written_at",
        "written_by", "changed"}], "cursor": str | None, "count": int}`. Raises NotSupportedError on a
        server that keeps no history (the hosted API: only the embedded server has this route)."""
        return self._history("", {"vector_field": vector_field, "alias": alias, "page_size": page_size,
                                  "cursor": cursor}, dataset_id)

    def metadata_at(self, dataset_id: str, vector_field: str, alias: str, version: str) -> dict[str, Any]:
        """The metadata object as it was at `version` (from `metadata_history`); NotSupportedError as there.
        To restore it, write it: `metadata(..., metadata=old, if_match=current_version)`, a new version."""
        return self._history(f"/{path_segment(version)}", {"vector_field": vector_field, "alias": alias},
                             dataset_id)["results"]

    def sizes(self, dataset_id: str, vector_field: str, alias: str = "default") -> dict[str, int]:
        """How many documents each cluster of the alias holds, counted by the server in one query.
        NotSupportedError on a server without the route (the hosted API: see alias_centroids.cluster_sizes)."""
        path = f"/datasets/{path_segment(dataset_id)}/cluster/centroids/sizes"
        return self._own_route(path, {"vector_field": vector_field, "alias": alias}, "counts no cluster sizes")["results"]

    def _history(self, tail: str, params: Mapping[str, Any], dataset_id: str) -> dict[str, Any]:
        path = f"/datasets/{path_segment(dataset_id)}/cluster/centroids/metadata/history{tail}"
        return self._own_route(path, params, "keeps no metadata history")

    def _own_route(self, path: str, params: Mapping[str, Any], lacks: str) -> dict[str, Any]:
        """GET one of Centroid Explorer's own routes; NotSupportedError from a server without it."""
        try:
            return self._session.get(path, params)
        except NotFoundError as e:
            if e.route_missing:
                raise NotSupportedError(
                    f"This server {lacks} (it has no such route; only Centroid Explorer's own server does): GET {path}",
                    status=e.status, endpoint=e.endpoint, method=e.method,
                ) from None
            raise

    def delete(
        self, dataset_id: str, vector_field: str, alias: str = "default", centroid_id: str | None = None
    ) -> dict[str, Any]:
        """Delete every centroid of the alias, or only `centroid_id` (ValueError if it is empty)."""
        path = f"{_BASE}/delete" if centroid_id is None else f"{_BASE}/{path_segment(centroid_id)}/delete"
        return self._session.post(path, {"dataset_id": dataset_id, "vector_field": vector_field, "alias": alias})

    def configs(self, dataset_id: str) -> builtins.list[dict[str, Any]]:
        """Which aliases have centroids: `[{"vector_fields": [vf], "alias": str, "count": int}]`."""
        return self._session.get(f"/datasets/{path_segment(dataset_id)}/cluster/centroids/configs/list")["results"]

    def iter_list(
        self,
        dataset_id: str,
        vector_field: str,
        alias: str = "default",
        page_size: int = ITER_PAGE_SIZE,
        include_vector: bool = False,
        *,
        as_arrays: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every centroid of the alias, page after page. `as_arrays`: vectors as float32 arrays."""
        return walk_pages(
            lambda cursor: self.list(dataset_id, vector_field, alias, page_size, cursor, include_vector),
            "documents",
            as_arrays=as_arrays,
        )

    def iter_list_with_vectors(
        self, dataset_id: str, vector_field: str, alias: str = "default", page_size: int = ITER_PAGE_SIZE
    ) -> Iterator[ArrayPage]:
        """Every page of `list_with_vectors`, in order."""
        return walk_array_pages(lambda cursor: self.list_with_vectors(dataset_id, vector_field, alias, page_size, cursor))

    def iter_documents(
        self,
        dataset_id: str,
        cluster_ids: Sequence[str],
        vector_field: str,
        alias: str = "default",
        page_size: int = ITER_PAGE_SIZE,
        include_vector: bool = False,
        similarity_metric: str = "cosine",
        *,
        as_arrays: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every document of the clusters, page after page. `as_arrays`: vectors as float32 arrays."""
        return walk_pages(
            lambda cursor: self.documents(
                dataset_id,
                cluster_ids,
                vector_field,
                alias,
                page_size,
                cursor,
                include_vector=include_vector,
                similarity_metric=similarity_metric,
            ),
            "results",
            as_arrays=as_arrays,
        )


def _array_page(answer: ArrayPage | dict[str, Any], vector_field: str, rows: str) -> ArrayPage:
    """Our server's arrays page as it came, or any other server's JSON answer turned into one."""
    if isinstance(answer, ArrayPage):
        return answer
    documents = answer.get(rows) or []
    return ArrayPage({**answer, rows: documents}, array_pages.split_vectors(documents, vector_field, VECTOR_SUFFIX), rows)


_STRONG_ETAG = re.compile(r'"([^"]*)"')


def _strong_etag(value: str | None) -> str | None:
    """An ETag header's opaque tag, when it is a strong one (If-Match compares strongly: a weak tag never matches)."""
    match = _STRONG_ETAG.fullmatch(value.strip()) if value else None
    return match.group(1) if match else None
