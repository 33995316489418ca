"""The errors the client raises, all under one root.

    APIError                  status, message, endpoint (the API path, never a URL with the key)
    ├── AuthenticationError   401, 403: wrong project or API key
    ├── NotFoundError         404: unknown dataset, vector field, alias or cluster
    ├── NotSupportedError     the server has no such route (e.g. metadata history on the hosted API)
    ├── BadRequestError       400, 409, 413, 422: the request was wrong; `errors` holds per-item reasons
    ├── PreconditionFailedError  412: the stored object changed since the version the write names
    ├── RateLimitError        429 (retried)
    ├── ServerError           5xx (retried)
    └── APIConnectionError    no HTTP answer; `reason` says why (retried)
        └── APITimeoutError   no answer in time; `phase` says which (only "connect" is retried)

Messages are plain sentences that name the method and path. The API key never appears in them:
server messages are scrubbed of it before they are kept.
"""

from __future__ import annotations

import socket
from typing import Any

import orjson

_MAX_LISTED_ITEMS = 5
_NO_ROUTE = "Not Found"  # what FastAPI / Starlette servers say for a path they do not serve


class APIError(Exception):
    """Any failed call: `status` (None when no HTTP answer came), `message`, `endpoint`."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str = "", method: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.endpoint = endpoint
        self.method = method

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, endpoint={self.endpoint!r}, message={self.message!r})"


class AuthenticationError(APIError):
    """401/403: the project or API key is wrong, or the key may not do this."""


class NotFoundError(APIError):
    """404: the dataset, vector field, alias or cluster does not exist.

    `route_missing`: the server answered its generic "Not Found", i.e. it has no such route at all.
    """

    def __init__(self, message: str, *, route_missing: bool = False, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.route_missing = route_missing


class NotSupportedError(APIError):
    """The server does not offer this call (the hosted API has none of the embedded server's own routes)."""


class PreconditionFailedError(APIError):
    """412: the write named a version of the stored object, and the object changed since; nothing was written."""


class BadRequestError(APIError):
    """400/409/413/422: the request was wrong (409: it conflicts with what is stored).

    `errors` lists what the server said per item: for a rejected insert, the `failed_documents`
    entries (`{"_id", "error"}`); for a 422, FastAPI's `{"loc", "msg", "type"}` entries.
    """

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.errors = errors or []


class RateLimitError(APIError):
    """429: too many requests; `retry_after` is the server's wait in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server failed; `retry_after` as for RateLimitError."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class APIConnectionError(APIError):
    """No HTTP answer at all. `reason` is one of the constants below, so a UI can say which."""

    HOST_NOT_FOUND = "host_not_found"  # DNS could not resolve the host name
    REFUSED = "refused"  # the host answered, but nothing listens on that port
    TIMEOUT = "timeout"  # see APITimeoutError
    NETWORK = "network"  # anything else: reset, TLS failure, broken connection

    def __init__(self, message: str, *, reason: str = NETWORK, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.reason = reason


class APITimeoutError(APIConnectionError):
    """No answer in time. `phase` is "connect", "read", "write" or "pool"."""

    def __init__(self, message: str, *, phase: str, **kwargs: Any):
        super().__init__(message, reason=APIConnectionError.TIMEOUT, **kwargs)
        self.phase = phase


def redact(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` masked (servers sometimes echo what they got)."""
    return text.replace(secret, "***") if secret else text


def error_from_response(
    status: int, content: bytes, *, method: str, endpoint: str, retry_after: float | None, secret: str
) -> APIError:
    """The typed error for an HTTP error answer, its message built from the body the server sent."""
    body = _json_or_none(content)
    server_says, errors = _server_message(body, content)
    server_says = redact(server_says, secret)
    where = f"{method} {endpoint}"
    common: dict[str, Any] = {"status": status, "endpoint": endpoint, "method": method}
    if status in (401, 403):
        return AuthenticationError(
            f"The server rejected the project or API key ({status}) for {where}: {server_says}", **common
        )
    if status == 404:
        return NotFoundError(f"Not found ({status}) at {where}: {server_says}",
                             route_missing=server_says == _NO_ROUTE, **common)
    if status == 412:
        return PreconditionFailedError(
            f"Someone else saved a change since this version was read ({status} on {where}); nothing was "
            f"written: {server_says}", **common)
    if status in (400, 409, 413, 422):
        return BadRequestError(
            f"The server rejected the request ({status}) to {where}: {server_says}",
            errors=[_redact_item(item, secret) for item in errors],
            **common,
        )
    if status == 429:
        return RateLimitError(
            f"Too many requests ({status}) to {where}: {server_says}", retry_after=retry_after, **common
        )
    if status >= 500:
        return ServerError(
            f"The server failed ({status}) on {where}: {server_says}", retry_after=retry_after, **common
        )
    return APIError(f"Unexpected answer ({status}) from {where}: {server_says}", **common)


def connection_error(
    cause: BaseException, *, method: str, endpoint: str, host: str, secret: str
) -> APIConnectionError:
    """The APIConnectionError for a transport failure, telling DNS failure from a refused port."""
    where = f"{method} {endpoint}"
    common = {"endpoint": endpoint, "method": method}
    root = _root_os_error(cause)
    if isinstance(root, socket.gaierror):
        return APIConnectionError(
            f"Cannot resolve host {host!r} ({where}): check the base URL.",
            reason=APIConnectionError.HOST_NOT_FOUND,
            **common,
        )
    if isinstance(root, ConnectionRefusedError):
        return APIConnectionError(
            f"Nothing is listening at {host!r} ({where}): connection refused.",
            reason=APIConnectionError.REFUSED,
            **common,
        )
    detail = redact(str(root or cause), secret) or type(cause).__name__
    return APIConnectionError(f"Connection to {host!r} failed ({where}): {detail}", **common)


def timeout_error(phase: str, seconds: float | None, *, method: str, endpoint: str, host: str) -> APITimeoutError:
    within = f" within {seconds:g} s" if seconds is not None else ""
    what = {
        "connect": f"Could not connect to {host!r}{within}",
        "read": f"No answer from {host!r}{within}",
        "write": f"Could not send the request to {host!r}{within}",
        "pool": f"No free connection to {host!r}{within}",
    }[phase]
    return APITimeoutError(f"{what} ({method} {endpoint}).", phase=phase, endpoint=endpoint, method=method)


def _json_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None


def _server_message(body: Any, content: bytes) -> tuple[str, list[dict[str, Any]]]:
    """The server's own words, plus the per-item reasons when it gave some."""
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):  # FastAPI validation error
            items = [item for item in detail if isinstance(item, dict)]
            return _list_items([_describe_validation(item) for item in items]), items
        failed = body.get("failed_documents")
        message = str(body.get("message") or detail or "")
        if isinstance(failed, list) and failed:
            items = [item for item in failed if isinstance(item, dict)]
            listed = _list_items([f"{item.get('_id')!r}: {item.get('error')}" for item in items])
            return f"{message} ({len(items)} rejected: {listed})" if message else listed, items
        if message:
            return message, []
    text = content.decode("utf-8", "replace").strip()
    return (text[:200] or "no message"), []


def _describe_validation(item: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in item.get("loc", []))
    return f"{location}: {item.get('msg', '')}" if location else str(item.get("msg", ""))


def _list_items(parts: list[str]) -> str:
    shown = "; ".join(parts[:_MAX_LISTED_ITEMS])
    more = len(parts) - _MAX_LISTED_ITEMS
    return f"{shown}; and {more} more" if more > 0 else shown


def _redact_item(item: dict[str, Any], secret: str) -> dict[str, Any]:
    return {key: redact(value, secret) if isinstance(value, str) else value for key, value in item.items()}


def _root_os_error(error: BaseException) -> OSError | None:
    """The OSError at the bottom of a chain of wrapped exceptions (httpx -> httpcore -> socket)."""
    found = None
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    return found
