"""Fixtures for the client's unit tests: a Client over httpx.MockTransport, and recorded waits."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from centroid_explorer.client import Client, _session

API_KEY = "sk-never-show-this-7f3a"
PROJECT = "unit-project"
BASE_URL = "https://api.us-east-1.relevance.ai/latest"


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The waits between retries, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(_session, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def mock_client(sleeps) -> Callable[..., Client]:
    """make(handler, **options): a Client whose every request goes to `handler(request)`."""
    clients: list[Client] = []

    def make(handler: Callable[[httpx.Request], httpx.Response], **options) -> Client:
        client = Client(BASE_URL, PROJECT, API_KEY, transport=httpx.MockTransport(handler), **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
