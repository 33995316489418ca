"""The PostgreSQL store: the same tables and SQL as SQLite's (`.sql`), for a team's shared database.

Several server processes may share one database. Reads are REPEATABLE READ READ ONLY transactions
(one snapshot each; a read of one statement needs none); a write is one transaction that first takes a transaction-level advisory lock
on its dataset, so writes to one dataset queue (as SQLite's single writer does) while writes to
different datasets run side by side. The write generation is a sequence: never given twice, not
even by a rolled-back write, and read from the dataset's row by every ranking request, so a
ranking cached in one process is not served once another process has written.

A vector stays in its row up to ~8 KB (2,000 dimensions) instead of PostgreSQL's default 2 KB, and
is never compressed (float32 noise does not compress; trying costs every insert): a cluster's
vectors are then read from the table's pages, not fetched one by one from the TOAST table.

Durability: a dataset write's commit does not wait for its WAL to reach the disk (`SET LOCAL
synchronous_commit = off`), the durability the SQLite store has (WAL, synchronous=NORMAL): a crash of
our server loses nothing committed; a crash of the database server or its machine may lose the last
~0.6 s of commits, all or nothing each, never corrupting. Any synchronous_commit the database's owner
set (in the URL's options, `ALTER DATABASE/ROLE ... SET`, postgresql.conf) is obeyed instead; keys'
writes always wait for the disk. Since such a crash may hand lost write generations out again, every
new connection (as after one) empties this process's ranking cache.

Text columns compare with the "C" collation: byte order, as SQLite sorts, whatever the database's locale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus
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
ALTER TABLE vectors SET (toast_tuple_target = 8160);
ALTER TABLE vectors ALTER COLUMN data SET STORAGE EXTERNAL;
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
    version BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, vector_field, alias)
);
CREATE TABLE metadata_versions (
    dataset_id TEXT COLLATE "C" NOT NULL,
    vector_field TEXT COLLATE "C" NOT NULL,
    alias TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    metadata TEXT NOT NULL,
    written_at DOUBLE PRECISION,
    written_by TEXT,
    changed TEXT,
    PRIMARY KEY (dataset_id, vector_field, alias, version)
);
CREATE TABLE api_keys (
    name TEXT COLLATE "C" PRIMARY KEY,
    project TEXT COLLATE "C" NOT NULL,
    key_hash BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE SEQUENCE write_generation
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
        try:
            parts = conninfo_to_dict(url)
        except psycopg.ProgrammingError:  # libpq's message quotes the URL, password included: not shown
            raise ValueError("the database URL is not one PostgreSQL reads (postgresql://user:password@host:port/name); "
                             "it is not shown here, as it may hold a password") from None
        self._location = _without_password(parts)
        try:  # once alone first: a wrong host or password is said at once, with libpq's reason
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS).close()
        except psycopg.Error as e:
            reason = " ".join(str(e).split()) or type(e).__name__
            if parts.get("password"):
                reason = reason.replace(str(parts["password"]), "***")
            raise ConnectionError(f"cannot connect to the PostgreSQL database at {self._location}: {reason}") from None
        self._pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True},
                                    configure=self._new_connection, open=False, name="centroid-explorer")
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except PoolTimeout:
            self._pool.close()
            raise ConnectionError(f"cannot connect to the PostgreSQL database at {self._location} "
                                  f"(no connection in {CONNECT_TIMEOUT_SECONDS} s)") from None
        with self._locked(_MIGRATION_LOCK) as conn:
            self._migrate(conn)
            # Unless the database's own synchronous_commit was set (in the URL's options, for the database,
            # the role or the server), dataset writes do not wait for the disk (module docstring).
            source = conn.execute("SELECT source FROM pg_settings WHERE name = 'synchronous_commit'").fetchall()[0][0]
        self._commit_async = source == "default"

    def _new_connection(self, raw: psycopg.Connection) -> None:
        # A new connection may come after a crash of the database server, which can have lost the last
        # asynchronous commits and so hand their write generations out again: no cached ranking is kept.
        self._rankings.clear()

    @property
    def location(self) -> str:
        return self._location

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _read(self) -> Iterator[_Connection]:
        # (A pipeline, to send BEGIN with the first query, saved a round trip but cost more in psycopg's Python.)
        with self._pool.connection() as raw, _rolled_back_on_error(raw):
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield _Connection(raw)
            raw.execute("COMMIT")

    def _write(self, dataset_id: str | None) -> Any:
        if dataset_id is None:  # a key's revocation must outlive any crash: its commit waits for the disk
            return self._locked(_KEYS_LOCK)
        return self._locked(_lock_key(dataset_id), asynchronous=self._commit_async)

    @contextmanager
    def _locked(self, lock: int, asynchronous: bool = False) -> Iterator[_Connection]:
        """A write transaction holding the advisory lock `lock`; `asynchronous`: its commit does not wait for the disk."""
        begin = "BEGIN; SET LOCAL synchronous_commit = off" if asynchronous else "BEGIN"
        with self._pool.connection() as raw, _rolled_back_on_error(raw):
            # The lock's key inline (an integer we computed): no parameters, so all of it in one round trip.
            raw.execute(f"{begin}; SELECT pg_advisory_xact_lock({lock:d})".encode())
            yield _Connection(raw)
            raw.execute("COMMIT")

    def _statement(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        with self._pool.connection() as raw:  # autocommit: the statement is its own transaction
            return raw.execute(_placeholders(sql), parameters, binary=True).fetchall()

    def _next_generation(self, conn: Any) -> int:
        return conn.execute("SELECT nextval('write_generation')").fetchone()[0]

    @staticmethod
    def _delete_documents_rows(conn: Any, seqs: list[int]) -> None:
        # One array parameter each, not hundreds of placeholders.
        for table in ("vectors", "assignments"):
            conn.raw.execute(f"DELETE FROM {table} WHERE doc_seq = ANY(%s::int8[])", (seqs,), binary=True)

    @staticmethod
    def _insert_rows(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        # A binary COPY: one stream for the batch, the vectors' bytes sent as they are (table and columns are ours).
        with conn.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_COLUMN_TYPES[column] for column in columns])
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def _upsert_documents(conn: Any, rows: list[tuple[str, str, bytes]]) -> list[int]:
        if not rows:
            return []
        # One statement for the batch: the ids and bodies as two arrays, inserted in their order.
        dataset_id = rows[0][0]
        found = dict(conn.raw.execute(
            "INSERT INTO documents (dataset_id, doc_id, body) "
            "SELECT %s, doc_id, body FROM unnest(%s::text[], %s::bytea[]) WITH ORDINALITY AS t(doc_id, body, n) "
            "ORDER BY n ON CONFLICT (dataset_id, doc_id) DO UPDATE SET body = excluded.body RETURNING doc_id, seq",
            (dataset_id, [row[1] for row in rows], [row[2] for row in rows]), binary=True,
        ).fetchall())
        return [found[row[1]] for row in rows]


# The PostgreSQL types of the columns `_insert_rows` copies into.
_COLUMN_TYPES = {"doc_seq": "int8", "field": "text", "data": "bytea", "dataset_id": "text", "vector_field": "text",
                 "alias": "text", "cluster_id": "text"}


@contextmanager
def _rolled_back_on_error(raw: psycopg.Connection) -> Iterator[None]:
    """Whatever goes wrong inside, the connection goes back to the pool with no transaction open."""
    try:
        yield
    except BaseException:
        if raw.info.transaction_status != TransactionStatus.IDLE:
            raw.execute("ROLLBACK")
        raise


def _lock_key(dataset_id: str) -> int:
    """A dataset's advisory lock key: 63 bits of its id's hash (a collision only makes two datasets queue)."""
    return int.from_bytes(hashlib.sha256(dataset_id.encode()).digest()[:8], "big") >> 1


def _without_password(parts: dict[str, Any]) -> str:
    """The database for messages: host, port, database and user, never the password."""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"
