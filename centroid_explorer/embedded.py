"""The dashboard's default backend: the embedded server on the data folder, with the demo data.

Started once per process by the dashboard (components/connection.py caches it). On an empty data
folder the demo datasets are seeded, so a first start shows something useful with no account.
"""

from __future__ import annotations

from pathlib import Path

from centroid_explorer import demo
from centroid_explorer.client import Client
from centroid_explorer.endpoint import Endpoint
from centroid_explorer.server.runner import ServerProcess


def start_embedded(data_folder: Path) -> ServerProcess:
    """Start the server on `data_folder` (a child process on 127.0.0.1, a free port) and seed the demo
    data if it is empty."""
    server = ServerProcess(data_folder)
    server.start()
    with Client(server.base_url, server.project, server.api_key) as client:
        demo.seed_if_empty(client)
    return server


def endpoint_of(server: ServerProcess) -> Endpoint:
    return Endpoint(server.base_url, server.project, server.api_key)
