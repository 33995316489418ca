"""The SDK test runs on each store."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def live_server(live_server_on_each_store):
    return live_server_on_each_store
