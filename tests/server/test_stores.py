"""Opening a store: the versioned schema (old SQLite files upgraded in place), and clear messages."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from centroid_explorer.config import database_url
from centroid_explorer.server.store import open_store
from centroid_explorer.server.store.sqlite import DB_FILENAME, MIGRATIONS


def test_a_sqlite_file_from_before_versioning_is_upgraded_keeping_its_data(tmp_path):
    old = sqlite3.connect(tmp_path / DB_FILENAME)
    old.executescript(MIGRATIONS[0])  # the schema as it was, with no schema_version table
    old.execute("INSERT INTO datasets (dataset_id, generation, created_at) VALUES ('kept', 3, 0)")
    old.commit()
    old.close()
    store = open_store(tmp_path)
    try:
        assert store.list_datasets() == ["kept"]
        store.add_key("alice", "p", b"h" * 32)
        assert [k.name for k in store.list_keys()] == ["alice"]
    finally:
        store.close()


def test_a_database_of_a_newer_version_is_refused_with_a_clear_message(tmp_path, database_url):
    open_store(tmp_path, database_url).close()
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE schema_version SET version = 99")
    else:
        with sqlite3.connect(tmp_path / DB_FILENAME) as conn:
            conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(RuntimeError, match="schema version 99, newer than this program's"):
        open_store(tmp_path, database_url)


def test_an_unreachable_postgresql_database_is_named_without_its_password(tmp_path):
    with pytest.raises(ConnectionError) as refused:
        open_store(tmp_path, "postgresql://team:s3cret@127.0.0.1:1/centroids")
    assert "postgresql://team@127.0.0.1:1/centroids" in str(refused.value) and "s3cret" not in str(refused.value)


def test_a_database_url_that_is_not_postgresql_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="--database-url must be a PostgreSQL URL"):
        database_url("mysql://x/y")
    monkeypatch.setenv("CENTROID_EXPLORER_DATABASE_URL", "sqlite:///x")
    with pytest.raises(ValueError, match=r"\$CENTROID_EXPLORER_DATABASE_URL must be"):
        database_url()
    monkeypatch.setenv("CENTROID_EXPLORER_DATABASE_URL", " ")
    assert database_url() is None


def test_serve_and_keys_say_plainly_when_the_database_is_unreachable(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))}
    url = "postgresql://team:s3cret@127.0.0.1:1/centroids"
    for command in (["serve", "--port", "0"], ["keys", "list"]):
        done = subprocess.run([sys.executable, "-m", "centroid_explorer", *command, "--data", str(tmp_path),
                               "--database-url", url], cwd=Path(__file__).resolve().parents[2], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "cannot connect to the PostgreSQL database at postgresql://team@127.0.0.1:1/centroids" in done.stderr
        assert "s3cret" not in done.stderr + done.stdout


def test_the_dashboards_embedded_server_uses_the_database_url_from_the_environment(tmp_path, monkeypatch, postgres):
    import httpx
    import psycopg

    from centroid_explorer.server.runner import ServerProcess

    url = postgres.database()
    monkeypatch.setenv("CENTROID_EXPLORER_DATABASE_URL", url)
    with ServerProcess(tmp_path) as server:  # as components/ start it: a child process, no URL given
        r = httpx.post(f"{server.base_url}/datasets/create", json={"id": "in-postgres"},
                       headers={"Authorization": f"{server.project}:{server.api_key}"})
        assert r.status_code == 200, r.text
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT dataset_id FROM datasets").fetchall() == [("in-postgres",)]
    assert not (tmp_path / DB_FILENAME).exists()


@pytest.mark.parametrize("url", ["postgresql://team:s3cret@[db/centroids", "postgresql://team:s3cret@db/centroids?bogus=1",
                                 "postgresql://team:s3cr%zzet@db/centroids"])
def test_a_malformed_database_url_is_refused_without_showing_its_password(tmp_path, url):
    with pytest.raises(ValueError, match="not one PostgreSQL reads") as refused:
        open_store(tmp_path, url)
    assert "s3cr" not in str(refused.value)


def _commit_modes(url: str) -> None:
    """Record, for every row inserted into `datasets` and `api_keys`, the synchronous_commit its transaction ran with."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE seen (tbl TEXT, mode TEXT)")
        conn.execute("CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "INSERT INTO seen VALUES (TG_TABLE_NAME, current_setting('synchronous_commit')); RETURN NULL; END $$")
        for table in ("datasets", "api_keys"):
            conn.execute(f"CREATE TRIGGER note AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION note()")


@pytest.mark.parametrize(("options", "dataset_writes"), [("", "off"), ("&options=-c%20synchronous_commit%3Don", "on")])
def test_postgresql_dataset_writes_wait_for_the_disk_only_when_the_url_asks_and_key_writes_always(
    tmp_path, postgres, options, dataset_writes
):
    import psycopg

    url = postgres.database() + options
    store = open_store(tmp_path, url)
    try:
        _commit_modes(url)
        store.create_dataset("d")
        store.add_key("alice", "p", b"h" * 32)
        with psycopg.connect(url) as conn:
            assert dict(conn.execute("SELECT tbl, mode FROM seen").fetchall()) == {"datasets": dataset_writes,
                                                                                "api_keys": "on"}
    finally:
        store.close()


def test_after_losing_its_database_connections_a_postgresql_store_ranks_afresh(tmp_path, postgres):
    """A crash of the database server may lose the last (asynchronous) commits, and the write generations they
    took are then given out again, to other data: a ranking cached before must not be served for it."""
    import psycopg

    url = postgres.database()
    store = open_store(tmp_path, url)
    vf = "v_vector_"
    try:
        store.bulk_insert("d", [{"_id": name, vf: vector, "_cluster_": {vf: {"k": "c"}}}
                                for name, vector in (("east", [1.0, 0.0]), ("north", [0.0, 1.0]))])
        store.insert_centroids("d", vf, "k", [{"_id": "c", vf: [1.0, 0.0]}])
        assert [d["_id"] for d in store.cluster_documents("d", vf, ["c"], "k").items] == ["east", "north"]
        with psycopg.connect(url, autocommit=True) as conn:
            # The crash, as the store sees it: other data under the generation it cached, every connection gone.
            conn.execute("UPDATE centroids SET data = %s", (np.array([0.0, 1.0], "<f4").tobytes(),))
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for _ in range(20):  # a request on a connection that died with the server fails; the next one reconnects
            try:
                page = store.cluster_documents("d", vf, ["c"], "k")
                break
            except psycopg.OperationalError:
                continue
        assert [d["_id"] for d in page.items] == ["north", "east"]
    finally:
        store.close()
