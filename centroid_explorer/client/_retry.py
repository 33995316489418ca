"""When to retry a failed call and how long to wait: small pure functions, so tests drive them.

Retried: connection failures (including a connect timeout: nothing was sent), 429 and 5xx.
Not retried: any other status (the request itself is wrong) and read/write timeouts (the server
is slow; waiting again would double the user's wait). Every write endpoint of this API is an
upsert or a whole-object replace, so repeating a POST that may have landed is harmless.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable

from ._errors import APIConnectionError, APIError, APITimeoutError, RateLimitError, ServerError

INITIAL_DELAY = 0.5  # seconds before the first retry
MAX_DELAY = 8.0  # cap on the exponential backoff


def should_retry(error: APIError) -> bool:
    if isinstance(error, APITimeoutError):
        return error.phase == "connect"
    return isinstance(error, (APIConnectionError, RateLimitError, ServerError))


def retry_delay(attempt: int, retry_after: float | None, *, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt + 1` (attempt counts from 0).

    The server's Retry-After wins when it gave one (the deadline in next_delay bounds it);
    otherwise exponential backoff with up to 25% jitter taken off, so that clients which failed
    together spread out.
    """
    if retry_after is not None:
        return retry_after
    backoff = min(INITIAL_DELAY * 2**attempt, MAX_DELAY)
    return backoff * (1 - 0.25 * rand())


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date. None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def next_delay(
    error: APIError,
    *,
    attempt: int,
    elapsed: float,
    max_retries: int,
    deadline: float,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before trying again, or None to give up and raise `error`.

    Gives up when the error is not worth retrying, after `max_retries` retries, or when waiting
    would carry the call past `deadline` seconds since it started.
    """
    if attempt >= max_retries or not should_retry(error):
        return None
    delay = retry_delay(attempt, getattr(error, "retry_after", None), rand=rand)
    if elapsed + delay > deadline:
        return None
    return delay
