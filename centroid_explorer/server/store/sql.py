"""What the SQLite and PostgreSQL stores share: the tables' layout, every query, the versioned schema.

Layout: documents keep their non-vector fields as JSON text; vectors are float32 blobs in their own
table; each document's `_cluster_.{vector_field}.{alias}` is also a row in `assignments`, indexed
so that a cluster's members are one range scan; the schema is kept as it is derived on insert.
Every write gives its dataset the database's next write generation, which invalidates cached
rankings (see ..ranking) in every process over the database.

The SQL is written once, with `?` placeholders, for a DB-API style connection (`Connection`). A
store supplies its connections and transactions (`_read`, `_write`, and `_statement` for a read of one
statement: a cached ranking's later page, one round trip on PostgreSQL), the next write generation, the
schema's migrations (`MIGRATIONS`, applied in order, the count kept in `schema_version`) and the
bulk statements whose fast forms differ (`_upsert_documents`, `_delete_documents_rows`, `_insert_rows`).
"""

from __future__ import annotations

import hmac
import time
from abc import abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
import orjson

from .. import contract
from ..documents import (
    ParsedDocument,
    apply_updates,
    changed_paths,
    check_schema,
    field_types,
    parse_centroids,
    parse_documents,
    refuse_unknown,
    selected,
    serialized_metadata,
    update_ids,
)
from ..errors import Conflict, NotFound, PreconditionFailed
from ..paging import Page, decode_cursor, encode_cursor, offset_cursor
from ..ranking import ClusterMembers, Ranking, RankingCache, rank
from .base import ApiKey, Store, StoredMetadata, from_blob, from_blobs, to_blob

_IN_LIST = 10_000  # ids per `IN (...)`: below SQLite's and PostgreSQL's bound-parameter limits (32,766; 65,535)


