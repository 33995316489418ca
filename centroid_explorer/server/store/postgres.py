"""The PostgreSQL store: the same tables and SQL as SQLite's (`.sql`), for a team's shared database.

Several server processes may share one database. Reads are REPEATABLE READ READ ONLY transactions
(one snapshot each); a write is one transaction that first takes a transaction-level advisory lock
on its dataset, so writes to one dataset queue (as SQLite's single writer does) while writes to
different datasets run side by side. The write generation is a sequence: never given twice, not
even by a rolled-back write, and read from the dataset's row by every ranking request, so a
ranking cached in one process is not served once another process has written.

Text columns compare with the "C" collation: byte order, as SQLite sorts, whatever the database's locale.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from .sql import SQLStore

POOL_SIZE = 16  # connections per process; the server's worker threads share them
CONNECT_TIMEOUT_SECONDS = 30

MIGRATIONS = (
    """
CREATE TABLE datasets (
    dataset_id TEXT COLLATE "C" PRIMARY KEY,
    generation BIGINT NOT NULL DEFAULT 0,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE fields (
    dataset_id TEXT COLLATE "C" NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (dataset_id, path)
);
CREATE TABLE documents (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id TEXT COLLATE "C" NOT NULL,
    doc_id TEXT COLLATE "C" NOT NULL,
    body BYTEA NOT NULL,
    UNIQUE (dataset_id, doc_id)
);
CREATE TABLE vectors (
    doc_seq BIGINT NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (doc_seq, field)
);
CREATE TABLE assignments (
    dataset_id TEXT COLLATE "C" NOT NULL,
    vector_field TEXT COLLATE "C" NOT NULL,
    alias TEXT COLLATE "C" NOT NULL,
    cluster_id TEXT COLLATE "C" NOT NULL,
    doc_seq BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, vector_field, alias, cluster_id, doc_seq)
);
CREATE INDEX assignments_by_doc ON assignments (doc_seq);
CREATE TABLE centroids (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id TEXT COLLATE "C" NOT NULL,
    vector_field TEXT COLLATE "C" NOT NULL,
    alias TEXT COLLATE "C" NOT NULL,
    cluster_id TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL,
    body BYTEA NOT NULL,
    UNIQUE (dataset_id, vector_field, alias, cluster_id)
);
CREATE TABLE alias_metadata (
    dataset_id TEXT COLLATE "C" NOT NULL,
    vector_field TEXT COLLATE "C" NOT NULL,
    alias TEXT COLLATE "C" NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (dataset_id, vector_field, alias)
);
CREATE SEQUENCE write_generation
""",
    """
CREATE TABLE api_keys (
    name TEXT COLLATE "C" PRIMARY KEY,
    project TEXT COLLATE "C" NOT NULL,
    key_hash BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
ALTER TABLE alias_metadata ADD COLUMN written_by TEXT
""",
)

# Advisory lock keys: the migration's, and the keys table's (datasets lock on a hash of their id).
_MIGRATION_LOCK = 0x43E0_0001
_KEYS_LOCK = 0x43E0_0002


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s` (the shared SQL has no `%` and no literal `?`)."""
    return sql.replace("?", "%s")


class _Connection:
    """A psycopg connection that speaks the shared SQL (`?` placeholders, `executemany` on the connection)."""

    def __init__(self, conn: psycopg.Connection):
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor:
        return self.raw.execute(_placeholders(sql), parameters, binary=True)

    def executemany(self, sql: str, rows: Any, /) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(_placeholders(sql), rows)


class PostgresStore(SQLStore):
    """The store in the PostgreSQL database at `url` (postgresql://...); any number of processes may share it."""

    MIGRATIONS = MIGRATIONS

    def __init__(self, url: str):
        super().__init__()
        self._location = _without_password(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True},
                                    open=False, name="centroid-explorer")
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except PoolTimeout:
            self._pool.close()
            raise ConnectionError(f"cannot connect to the PostgreSQL database at {self._location} "
                               f"(no connection in {CONNECT_TIMEOUT_SECONDS} s)") from None
        with self._transaction("BEGIN", _MIGRATION_LOCK) as conn:
            self._migrate(conn)

    @property
    def location(self) -> str:
        return self._location

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _transaction(self, begin: str, lock: int | str | None) -> Iterator[_Connection]:
        with self._pool.connection() as raw:
            conn = _Connection(raw)
            conn.execute(begin)
            try:
                if isinstance(lock, int):
                    conn.execute("SELECT pg_advisory_xact_lock(?)", (lock,))
                elif isinstance(lock, str):
                    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (lock,))
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self) -> Any:
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", None)

    def _write(self, dataset_id: str | None) -> Any:
        return self._transaction("BEGIN", _KEYS_LOCK if dataset_id is None else dataset_id)

    def _next_generation(self, conn: Any) -> int:
        return conn.execute("SELECT nextval('write_generation')").fetchone()[0]

    @staticmethod
    def _insert_rows(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        # COPY: one stream for the batch, several times faster than INSERTs (table and columns are ours).
        with conn.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def _upsert_documents(conn: Any, rows: list[tuple[str, str, bytes]]) -> list[int]:
        if not rows:
            return []
        # One pipelined round trip for the batch, not one per document.
        with conn.raw.cursor() as cur:
            cur.executemany(
                "INSERT INTO documents (dataset_id, doc_id, body) VALUES (%s, %s, %s) "
                "ON CONFLICT (dataset_id, doc_id) DO UPDATE SET body = excluded.body RETURNING seq",
                rows, returning=True,
            )
            seqs: list[int] = []
            while True:
                seqs.append(cur.fetchone()[0])
                if not cur.nextset():
                    return seqs


def _without_password(url: str) -> str:
    """The URL for messages: host, port, database and user, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable URL)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"
