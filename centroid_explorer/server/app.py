"""The embedded API: FastAPI routes over the Store. Routes parse, call the store, shape the answer.

Every request first meets `_Gate` (pure ASGI, before any route): the hosted base path's prefix is
taken off, the Authorization header is checked before a byte of the body is read, and the body is
bounded in size and pace. Request bodies are parsed with orjson, which refuses what is not JSON
(NaN, Infinity, numbers that overflow a double) with FastAPI's 422 `json_invalid`; answers are
written with orjson too.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Body, Depends, FastAPI, Header, Path, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__, array_pages
from . import contract
from .credentials import Credentials, key_hash, split_header
from .documents import selected
from .errors import BadRequest, PreconditionFailed, StoreError
from .models import (
    VECTOR_FIELD_QUERY,
    BulkInsertRequest,
    BulkUpdateRequest,
    CenterListRequest,
    CenterListResponse,
    CentroidPage,
    CentroidsDocumentsRequest,
    CentroidsInsertRequest,
    CentroidsListRequest,
    ClusterDocumentsPage,
    ClusterSizesResponse,
    ConfigsResponse,
    DatasetCreateRequest,
    DatasetDeleteRequest,
    DatasetListResponse,
    DocumentsPage,
    ErrorResponse,
    FieldSelector,
    HealthResponse,
    InsertResponse,
    MetadataHistoryPage,
    MetadataRequest,
    MetadataResponse,
    MetadataVersionResponse,
    MetadataWriteResponse,
    SchemaResponse,
    StatusResponse,
)
from .paging import Page
from .store import Store, StoredMetadata

log = logging.getLogger(__name__)

CENTROIDS = "/services/cluster/centroids"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "Bad request (the message says what and where).",
        401: "Missing or wrong Authorization header.",
        404: "Unknown dataset, vector field, alias or cluster id (named in the message).",
        408: "The request body stalled.",
        409: "Well-formed, but in conflict with stored data or within the request (the message says which).",
        413: "Request body too large.",
    }.items()
}
# Declares the header in the schema; _Gate checks it, before the body is read.
AUTHORIZATION = APIKeyHeader(
    name="Authorization", scheme_name="ProjectKey", auto_error=False,
    description="`<project>:<api_key>`. " + contract.describe("auth"),
)
# The GET routes declare their vector field by hand: the parameter reading it also takes the
# unadvertised `vector_fields` spelling, so it cannot be required where it is read.
GET_SELECTOR = {"parameters": [VECTOR_FIELD_QUERY]}


def json_response(payload: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY), status_code, media_type="application/json")


def arrays_response(payload: dict[str, Any], vector_field: str, vectors: np.ndarray, rows: str) -> Response:
    return Response(array_pages.encode(payload, vector_field, vectors, rows), media_type=array_pages.MEDIA_TYPE)


def _message(status: int, message: str) -> Response:
    return json_response({"message": message}, status)


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


def route_path(path: str) -> str:
    """`path` without a hosted base URL's version prefix and the extra slashes that joining strings leaves."""
    path = "/" + path.lstrip("/")
    for prefix in contract.BASE_PATH_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return "/" + path[len(prefix):].lstrip("/")
    return path


# Answers given before the body is read whole close the connection: the rest of it is not drained.
CLOSE = {"Connection": "close"}


