"""The embedded API: FastAPI routes over the Store. Routes parse, call the store, shape the answer.

Request bodies are parsed with orjson, which refuses what is not JSON (NaN, Infinity, numbers
that overflow a double) with FastAPI's 422 `json_invalid`; answers are written with orjson too.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Callable

import orjson
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from . import contract
from .credentials import Credentials
from .errors import BadRequest, StoreError
from .models import (
    BulkInsertRequest, CentroidPage, CentroidsDocumentsRequest, CentroidsGetRequest, CentroidsInsertRequest,
    CentroidsListRequest, ClusterDocumentsPage, ConfigsResponse, DatasetCreateRequest, DatasetDeleteRequest,
    DatasetListResponse, DocumentsPage, ErrorResponse, FieldSelector, HealthResponse, InsertResponse,
    MetadataRequest, MetadataResponse, MetadataWriteResponse, SchemaResponse, StatusResponse,
)
from .storage import Page, Store

log = logging.getLogger(__name__)

CENTROIDS = "/services/cluster/centroids"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "Bad request (the message says what and where).",
        401: "Missing or wrong Authorization header.",
        404: "Unknown dataset, vector field, alias or cluster id (named in the message).",
        413: "Request body too large.",
    }.items()
}


def json_response(payload: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY), status_code, media_type="application/json")


class _OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class _OrjsonRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def orjson_handler(request: Request) -> Response:
            return await handler(_OrjsonRequest(request.scope, request.receive))

        return orjson_handler


class _BodyLimit:
    """413 for bodies over the bound: at once when Content-Length says so, else while reading."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = HTTPException(413, f"request body is larger than {self.limit} bytes")
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            return await json_response({"message": too_large.detail}, 413)(scope, receive, send)
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise too_large  # FastAPI re-raises HTTPExceptions from body reading
            return message

        await self.app(scope, counting_receive, send)


def vector_field_of(request: FieldSelector) -> str:
    """The one vector field a request names, under `vector_field` (str or list) or `vector_fields`."""
    names = [request.vector_field] if isinstance(request.vector_field, str) else list(request.vector_field or [])
    names += request.vector_fields or []
    names = list(dict.fromkeys(names))
    if not names:
        raise BadRequest("name the vector field with `vector_field` (or `vector_fields`)")
    if len(names) > 1:
        raise BadRequest(f"one vector field at a time; this request names {names}")
    return names[0]


def _page(page: Page, items_key: str = "documents") -> Response:
    return json_response({items_key: page.items, "cursor": page.cursor, "count": page.count})


def _optional_query(
    dataset_id: str | None = None,
    vector_field: Annotated[list[str] | None, Query()] = None,
    vector_fields: Annotated[list[str] | None, Query()] = None,
    alias: str = contract.DEFAULT_ALIAS,
) -> FieldSelector | None:
    """Delete's parameters from the query string, when it has them."""
    if dataset_id is None:
        return None
    return FieldSelector(dataset_id=dataset_id, vector_field=vector_field, vector_fields=vector_fields, alias=alias)


def _body_or_query(body: FieldSelector | None, query: FieldSelector | None) -> FieldSelector:
    if body is not None:
        return body
    if query is not None:
        return query
    raise BadRequest("send `dataset_id`, `vector_field` and `alias` in the JSON body or the query string")


