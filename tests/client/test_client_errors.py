"""Every HTTP failure becomes the typed error a UI can act on, in plain words, without the key."""

from __future__ import annotations

import httpx
import pytest

from centroid_explorer.client import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (413, BadRequestError),
        (422, BadRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (409, BadRequestError),
        (418, APIError),
    ],
)
def test_status_maps_to_typed_error_with_status_message_and_endpoint(mock_client, status, error_type):
    client = mock_client(lambda request: httpx.Response(status, json={"message": "the server's words"}), max_retries=0)
    with pytest.raises(error_type) as caught:
        client.datasets.list()
    error = caught.value
    assert type(error) is error_type
    assert error.status == status
    assert error.endpoint == "/datasets/list"
    assert "the server's words" in error.message
    assert "GET /datasets/list" in str(error)


def test_rejected_insert_carries_each_bad_id_and_reason(mock_client):
    failed = [{"_id": "c1", "error": "vector has 3 numbers, expected 4"}, {"_id": "c2", "error": "not finite"}]
    client = mock_client(
        lambda request: httpx.Response(400, json={"message": "2 centroids rejected", "failed_documents": failed})
    )
    with pytest.raises(BadRequestError) as caught:
        client.centroids.insert("ds", [{"_id": "c1", "t_vector_": [1, 2, 3]}], "t_vector_")
    assert caught.value.errors == failed
    assert "'c1': vector has 3 numbers, expected 4" in caught.value.message
    assert "'c2': not finite" in caught.value.message


def test_validation_error_names_the_field(mock_client):
    detail = [{"loc": ["body", "dataset_id"], "msg": "Field required", "type": "missing"}]
    client = mock_client(lambda request: httpx.Response(422, json={"detail": detail}))
    with pytest.raises(BadRequestError) as caught:
        client.datasets.create("x")
    assert caught.value.errors == detail
    assert "body.dataset_id: Field required" in caught.value.message


def test_non_json_error_body_still_gives_a_message(mock_client):
    client = mock_client(lambda request: httpx.Response(502, text="<html>Bad Gateway</html>"), max_retries=0)
    with pytest.raises(ServerError, match="Bad Gateway"):
        client.datasets.list()


def test_non_json_success_body_is_an_api_error(mock_client):
    client = mock_client(lambda request: httpx.Response(200, text="<html>login page</html>"))
    with pytest.raises(APIError, match="was not JSON"):
        client.datasets.list()


def test_read_timeout_raises_timeout_error_naming_the_phase(mock_client):
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    client = mock_client(handler, timeout=12.0)
    with pytest.raises(APITimeoutError) as caught:
        client.centroids.list("ds", "t_vector_")
    assert caught.value.phase == "read"
    assert caught.value.reason == APIConnectionError.TIMEOUT
    assert "within 12 s" in caught.value.message
    assert caught.value.endpoint == "/services/cluster/centroids/list"


def test_connect_timeout_says_it_could_not_connect(mock_client):
    def handler(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    client = mock_client(handler, connect_timeout=2.0, max_retries=0)
    with pytest.raises(APITimeoutError, match="Could not connect .* within 2 s") as caught:
        client.datasets.list()
    assert caught.value.phase == "connect"


def test_other_transport_failure_is_a_connection_error(mock_client):
    def handler(request):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    client = mock_client(handler, max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.datasets.list()
    assert caught.value.reason == APIConnectionError.NETWORK
    assert "Server disconnected" in caught.value.message


def _failures(client):
    """One of each failure, raised through the client."""
    calls = [
        lambda: client.datasets.list(),
        lambda: client.centroids.metadata("ds", "t_vector_"),
        lambda: client.centroids.insert("ds", [{"_id": "c", "t_vector_": [1.0]}], "t_vector_"),
    ]
    for call in calls:
        with pytest.raises(APIError) as caught:
            call()
        yield caught.value


def _echo_key(request: httpx.Request) -> str:
    return request.headers["Authorization"].split(":", 1)[1]


# Servers that echo what they got back into their message.
ECHOING_SERVERS = {
    "401 message": lambda request: httpx.Response(
        401, json={"message": f"bad credentials {request.headers['Authorization']}"}
    ),
    "400 item": lambda request: httpx.Response(
        400, json={"message": "no", "failed_documents": [{"_id": "c", "error": f"key {_echo_key(request)} refused"}]}
    ),
    "422 detail": lambda request: httpx.Response(
        422, json={"detail": [{"loc": ["header"], "msg": f"{_echo_key(request)} is invalid", "type": "x"}]}
    ),
    "503 text": lambda request: httpx.Response(
        503, text=f"upstream got Authorization: {request.headers['Authorization']}"
    ),
}


@pytest.mark.parametrize("server", ECHOING_SERVERS)
def test_the_key_is_in_no_message_repr_or_item(mock_client, api_key, server):
    client = mock_client(ECHOING_SERVERS[server], max_retries=0)
    for error in _failures(client):
        for text in (str(error), repr(error), error.message, repr(getattr(error, "errors", []))):
            assert api_key not in text
        assert error.__cause__ is None and error.__context__ is None  # no chained request with headers
    assert api_key not in repr(client)


def test_the_key_is_in_no_transport_failure(mock_client, api_key):
    def handler(request):
        raise httpx.ConnectError(f"failed for {request.headers['Authorization']}", request=request)

    client = mock_client(handler, max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        client.datasets.list()
    # The transport's own words are kept for unknown failures, so they are scrubbed too.
    assert api_key not in str(caught.value)
    assert caught.value.__context__ is None
