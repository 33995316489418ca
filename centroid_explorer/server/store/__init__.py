"""Where the server keeps its data: the `Store` interface, and the SQLite store that implements it."""

from .base import Store, StoredMetadata
from .sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "StoredMetadata"]
