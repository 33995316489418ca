"""The map's documents with vectors from a server that answers JSON (the hosted API ignores our Accept
header), and an arrays answer that is broken on the way."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from centroid_explorer import array_pages
from centroid_explorer.client import APIError

VF = "title_vector_"


def test_a_json_answer_becomes_the_same_arrays_page(mock_client):
    seen = []

    def hosted(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Accept"])
        return httpx.Response(200, json={"count": 3, "cursor": None, "results": [
            {"_id": "a", VF: [1.0, 2.0], "image_vector_": [9.0], "title": "A", "_relevance": 0.9},
            {"_id": "b", "title": "B", "_relevance": None},  # assigned, but without the vector
            {"_id": "c", VF: [3.0, 4.0], "_relevance": 0.5},
        ]})

    page = mock_client(hosted).centroids.documents_with_vectors("ds", [], VF, "km", page_size=3)
    assert array_pages.MEDIA_TYPE in seen[0] and "application/json" in seen[0]
    assert [d["_id"] for d in page.payload["results"]] == ["a", "b", "c"]
    assert not any(f.endswith("_vector_") for d in page.payload["results"] for f in d)
    assert page.present().tolist() == [True, False, True]
    np.testing.assert_array_equal(page.vectors[[0, 2]], [[1.0, 2.0], [3.0, 4.0]])


def test_vectors_of_two_lengths_in_a_json_answer_are_named(mock_client):
    def hosted(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"count": 2, "results": [{"_id": "a", VF: [1.0, 2.0]}, {"_id": "odd", VF: [1.0]}]})

    with pytest.raises(ValueError, match="'odd'.*length 1, expected 2"):
        mock_client(hosted).centroids.documents_with_vectors("ds", [], VF)


def test_a_vector_with_a_null_in_a_json_answer_counts_as_no_vector(mock_client):
    def hosted(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"count": 2, "results": [{"_id": "holey", VF: [1.0, None]}, {"_id": "ok", VF: [1.0, 2.0]}]})

    page = mock_client(hosted).centroids.documents_with_vectors("ds", [], VF)
    assert page.present().tolist() == [False, True]


@pytest.mark.parametrize("body", [
    b"",
    b"JSON{}",
    array_pages.MAGIC + b"\xff\xff\xff\x00{}",
    array_pages.encode({"results": [{"_id": "a"}], "count": 1}, VF, np.ones((1, 4), np.float32))[:-3],  # cut short
    array_pages.encode({"results": [{"_id": "a"}, {"_id": "b"}], "count": 2}, VF, np.ones((1, 4), np.float32)),
    array_pages.encode({"results": 7, "count": 0}, VF, np.ones((0, 4), np.float32)),  # results not a list
    array_pages.encode({"results": [], "count": 0}, VF, np.ones((0, 4), np.float32)).replace(b"[0,4]", b"[0,-4]"),
])
def test_a_broken_arrays_answer_is_an_error_that_says_so(mock_client, body):
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": array_pages.MEDIA_TYPE})

    with pytest.raises(APIError, match="was not a valid arrays page"):
        mock_client(broken).centroids.documents_with_vectors("ds", [], VF)
