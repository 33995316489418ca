"""Retries: what is retried, how long the client waits, and when it gives up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from centroid_explorer.client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from centroid_explorer.client._retry import (
    INITIAL_DELAY,
    MAX_DELAY,
    next_delay,
    parse_retry_after,
    retry_delay,
    should_retry,
)


def _answers(*responses):
    """A handler that gives `responses` in turn (an exception class is raised) and counts calls."""
    calls = []

    def handler(request):
        calls.append(request)
        answer = responses[min(len(calls) - 1, len(responses) - 1)]
        if isinstance(answer, type):
            raise answer("simulated", request=request)
        return answer

    return handler, calls


OK = httpx.Response(200, json={"datasets": ["a"], "count": 1})


def test_503_then_success_returns_the_answer(mock_client, sleeps):
    handler, calls = _answers(httpx.Response(503, json={"message": "busy"}), OK)
    assert mock_client(handler).datasets.list() == ["a"]
    assert len(calls) == 2
    assert len(sleeps) == 1


def test_retry_after_seconds_is_waited(mock_client, sleeps):
    handler, _ = _answers(httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"}), OK)
    mock_client(handler).datasets.list()
    assert sleeps == [7.0]


def test_retry_after_date_is_waited(mock_client, sleeps):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    handler, _ = _answers(httpx.Response(503, headers={"Retry-After": when}, json={"message": "later"}), OK)
    mock_client(handler).datasets.list()
    assert 25 <= sleeps[0] <= 30


def test_retry_after_beyond_the_deadline_gives_up_at_once(mock_client, sleeps):
    handler, calls = _answers(httpx.Response(429, headers={"Retry-After": "120"}, json={"message": "come back later"}))
    with pytest.raises(RateLimitError) as caught:
        mock_client(handler, deadline=60).datasets.list()
    assert caught.value.retry_after == 120
    assert len(calls) == 1 and sleeps == []


def test_gives_up_after_max_retries_with_the_last_error(mock_client, sleeps):
    handler, calls = _answers(httpx.Response(500, json={"message": "broken"}))
    with pytest.raises(ServerError, match="broken"):
        mock_client(handler, max_retries=3).datasets.list()
    assert len(calls) == 4
    assert len(sleeps) == 3


def test_backoff_grows_between_retries(mock_client, sleeps):
    handler, _ = _answers(httpx.Response(502, text="bad gateway"))
    with pytest.raises(ServerError):
        mock_client(handler, max_retries=3).datasets.list()
    assert sleeps[0] < sleeps[1] < sleeps[2]


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError), (422, BadRequestError)],
)
def test_client_errors_are_not_retried(mock_client, sleeps, status, error_type):
    handler, calls = _answers(httpx.Response(status, json={"message": "no"}))
    with pytest.raises(error_type):
        mock_client(handler, max_retries=5).datasets.list()
    assert len(calls) == 1 and sleeps == []


def test_connection_failure_is_retried(mock_client, sleeps):
    handler, calls = _answers(httpx.ConnectError, OK)
    assert mock_client(handler).datasets.list() == ["a"]
    assert len(calls) == 2


def test_connect_timeout_is_retried(mock_client, sleeps):
    handler, calls = _answers(httpx.ConnectTimeout, OK)
    assert mock_client(handler).datasets.list() == ["a"]
    assert len(calls) == 2


def test_read_timeout_is_not_retried(mock_client, sleeps):
    handler, calls = _answers(httpx.ReadTimeout, OK)
    with pytest.raises(APITimeoutError):
        mock_client(handler).datasets.list()
    assert len(calls) == 1


def test_retried_post_sends_the_same_body(mock_client, sleeps):
    handler, calls = _answers(httpx.Response(503, json={"message": "busy"}), httpx.Response(200, json={"results": {}}))
    mock_client(handler).centroids.metadata("ds", "t_vector_", metadata={"description": "x"})
    assert calls[0].content == calls[1].content != b""


def _error(error_type, **fields):
    options = {"endpoint": "/x", "method": "GET", **fields}
    return error_type("message", **options)


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (_error(ServerError, status=503), True),
        (_error(RateLimitError, status=429), True),
        (_error(APIConnectionError, reason=APIConnectionError.REFUSED), True),
        (_error(APITimeoutError, phase="connect"), True),
        (_error(APITimeoutError, phase="read"), False),
        (_error(BadRequestError, status=400), False),
        (_error(AuthenticationError, status=401), False),
        (_error(NotFoundError, status=404), False),
    ],
)
def test_should_retry(error, retried):
    assert should_retry(error) is retried


def test_retry_delay_doubles_up_to_the_cap_with_at_most_a_quarter_jitter():
    without_jitter = [retry_delay(attempt, None, rand=lambda: 0.0) for attempt in range(8)]
    assert without_jitter[:3] == [INITIAL_DELAY, 2 * INITIAL_DELAY, 4 * INITIAL_DELAY]
    assert without_jitter[-1] == MAX_DELAY
    assert retry_delay(1, None, rand=lambda: 1.0) == 0.75 * 2 * INITIAL_DELAY


def test_retry_delay_prefers_the_servers_wait():
    assert retry_delay(0, 3.0, rand=lambda: 0.5) == 3.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, seconds):
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after(header, now=now) == seconds


def test_next_delay_stops_at_max_retries_and_at_the_deadline():
    error = _error(ServerError, status=503)
    options = {"max_retries": 2, "deadline": 10.0, "rand": lambda: 0.0}
    assert next_delay(error, attempt=0, elapsed=0.0, **options) == INITIAL_DELAY
    assert next_delay(error, attempt=2, elapsed=0.0, **options) is None
    assert next_delay(error, attempt=1, elapsed=9.5, **options) is None