def create_app(store: Store, credentials: Credentials) -> FastAPI:
    app = FastAPI(
        title="Centroid Explorer embedded API",
        version=__version__,
        description="The Relevance AI cluster-centroid API, served locally over SQLite.\n\n"
        + contract.describe(*contract.OURS),
    )
    app.add_middleware(_BodyLimit, limit=contract.MAX_BODY_BYTES)

    def authorized(request: Request) -> None:
        header = request.headers.get("authorization")
        if not header:
            raise HTTPException(401, "missing Authorization header; send `Authorization: <project>:<api_key>`")
        if not credentials.matches(header):
            raise HTTPException(401, "the Authorization header does not match this server's project and API key")

    api = APIRouter(route_class=_OrjsonRoute, dependencies=[Depends(authorized)], responses=ERRORS)

    @app.exception_handler(StoreError)
    async def store_error(_: Request, e: StoreError) -> Response:
        body: dict[str, Any] = {"message": e.message}
        if e.failed_documents is not None:
            body["failed_documents"] = e.failed_documents
        return json_response(body, e.status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, e: HTTPException) -> Response:
        response = json_response({"message": str(e.detail)}, e.status_code)
        response.headers.update(e.headers or {})
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return json_response({"message": "internal server error"}, 500)

    @app.get("/health", response_model=HealthResponse, tags=["health"])
    def health() -> Response:
        """Liveness; needs no Authorization."""
        return json_response({"status": "ok"})

    # -- centroids ---------------------------------------------------------------------------

    def list_centroids(request: CentroidsListRequest) -> Response:
        return _page(store.list_centroids(
            request.dataset_id, vector_field_of(request), request.alias,
            request.page_size, request.cursor, request.include_vector,
        ))

    list_doc = "The alias's centroids, a page at a time, in insertion order.\n\n" + contract.describe("cursor", "count")

    @api.get(f"{CENTROIDS}/list", response_model=CentroidPage, tags=["centroids"], description=list_doc)
    def list_centroids_get(request: Annotated[CentroidsListRequest, Query()]) -> Response:
        return list_centroids(request)

    @api.post(f"{CENTROIDS}/list", response_model=CentroidPage, tags=["centroids"], description=list_doc)
    def list_centroids_post(request: CentroidsListRequest) -> Response:
        return list_centroids(request)

    @api.get(f"{CENTROIDS}/get", response_model=CentroidPage, tags=["centroids"])
    def get_centroids(request: Annotated[CentroidsGetRequest, Query()]) -> Response:
        """The named centroids, in the order asked, vectors included. Unknown ids: 404 naming them."""
        return _page(store.get_centroids(
            request.dataset_id, vector_field_of(request), request.cluster_ids, request.alias,
            request.page_size, request.cursor,
        ))

    @api.post(f"{CENTROIDS}/insert", response_model=InsertResponse, tags=["centroids"],
              description="Insert or replace centroids by `_id`.\n\n" + contract.describe("insert"))
    def insert_centroids(request: CentroidsInsertRequest) -> Response:
        inserted = store.insert_centroids(
            request.dataset_id, vector_field_of(request), request.alias, request.cluster_centers
        )
        return json_response({"inserted": inserted, "failed_documents": []})

    @api.post(f"{CENTROIDS}/documents", response_model=ClusterDocumentsPage, tags=["centroids"],
              description="Documents assigned to the clusters, closest to their own centroid first.\n\n"
              + contract.describe("relevance", "documents_pages", "cursor"))
    def cluster_documents(request: CentroidsDocumentsRequest) -> Response:
        page = store.cluster_documents(
            request.dataset_id, vector_field_of(request), request.cluster_ids, request.alias,
            request.page_size, request.cursor, request.page, request.include_vector, request.similarity_metric,
        )
        return json_response({"results": page.items, "count": page.count, "cursor": page.cursor})

    @api.get(f"{CENTROIDS}/metadata", response_model=MetadataResponse, tags=["metadata"])
    def read_metadata(request: Annotated[FieldSelector, Query()]) -> Response:
        """The alias's metadata object ({} when none was written)."""
        return json_response({"results": store.metadata(request.dataset_id, vector_field_of(request), request.alias)})

    @api.post(f"{CENTROIDS}/metadata", response_model=MetadataWriteResponse | MetadataResponse, tags=["metadata"])
    def write_metadata(request: MetadataRequest) -> Response:
        """With `metadata`: replace the stored object whole. Without it: read, like GET."""
        vector_field = vector_field_of(request)
        if request.metadata is None:
            return json_response({"results": store.metadata(request.dataset_id, vector_field, request.alias)})
        stored = store.set_metadata(request.dataset_id, vector_field, request.alias, request.metadata)
        return json_response({"status": "success", "results": stored})

    def delete_centroids(request: FieldSelector, centroid_id: str | None) -> Response:
        vector_field = vector_field_of(request)
        deleted = store.delete_centroids(request.dataset_id, vector_field, request.alias, centroid_id)
        what = f"centroid {centroid_id!r}" if centroid_id else f"{deleted} centroids"
        return json_response({"status": "success", "message": f"deleted {what} of alias {request.alias!r}"})

    delete_doc = "Parameters in the query string or the JSON body.\n\n" + contract.describe("centroid_delete")

    @api.post(f"{CENTROIDS}/delete", response_model=StatusResponse, tags=["centroids"], description=delete_doc)
    def delete_alias_centroids(
        query: Annotated[FieldSelector, Depends(_optional_query)], body: FieldSelector | None = None
    ) -> Response:
        return delete_centroids(_body_or_query(body, query), None)

    @api.post(f"{CENTROIDS}/{{centroid_id}}/delete", response_model=StatusResponse, tags=["centroids"],
              description=delete_doc)
    def delete_one_centroid(
        centroid_id: str, query: Annotated[FieldSelector, Depends(_optional_query)], body: FieldSelector | None = None
    ) -> Response:
        return delete_centroids(_body_or_query(body, query), centroid_id)

    @api.get("/datasets/{dataset_id}/cluster/centroids/configs/list", response_model=ConfigsResponse, tags=["centroids"])
    def centroid_configs(dataset_id: str) -> Response:
        """Which (vector field, alias) pairs have centroids, and how many."""
        return json_response({"results": store.configs(dataset_id)})

    # -- datasets ----------------------------------------------------------------------------

    @api.get("/datasets/list", response_model=DatasetListResponse, tags=["datasets"])
    def list_datasets() -> Response:
        datasets = store.list_datasets()
        return json_response({"datasets": datasets, "count": len(datasets)})

    @api.get("/datasets/{dataset_id}/schema", response_model=SchemaResponse, tags=["datasets"])
    def dataset_schema(dataset_id: str) -> Response:
        """Dotted field path -> "text", "numeric", "bool", "array" or {"vector": dim}."""
        return json_response(store.schema(dataset_id))

    @api.post("/datasets/create", response_model=StatusResponse, tags=["datasets"])
    def create_dataset(request: DatasetCreateRequest) -> Response:
        """An empty dataset, optionally with declared field types. An existing id is a 400."""
        store.create_dataset(request.id, request.schema_)
        return json_response({"status": "success", "message": f"created dataset {request.id!r}"})

    @api.post("/datasets/{dataset_id}/documents/bulk_insert", response_model=InsertResponse, tags=["datasets"],
              description="Insert or replace documents by `_id`, creating the dataset if missing.\n\n"
              + contract.describe("vectors", "insert", "body"))
    def bulk_insert(
        dataset_id: Annotated[str, Path(pattern=contract.DATASET_ID_PATTERN)], request: BulkInsertRequest
    ) -> Response:
        inserted = store.bulk_insert(dataset_id, request.documents)
        return json_response({"inserted": inserted, "failed_documents": []})

    @api.get("/datasets/{dataset_id}/documents/list", response_model=DocumentsPage, tags=["datasets"])
    def list_documents(
        dataset_id: str,
        page_size: Annotated[int, Query(ge=1, le=contract.MAX_PAGE_SIZE, description=contract.describe("page_size"))]
        = contract.DEFAULT_DOCUMENTS_LIST_PAGE_SIZE,
        cursor: Annotated[str | None, Query(description=contract.describe("cursor"))] = None,
        include_vector: bool = False,
        select_fields: Annotated[list[str] | None, Query(description="Only these (dotted) fields, plus `_id`.")] = None,
    ) -> Response:
        """The dataset's documents in insertion order."""
        return _page(store.list_documents(dataset_id, page_size, cursor, include_vector, select_fields))

    @api.post("/datasets/delete", response_model=StatusResponse, tags=["datasets"])
    def delete_dataset(request: DatasetDeleteRequest) -> Response:
        """The dataset with its documents, centroids and metadata."""
        store.delete_dataset(request.dataset_id)
        return json_response({"status": "success", "message": f"deleted dataset {request.dataset_id!r}"})

    app.include_router(api)
    return app
