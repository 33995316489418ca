"""The client of the Relevance AI cluster-centroid API, for the hosted service and the embedded
server alike. The only module of the project that imports httpx.

    with Client(base_url, project, api_key) as client:
        page = client.centroids.list("my-dataset", "title_vector_", alias="kmeans-10")

See docs/architecture.md for every call and ../shared/relevance-api.md for the wire contract.
"""

from ._client import REGIONS, Client, region_base_url
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from .schema import cluster_aliases, vector_fields
from .vectors import vectors_of

__all__ = [
    "REGIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "cluster_aliases",
    "region_base_url",
    "vector_fields",
    "vectors_of",
]
