"""Running the embedded API: in a background thread (dashboard, tests) or in the foreground (CLI `serve`)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from pathlib import Path

import uvicorn

from ..config import database_url as chosen_database_url
from ..config import make_private_dir
from .app import create_app
from .credentials import Credentials, resolve
from .store import Store, open_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
START_TIMEOUT_SECONDS = 30


def _uvicorn_server(store: Store, credentials: Credentials) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(store, credentials),
        log_config=None,  # leave the host program's logging alone
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
    )
    return uvicorn.Server(config)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # keep-alive responses wait ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class EmbeddedServer:
    """The API on `host:port` (port 0 = a free one) in a daemon thread, over `<data_dir>/centroids.sqlite3`,
    or over the PostgreSQL database at `database_url` (default: $CENTROID_EXPLORER_DATABASE_URL)."""

    def __init__(
        self,
        data_dir: str | Path,
        project: str | None = None,
        api_key: str | None = None,
        host: str = DEFAULT_HOST,
        port: int = 0,
        database_url: str | None = None,
    ):
        self.data_dir = Path(data_dir)
        make_private_dir(self.data_dir)
        self.credentials = resolve(self.data_dir, project, api_key)
        self.database_url = chosen_database_url(database_url)
        self.host, self.port = host, port
        self._store: Store | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def project(self) -> str:
        return self.credentials.project

    @property
    def api_key(self) -> str:
        return self.credentials.api_key

    @property
    def base_url(self) -> str:
        return _url(self.host, self.port)

    def start(self) -> EmbeddedServer:
        """Start serving; returns once /health answers."""
        if self._thread is not None:
            return self
        self._store = open_store(self.data_dir, self.database_url)
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._server = _uvicorn_server(self._store, self.credentials)
        self._thread = thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="centroid-explorer-api", daemon=True
        )
        thread.start()
        self._wait_healthy(thread)
        return self

    def _wait_healthy(self, thread: threading.Thread) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not thread.is_alive():
                raise RuntimeError(f"the embedded server on {self.base_url} stopped while starting")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=1)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the embedded server on {self.base_url} did not answer /health in {START_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    data_dir: str | Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    project: str | None = None,
    api_key: str | None = None,
    database_url: str | None = None,
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C), printing where to connect."""
    data_dir = Path(data_dir)
    make_private_dir(data_dir)
    credentials = resolve(data_dir, project, api_key)
    store = open_store(data_dir, chosen_database_url(database_url))
    sock = _bind(host, port)
    print(f"Centroid Explorer API on {_url(host, sock.getsockname()[1])}")
    print(f"  data:    {store.location}")
    print(f"  project: {credentials.project}")
    if credentials.key_file is not None:
        print(f"  API key: in {credentials.key_file}")
    else:
        print("  API key: the one given (--api-key or $RELEVANCE_API_KEY)")
    print("  (and each key made with `python -m centroid_explorer keys create`)")
    print("  clients send the header `Authorization: <project>:<key>`; Ctrl-C stops")
    try:
        _uvicorn_server(store, credentials).run(sockets=[sock])
    finally:
        store.close()
