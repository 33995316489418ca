"""Cluster sizes from a server without our sizes route (the hosted API): counted from the documents."""

from __future__ import annotations

import httpx
import pytest

from centroid_explorer.alias_centroids import cluster_sizes
from centroid_explorer.client import NotSupportedError

VF = "title_vector_"
DOCUMENTS = [{"_id": "a", "_cluster_": {VF: {"km": "c1", "other": "x"}}}, {"_id": "b", "_cluster_": {VF: {"km": "c1"}}},
             {"_id": "c", "_cluster_": {VF: {"km": "c2"}}}, {"_id": "d", "title": "not clustered"}]


def hosted(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/documents/list"):
        return httpx.Response(200, json={"documents": DOCUMENTS, "cursor": None, "count": len(DOCUMENTS)})
    return httpx.Response(404, json={"detail": "Not Found"})  # what a server says for a route it does not have


def test_sizes_on_a_server_without_the_route_is_not_supported(mock_client):
    with pytest.raises(NotSupportedError, match="counts no cluster sizes"):
        mock_client(hosted).centroids.sizes("ds", VF, "km")


def test_cluster_sizes_fall_back_to_one_pass_over_the_documents(mock_client):
    assert cluster_sizes(mock_client(hosted), "ds", VF, "km") == {"c1": 2, "c2": 1}
