"""One HTTP session per Client: the connection pool, the auth header, retries and error mapping.

This is the only place that talks to httpx. Requests go out as the API expects them (GET
parameters in the query string, POST parameters as a JSON body); answers come back parsed with
orjson (the arrays pages our server sends when asked, as `array_pages.ArrayPage`); failures come
back as the typed errors of `_errors`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from .. import __version__, array_pages
from ._errors import APIError, connection_error, error_from_response, timeout_error
from ._retry import next_delay, parse_retry_after

logger = logging.getLogger(__name__)

_TIMEOUT_PHASES: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}

# A tuple, not a list: httpx's `params` type takes a tuple of (str, str) pairs, not a list of them.
QueryPairs = tuple[tuple[str, str], ...]

# Indirection so that retry tests can record the waits instead of sleeping.
_sleep = time.sleep


def query_params(params: Mapping[str, Any]) -> QueryPairs:
    """GET parameters the way the API reads them: lists as repeated keys, booleans as
    "True"/"False" (the SDK's spelling), None left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((key, _query_value(item)) for item in values if item is not None)
    return tuple(pairs)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def path_segment(value: str) -> str:
    """`value` (an id: data) as one URL path segment: percent-encoded, `/` included, and `.` / `..`
    encoded too (a client would otherwise resolve them as dot segments, onto another route)."""
    if not value:
        raise ValueError("an empty id cannot be put in a URL path")
    segment = quote(value, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def json_body(fields: Mapping[str, Any]) -> bytes:
    """A POST body: None values left out; numpy arrays and orjson.Fragment (pre-serialized
    documents) written as they are."""
    present = {key: value for key, value in fields.items() if value is not None}
    return orjson.dumps(present, option=orjson.OPT_SERIALIZE_NUMPY)


@dataclass(frozen=True)
class Answer:
    body: Any  # the parsed JSON
    headers: Mapping[str, str]  # case-insensitive


class Session:
    def __init__(
        self,
        base_url: str,
        project: str,
        api_key: str,
        *,
        timeout: float,
        connect_timeout: float,
        max_retries: int,
        deadline: float,
        transport: httpx.BaseTransport | None,
    ):
        self._api_key = api_key
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._max_retries = max_retries
        self._deadline = deadline
        self._http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"{project}:{api_key}", "User-Agent": f"centroid-explorer/{__version__}"},
            timeout=self._timeout,
            transport=transport,
        )
        self.host = self._http.base_url.netloc.decode("ascii")  # host:port, as users typed it
        self._base_path = self._http.base_url.raw_path  # httpx keeps it ending in "/"

    def get(self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, query=query_params(params or {}), headers=headers).body

    def post(self, path: str, body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Any:
        return self.request("POST", path, content=json_body(body), headers=headers).body

    def request(
        self,
        method: str,
        path: str,
        *,
        query: QueryPairs | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one call, retrying what is worth retrying; the parsed JSON answer (with the answer's
        headers) or a typed error."""
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, query, content, headers)
            except APIError as error:
                delay = next_delay(
                    error,
                    attempt=attempt,
                    elapsed=time.monotonic() - started,
                    max_retries=self._max_retries,
                    deadline=self._deadline,
                )
                if delay is None:
                    raise
                logger.info("Retrying %s %s in %.1f s after: %s", method, path, delay, error.message)
            _sleep(delay)
            attempt += 1

    def _send_once(
        self, method: str, path: str, query: QueryPairs | None, content: bytes | None, extra: Mapping[str, str] | None
    ) -> Answer:
        headers = {"Content-Type": "application/json"} if content is not None else {}
        request = self._http.build_request(method, path, params=query, content=content, headers={**headers, **(extra or {})})
        intended = self._base_path + path.lstrip("/").encode("ascii")
        if request.url.raw_path.partition(b"?")[0] != intended:
            # Never send a request to another route than the one meant (e.g. an id resolved as a dot segment).
            raise APIError(f"Refused to send {method} {path}: its URL path would have been changed on the way.",
                           endpoint=path, method=method)
        failure: APIError | None = None
        try:
            response = self._http.send(request)
        except httpx.TimeoutException as exc:
            phase = _TIMEOUT_PHASES.get(type(exc), "read")
            seconds = getattr(self._timeout, phase)
            failure = timeout_error(phase, seconds, method=method, endpoint=path, host=self.host)
        except httpx.TransportError as exc:
            failure = connection_error(exc, method=method, endpoint=path, host=self.host, secret=self._api_key)
        if failure is not None:
            # Raised outside the except block so the httpx exception, whose request carries the
            # Authorization header, is not chained onto ours.
            raise failure
        if response.status_code >= 300:
            raise error_from_response(
                response.status_code,
                response.content,
                method=method,
                endpoint=path,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                secret=self._api_key,
            )
        if response.headers.get("Content-Type", "").startswith(array_pages.MEDIA_TYPE):
            try:
                return Answer(array_pages.decode(response.content), response.headers)
            except ValueError as exc:
                raise APIError(f"The answer to {method} {path} was not a valid arrays page: {exc}.",
                               status=response.status_code, endpoint=path, method=method) from None
        try:
            return Answer(orjson.loads(response.content), response.headers)
        except orjson.JSONDecodeError:
            raise APIError(
                f"The answer to {method} {path} was not JSON.",
                status=response.status_code,
                endpoint=path,
                method=method,
            ) from None

    def close(self) -> None:
        self._http.close()
