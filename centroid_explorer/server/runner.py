"""Running the embedded API: in a child process (the dashboard), in a background thread (tests, one-shot
CLI commands) or in the foreground (CLI `serve`)."""

from __future__ import annotations

import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import IO, Self, cast

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


def _healthy(host: str, port: int, running: Callable[[], bool]) -> bool:
    """Whether /health on host:port answers within START_TIMEOUT_SECONDS; RuntimeError once `running()` is false."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not running():
            raise RuntimeError(f"the embedded server on {_url(host, port)} stopped while starting")
        conn = http.client.HTTPConnection(host, port, timeout=1)
        try:
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.05)
    return False


class _LocalServer(ABC):
    """What both ways of running the API over a data folder share: the folder, its credentials, and
    start()/stop() as a context manager."""

    def __init__(self, data_dir: str | Path, project: str | None = None, api_key: str | None = None):
        self.data_dir = Path(data_dir)
        make_private_dir(self.data_dir)
        # Resolved before any server starts, so that a generated key is written once (a child reads the file).
        self.credentials = resolve(self.data_dir, project, api_key)

    @property
    def project(self) -> str:
        return self.credentials.project

    @property
    def api_key(self) -> str:
        return self.credentials.api_key

    @abstractmethod
    def start(self) -> Self:
        """Start serving; returns once /health answers."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving (nothing to do when not started)."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class EmbeddedServer(_LocalServer):
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
        super().__init__(data_dir, project, api_key)
        self.database_url = chosen_database_url(database_url)
        self.host, self.port = host, port
        self._store: Store | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return _url(self.host, self.port)

    def start(self) -> Self:
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
        if not _healthy(self.host, self.port, thread.is_alive):
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


class ServerProcess(_LocalServer):
    """The API over `data_dir` in a child process on 127.0.0.1 (a free port): the dashboard's embedded server.

    Out of the dashboard's process, its work neither holds the dashboard's GIL (a large fetch then
    overlaps the server's pages with the dashboard's reading of them) nor counts in its memory. The
    child watches its stdin and stops when the dashboard's process ends, however it ends. It inherits
    the environment, so $CENTROID_EXPLORER_DATABASE_URL chooses its store as it would `serve`'s; its
    command line (which any local user can read) names only the data folder."""

    def __init__(self, data_dir: str | Path):
        super().__init__(data_dir)
        self.base_url = ""
        self._process: subprocess.Popen | None = None
        self._last_error = ""

    def start(self) -> Self:
        """Start the child; returns once its /health answers. RuntimeError with the child's own message
        (a wrong database URL, say) when it does not start."""
        if self._process is not None:
            return self
        self._process = process = subprocess.Popen(
            [sys.executable, "-u", "-m", __name__, str(self.data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self._last_error = ""
        stdout, stderr = cast(IO[str], process.stdout), cast(IO[str], process.stderr)  # pipes, as asked above
        relay = threading.Thread(target=self._relay_stderr, args=(stderr,), name="api-stderr", daemon=True)
        relay.start()
        try:
            host, port = self._announced(stdout)
            self.base_url = _url(host, port)
            if not _healthy(host, port, lambda: process.poll() is None):
                raise RuntimeError(f"the embedded server on {self.base_url} did not answer /health in {START_TIMEOUT_SECONDS}s")
        except RuntimeError as error:
            self.stop()
            relay.join(timeout=5)  # the child has ended: its last words are read
            raise RuntimeError(f"{error}: {self._last_error}" if self._last_error else str(error)) from None
        return self

    def _relay_stderr(self, stderr: IO[str]) -> None:
        """The child's log lines go on to ours (drained, so that the child never blocks on a full pipe);
        the last one is kept to say why a start failed."""
        with stderr:
            for line in stderr:
                sys.stderr.write(line)
                self._last_error = line.strip() or self._last_error

    @staticmethod
    def _announced(stdout: IO[str]) -> tuple[str, int]:
        """(host, port) from the first line `serve` prints."""
        ready, _, _ = select.select([stdout], [], [], START_TIMEOUT_SECONDS)
        line = stdout.readline() if ready else ""
        if "http://" not in line:
            raise RuntimeError("the embedded server did not start")
        host, _, port = line.rsplit("http://", 1)[1].strip().rpartition(":")
        return host.strip("[]"), int(port)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout):  # (stderr is _relay_stderr's)
            if stream is not None:
                stream.close()


def _stop_when_stdin_closes() -> None:
    """The child's side of ServerProcess: stdin ends when the parent process does; stop as Ctrl-C would."""
    sys.stdin.read()
    os.kill(os.getpid(), signal.SIGTERM)


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


if __name__ == "__main__":  # ServerProcess's child: python -m centroid_explorer.server.runner DATA_DIR
    threading.Thread(target=_stop_when_stdin_closes, name="parent-watch", daemon=True).start()
    try:
        serve(sys.argv[1], port=0)
    except (ValueError, OSError, RuntimeError) as error:  # said as `serve` says it (cli.main); ConnectionError is an OSError
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
