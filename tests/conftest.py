"""Shared fixtures: a real embedded server over real HTTP on a free port, and a client of it.

The server tests and the SDK test run on both stores (`store_kind`): SQLite, and PostgreSQL in a
throwaway cluster (tests/pg_cluster.py). Without PostgreSQL the PostgreSQL half is skipped, with
the reason in the summary; under CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os

import pg_cluster
import pytest

from centroid_explorer.client import Client
from centroid_explorer.config import ENV_DATABASE_URL
from centroid_explorer.server.runner import EmbeddedServer

# A database URL in the environment would send every server of the tests to it.
os.environ.pop(ENV_DATABASE_URL, None)

STORES = ("sqlite", "postgresql")


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


_postgres_skipped: list[str] = []


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the session."""
    reason = pg_cluster.unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the PostgreSQL tests, but: {reason}")
        _postgres_skipped.append(reason)
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    cluster = pg_cluster.Cluster({"fsync": "off"})  # throwaway: no need to survive a power cut
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=STORES)
def store_kind(request) -> str:
    return request.param


def _database_url(store_kind: str, request) -> str | None:
    """None for SQLite (the data folder's file), else a new, empty PostgreSQL database."""
    return None if store_kind == "sqlite" else request.getfixturevalue("postgres").database()


@pytest.fixture
def database_url(store_kind, request) -> str | None:
    """An empty database of each store kind, for a test that starts servers of its own."""
    return _database_url(store_kind, request)


@pytest.fixture(scope="session")
def live_server_on_each_store(store_kind, request, tmp_path_factory):
    """A session server on each store; the server and SDK tests take it as their `live_server`."""
    server = EmbeddedServer(tmp_path_factory.mktemp(f"server-{store_kind}"), project="test-project",
                            api_key="test-key", database_url=_database_url(store_kind, request))
    server.start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter):
    """One plain line at the end when the PostgreSQL half did not run."""
    if _postgres_skipped:
        terminalreporter.write_line(f"PostgreSQL tests were SKIPPED: {_postgres_skipped[0]}", yellow=True, bold=True)
