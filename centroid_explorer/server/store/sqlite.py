"""The SQLite store: one file in WAL mode, every write request one transaction (the SQL is `.sql`'s).

Every write takes the next value of the database's one `write_generation` counter as its dataset's
`generation`. Connections are one per thread (sqlite3 objects must not be shared across threads
mid-use); writers also take a process-wide lock so they queue instead of spinning on SQLITE_BUSY.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...config import make_private_dir
from .sql import Connection, SQLStore

DB_FILENAME = "centroids.sqlite3"
BUSY_TIMEOUT_SECONDS = 60

def _versions_and_keys(conn: Connection) -> None:
    """Step 2: metadata versions and their history, and people's API keys (kept as SHA-256 only).

    Idempotent, as a database written by a version between the two features has part of it already.
    Metadata stored before versions gets one version each, the first entry of its history.
    """
    conn.execute("""CREATE TABLE IF NOT EXISTS metadata_versions (
        dataset_id TEXT NOT NULL,
        vector_field TEXT NOT NULL,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        written_at REAL,                -- epoch seconds, NULL for an object stored before history was kept
        written_by TEXT,                -- the API key's name, NULL likewise
        changed TEXT,                   -- JSON list of key paths changed from the version before, NULL likewise
        PRIMARY KEY (dataset_id, vector_field, alias, version)
    )""")  # a rowid table: its rows hold whole metadata objects
    conn.execute("""CREATE TABLE IF NOT EXISTS api_keys (
        name TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        key_hash BLOB NOT NULL,
        created_at REAL NOT NULL
    )""")
    if "version" not in {row[1] for row in conn.execute("PRAGMA table_info(alias_metadata)")}:
        conn.execute("ALTER TABLE alias_metadata ADD COLUMN version INTEGER")
    if conn.execute("SELECT 1 FROM alias_metadata WHERE version IS NULL LIMIT 1").fetchone():
        version = conn.execute("UPDATE write_generation SET value = value + 1 RETURNING value").fetchone()[0]
        conn.execute("UPDATE alias_metadata SET version = ? WHERE version IS NULL", (version,))
        conn.execute("INSERT INTO metadata_versions (dataset_id, vector_field, alias, version, metadata) "
                     "SELECT dataset_id, vector_field, alias, version, metadata FROM alias_metadata WHERE version = ?",
                     (version,))


# Step 1 is the schema from before versioning (IF NOT EXISTS: such a database has it already).
# The counter `write_generation` is one for the whole database: a dataset deleted and created again
# never sees a generation again. (No semicolons inside comments: steps are split on them.)
MIGRATIONS: tuple[str | Callable[[Connection], None], ...] = (
    """CREATE TABLE IF NOT EXISTS datasets (
    dataset_id TEXT PRIMARY KEY,
    generation INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fields (
    dataset_id TEXT NOT NULL,
    path TEXT NOT NULL,
    type TEXT NOT NULL,                 -- JSON: "text", "numeric", ... or {"vector": dim}
    PRIMARY KEY (dataset_id, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY,            -- insertion order, kept when a document is replaced
    dataset_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    body TEXT NOT NULL,                 -- JSON of the non-vector fields
    UNIQUE (dataset_id, doc_id)
);
CREATE TABLE IF NOT EXISTS vectors (
    doc_seq INTEGER NOT NULL,
    field TEXT NOT NULL,
    data BLOB NOT NULL,                 -- float32, native little-endian
    PRIMARY KEY (doc_seq, field)
);
CREATE TABLE IF NOT EXISTS assignments (
    dataset_id TEXT NOT NULL,
    vector_field TEXT NOT NULL,
    alias TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    doc_seq INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, vector_field, alias, cluster_id, doc_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assignments_by_doc ON assignments (doc_seq);
CREATE TABLE IF NOT EXISTS centroids (
    seq INTEGER PRIMARY KEY,
    dataset_id TEXT NOT NULL,
    vector_field TEXT NOT NULL,
    alias TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    data BLOB NOT NULL,
    body TEXT NOT NULL,                 -- JSON of the centroid's other fields
    UNIQUE (dataset_id, vector_field, alias, cluster_id)
);
CREATE TABLE IF NOT EXISTS alias_metadata (
    dataset_id TEXT NOT NULL,
    vector_field TEXT NOT NULL,
    alias TEXT NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (dataset_id, vector_field, alias)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS write_generation (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO write_generation (only_row, value) SELECT 1, COALESCE(MAX(generation), 0) FROM datasets;
""",
    _versions_and_keys,
)


class SQLiteStore(SQLStore):
    """The store over `<data_dir>/centroids.sqlite3`; one instance per database file."""

    MIGRATIONS = MIGRATIONS

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / DB_FILENAME
        make_private_dir(self.path.parent)
        _private_files(self.path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        super().__init__()
        self._conn().execute("PRAGMA journal_mode=WAL")
        with self._write(None) as conn:
            self._migrate(conn)
        _private_files(self.path)  # SQLite made the -wal and -shm files: private like the database

    @property
    def location(self) -> str:
        return str(self.path)

    # -- connections and transactions -------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            # WAL + NORMAL: a crash of the app loses nothing committed; a power cut may lose the last commits.
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every SELECT inside sees one snapshot."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def _write(self, dataset_id: str | None) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is committed, or none of it (any exception rolls back)."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _statement(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        return self._conn().execute(sql, parameters).fetchall()  # autocommit: the statement is its own transaction

    def _next_generation(self, conn: Connection) -> int:
        return conn.execute("UPDATE write_generation SET value = value + 1 RETURNING value").fetchone()[0]


def _private_files(database: Path) -> None:
    """The database and SQLite's files beside it: readable by this user only (it holds every dataset)."""
    if not database.exists():
        database.touch(mode=0o600)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        if path.exists():
            os.chmod(path, 0o600)

