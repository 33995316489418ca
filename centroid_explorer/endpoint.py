"""Where the dashboard connects: a base URL, a project and an API key, checked and normalised.

Read from a mapping (the environment or Streamlit secrets) or from what the user typed; a pasted
`project:api_key` token is split here. The key is kept out of `repr` so it never lands in a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from centroid_explorer.client import Client
from centroid_explorer.config import ENV_API_KEY, ENV_BASE_URL, ENV_PROJECT


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    project: str
    api_key: str = field(repr=False)


class EndpointError(ValueError):
    """What the user typed cannot be used; the message names the field."""


def check_base_url(url: str) -> str:
    """`url` stripped of spaces and a trailing slash; an EndpointError unless it is http(s)://host[...]."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"Base URL {url!r} must start with http:// or https:// and name a host.")
    if parts.query or parts.fragment:
        raise EndpointError("Base URL must not contain `?` or `#`: put only the address and path.")
    return url


def split_token(token: str) -> tuple[str, str]:
    """A pasted `project:api_key` token as (project, api_key); the key may itself contain ':'."""
    project, sep, api_key = token.strip().partition(":")
    if not sep or not project.strip() or not api_key.strip():
        raise EndpointError("The token must look like `project:api_key` (both parts, joined by a colon).")
    return project.strip(), api_key.strip()


def make_endpoint(base_url: str, project: str, api_key: str) -> Endpoint:
    if not project.strip():
        raise EndpointError("Project is empty: type the project name (or paste a `project:api_key` token).")
    if not api_key.strip():
        raise EndpointError("API key is empty: type it (or paste a `project:api_key` token).")
    return Endpoint(check_base_url(base_url), project.strip(), api_key.strip())


def endpoint_from(settings: Mapping[str, object]) -> Endpoint | None:
    """The endpoint RELEVANCE_BASE_URL / _PROJECT / _API_KEY describe, or None when any is missing."""
    values = [str(settings.get(name) or "").strip() for name in (ENV_BASE_URL, ENV_PROJECT, ENV_API_KEY)]
    if not all(values):
        return None
    return make_endpoint(*values)


# "Test connection" should answer quickly: a dead host is reported, not retried for a minute.
PROBE_TIMEOUT_S = 10.0
PROBE_CONNECT_TIMEOUT_S = 5.0


def probe(endpoint: Endpoint) -> list[str]:
    """The endpoint's dataset ids, with no retries; raises the client's typed errors."""
    with Client(
        endpoint.base_url, endpoint.project, endpoint.api_key,
        timeout=PROBE_TIMEOUT_S, connect_timeout=PROBE_CONNECT_TIMEOUT_S, max_retries=0,
    ) as client:
        return sorted(client.datasets.list())