async def _refuse(status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
    answer = _message(status, message)
    answer.headers.update(CLOSE)
    await answer(scope, receive, send)


class _Gate:
    """Before any route: the base path, then auth (before the body is read), then the body's size and pace.

    Unauthenticated requests cost a header parse: they are answered 401 without reading their body.
    Bodies over `limit` bytes get a 413, at once when Content-Length says so, else while reading;
    a body that stalls `read_timeout` seconds between two chunks gets a 408.
    """

    def __init__(self, app: ASGIApp, credentials: Credentials, store: Store, limit: int, read_timeout: float):
        self.app, self.credentials, self.store = app, credentials, store
        self.limit, self.read_timeout = limit, read_timeout

    def _key_name(self, authorization: str) -> str | None:
        """The name of the person's key the header carries (looked up on every request: a revoke is at once)."""
        project, key = split_header(authorization)
        return self.store.key_named(project, key_hash(key)) if project and key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope = {**scope, "path": route_path(scope["path"])}
        if "raw_path" in scope:
            scope["raw_path"] = route_path(scope["raw_path"].decode("latin-1")).encode("latin-1")
        headers = Headers(scope=scope)
        if scope["path"] not in contract.PUBLIC_PATHS:
            if not headers.get("authorization"):
                return await _refuse(401, "missing Authorization header; send `Authorization: <project>:<api_key>`",
                                     scope, receive, send)
            authorization = headers["authorization"]
            if not self.credentials.matches(authorization):  # the server's own key: `key_name` says "default"
                name = await run_in_threadpool(self._key_name, authorization)
                if name is None:
                    return await _refuse(401, "the Authorization header does not match this server's project and "
                                              "API key, nor a key made with `keys create`", scope, receive, send)
                # Routes read it through key_name(request): who made a write.
                scope["state"] = {**scope.get("state", {}), "key_name": name}
        too_large = f"request body is larger than {self.limit} bytes"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            return await _refuse(413, too_large, scope, receive, send)
        received, done = 0, False

        async def guarded_receive() -> Message:
            nonlocal received, done
            if done:  # after the body, receive() only waits for a disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except TimeoutError:
                raise HTTPException(408, f"the request body stalled for {self.read_timeout:g} s", CLOSE) from None
            received += len(message.get("body", b""))
            done = not message.get("more_body", False)
            if received > self.limit:
                raise HTTPException(413, too_large, CLOSE)  # FastAPI re-raises HTTPExceptions from body reading
            return message

        await self.app(scope, guarded_receive, send)


@dataclass(frozen=True)
class Selector:
    """Which clustering a request names."""

    dataset_id: str
    vector_field: str
    alias: str


def selector_of(dataset_id: str, vector_field: str | list[str] | None, vector_fields: list[str] | None,
                alias: str) -> Selector:
    """The one vector field a request names, under `vector_field` (str or list) or `vector_fields`."""
    names = [vector_field] if isinstance(vector_field, str) else list(vector_field or [])
    names += vector_fields or []
    names = list(dict.fromkeys(name for name in names if name))  # an empty `vector_field` is absent (SDK 2022)
    if not names:
        raise BadRequest("name the vector field with `vector_field` (or `vector_fields`)")
    if len(names) > 1:
        raise BadRequest(f"one vector field at a time; this request names {names}")
    return Selector(dataset_id, names[0], alias)


def body_selector(request: FieldSelector) -> Selector:
    return selector_of(request.dataset_id, request.vector_field, request.vector_fields, request.alias)


Alias = Annotated[str, Query(pattern=contract.NAME_PATTERN, description="Name of the clustering of that field.")]
VectorFieldQuery = Annotated[str, Query(pattern=contract.NAME_PATTERN, description="The clustered vector field.")]


def query_selector(
    dataset_id: Annotated[str, Query(description="Unique name of the dataset.")],
    vector_field: Annotated[str | None, Query(include_in_schema=False)] = None,
    vector_fields: Annotated[list[str] | None, Query(include_in_schema=False)] = None,
    alias: Alias = contract.DEFAULT_ALIAS,
) -> Selector:
    return selector_of(dataset_id, vector_field, vector_fields, alias)


def delete_query(
    dataset_id: Annotated[str | None, Query(include_in_schema=False)] = None,
    vector_field: Annotated[str | None, Query(include_in_schema=False)] = None,
    vector_fields: Annotated[list[str] | None, Query(include_in_schema=False)] = None,
    alias: Annotated[str, Query(pattern=contract.NAME_PATTERN, include_in_schema=False)] = contract.DEFAULT_ALIAS,
) -> Selector | None:
    """Delete's parameters from the query string, where old clients put them (unadvertised)."""
    if dataset_id is None:
        return None
    return selector_of(dataset_id, vector_field, vector_fields, alias)


def key_name(request: Request) -> str:
    """The name of the API key that made the request, recorded with each metadata version: the one hook.
    An auth gate that knows named keys sets `request.state.key_name`; the one configured key is "default"."""
    return getattr(request.state, "key_name", contract.DEFAULT_KEY_NAME)


def etag(version: int) -> str:
    return f'"{version}"'


_STRONG_ETAG = re.compile(r'"(0|[1-9][0-9]{0,17})"')  # exactly as issued: If-Match compares strongly


def matching_versions(if_match: str | None) -> set[int] | None:
    """The versions an `If-Match` header accepts; None when it accepts any (absent, or `*`).
    Weak or malformed tags match nothing (If-Match compares strongly)."""
    if if_match is None:
        return None
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    return {int(m.group(1)) for tag in tags if (m := _STRONG_ETAG.fullmatch(tag))}


def iso_time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _page(page: Page, items_key: str = "documents") -> Response:
    return json_response({items_key: page.items, "cursor": page.cursor, "count": page.count})


# Optional (the fields may come in the query string), but not nullable: `| None` would make the
# schema admit a JSON null body, which the server refuses. Hence the defaults of None below.
DeleteBody = Annotated[FieldSelector, Body()]
PageSizeQuery = Annotated[int, Query(ge=1, le=contract.MAX_PAGE_SIZE, description=contract.describe("page_size"))]
# Query strings have no null: a missing cursor is "" (the first page), and a missing select_fields [].
# Pages of vectors come as one float32 block when asked (see array_pages); JSON otherwise.
AcceptHeader = Annotated[str | None, Header(description=contract.describe("arrays"))]
ARRAYS_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {array_pages.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
CursorQuery = Annotated[
    str, Query(json_schema_extra={"pattern": contract.CURSOR_PATTERN}, description=contract.describe("cursor"))
]


def create_app(store: Store, credentials: Credentials) -> FastAPI:
    app = FastAPI(
        title="Centroid Explorer embedded API",
        version=__version__,
        description="The Relevance AI cluster-centroid API, served over SQLite or PostgreSQL.\n\n"
        + contract.describe(*contract.OURS),
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN; the schema stays at /openapi.json
        redoc_url=None,
    )
    app.add_middleware(_Gate, credentials=credentials, store=store, limit=contract.MAX_BODY_BYTES,
                       read_timeout=contract.BODY_READ_TIMEOUT_SECONDS)

    api = APIRouter(route_class=_OrjsonRoute, dependencies=[Security(AUTHORIZATION)], responses=ERRORS)

    @app.exception_handler(StoreError)
    async def store_error(_: Request, e: StoreError) -> Response:
        body: dict[str, Any] = {"message": e.message}
        if e.failed_documents is not None:
            body["failed_documents"] = e.failed_documents
        response = json_response(body, e.status)
        if isinstance(e, PreconditionFailed):
            response.headers["ETag"] = etag(e.current_version)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> Response:
        response = _message(e.status_code, str(e.detail))
        response.headers.update(e.headers or {})
        if e.status_code == 405:  # Starlette names the first route's methods only: name every route's on this path
            methods = set()
            for route in [*app.router.routes, *api.routes]:  # `api` is included as one opaque route
                if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE:
                    methods |= route.methods or set()
            response.headers["Allow"] = ", ".join(sorted(methods))
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, e: RequestValidationError) -> Response:
        # FastAPI's shape, without echoing the input back (it may be huge, or nested too deep to write).
        detail = [{key: value for key, value in error.items() if key != "input"} for error in e.errors()]
        return json_response({"detail": jsonable_encoder(detail)}, 422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _message(500, "internal server error")

    @app.get("/health", response_model=HealthResponse, tags=["health"])
    def health() -> Response:
        """Liveness; needs no Authorization."""
        return json_response({"status": "ok"})

    # -- centroids ---------------------------------------------------------------------------

    def list_centroids(
        selector: Selector, page_size: int, cursor: str | None, include_vector: bool, accept: str | None
    ) -> Response:
        page = store.list_centroids(
            selector.dataset_id, selector.vector_field, selector.alias, page_size, cursor, include_vector,
            vector_block=include_vector and array_pages.MEDIA_TYPE in (accept or ""),
        )
        if page.vectors is not None:
            payload = {"documents": page.items, "cursor": page.cursor, "count": page.count}
            return arrays_response(payload, selector.vector_field, page.vectors, "documents")
        return _page(page)

    list_doc = "The alias's centroids, a page at a time, in insertion order.\n\n" + contract.describe("cursor", "count")

    @api.get(f"{CENTROIDS}/list", response_model=CentroidPage, tags=["centroids"], description=list_doc,
             openapi_extra=GET_SELECTOR, responses=ARRAYS_ANSWER)
    def list_centroids_get(
        selector: Annotated[Selector, Depends(query_selector)],
        accept: AcceptHeader = None,
        page_size: PageSizeQuery = contract.DEFAULT_PAGE_SIZE,
        cursor: CursorQuery = "",
        include_vector: Annotated[bool, Query(description="Include each centroid's vector.")] = False,
    ) -> Response:
        return list_centroids(selector, page_size, cursor, include_vector, accept)

    @api.post(f"{CENTROIDS}/list", response_model=CentroidPage, tags=["centroids"], description=list_doc,
              responses=ARRAYS_ANSWER)
    def list_centroids_post(request: CentroidsListRequest, accept: AcceptHeader = None) -> Response:
        return list_centroids(body_selector(request), request.page_size, request.cursor, request.include_vector, accept)

    @api.get(f"{CENTROIDS}/get", response_model=CentroidPage, tags=["centroids"], openapi_extra=GET_SELECTOR)
    def get_centroids(
        selector: Annotated[Selector, Depends(query_selector)],
        cluster_ids: Annotated[list[str], Query(description="The centroids to return, in this order (repeat the key).")],
        page_size: PageSizeQuery = contract.DEFAULT_PAGE_SIZE,
        cursor: CursorQuery = "",
    ) -> Response:
        """The named centroids, in the order asked, vectors included. Unknown ids: 404 naming them."""
        return _page(store.get_centroids(
            selector.dataset_id, selector.vector_field, cluster_ids, selector.alias, page_size, cursor,
        ))

    @api.post(f"{CENTROIDS}/insert", response_model=InsertResponse, tags=["centroids"],
              description="Insert or replace centroids by `_id`.\n\n" + contract.describe("insert", "centroid_id"))
    def insert_centroids(request: CentroidsInsertRequest) -> Response:
        selector = body_selector(request)
        inserted = store.insert_centroids(
            selector.dataset_id, selector.vector_field, selector.alias, request.cluster_centers
        )
        return json_response({"inserted": inserted, "failed_documents": []})

    @api.post(f"{CENTROIDS}/documents", response_model=ClusterDocumentsPage, tags=["centroids"],
              responses=ARRAYS_ANSWER, description="Documents assigned to the clusters, closest to their own "
              "centroid first.\n\n" + contract.describe("relevance", "documents_pages", "cursor"))
    def cluster_documents(request: CentroidsDocumentsRequest, accept: AcceptHeader = None) -> Response:
        selector = body_selector(request)
        arrays = request.include_vector and array_pages.MEDIA_TYPE in (accept or "")
        page = store.cluster_documents(
            selector.dataset_id, selector.vector_field, request.cluster_ids, selector.alias,
            request.page_size, request.cursor, request.page, request.include_vector, request.similarity_metric,
            vector_block=arrays,
        )
        payload = {"results": page.items, "count": page.count, "cursor": page.cursor}
        if page.vectors is not None:
            return arrays_response(payload, selector.vector_field, page.vectors, "results")
        return json_response(payload)

    def list_from_center(request: CenterListRequest, furthest: bool) -> Response:
        selector = body_selector(request)
        cluster_ids = list(dict.fromkeys(request.cluster_ids)) or store.cluster_ids(
            selector.dataset_id, selector.vector_field, selector.alias)
        results, count = {}, 0
        for cluster_id in cluster_ids:
            page = store.cluster_documents(
                selector.dataset_id, selector.vector_field, [cluster_id], selector.alias, request.page_size, None,
                request.page, request.include_vector, request.similarity_metric, furthest,
            )
            results[cluster_id] = [selected(doc, request.select_fields + [contract.RELEVANCE_FIELD])
                                   for doc in page.items] if request.select_fields else page.items
            count += page.count
        return json_response({"results": results, "count": count})

    @api.post(f"{CENTROIDS}/list_closest_to_center", response_model=CenterListResponse, tags=["centroids"],
              description="Each cluster's members closest to its centroid first (the SDK 0.19.2's route).\n\n"
              + contract.describe("center_results", "relevance", "center_filters"))
    def list_closest_to_center(request: CenterListRequest) -> Response:
        return list_from_center(request, furthest=False)

    @api.post(f"{CENTROIDS}/list_furthest_from_center", response_model=CenterListResponse, tags=["centroids"],
              description="Each cluster's members farthest from its centroid first (the SDK 0.19.2's route).\n\n"
              + contract.describe("center_results", "relevance", "center_filters"))
    def list_furthest_from_center(request: CenterListRequest) -> Response:
        return list_from_center(request, furthest=True)

    def metadata_answer(body: dict[str, Any], stored: StoredMetadata) -> Response:
        response = json_response(body)
        response.headers["ETag"] = etag(stored.version)
        return response

    etag_doc = {"ETag": {"description": contract.describe("etag"), "schema": {"type": "string"}}}
    with_etag: dict[int | str, dict[str, Any]] = {200: {"headers": etag_doc}}

    @api.get(f"{CENTROIDS}/metadata", response_model=MetadataResponse, tags=["metadata"], openapi_extra=GET_SELECTOR,
             responses=with_etag, description="The alias's metadata object ({} when none was written).\n\n"
             + contract.describe("etag"))
    def read_metadata(selector: Annotated[Selector, Depends(query_selector)]) -> Response:
        stored = store.metadata(selector.dataset_id, selector.vector_field, selector.alias)
        return metadata_answer({"results": stored.metadata}, stored)

    @api.post(f"{CENTROIDS}/metadata", response_model=MetadataWriteResponse | MetadataResponse, tags=["metadata"],
              responses={**with_etag, 412: {"model": ErrorResponse, "description": "`If-Match` names a stale version."}},
              description="With `metadata`: replace the stored object whole. Without it: read, like GET.\n\n"
              + contract.describe("etag", "history", "depth"))
    def write_metadata(
        request: MetadataRequest,
        http: Request,
        if_match: Annotated[str | None, Header(alias="If-Match", description=contract.describe("etag"))] = None,
    ) -> Response:
        selector = body_selector(request)
        if request.metadata is None:
            stored = store.metadata(selector.dataset_id, selector.vector_field, selector.alias)
            return metadata_answer({"results": stored.metadata}, stored)
        stored = store.set_metadata(selector.dataset_id, selector.vector_field, selector.alias, request.metadata,
                                    written_by=key_name(http), expected_versions=matching_versions(if_match))
        return metadata_answer({"status": "success", "results": stored.metadata}, stored)

    @api.get("/datasets/{dataset_id}/cluster/centroids/sizes", response_model=ClusterSizesResponse, tags=["centroids"],
             description="[ours] How many documents each cluster of the alias holds (this server's own route).\n\n"
             + contract.describe("sizes"))
    def cluster_sizes(dataset_id: str, vector_field: VectorFieldQuery, alias: Alias = contract.DEFAULT_ALIAS) -> Response:
        sizes = store.cluster_sizes(dataset_id, vector_field, alias)
        return json_response({"results": sizes, "count": sum(sizes.values())})

    history_path = "/datasets/{dataset_id}/cluster/centroids/metadata/history"

    @api.get(history_path, response_model=MetadataHistoryPage, tags=["metadata"],
             description="[ours] The alias's metadata versions, newest first (this server's own route).\n\n"
             + contract.describe("history", "cursor", "count"))
    def metadata_history(
        dataset_id: str,
        vector_field: VectorFieldQuery,
        alias: Alias = contract.DEFAULT_ALIAS,
        page_size: Annotated[int, Query(ge=1, le=contract.MAX_PAGE_SIZE)] = contract.DEFAULT_HISTORY_PAGE_SIZE,
        cursor: CursorQuery = "",
    ) -> Response:
        page = store.metadata_history(dataset_id, vector_field, alias, page_size, cursor)
        items = [{**item, "version": str(item["version"]), "written_at": iso_time(item["written_at"])}
                 for item in page.items]
        return json_response({"results": items, "cursor": page.cursor, "count": page.count})

    @api.get(history_path + "/{version}", response_model=MetadataVersionResponse, tags=["metadata"],
             description="[ours] One version's metadata object (this server's own route).\n\n"
             + contract.describe("history"))
    def metadata_version(
        dataset_id: str,
        version: Annotated[str, Path(pattern=contract.VERSION_PATTERN)],
        vector_field: VectorFieldQuery,
        alias: Alias = contract.DEFAULT_ALIAS,
    ) -> Response:
        stored = store.metadata_at(dataset_id, vector_field, alias, int(version))
        return json_response({"results": stored.metadata, "version": str(stored.version)})

    def delete_centroids(body: FieldSelector | None, query: Selector | None, centroid_id: str | None) -> Response:
        selector = body_selector(body) if body is not None else query
        if selector is None:
            raise BadRequest("send `dataset_id`, `vector_field` and `alias` in the JSON body")
        deleted = store.delete_centroids(selector.dataset_id, selector.vector_field, selector.alias, centroid_id)
        what = f"centroid {centroid_id!r}" if centroid_id is not None else f"{deleted} centroids"
        return json_response({"status": "success", "message": f"deleted {what} of alias {selector.alias!r}"})

    delete_doc = contract.describe("centroid_delete")
    # The body is required in the schema; the route also reads the query string instead (old clients).
    body_required = {"requestBody": {"required": True}}

    @api.post(f"{CENTROIDS}/delete", response_model=StatusResponse, tags=["centroids"], description=delete_doc,
              openapi_extra=body_required)
    def delete_alias_centroids(
        query: Annotated[Selector | None, Depends(delete_query)], body: DeleteBody = None  # type: ignore[assignment]
    ) -> Response:
        return delete_centroids(body, query, None)

    # `:path`: an id holding `/` (percent-encoded by the client, decoded before routing) still reaches this route.
    @api.post(f"{CENTROIDS}/{{centroid_id:path}}/delete", response_model=StatusResponse, tags=["centroids"],
              description="One centroid, by id (percent-encoded in the path).\n\n" + delete_doc,
              openapi_extra=body_required)
    def delete_one_centroid(
        centroid_id: str, query: Annotated[Selector | None, Depends(delete_query)], body: DeleteBody = None  # type: ignore[assignment]
    ) -> Response:
        return delete_centroids(body, query, centroid_id)

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

    @api.post("/datasets/create", response_model=StatusResponse, tags=["datasets"],
              description="An empty dataset, optionally with declared field types.\n\n" + contract.describe("create"))
    def create_dataset(request: DatasetCreateRequest) -> Response:
        store.create_dataset(request.id, request.schema_)
        return json_response({"status": "success", "message": f"created dataset {request.id!r}"})

    @api.post("/datasets/{dataset_id}/documents/bulk_insert", response_model=InsertResponse, tags=["datasets"],
              description="Insert or replace documents by `_id`, creating the dataset if missing.\n\n"
              + contract.describe("vectors", "names", "insert", "depth", "body"))
    def bulk_insert(
        dataset_id: Annotated[str, Path(pattern=contract.DATASET_ID_PATTERN)], request: BulkInsertRequest
    ) -> Response:
        inserted = store.bulk_insert(dataset_id, request.documents)
        return json_response({"inserted": inserted, "failed_documents": []})

    @api.post("/datasets/{dataset_id}/documents/bulk_update", response_model=InsertResponse, tags=["datasets"],
              description="Partial updates of stored documents by `_id` (the SDK's `bulk_update`).\n\n"
              + contract.describe("update", "vectors", "names", "depth", "body"))
    def bulk_update(dataset_id: str, request: BulkUpdateRequest) -> Response:
        updated = store.bulk_update(dataset_id, request.updates)
        return json_response({"inserted": updated, "failed_documents": []})

    @api.get("/datasets/{dataset_id}/documents/list", response_model=DocumentsPage, tags=["datasets"])
    def list_documents(
        dataset_id: str,
        page_size: PageSizeQuery = contract.DEFAULT_DOCUMENTS_LIST_PAGE_SIZE,
        cursor: CursorQuery = "",
        include_vector: bool = False,
        select_fields: Annotated[list[str], Query(description="Only these (dotted) fields, plus `_id`.")] = [],  # noqa: B006 (never mutated)
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
