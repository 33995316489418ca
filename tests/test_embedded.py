"""The dashboard's embedded server: a child process that serves the data folder, seeds the demo on an
empty one, and ends with the dashboard's process however that ends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from centroid_explorer.client import Client
from centroid_explorer.embedded import start_embedded

ROOT = Path(__file__).resolve().parent.parent


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))}


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_the_embedded_server_serves_the_demo_from_a_child_process_and_stops(tmp_path, monkeypatch):
    for name in [name for name in os.environ if name.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))]:
        monkeypatch.delenv(name)
    server = start_embedded(tmp_path)
    try:
        pid = server._process.pid
        assert pid != os.getpid() and _alive(pid)
        with Client(server.base_url, server.project, server.api_key) as client:
            assert {"digits", "python-docs"} <= set(client.datasets.list())
        # The child's command line names the data folder only (any local user can read it).
        assert open(f"/proc/{pid}/cmdline").read().split("\0")[-2] == str(tmp_path)
    finally:
        server.stop()
    assert not _alive(pid)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/health", timeout=2)


def test_the_embedded_server_ends_when_the_dashboards_process_is_killed(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from centroid_explorer.server.runner import ServerProcess
        server = ServerProcess({str(tmp_path)!r}).start()
        print(server._process.pid, flush=True)
        time.sleep(600)
    """)], cwd=ROOT, env=_clean_env(), stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.kill()  # as kill -9 would: no cleanup of its own runs
    parent.wait()
    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def test_a_server_that_cannot_start_says_why_without_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("CENTROID_EXPLORER_DATABASE_URL", "postgresql://team:s3cret@127.0.0.1:1/centroids")
    with pytest.raises(RuntimeError) as failed:
        start_embedded(tmp_path)
    assert "cannot connect to the PostgreSQL database at postgresql://team@127.0.0.1:1/centroids" in str(failed.value)
    assert "s3cret" not in str(failed.value)
