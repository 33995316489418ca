"""The client of the Relevance AI cluster-centroid API, for the hosted service and the embedded
server alike. The only module of the project that imports httpx.

    with Client(base_url, project, api_key) as client:
        page = client.centroids.list("my-dataset", "title_vector_", alias="kmeans-10")

Connecting: `Client(base_url, project, api_key)`; `Client.from_token("project:api_key[:region]",
base_url=None)` for the token the hosted service hands out (its region, if any, picks the base
URL unless `base_url` is given; `parse_token` splits one); `Client.from_env()` from RELEVANCE_BASE_URL, RELEVANCE_PROJECT
and RELEVANCE_API_KEY. `REGIONS` maps the hosted regions to their base URLs.

Waiting: `connect_timeout` (5 s) to open a connection, `timeout` (30 s) for each read/write;
connection failures, connect timeouts, 429 and 5xx are retried up to `max_retries` (2) times with
jittered exponential backoff or the server's Retry-After, and never past `deadline` (60 s).

Results are the parsed JSON answers. `iter_list` / `iter_documents` walk every page; with
`as_arrays=True` vectors arrive as float32 arrays, and `vectors_of` stacks them into a matrix.
Inserts go in requests of at most 1,000 documents / 8 MiB.

See docs/architecture.md for every call and docs/api-contract.md for the wire contract.
"""

from ._client import REGIONS, Client, Token, TokenError, parse_token, region_base_url
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    NotSupportedError,
    PreconditionFailedError,
    RateLimitError,
    ServerError,
)
from ._schema import CLUSTER_FIELD, VECTOR_SUFFIX, cluster_aliases, vector_fields
from ._vectors import vectors_of

__all__ = [
    "CLUSTER_FIELD",
    "REGIONS",
    "VECTOR_SUFFIX",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "NotFoundError",
    "NotSupportedError",
    "PreconditionFailedError",
    "RateLimitError",
    "ServerError",
    "Token",
    "TokenError",
    "cluster_aliases",
    "parse_token",
    "region_base_url",
    "vector_fields",
    "vectors_of",
]
