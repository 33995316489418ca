"""Plain messages for the client's typed errors, as the dashboard shows them: what went wrong, and what to
do about it (on which page).

The dashboard shows these instead of tracebacks. They never include the API key: the client's
own messages are already scrubbed of it, and nothing here reads credentials.
"""

from __future__ import annotations

from centroid_explorer.client import (
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
from centroid_explorer.display import markdown_text
from centroid_explorer.endpoint import WRONG_BASE_URL, is_wrong_base_url

_MAX_REASONS = 10


def describe(err: Exception, doing: str) -> str:
    """One or more Markdown lines: `doing` (e.g. "Loading the centroids") failed, why, and what next.
    What the server or the request said (its message, the path, ids) is data, shown as text."""
    where = f" ({markdown_text(err.endpoint)})" if isinstance(err, APIError) and err.endpoint else ""
    message = markdown_text(err.message) if isinstance(err, APIError) else markdown_text(err)
    if isinstance(err, AuthenticationError):
        return (
            f"**{doing} failed: the server rejected the project or API key.**{where} "
            "Check both on the **Connect** page, or paste the `project:api_key` token again."
        )
    if isinstance(err, APITimeoutError):
        return (
            f"**{doing} failed: the server did not answer in time.**{where} "
            "It may be busy or unreachable; try again, or check the base URL on the **Connect** page."
        )
    if isinstance(err, APIConnectionError):
        if err.reason == APIConnectionError.HOST_NOT_FOUND:
            return (
                f"**{doing} failed: the host name could not be found.**{where} "
                "Check the base URL for typos on the **Connect** page."
            )
        if err.reason == APIConnectionError.REFUSED:
            return (
                f"**{doing} failed: nothing is listening at that address.**{where} "
                "Is the server running, and is the port right? Check the base URL on the **Connect** page."
            )
        return f"**{doing} failed: the connection broke.**{where} {message} Try again."
    if isinstance(err, PreconditionFailedError):
        return (
            f"**{doing} failed: someone else saved a change first.**{where} Nothing of yours was written. "
            "Reload to see what is stored now, then make your change again."
        )
    if isinstance(err, NotSupportedError):
        return (
            f"**{doing}: this server does not offer it.**{where} Metadata history is kept by Centroid "
            "Explorer's own server (`python -m centroid_explorer serve`), not by the hosted API."
        )
    if is_wrong_base_url(err):
        return f"**{doing} failed: not found.**{where} {WRONG_BASE_URL} Check it on the **Connect** page."
    if isinstance(err, NotFoundError):
        return (
            f"**{doing} failed: not found.**{where} {message} "
            "Pick another dataset, vector field or alias in the sidebar."
        )
    if isinstance(err, BadRequestError):
        return f"**{doing} failed: the server rejected the request.**{where}" + _reasons(err)
    if isinstance(err, RateLimitError):
        return f"**{doing} failed: too many requests.**{where} Wait a moment and try again."
    if isinstance(err, ServerError):
        return f"**{doing} failed: the server had an error.**{where} {message} Try again later."
    if isinstance(err, APIError):
        return f"**{doing} failed.**{where} {message}"
    return f"**{doing} failed:** {message}"


def _reasons(err: BadRequestError) -> str:
    lines = []
    for item in err.errors[:_MAX_REASONS]:
        if "_id" in item:
            lines.append(f"- {markdown_text(item.get('_id'))}: {markdown_text(item.get('error', ''))}")
        else:
            location = ".".join(str(part) for part in item.get("loc", []))
            lines.append(f"- {markdown_text(location)}: {markdown_text(item.get('msg', ''))}")
    if len(err.errors) > _MAX_REASONS:
        lines.append(f"- … and {len(err.errors) - _MAX_REASONS} more")
    return ("\n\n" + "\n".join(lines)) if lines else f" {markdown_text(err.message)}"
