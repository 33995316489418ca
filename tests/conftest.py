"""Shared fixtures: a real embedded server over real HTTP on a free port, and a client of it."""

from __future__ import annotations

import pytest

from centroid_explorer.client import Client
from centroid_explorer.server.runner import EmbeddedServer


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """One embedded server for the session (empty data folder); tests use their own dataset ids."""
    server = EmbeddedServer(tmp_path_factory.mktemp("server-data"), project="test-project", api_key="test-key")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(live_server):
    """The project's client on the session server."""
    with Client(live_server.base_url, live_server.project, live_server.api_key) as c:
        yield c
