"""Where the server keeps its data: the `Store` interface, and its SQLite and PostgreSQL stores."""

from __future__ import annotations

from pathlib import Path

from .base import ApiKey, Store, StoredMetadata
from .sqlite import SQLiteStore


def open_store(data_dir: str | Path, database_url: str | None = None) -> Store:
    """The PostgreSQL database at `database_url` when given, else the SQLite file in `data_dir`."""
    if database_url:
        from .postgres import PostgresStore  # psycopg is loaded only by those who use it

        return PostgresStore(database_url)
    return SQLiteStore(data_dir)


__all__ = ["ApiKey", "SQLiteStore", "Store", "StoredMetadata", "open_store"]
