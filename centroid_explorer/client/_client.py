"""`Client`: credentials, base URL and the connection pool, with `centroids` and `datasets` on it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..config import CONNECTION_VARIABLES, connection_settings
from ._centroids import CentroidEndpoints
from ._datasets import Datasets
from ._session import Session

_OLD_AUSTRALIA_EAST = "old-australia-east"
_REGION_NAME = re.compile(r"[a-z0-9-]+")


def region_base_url(region: str) -> str:
    """The hosted gateway's base URL for a region, by the rule the official SDK used."""
    if region == _OLD_AUSTRALIA_EAST:
        return "https://gateway-api-aueast.relevance.ai/latest"
    if not _REGION_NAME.fullmatch(region):
        raise ValueError(f"not a region name: {region!r}")
    return f"https://api.{region}.relevance.ai/latest"


@dataclass(frozen=True)
class Token:
    """The parts of a hosted-service token; the key is in no repr."""

    project: str
    api_key: str = field(repr=False)
    region: str | None = None  # the hosted region the token was issued for, if it names one


class TokenError(ValueError):
    """A token that is not `project:api_key[:region[:user_id]]`; `bad_region` when only the third part
    is wrong. The message never repeats the key."""

    def __init__(self, message: str, *, bad_region: bool = False):
        super().__init__(message)
        self.bad_region = bad_region


def parse_token(token: str) -> Token:
    """`project:api_key`, with the hosted dashboard's `:region` and `:user_id` parts optional (the user id
    is not needed). Split at every colon, as the official SDK does, so a key cannot contain one. The one
    parser of tokens: Client.from_token and the dashboard's Connect page accept the same ones."""
    parts = [part.strip() for part in token.strip().split(":")]
    if not 2 <= len(parts) <= 4 or not parts[0] or not parts[1]:
        raise TokenError("a token looks like project:api_key or project:api_key:region")
    region = (parts[2] or None) if len(parts) > 2 else None
    if region is not None:
        try:
            region_base_url(region)
        except ValueError as err:
            raise TokenError(str(err), bad_region=True) from None
    return Token(parts[0], parts[1], region)


# The hosted regions of the 2021-2022 API (the SDK's region names).
REGIONS: dict[str, str] = {
    region: region_base_url(region) for region in (_OLD_AUSTRALIA_EAST, "us-east-1", "ap-southeast-2")
}

DEFAULT_TIMEOUT = 30.0  # seconds to wait for an answer (read and write phases)
DEFAULT_CONNECT_TIMEOUT = 5.0  # seconds to open a connection: a dead host is told quickly
DEFAULT_MAX_RETRIES = 2
DEFAULT_DEADLINE = 60.0  # seconds from the first try after which no retry is started


class Client:
    """A client of the centroid API at `base_url` (a URL; see REGIONS for the hosted ones).

    Holds one connection pool: create one per endpoint and reuse it (it is thread-safe), and
    close it, or use it as a context manager. The API key goes only into the Authorization
    header; it is in no repr, message or log line.
    """

    def __init__(
        self,
        base_url: str,
        project: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float = DEFAULT_DEADLINE,
        transport: httpx.BaseTransport | None = None,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not project or not api_key:
            raise ValueError("both a project and an API key are needed")
        self.base_url = base_url.rstrip("/")
        self.project = project
        self._session = Session(
            self.base_url,
            project,
            api_key,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            deadline=deadline,
            transport=transport,
        )
        self.centroids = CentroidEndpoints(self._session)
        self.datasets = Datasets(self._session)

    @classmethod
    def from_token(cls, token: str, base_url: str | None = None, **options: Any) -> Client:
        """A client from the hosted service's token, `project:api_key` or `project:api_key:region`
        (a fourth part, the SDK's user id, is ignored). `base_url` wins over the token's region."""
        parsed = parse_token(token)
        if base_url is None:
            if parsed.region is None:
                raise ValueError("this token names no region: give base_url")
            base_url = region_base_url(parsed.region)
        return cls(base_url, parsed.project, parsed.api_key, **options)

    @classmethod
    def from_env(cls, **options: Any) -> Client:
        """A client from $RELEVANCE_BASE_URL, $RELEVANCE_PROJECT and $RELEVANCE_API_KEY."""
        settings = connection_settings()
        missing = [name for name in CONNECTION_VARIABLES if name not in settings]
        if missing:
            raise ValueError(f"set {', '.join(missing)} to connect to a Relevance AI endpoint")
        return cls(*(settings[name] for name in CONNECTION_VARIABLES), **options)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, project={self.project!r})"
