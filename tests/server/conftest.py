"""Fixtures for the server tests: the live server on each store, an authorized HTTP session on it, seeded datasets."""

from __future__ import annotations

import httpx
import pytest
from server_helpers import VF, fresh_id, make_documents

from centroid_explorer.client import Client


@pytest.fixture(scope="session")
def live_server(live_server_on_each_store):
    """Every server test runs on SQLite and on PostgreSQL."""
    return live_server_on_each_store


@pytest.fixture(scope="session")
def client(live_server):
    """The project's client on this folder's live server (the session-wide `client` is on another one)."""
    with Client(live_server.base_url, live_server.project, live_server.api_key) as c:
        yield c


@pytest.fixture
def api(live_server):
    with httpx.Client(
        base_url=live_server.base_url,
        headers={"Authorization": f"{live_server.project}:{live_server.api_key}"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
def clustered(api):
    """A dataset of 23 documents x 4 dims in 3 clusters, with centroids, under alias `default`."""
    dataset_id = fresh_id()
    documents, centroids = make_documents(23, 4, 3)
    r = api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": documents})
    assert r.status_code == 200, r.text
    centers = [{"_id": cid, VF: v} for cid, v in centroids.items()]
    r = api.post(
        "/services/cluster/centroids/insert",
        json={"dataset_id": dataset_id, "vector_field": VF, "cluster_centers": centers},
    )
    assert r.status_code == 200, r.text
    return {"dataset_id": dataset_id, "documents": documents, "centroids": centroids}