class Connection(Protocol):
    """The part of a DB-API connection the shared SQL uses (sqlite3's, or the PostgreSQL store's adapter)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Any, /) -> Any: ...


class SQLStore(Store):
    """Every read and write of the Store interface, in SQL both databases run."""

    # The schema, step by step (SQL statements, or a function for a step SQL alone cannot make idempotent);
    # a database at version N has run the first N.
    MIGRATIONS: Sequence[str | Callable[[Connection], None]]
    _ALIAS_KEY = "dataset_id = ? AND vector_field = ? AND alias = ?"  # the WHERE of one alias's rows

    def __init__(self) -> None:
        self._rankings = RankingCache()

    # -- what each database does its own way ---------------------------------------------------

    @abstractmethod
    def _read(self) -> AbstractContextManager[Connection]:
        """A read transaction: every SELECT inside sees one snapshot."""

    @abstractmethod
    def _write(self, dataset_id: str | None) -> AbstractContextManager[Connection]:
        """A write transaction (all or nothing), alone among the writes to `dataset_id` (None: the keys)."""

    @abstractmethod
    def _statement(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        """The rows of one read statement run on its own: one snapshot without a transaction (one round trip)."""

    @abstractmethod
    def _next_generation(self, conn: Connection) -> int:
        """The database's next write generation: never given twice, whatever rolls back."""

    @staticmethod
    def _upsert_documents(conn: Connection, rows: list[tuple[str, str, bytes]]) -> list[int]:
        """Insert or replace (dataset_id, doc_id, body) rows; their `seq`s, in order."""
        return [
            conn.execute(
                "INSERT INTO documents (dataset_id, doc_id, body) VALUES (?, ?, ?) "
                "ON CONFLICT (dataset_id, doc_id) DO UPDATE SET body = excluded.body RETURNING seq",
                row,
            ).fetchone()[0]
            for row in rows
        ]

    @staticmethod
    def _delete_documents_rows(conn: Connection, seqs: list[int]) -> None:
        """Delete the vectors and cluster assignments of these documents (they are being replaced)."""
        for chunk in _chunks(seqs, 500):
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM vectors WHERE doc_seq IN ({marks})", chunk)
            conn.execute(f"DELETE FROM assignments WHERE doc_seq IN ({marks})", chunk)

    @staticmethod
    def _insert_rows(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert many new rows into `table` (PostgreSQL copies them in)."""
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})", rows)

    def _migrate(self, conn: Connection) -> None:
        """Run the migrations this database has not run yet (inside the caller's write transaction)."""
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (only_row INTEGER PRIMARY KEY CHECK (only_row = 1), "
                     "version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if version > len(self.MIGRATIONS):
            raise RuntimeError(f"the database at {self.location} has schema version {version}, newer than this "
                               f"program's {len(self.MIGRATIONS)}: upgrade centroid-explorer")
        for step in self.MIGRATIONS[version:]:
            if callable(step):
                step(conn)
                continue
            for statement in step.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute("INSERT INTO schema_version (only_row, version) VALUES (1, ?) "
                     "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version", (len(self.MIGRATIONS),))

    # -- lookups that name what is missing -----------------------------------------------------

    @staticmethod
    def _require_dataset(conn: Connection, dataset_id: str) -> int:
        """The dataset's write generation, once it is known to exist."""
        row = conn.execute("SELECT generation FROM datasets WHERE dataset_id = ?", (dataset_id,)).fetchone()
        if row is None:
            raise NotFound(f"dataset {dataset_id!r} does not exist")
        return row[0]

    @staticmethod
    def _vector_dims(conn: Connection, dataset_id: str) -> dict[str, int]:
        # Only vector fields have an object type. (No LIKE on names: it stops at a NUL and reads `_` as a wildcard.)
        rows = conn.execute("SELECT path, type FROM fields WHERE dataset_id = ? AND substr(type, 1, 1) = '{'",
                            (dataset_id,))
        return {path: orjson.loads(kind)["vector"] for path, kind in rows}

    def _require_vector_field(self, conn: Connection, dataset_id: str, vector_field: str) -> int:
        self._require_dataset(conn, dataset_id)
        dims = self._vector_dims(conn, dataset_id)
        if vector_field not in dims:
            known = ", ".join(sorted(dims)) or "none"
            raise NotFound(f"vector field {vector_field!r} is not in dataset {dataset_id!r} (vector fields: {known})")
        return dims[vector_field]

    def _require_alias(self, conn: Connection, dataset_id: str, vector_field: str, alias: str) -> int:
        """The dataset's write generation, once the dataset, field and alias are known to exist.

        One query when they do (every read of a clustering starts here; on PostgreSQL each query
        is a round trip); the lookups that name what is missing run only when something is.
        """
        key = (dataset_id, vector_field, alias)
        where = "dataset_id = ? AND vector_field = ? AND alias = ?"
        row = conn.execute(
            "SELECT d.generation, f.type, "
            + " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {where})"
                          for table in ("centroids", "alias_metadata", "assignments"))
            + " FROM datasets d LEFT JOIN fields f ON f.dataset_id = d.dataset_id AND f.path = ? "
            "WHERE d.dataset_id = ?",
            (*key, *key, *key, vector_field, dataset_id),
        ).fetchone()
        if row is None or row[1] is None or not row[1].startswith("{"):  # no such dataset, or not a vector field
            self._require_vector_field(conn, dataset_id, vector_field)
        if not row[2]:
            raise NotFound(f"alias {alias!r} has no centroids, metadata or clustered documents for "
                           f"vector field {vector_field!r} in dataset {dataset_id!r}")
        return row[0]

    def _bump(self, conn: Connection, dataset_id: str) -> int:
        """Give the dataset the database's next write generation (a write changed it); that generation."""
        generation = self._next_generation(conn)
        conn.execute("UPDATE datasets SET generation = ? WHERE dataset_id = ?", (generation, dataset_id))
        return generation

    def _add_dataset(self, conn: Connection, dataset_id: str) -> None:
        conn.execute("INSERT INTO datasets (dataset_id, created_at) VALUES (?, ?)", (dataset_id, time.time()))
        self._bump(conn, dataset_id)

    # -- datasets ---------------------------------------------------------------------------

    def list_datasets(self) -> list[str]:
        with self._read() as conn:
            return [row[0] for row in conn.execute("SELECT dataset_id FROM datasets ORDER BY dataset_id")]

    def create_dataset(self, dataset_id: str, schema: dict[str, Any] | None = None) -> None:
        schema = check_schema(schema or {})
        with self._write(dataset_id) as conn:
            if conn.execute("SELECT 1 FROM datasets WHERE dataset_id = ?", (dataset_id,)).fetchone():
                raise Conflict(f"dataset {dataset_id!r} already exists")
            self._add_dataset(conn, dataset_id)
            conn.executemany(
                "INSERT INTO fields (dataset_id, path, type) VALUES (?, ?, ?)",
                [(dataset_id, path, orjson.dumps(kind).decode()) for path, kind in schema.items()],
            )

    def delete_dataset(self, dataset_id: str) -> None:
        with self._write(dataset_id) as conn:
            self._require_dataset(conn, dataset_id)
            conn.execute(
                "DELETE FROM vectors WHERE doc_seq IN (SELECT seq FROM documents WHERE dataset_id = ?)", (dataset_id,)
            )
            for table in ("documents", "assignments", "centroids", "alias_metadata", "metadata_versions", "fields",
                          "datasets"):
                conn.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))

    def schema(self, dataset_id: str) -> dict[str, Any]:
        with self._read() as conn:
            self._require_dataset(conn, dataset_id)
            rows = conn.execute("SELECT path, type FROM fields WHERE dataset_id = ? ORDER BY path", (dataset_id,))
            return {path: orjson.loads(kind) for path, kind in rows}

    def bulk_insert(self, dataset_id: str, documents: list[Any]) -> int:
        with self._write(dataset_id) as conn:
            exists = conn.execute("SELECT 1 FROM datasets WHERE dataset_id = ?", (dataset_id,)).fetchone()
            dims = self._vector_dims(conn, dataset_id) if exists else {}
            parsed = parse_documents(documents, dims)
            if not exists:
                self._add_dataset(conn, dataset_id)
            self._put_documents(conn, dataset_id, parsed, dims)
            return len(parsed)

    def bulk_update(self, dataset_id: str, updates: list[Any]) -> int:
        ids = update_ids(updates)
        with self._write(dataset_id) as conn:
            self._require_dataset(conn, dataset_id)
            stored: dict[str, tuple[int, bytes]] = {}
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                stored.update((doc_id, (seq, body)) for seq, doc_id, body in conn.execute(
                    f"SELECT seq, doc_id, body FROM documents WHERE dataset_id = ? AND doc_id IN ({marks})",
                    (dataset_id, *chunk),
                ))
            refuse_unknown([doc_id for doc_id in ids if doc_id not in stored], len(ids))
            documents = self._assemble(conn, [stored[doc_id] for doc_id in ids], include_vector=True)
            for doc in documents:  # stored vectors go through the same checks as incoming ones
                for name, value in doc.items():
                    if isinstance(value, np.ndarray):
                        doc[name] = value.tolist()
            apply_updates(documents, updates)
            dims = self._vector_dims(conn, dataset_id)
            parsed = parse_documents(documents, dims)
            self._put_documents(conn, dataset_id, parsed, dims)
            return len(parsed)

    def _put_documents(self, conn: Connection, dataset_id: str, parsed: list[ParsedDocument], dims: dict[str, int]) -> None:
        """Insert or replace checked documents (their vectors and assignments too), add new fields to the schema."""
        known = {p for (p,) in conn.execute("SELECT path FROM fields WHERE dataset_id = ?", (dataset_id,))}
        new_fields: dict[str, Any] = {}
        for name, dim in dims.items():
            if name not in known:
                new_fields[name] = {"vector": dim}
        for doc in parsed:
            for path, kind in field_types(doc.fields).items():
                if path not in known:
                    new_fields.setdefault(path, kind)
        seqs = self._upsert_documents(conn, [(dataset_id, doc.doc_id, doc.body) for doc in parsed])
        vector_rows = [(seq, name, to_blob(v)) for seq, doc in zip(seqs, parsed, strict=True)
                       for name, v in doc.vectors.items()]
        assignment_rows = [(dataset_id, vf, alias, cid, seq) for seq, doc in zip(seqs, parsed, strict=True)
                           for vf, alias, cid in doc.assignments]
        # Replacing a document replaces its vectors and cluster assignments too.
        self._delete_documents_rows(conn, seqs)
        self._insert_rows(conn, "vectors", ("doc_seq", "field", "data"), vector_rows)
        self._insert_rows(conn, "assignments", ("dataset_id", "vector_field", "alias", "cluster_id", "doc_seq"),
                          assignment_rows)
        conn.executemany(
            "INSERT INTO fields (dataset_id, path, type) VALUES (?, ?, ?)",
            [(dataset_id, path, orjson.dumps(kind).decode()) for path, kind in new_fields.items()],
        )
        self._bump(conn, dataset_id)

    def list_documents(
        self,
        dataset_id: str,
        page_size: int = contract.DEFAULT_DOCUMENTS_LIST_PAGE_SIZE,
        cursor: str | None = None,
        include_vector: bool = False,
        select_fields: list[str] | None = None,
    ) -> Page:
        after = decode_cursor(cursor)
        with self._read() as conn:
            self._require_dataset(conn, dataset_id)
            count = conn.execute("SELECT COUNT(*) FROM documents WHERE dataset_id = ?", (dataset_id,)).fetchone()[0]
            rows = conn.execute(
                "SELECT seq, body FROM documents WHERE dataset_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (dataset_id, after, page_size + 1),
            ).fetchall()
            more = len(rows) > page_size
            rows = rows[:page_size]
            docs = self._assemble(conn, rows, include_vector)
        if select_fields:
            docs = [selected(doc, select_fields) for doc in docs]
        return Page(docs, encode_cursor(rows[-1][0]) if more else None, count)

    @staticmethod
    def _assemble(conn: Connection, rows: list[tuple[int, bytes]], include_vector: bool) -> list[dict]:
        """Documents from (seq, body) rows, with their vectors appended when asked."""
        docs = {seq: orjson.loads(body) for seq, body in rows}
        for chunk in _chunks(list(docs) if include_vector else [], _IN_LIST):
            marks = ",".join("?" * len(chunk))
            for seq, field, data in conn.execute(f"SELECT doc_seq, field, data FROM vectors WHERE doc_seq IN ({marks})", chunk):
                docs[seq][field] = from_blob(data)
        return [docs[seq] for seq, _ in rows]

    # -- centroids --------------------------------------------------------------------------

    def insert_centroids(self, dataset_id: str, vector_field: str, alias: str, centers: list[Any]) -> int:
        with self._write(dataset_id) as conn:
            dimension = self._require_vector_field(conn, dataset_id, vector_field)
            parsed = parse_centroids(centers, vector_field, dimension)
            conn.executemany(
                "INSERT INTO centroids (dataset_id, vector_field, alias, cluster_id, data, body) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id, vector_field, alias, cluster_id) "
                "DO UPDATE SET data = excluded.data, body = excluded.body",
                [
                    (dataset_id, vector_field, alias, cid, to_blob(v), body)
                    for cid, v, body in parsed
                ],
            )
            self._bump(conn, dataset_id)
            return len(parsed)

    @staticmethod
    def _centroid(cluster_id: str, vector_field: str, data: bytes, body: bytes, include_vector: bool) -> dict:
        doc = {contract.ID_FIELD: cluster_id, **orjson.loads(body)}
        if include_vector:
            doc[vector_field] = from_blob(data)
        return doc

    def list_centroids(
        self,
        dataset_id: str,
        vector_field: str,
        alias: str = contract.DEFAULT_ALIAS,
        page_size: int = contract.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        include_vector: bool = False,
        vector_block: bool = False,
    ) -> Page:
        after = decode_cursor(cursor)
        key = (dataset_id, vector_field, alias)
        where = "dataset_id = ? AND vector_field = ? AND alias = ?"
        with self._read() as conn:
            self._require_alias(conn, *key)
            count = conn.execute(f"SELECT COUNT(*) FROM centroids WHERE {where}", key).fetchone()[0]
            rows = conn.execute(
                f"SELECT seq, cluster_id, data, body FROM centroids WHERE {where} AND seq > ? ORDER BY seq LIMIT ?",
                (*key, after, page_size + 1),
            ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        block = include_vector and vector_block
        docs = [self._centroid(cid, vector_field, data, body, include_vector and not block) for _, cid, data, body in rows]
        # An alias's centroids all have the field's dimension (checked on insert): one block.
        vectors = None
        if block:
            vectors = from_blobs([data for _, _, data, _ in rows]) if rows else np.empty((0, 0), np.float32)
        return Page(docs, encode_cursor(rows[-1][0]) if more else None, count, vectors)

    def get_centroids(
        self,
        dataset_id: str,
        vector_field: str,
        cluster_ids: list[str],
        alias: str = contract.DEFAULT_ALIAS,
        page_size: int = contract.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page:
        start = decode_cursor(cursor)
        asked = list(dict.fromkeys(cluster_ids))
        with self._read() as conn:
            self._require_alias(conn, dataset_id, vector_field, alias)
            found = {}
            for chunk in _chunks(asked, 500):
                marks = ",".join("?" * len(chunk))
                for cid, data, body in conn.execute(
                    "SELECT cluster_id, data, body FROM centroids WHERE dataset_id = ? AND vector_field = ? "
                    f"AND alias = ? AND cluster_id IN ({marks})",
                    (dataset_id, vector_field, alias, *chunk),
                ):
                    found[cid] = (data, body)
        missing = [cid for cid in asked if cid not in found]
        if missing:
            raise NotFound(f"no centroid for cluster ids {missing} in alias {alias!r} of {dataset_id!r}.{vector_field}")
        page = asked[start : start + page_size]
        docs = [self._centroid(cid, vector_field, *found[cid], include_vector=True) for cid in page]
        return Page(docs, offset_cursor(start + page_size, len(asked)), len(asked))

    def delete_centroids(self, dataset_id: str, vector_field: str, alias: str, cluster_id: str | None = None) -> int:
        with self._write(dataset_id) as conn:
            self._require_alias(conn, dataset_id, vector_field, alias)
            sql = "DELETE FROM centroids WHERE dataset_id = ? AND vector_field = ? AND alias = ?"
            args: tuple = (dataset_id, vector_field, alias)
            if cluster_id is not None:
                sql, args = sql + " AND cluster_id = ?", args + (cluster_id,)
            deleted = conn.execute(sql, args).rowcount
            if cluster_id is not None and deleted == 0:
                raise NotFound(f"no centroid {cluster_id!r} in alias {alias!r} of {dataset_id!r}.{vector_field}")
            self._bump(conn, dataset_id)
            return deleted

    def configs(self, dataset_id: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            self._require_dataset(conn, dataset_id)
            rows = conn.execute(
                "SELECT vector_field, alias, COUNT(*) FROM centroids WHERE dataset_id = ? "
                "GROUP BY vector_field, alias ORDER BY vector_field, alias",
                (dataset_id,),
            ).fetchall()
        return [{"vector_fields": [vf], "alias": alias, "count": n} for vf, alias, n in rows]

    # -- metadata ---------------------------------------------------------------------------

    def metadata(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> StoredMetadata:
        with self._read() as conn:
            self._require_alias(conn, dataset_id, vector_field, alias)
            return self._current_metadata(conn, dataset_id, vector_field, alias)

    def _current_metadata(self, conn: Connection, dataset_id: str, vector_field: str, alias: str) -> StoredMetadata:
        row = conn.execute(f"SELECT metadata, version FROM alias_metadata WHERE {self._ALIAS_KEY}",
                           (dataset_id, vector_field, alias)).fetchone()
        return StoredMetadata(orjson.loads(row[0]), row[1]) if row else StoredMetadata({}, 0)

    def set_metadata(
        self,
        dataset_id: str,
        vector_field: str,
        alias: str,
        metadata: dict[str, Any],
        *,
        written_by: str,
        expected_versions: Collection[int] | None = None,
    ) -> StoredMetadata:
        body = serialized_metadata(metadata).decode()
        key = (dataset_id, vector_field, alias)
        with self._write(dataset_id) as conn:
            self._require_vector_field(conn, dataset_id, vector_field)
            before = self._current_metadata(conn, *key)
            if expected_versions is not None and before.version not in expected_versions:
                raise PreconditionFailed(
                    f"the metadata of alias {alias!r} of {dataset_id!r}.{vector_field} is at version "
                    f"{before.version}, not the version this write expects; nothing was written. "
                    "Read it again, merge, and write with the new version.",
                    current_version=before.version,
                )
            version = self._bump(conn, dataset_id)
            conn.execute(
                "INSERT INTO alias_metadata (dataset_id, vector_field, alias, metadata, version) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (dataset_id, vector_field, alias) DO UPDATE SET metadata = excluded.metadata, "
                "version = excluded.version",
                (*key, body, version),
            )
            conn.execute(
                "INSERT INTO metadata_versions (dataset_id, vector_field, alias, version, metadata, written_at, "
                "written_by, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, version, body, time.time(), written_by,
                 orjson.dumps(changed_paths(before.metadata, metadata)).decode()),
            )
        return StoredMetadata(metadata, version)

    def metadata_history(
        self, dataset_id: str, vector_field: str, alias: str, page_size: int, cursor: str | None = None
    ) -> Page:
        before = decode_cursor(cursor, first=2**63 - 1)  # the page holds versions below this
        key = (dataset_id, vector_field, alias)
        with self._read() as conn:
            self._require_alias(conn, *key)
            count = conn.execute(f"SELECT COUNT(*) FROM metadata_versions WHERE {self._ALIAS_KEY}", key).fetchone()[0]
            rows = conn.execute(
                "SELECT version, written_at, written_by, changed FROM metadata_versions "
                f"WHERE {self._ALIAS_KEY} AND version < ? ORDER BY version DESC LIMIT ?",
                (*key, before, page_size + 1),
            ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        items = [{"version": version, "written_at": written_at, "written_by": written_by,
                  "changed": orjson.loads(changed) if changed is not None else None}
                 for version, written_at, written_by, changed in rows]
        return Page(items, encode_cursor(rows[-1][0]) if more else None, count)

    def metadata_at(self, dataset_id: str, vector_field: str, alias: str, version: int) -> StoredMetadata:
        key = (dataset_id, vector_field, alias)
        with self._read() as conn:
            self._require_alias(conn, *key)
            row = conn.execute(f"SELECT metadata FROM metadata_versions WHERE {self._ALIAS_KEY} AND version = ?",
                               (*key, version)).fetchone()
        if row is None:
            raise NotFound(f"the metadata of alias {alias!r} of {dataset_id!r}.{vector_field} has no version {version}")
        return StoredMetadata(orjson.loads(row[0]), version)

    # -- API keys -----------------------------------------------------------------------------

    def add_key(self, name: str, project: str, key_hash: bytes) -> None:
        with self._write(None) as conn:
            if conn.execute("SELECT 1 FROM api_keys WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a key named {name!r} exists already (revoke it first, or choose another name)")
            conn.execute("INSERT INTO api_keys (name, project, key_hash, created_at) VALUES (?, ?, ?, ?)",
                         (name, project, key_hash, time.time()))

    def list_keys(self) -> list[ApiKey]:
        with self._read() as conn:
            rows = conn.execute("SELECT name, project, created_at FROM api_keys ORDER BY name").fetchall()
        return [ApiKey(*row) for row in rows]

    def revoke_key(self, name: str) -> None:
        with self._write(None) as conn:
            if conn.execute("DELETE FROM api_keys WHERE name = ?", (name,)).rowcount == 0:
                raise NotFound(f"no key is named {name!r}")

    def key_named(self, project: str, key_hash: bytes) -> str | None:
        with self._read() as conn:
            rows = conn.execute("SELECT name, key_hash FROM api_keys WHERE project = ?", (project,)).fetchall()
        # Every hash compared in constant time (no lookup by hash, no early exit): a team has tens of keys.
        found = None
        for name, stored in rows:
            if hmac.compare_digest(bytes(stored), key_hash):
                found = name
        return found

    # -- cluster members, closest to their centroid first -------------------------------------

    def cluster_documents(
        self,
        dataset_id: str,
        vector_field: str,
        cluster_ids: list[str],
        alias: str = contract.DEFAULT_ALIAS,
        page_size: int = contract.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        page: int = contract.DEFAULT_PAGE,
        include_vector: bool = False,
        similarity_metric: str = contract.DEFAULT_SIMILARITY_METRIC,
        furthest: bool = False,
        vector_block: bool = False,
    ) -> Page:
        start = decode_cursor(cursor, first=(page - 1) * page_size)
        clusters = tuple(sorted(set(cluster_ids)))
        query = (dataset_id, vector_field, alias, clusters, similarity_metric, furthest)
        cached = None if include_vector else self._rankings.cached(query)
        if cached is not None:
            generation, ranking = cached
            seqs, scores = ranking.page(start, page_size)
            if 0 < len(seqs) <= _IN_LIST:  # a later page: its documents, each with its dataset's generation, in one statement
                rows = self._statement(
                    "SELECT doc.seq, doc.body, d.generation FROM documents doc JOIN datasets d "
                    f"ON d.dataset_id = doc.dataset_id WHERE doc.seq IN ({','.join('?' * len(seqs))})", seqs)
                # Generations are never given twice: all of them still the ranking's means nothing was written
                # since (unless the store emptied the cache meanwhile, as it does when it can no longer vouch for them).
                if (len(rows) == len(seqs) and all(row[2] == generation for row in rows)
                        and self._rankings.cached(query) is cached):
                    bodies = {seq: body for seq, body, _ in rows}
                    docs = [orjson.loads(bodies[seq]) for seq in seqs]
                    return _ranked_page(docs, scores, start, page_size, len(ranking))
        with self._read() as conn:
            generation = self._require_alias(conn, dataset_id, vector_field, alias)

            def make() -> Ranking:
                members = self._members(conn, dataset_id, vector_field, alias, clusters)
                return rank(members, similarity_metric, furthest)

            ranking = self._rankings.get_or_rank(query, generation, make)
            seqs, scores = ranking.page(start, page_size)
            stored: dict[int, bytes] = {}
            for chunk in _chunks(seqs, _IN_LIST):
                marks = ",".join("?" * len(chunk))
                stored.update(conn.execute(f"SELECT seq, body FROM documents WHERE seq IN ({marks})", chunk).fetchall())
            rows = [(seq, stored[seq]) for seq in seqs]
            block = include_vector and vector_block
            docs = self._assemble(conn, rows, include_vector and not block)
            vectors = self._vector_block(conn, seqs, vector_field) if block else None
        return _ranked_page(docs, scores, start, page_size, len(ranking), vectors)

    @staticmethod
    def _vector_block(conn: Connection, seqs: list[int], vector_field: str) -> np.ndarray:
        """`vector_field` of documents `seqs` as (n, d) float32 in their order, NaN rows for those without
        it; (n, 0) when none has it. Read as one block: only this field, no array per document."""
        found: list[tuple[int, bytes]] = []
        for chunk in _chunks(seqs, _IN_LIST):
            marks = ",".join("?" * len(chunk))
            found += conn.execute(f"SELECT doc_seq, data FROM vectors WHERE field = ? AND doc_seq IN ({marks})",
                                  (vector_field, *chunk)).fetchall()
        if not found:
            return np.empty((len(seqs), 0), np.float32)
        row_of = {seq: row for row, seq in enumerate(seqs)}
        values = from_blobs([data for _, data in found])
        block = np.full((len(seqs), values.shape[1]), np.nan, np.float32)
        block[[row_of[seq] for seq, _ in found]] = values
        return block

    def cluster_sizes(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> dict[str, int]:
        key = (dataset_id, vector_field, alias)
        with self._read() as conn:
            self._require_alias(conn, *key)
            return dict(conn.execute(
                f"SELECT cluster_id, COUNT(*) FROM assignments WHERE {self._ALIAS_KEY} GROUP BY cluster_id", key))

    def cluster_ids(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> list[str]:
        key = (dataset_id, vector_field, alias)
        with self._read() as conn:
            self._require_alias(conn, *key)
            rows = conn.execute(f"SELECT cluster_id FROM centroids WHERE {self._ALIAS_KEY} UNION "
                                f"SELECT cluster_id FROM assignments WHERE {self._ALIAS_KEY} ORDER BY cluster_id", key + key)
            return [row[0] for row in rows]

    @staticmethod
    def _members(
        conn: Connection, dataset_id: str, vector_field: str, alias: str, cluster_ids: tuple[str, ...]
    ) -> Iterator[ClusterMembers]:
        """Each cluster's members (every cluster's when `cluster_ids` is empty); 404 naming unknown cluster ids."""
        where = "dataset_id = ? AND vector_field = ? AND alias = ?"
        key = (dataset_id, vector_field, alias)
        every = not cluster_ids
        if every:
            cluster_ids = tuple(r[0] for r in conn.execute(
                f"SELECT DISTINCT cluster_id FROM assignments WHERE {where}", key))
        # Only the asked clusters' centroids: a ranking of one cluster must not read all k of them.
        centroids: dict[str, bytes] = {}
        for chunk in _chunks(list(cluster_ids), 500):
            marks = ",".join("?" * len(chunk))
            centroids.update(conn.execute(
                f"SELECT cluster_id, data FROM centroids WHERE {where} AND cluster_id IN ({marks})", (*key, *chunk)
            ).fetchall())
        # An asked cluster without a centroid is known if it has members (one more query, only then).
        without = [] if every else [cid for cid in cluster_ids if cid not in centroids]
        known: set[str] = set()
        for chunk in _chunks(without, 500):
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in conn.execute(
                f"SELECT DISTINCT cluster_id FROM assignments WHERE {where} AND cluster_id IN ({marks})", (*key, *chunk)
            ))
        missing = [cid for cid in without if cid not in known]
        if missing:
            raise NotFound(f"unknown cluster ids {missing} in alias {alias!r} of {dataset_id!r}.{vector_field}")
        for cid in cluster_ids:
            members = conn.execute(
                "SELECT a.doc_seq, v.data FROM assignments a LEFT JOIN vectors v "
                "ON v.doc_seq = a.doc_seq AND v.field = a.vector_field "
                "WHERE a.dataset_id = ? AND a.vector_field = ? AND a.alias = ? AND a.cluster_id = ?",
                (*key, cid),
            ).fetchall()
            if members:
                yield ClusterMembers(
                    keys=np.fromiter((m[0] for m in members), dtype=np.int64, count=len(members)),
                    has_vector=np.fromiter((m[1] is not None for m in members), dtype=bool, count=len(members)),
                    vectors=from_blobs([m[1] for m in members if m[1] is not None]),
                    centroid=from_blob(centroids[cid]) if cid in centroids else None,
                )


def _ranked_page(docs: list[dict], scores: list[float | None], start: int, page_size: int, total: int,
                 vectors: np.ndarray | None = None) -> Page:
    for doc, score in zip(docs, scores, strict=True):
        doc[contract.RELEVANCE_FIELD] = score
    return Page(docs, offset_cursor(start + page_size, total), total, vectors)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
