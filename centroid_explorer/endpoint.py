"""Where the dashboard connects: a base URL, a project and an API key, checked and normalised.

Read from a mapping (the environment or Streamlit secrets) or from what the user typed; a pasted
token is split here. The key is kept out of `repr` so it never lands in a log. Messages never
repeat what was typed: the dashboard shows them as Markdown, and the field is on screen anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from centroid_explorer.client import Client, NotFoundError, Token, TokenError, parse_token
from centroid_explorer.config import CONNECTION_VARIABLES, connection_settings

# Every server has the dataset list: a 404 there means the base URL does not lead to the API.
DATASET_LIST_ENDPOINT = "/datasets/list"
WRONG_BASE_URL = (
    "The base URL is likely wrong: the server there has no dataset list. Give the address the API's "
    "paths hang off, e.g. https://api.us-east-1.relevance.ai/latest for the hosted service, or "
    "http://127.0.0.1:8000 for `python -m centroid_explorer serve`."
)


def is_wrong_base_url(err: Exception) -> bool:
    return isinstance(err, NotFoundError) and err.endpoint == DATASET_LIST_ENDPOINT


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
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:  # e.g. an unbalanced or non-IP `[...]` host, or port `:abc`
        raise EndpointError("Base URL is not a valid URL: check the host and port.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError("Base URL must start with http:// or https:// and name a host.")
    if parts.username is not None or parts.password is not None:
        raise EndpointError("Base URL must not contain a user name or password: the API key goes in its own field.")
    if parts.query or parts.fragment:
        raise EndpointError("Base URL must not contain `?` or `#`: put only the address and path.")
    return url


TOKEN_FORMS = "`project:api_key`, `project:api_key:region` or `project:api_key:region:user_id`"


def split_token(token: str) -> Token:
    """A pasted token, split by the client's parser (so the page and Client.from_token accept the same
    tokens), with a message for the page that does not repeat it."""
    try:
        return parse_token(token)
    except TokenError as err:
        if err.bad_region:
            raise EndpointError(
                "The token's third part is not a region name (lowercase letters, digits and `-`)."
            ) from None
        raise EndpointError(f"The token must look like {TOKEN_FORMS} (parts joined by colons).") from None


def make_endpoint(base_url: str, project: str, api_key: str) -> Endpoint:
    if not project.strip():
        raise EndpointError("Project is empty: type the project name (or paste a token).")
    if not api_key.strip():
        raise EndpointError("API key is empty: type it (or paste a token).")
    return Endpoint(check_base_url(base_url), project.strip(), api_key.strip())


def endpoint_from(settings: Mapping[str, object]) -> Endpoint | None:
    """The endpoint RELEVANCE_BASE_URL / _PROJECT / _API_KEY describe, or None when any is missing."""
    found = connection_settings(settings)
    if len(found) < len(CONNECTION_VARIABLES):
        return None
    return make_endpoint(*(found[name] for name in CONNECTION_VARIABLES))


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
