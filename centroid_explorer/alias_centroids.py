"""An alias's centroids through the client: read them (ids, vectors, cluster sizes) and write a checked file.

Replace means the alias ends up holding exactly the file's centroids. The file is upserted first
(insert is an upsert by id), then the alias's centroids whose ids are not in the file are deleted
one by one. In that order a rejected insert changes nothing and the alias is never empty in
between; the API has no transaction, so a failure among the deletes leaves some old centroids,
and the error says how many. A delete is checked afterwards: if a server took one for a delete of
the whole alias (an id read as a path's dot segment on the way), the file's centroids are written
again, so a replace never leaves the alias empty. Documents keep their cluster assignments and
the alias keeps its metadata: the API's delete touches neither.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

import numpy as np

from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.client import CLUSTER_FIELD, APIError, NotFoundError, NotSupportedError

CENTROID_PAGE_SIZE = 500
SIZES_PAGE_SIZE = 2_000  # documents per page when counting cluster sizes (only their assignments are sent)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadResult:
    alias: str
    inserted: int
    removed: int  # old centroids deleted because the file did not have their ids (replace only)


class AliasExistsError(ValueError):
    """A "new" alias that already has centroids: writing would mix two sets of clusters."""


class ReplaceIncompleteError(RuntimeError):
    """The file was written but some old centroids could not be deleted."""

    def __init__(self, alias: str, left: list[str], cause: APIError):
        self.left = left
        super().__init__(
            f"The file's centroids were written to '{alias}', but {len(left)} old centroid(s) could not be "
            f"deleted ({cause.message}). Upload again with replace to finish."
        )


def read_centroids(client, dataset_id: str, vector_field: str, alias: str) -> CentroidSet:
    """Every centroid of the alias with its vector; empty if the alias has none yet. The one read of
    an alias's centroids. Ids that are the same text (7 and "7" from a server that allows numbers)
    are one cluster to every request, so the first one is kept."""
    try:
        pages = list(client.centroids.iter_list_with_vectors(dataset_id, vector_field, alias, CENTROID_PAGE_SIZE))
    except NotFoundError:
        return CentroidSet.empty()
    first: dict[str, np.ndarray] = {}
    for page in pages:
        for document, vector, present in zip(page.documents, page.vectors, page.present(), strict=True):
            if present:
                first.setdefault(str(document["_id"]), vector)
    if not first:
        return CentroidSet.empty()
    return CentroidSet(list(first), np.stack(list(first.values())))


def centroid_ids(client, dataset_id: str, vector_field: str, alias: str) -> list[str]:
    """The alias's centroid ids (no vectors fetched), each once; empty if it has none."""
    try:
        return list(dict.fromkeys(
            str(d["_id"]) for d in client.centroids.iter_list(dataset_id, vector_field, alias, page_size=CENTROID_PAGE_SIZE)
        ))
    except NotFoundError:
        return []


def cluster_sizes(client, dataset_id: str, vector_field: str, alias: str) -> dict[str, int]:
    """How many documents each cluster holds: counted by our server in one query, or, from a server
    without that route (the hosted API), in one pass over the dataset's cluster assignments (a few
    large pages of `_cluster_` only), not one `documents` call per cluster. The same counts the
    documents endpoint gives, at any k."""
    try:
        return client.centroids.sizes(dataset_id, vector_field, alias)
    except NotSupportedError:
        pass
    except NotFoundError:  # an alias with neither centroids nor members: no sizes, as the pass finds
        return {}
    sizes: Counter[str] = Counter()
    for document in client.datasets.iter_documents(dataset_id, page_size=SIZES_PAGE_SIZE, select_fields=[CLUSTER_FIELD]):
        by_field = document.get(CLUSTER_FIELD)
        by_alias = by_field.get(vector_field) if isinstance(by_field, dict) else None
        cluster_id = by_alias.get(alias) if isinstance(by_alias, dict) else None
        if cluster_id is not None:
            sizes[str(cluster_id)] += 1
    return dict(sizes)


def upload(client, dataset_id: str, vector_field: str, alias: str, centroids: CentroidSet, *, replace: bool) -> UploadResult:
    """Write the file's centroids to `alias`: a new alias, or (replace=True) exactly these centroids in it."""
    existing = centroid_ids(client, dataset_id, vector_field, alias)
    if existing and not replace:
        raise AliasExistsError(
            f"The alias '{alias}' already has {len(existing)} centroid(s). Pick another name, "
            "or choose the current alias with replace."
        )
    cluster_centers = centroids.as_cluster_centers(vector_field)
    answer = client.centroids.insert(dataset_id, cluster_centers, vector_field, alias)
    in_file = set(centroids.ids)
    stale = [cid for cid in existing if cid not in in_file]
    for position, cluster_id in enumerate(stale):
        try:
            client.centroids.delete(dataset_id, vector_field, alias, centroid_id=cluster_id)
        except APIError as error:
            raise ReplaceIncompleteError(alias, stale[position:], error) from error
    if stale and not in_file <= set(centroid_ids(client, dataset_id, vector_field, alias)):
        log.warning("deleting old centroids of %r also removed the file's: writing them again", alias)
        client.centroids.insert(dataset_id, cluster_centers, vector_field, alias)
    return UploadResult(alias, int(answer.get("inserted", len(centroids.ids))), len(stale))
