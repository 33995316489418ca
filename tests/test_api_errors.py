"""The plain message for a client error: what the server said is shown as text, never as Markdown."""

from __future__ import annotations

import re

import pytest

from centroid_explorer.client import BadRequestError, NotFoundError, NotSupportedError, PreconditionFailedError
from components.api_errors import describe
from tests.hostile import HOSTILE, as_read

DATASET = "api-messages"


@pytest.fixture(scope="module")
def dataset(client):
    client.datasets.bulk_insert(DATASET, [{"_id": "d1", "text_vector_": [1.0, 0.0]}])
    client.centroids.insert(DATASET, [{"_id": "c1", "text_vector_": [1.0, 0.0]}], "text_vector_", "a")
    return DATASET


def _active(markdown: str) -> str:
    """The Markdown left once backslash-escaped characters are taken out: where syntax could act."""
    return re.sub(r"\\.", "", markdown)


def test_rejected_ids_and_reasons_from_the_server_are_text(client, dataset):
    with pytest.raises(BadRequestError) as caught:
        client.centroids.insert(dataset, [{"_id": HOSTILE, "text_vector_": [1.0]}], "text_vector_", "a")
    message = describe(caught.value, "Uploading")
    assert HOSTILE in as_read(message)  # the id, exactly as sent
    assert "](" not in _active(message) and "<a" not in _active(message) and "$" not in _active(message)
    assert message.startswith("**Uploading failed: the server rejected the request.**")  # our own Markdown stays


def test_a_not_found_message_naming_an_alias_is_text(client, dataset):
    with pytest.raises(NotFoundError) as caught:
        client.centroids.documents(dataset, [], "text_vector_", alias=HOSTILE)
    message = describe(caught.value, "Reading")
    assert HOSTILE in as_read(message)
    assert "](" not in _active(message) and ":red[" not in _active(message)


def test_a_stale_version_and_a_missing_history_route_get_plain_messages(client, dataset):
    _, version = client.centroids.read_metadata(dataset, "text_vector_", "a")
    client.centroids.metadata(dataset, "text_vector_", "a", metadata={"by": "someone else"})
    with pytest.raises(PreconditionFailedError) as caught:
        client.centroids.metadata(dataset, "text_vector_", "a", metadata={"by": "me"}, if_match=version)
    assert describe(caught.value, "Saving").startswith(
        "**Saving failed: someone else saved a change first.**")
    assert "Nothing of yours was written" in describe(caught.value, "Saving")
    unsupported = NotSupportedError("no history route", status=404, endpoint="/datasets/x/history", method="GET")
    assert "not by the hosted API" in describe(unsupported, "Loading the history")
