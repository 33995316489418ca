"""What the server asks of a store: the interface every store implements, and the vector format they share.

A store holds datasets (documents, their vectors and cluster assignments, the derived schema),
centroids and alias metadata. Every write is all or nothing; every read sees one snapshot. Bad
requests raise the errors of `..errors` (400 / 404 / 409, each message naming what is wrong);
incoming items are checked by `..documents`, pages and cursors are `..paging`'s, and
`cluster_documents` ranks with `..ranking`, keyed by a write generation the store keeps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import contract
from ..paging import Page

# Vectors are kept as float32, little-endian, as raw bytes.
VECTOR_DTYPE = np.dtype("<f4")


def to_blob(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype=VECTOR_DTYPE).tobytes()


def from_blob(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=VECTOR_DTYPE)


def from_blobs(blobs: Sequence[bytes]) -> np.ndarray:
    """(n, d) float32 from n blobs of one dimension, in one copy."""
    return np.frombuffer(b"".join(blobs), dtype=VECTOR_DTYPE).reshape(len(blobs), -1)


@dataclass(frozen=True)
class ApiKey:
    name: str
    project: str
    created_at: float  # seconds since the epoch


@dataclass(frozen=True)
class StoredMetadata:
    """An alias's metadata object with its version, read in one snapshot.

    `version` is the write generation of the write that stored it (so it is never given twice, not even
    after the dataset is deleted and made again); 0 when nothing was written.
    """

    metadata: dict[str, Any]
    version: int


class Store(ABC):
    """Every read and write the server makes. Thread-safe."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, for messages (never a password)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- datasets ---------------------------------------------------------------------------

    @abstractmethod
    def list_datasets(self) -> list[str]:
        """Every dataset id, sorted."""

    @abstractmethod
    def create_dataset(self, dataset_id: str, schema: dict[str, Any] | None = None) -> None:
        """An empty dataset with the declared field types (checked); 409 if the id exists."""

    @abstractmethod
    def delete_dataset(self, dataset_id: str) -> None:
        """The dataset with its documents, centroids and metadata."""

    @abstractmethod
    def schema(self, dataset_id: str) -> dict[str, Any]:
        """Dotted field path -> type name or {"vector": dimension}, sorted by path."""

    @abstractmethod
    def bulk_insert(self, dataset_id: str, documents: list[Any]) -> int:
        """Insert or replace documents by `_id` (creating the dataset if missing); all of them or none."""

    @abstractmethod
    def bulk_update(self, dataset_id: str, updates: list[Any]) -> int:
        """Partial updates by `_id` (`..documents.apply_updates`), checked as inserts are; all of them or none.

        Every `_id` must name a stored document (`..documents.refuse_unknown`: a 404 listing the others).
        """

    @abstractmethod
    def list_documents(
        self,
        dataset_id: str,
        page_size: int = contract.DEFAULT_DOCUMENTS_LIST_PAGE_SIZE,
        cursor: str | None = None,
        include_vector: bool = False,
        select_fields: list[str] | None = None,
    ) -> Page:
        """The dataset's documents in insertion order (a replaced document keeps its place)."""

    # -- centroids --------------------------------------------------------------------------

    @abstractmethod
    def insert_centroids(self, dataset_id: str, vector_field: str, alias: str, centers: list[Any]) -> int:
        """Insert or replace centroids by `_id`; all of them or none."""

    @abstractmethod
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
        """The alias's centroids in insertion order. `vector_block` (with `include_vector`): the
        vectors as the page's (n, d) float32 `vectors`, not in the items."""

    @abstractmethod
    def get_centroids(
        self,
        dataset_id: str,
        vector_field: str,
        cluster_ids: list[str],
        alias: str = contract.DEFAULT_ALIAS,
        page_size: int = contract.DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page:
        """The named centroids, in the order asked, vectors included; 404 naming any unknown id."""

    @abstractmethod
    def delete_centroids(self, dataset_id: str, vector_field: str, alias: str, cluster_id: str | None = None) -> int:
        """Every centroid of the alias, or only `cluster_id` (404 if it has none); the number deleted."""

    @abstractmethod
    def configs(self, dataset_id: str) -> list[dict[str, Any]]:
        """`{"vector_fields": [vf], "alias", "count"}` for each alias with centroids, sorted."""

    # -- metadata ---------------------------------------------------------------------------

    @abstractmethod
    def metadata(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> StoredMetadata:
        """The alias's metadata object ({} when none was written) and its version."""

    @abstractmethod
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
        """Replace the alias's metadata object whole (the alias need not have centroids yet), as a new version.

        `expected_versions`: write only if the stored version is one of them (else `PreconditionFailed`, nothing
        written). The object written before is kept in the history (`..documents.changed_paths` says what changed).
        """

    @abstractmethod
    def metadata_history(
        self, dataset_id: str, vector_field: str, alias: str, page_size: int, cursor: str | None = None
    ) -> Page:
        """The alias's versions, newest first: `{"version", "written_at" (epoch seconds), "written_by", "changed"}`
        (the last three None for an object stored before history was kept)."""

    @abstractmethod
    def metadata_at(self, dataset_id: str, vector_field: str, alias: str, version: int) -> StoredMetadata:
        """One version of the alias's metadata; 404 naming it when the history has no such version."""

    # -- API keys (each person's own; the server's key given to `serve` is not among them) --------

    @abstractmethod
    def add_key(self, name: str, project: str, key_hash: bytes) -> None:
        """Keep a key's hash under a new name (409 if the name is taken); the key itself is never stored."""

    @abstractmethod
    def list_keys(self) -> list[ApiKey]:
        """Every key's name, project and creation time, by name."""

    @abstractmethod
    def revoke_key(self, name: str) -> None:
        """Forget the named key (404 if there is none): requests with it fail at once, in every process."""

    @abstractmethod
    def key_named(self, project: str, key_hash: bytes) -> str | None:
        """The name of the project's key with this hash, compared in constant time; None if there is none."""

    # -- cluster members ----------------------------------------------------------------------

    @abstractmethod
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
        """Members of `cluster_ids` (empty = every cluster) ranked by `_relevance` to their own centroid,
        closest first (`furthest`: farthest first; see `..ranking.rank`). `vector_block` (with
        `include_vector`): `vector_field` comes as the page's `vectors` block, and no vector in the items."""

    @abstractmethod
    def cluster_sizes(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> dict[str, int]:
        """How many documents each cluster of the alias holds (the `count` its documents page gives); 404
        for an unknown alias."""

    @abstractmethod
    def cluster_ids(self, dataset_id: str, vector_field: str, alias: str = contract.DEFAULT_ALIAS) -> list[str]:
        """Every cluster of the alias (with a centroid or with members), sorted; 404 for an unknown alias."""
