"""A team's setup, on each store: several `serve` processes over one database, per-person keys, kill -9.

Every server here is a real `python -m centroid_explorer serve` process, as a team deploys it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import psycopg
import pytest
from server_helpers import VF, make_documents

REPO = Path(__file__).resolve().parents[2]
C = "/services/cluster/centroids"
SERVER_AUTH = {"Authorization": "p:server-key"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_options(data: Path, database_url: str | None) -> list[str]:
    return ["--data", str(data)] + (["--database-url", database_url] if database_url else [])


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))}
    done = subprocess.run([sys.executable, "-m", "centroid_explorer", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


class Server:
    """`serve` in a child process; `url` once /health answers."""

    def __init__(self, data: Path, database_url: str | None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))}
        for _ in range(3):  # another program may take the free port before `serve` binds it: try another
            port = free_port()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "centroid_explorer", "serve", "--port", str(port), "--project", "p",
                 "--api-key", "server-key", *store_options(data, database_url)],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )
            self.url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if httpx.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    time.sleep(0.05)
            self.stop()
            error = self.process.stderr.read() if self.process.stderr else ""
            if "address already in use" not in error.lower():
                break
        raise RuntimeError(f"serve did not start: {error}")

    def api(self, authorization: str = "p:server-key") -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": authorization}, timeout=120)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def two_servers(tmp_path, database_url):
    servers = [Server(tmp_path, database_url), Server(tmp_path, database_url)]
    yield servers
    for server in servers:
        server.stop()


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def ranking(api: httpx.Client, dataset_id: str) -> list[tuple[str, float]]:
    body = ok(api.post(f"{C}/documents", json={"dataset_id": dataset_id, "vector_field": VF, "page_size": 100}))
    return [(d["_id"], d["_relevance"]) for d in body["results"]]


def test_a_write_through_one_server_is_read_through_the_other_rankings_included(two_servers):
    first, second = two_servers
    documents, centroids = make_documents(20, 4, 2)
    with first.api() as a, second.api() as b:
        ok(a.post("/datasets/shared/documents/bulk_insert", json={"documents": documents}))
        ok(a.post(f"{C}/insert", json={"dataset_id": "shared", "vector_field": VF,
                                       "cluster_centers": [{"_id": c, VF: v} for c, v in centroids.items()]}))
        assert ok(b.get("/datasets/list"))["datasets"] == ["shared"]
        before = ranking(b, "shared")  # now cached in the second server
        assert len(before) == 20 and ranking(a, "shared") == before

        # Move a centroid through the first server: the second must rank afresh, not serve its cache.
        moved = (-np.asarray(centroids["cluster_0"])).tolist()
        ok(a.post(f"{C}/insert", json={"dataset_id": "shared", "vector_field": VF,
                                       "cluster_centers": [{"_id": "cluster_0", VF: moved}]}))
        after = ranking(b, "shared")
        assert after != before and after == ranking(a, "shared")

        # A new member, written through the second server, is ranked by the first.
        extra = {**documents[0], "_id": "new-doc"}
        ok(b.post("/datasets/shared/documents/bulk_insert", json={"documents": [extra]}))
        assert "new-doc" in dict(ranking(a, "shared"))
        ok(b.post(f"{C}/metadata", json={"dataset_id": "shared", "vector_field": VF, "metadata": {"k": 1}}))
        assert ok(a.get(f"{C}/metadata", params={"dataset_id": "shared", "vector_field": VF})) == {"results": {"k": 1}}


def test_a_persons_key_works_on_every_server_until_revoked_there_at_once(two_servers, tmp_path, database_url):
    first, second = two_servers
    options = store_options(tmp_path, database_url)
    created = cli("keys", "create", "--name", "alice", "--project", "p", *options)
    assert created.returncode == 0, created.stderr
    key = created.stdout.split()[-1]
    assert len(key) >= 40 and "alice" in created.stdout

    listed = cli("keys", "list", *options)
    assert listed.returncode == 0 and "alice" in listed.stdout and "project p" in listed.stdout
    assert key not in listed.stdout

    for server in two_servers:
        with server.api(f"p:{key}") as alice:
            ok(alice.get("/datasets/list"))
        with server.api(f"other-project:{key}") as wrong_project:
            assert wrong_project.get("/datasets/list").status_code == 401

    # The key's name is recorded with the metadata it writes; the server's key writes none.
    with first.api(f"p:{key}") as alice:
        ok(alice.post("/datasets/team/documents/bulk_insert", json={"documents": [{"_id": "a", VF: [1, 0]}]}))
        ok(alice.post(f"{C}/metadata", json={"dataset_id": "team", "vector_field": VF, "metadata": {"by": "alice"}}))

    again = cli("keys", "create", "--name", "alice", *options)
    assert again.returncode == 1 and "exists already" in again.stderr and "Traceback" not in again.stderr

    revoked = cli("keys", "revoke", "--name", "alice", *options)
    assert revoked.returncode == 0, revoked.stderr
    for server in two_servers:
        with server.api(f"p:{key}") as alice:
            assert alice.get("/datasets/list").status_code == 401
        with server.api() as own:
            ok(own.get("/datasets/list"))  # the key given to `serve` keeps working
    assert "alice" not in cli("keys", "list", *options).stdout
    unknown = cli("keys", "revoke", "--name", "alice", *options)
    assert unknown.returncode == 1 and "no key is named 'alice'" in unknown.stderr


def test_the_history_names_the_key_that_wrote_each_metadata_version(tmp_path, database_url):
    server = Server(tmp_path, database_url)
    try:
        created = cli("keys", "create", "--name", "bob", "--project", "p", *store_options(tmp_path, database_url))
        key = created.stdout.split()[-1]
        q = {"dataset_id": "m", "vector_field": VF}
        with server.api(f"p:{key}") as bob, server.api() as own:
            ok(bob.post("/datasets/m/documents/bulk_insert", json={"documents": [{"_id": "a", VF: [1, 0]}]}))
            ok(bob.post(f"{C}/metadata", json={**q, "metadata": {"by": "bob"}}))
            ok(own.post(f"{C}/metadata", json={**q, "metadata": {"by": "the server's key"}}))
            history = ok(own.get("/datasets/m/cluster/centroids/metadata/history", params={"vector_field": VF}))
        assert [v["written_by"] for v in history["results"]] == ["default", "bob"]  # newest first
    finally:
        server.stop()


def test_a_key_name_with_a_control_character_or_the_server_keys_name_is_refused(tmp_path, database_url):
    done = cli("keys", "create", "--name", "a\tb", *store_options(tmp_path, database_url))
    assert done.returncode == 1 and "--name" in done.stderr
    done = cli("keys", "create", "--name", "default", *store_options(tmp_path, database_url))
    assert done.returncode == 1 and "the server's own key" in done.stderr
    assert "default" not in cli("keys", "list", *store_options(tmp_path, database_url)).stdout


def test_kill_9_during_a_bulk_insert_into_postgresql_leaves_none_of_it(tmp_path, postgres):
    database_url = postgres.database()
    server = Server(tmp_path, database_url)
    rng = np.random.default_rng(0)
    documents = [{"_id": f"d{i}", VF: rng.normal(size=256).tolist(), "n": i} for i in range(5_000)]

    def insert() -> None:
        try:
            with server.api() as api:
                api.post("/datasets/big/documents/bulk_insert", json={"documents": documents})
        except httpx.TransportError:
            pass  # the server was killed: no answer

    sender = threading.Thread(target=insert)
    sender.start()
    with psycopg.connect(database_url, autocommit=True) as watch:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rows = watch.execute("SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' "
                                 "AND query ~ '^(INSERT INTO|COPY) vectors'").fetchall()
            if rows:
                break
            time.sleep(0.002)
        assert rows, "the insert was never seen running"
        os.kill(server.process.pid, signal.SIGKILL)  # mid-transaction: the vectors are being written
        server.process.wait(timeout=30)
        sender.join(timeout=60)
        # The transaction died with its connection; the database holds none of it.
        assert watch.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
        assert watch.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 0
    restarted = Server(tmp_path, database_url)
    try:
        with restarted.api() as api:
            assert ok(api.get("/datasets/list"))["datasets"] == []
            ok(api.post("/datasets/big/documents/bulk_insert", json={"documents": documents[:10]}))
            assert ok(api.get("/datasets/big/documents/list"))["count"] == 10
    finally:
        restarted.stop()
