"""Reading and writing an alias's centroids on a real embedded server: new alias, replace, export round trip."""

from __future__ import annotations

import sqlite3
import uuid

import numpy as np
import pytest

from centroid_explorer import centroid_csv
from centroid_explorer.alias_centroids import (
    AliasExistsError,
    centroid_ids,
    cluster_sizes,
    read_centroids,
    upload,
)
from centroid_explorer.client import BadRequestError, Client
from centroid_explorer.server.runner import EmbeddedServer

VF = "emb_vector_"



@pytest.fixture
def dataset(client):
    """Documents in clusters a (4 docs) and b (2 docs); alias `km` holds centroids a and b."""
    dataset_id = f"alias-{uuid.uuid4().hex[:8]}"
    assignment = ["a", "a", "a", "a", "b", "b"]
    client.datasets.bulk_insert(
        dataset_id,
        [{"_id": f"d{i}", VF: [float(i), 1.0, 0.5], "_cluster_": {VF: {"km": c}}} for i, c in enumerate(assignment)],
    )
    client.centroids.insert(dataset_id, [{"_id": "a", VF: [1, 1, 0.5]}, {"_id": "b", VF: [4.5, 1, 0.5]}], VF, "km")
    return dataset_id


def _file(ids, rows):
    return centroid_csv.parse(centroid_csv.export(ids, np.array(rows, dtype=np.float32)), 3)


def test_upload_to_a_new_alias_is_readable_back(client, dataset):
    result = upload(client, dataset, VF, "mine", _file(["x", "y"], [[1, 2, 3], [4, 5, 6]]), replace=False)

    assert (result.alias, result.inserted, result.removed) == ("mine", 2, 0)
    stored = read_centroids(client, dataset, VF, "mine")
    assert stored.ids == ["x", "y"]
    assert stored.vectors.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_a_new_alias_that_already_has_centroids_is_refused_and_left_alone(client, dataset):
    with pytest.raises(AliasExistsError, match="'km' already has 2 centroid"):
        upload(client, dataset, VF, "km", _file(["z"], [[0, 0, 1]]), replace=False)

    assert centroid_ids(client, dataset, VF, "km") == ["a", "b"]


def test_replace_leaves_exactly_the_files_centroids(client, dataset):
    result = upload(client, dataset, VF, "km", _file(["b", "c"], [[9, 9, 9], [1, 0, 0]]), replace=True)

    assert (result.inserted, result.removed) == (2, 1)
    stored = read_centroids(client, dataset, VF, "km")
    assert sorted(stored.ids) == ["b", "c"]
    assert stored.vectors[stored.ids.index("b")].tolist() == [9, 9, 9]


def test_a_file_the_server_rejects_changes_nothing_on_replace(client, dataset):
    wrong_dimension = centroid_csv.parse("_id,v0,v1\nq,1,2\n")  # parsed without the field's dimension
    with pytest.raises(BadRequestError):
        upload(client, dataset, VF, "km", wrong_dimension, replace=True)

    assert centroid_ids(client, dataset, VF, "km") == ["a", "b"]


def test_export_of_an_alias_uploads_again_to_the_same_vectors(client, dataset):
    client.centroids.insert(dataset, [{"_id": "p", VF: [0.1, -2.5e-7, 3.3333333]}], VF, "km")
    stored = read_centroids(client, dataset, VF, "km")

    again = centroid_csv.parse(centroid_csv.export(stored.ids, stored.vectors), stored.dimension)

    assert again.ids == stored.ids
    assert np.array_equal(again.vectors, stored.vectors)


def test_cluster_sizes_count_the_documents_of_each_cluster(client, dataset):
    sizes = cluster_sizes(client, dataset, VF, "km")

    assert sizes == {"a": 4, "b": 2}
    for cluster_id, size in sizes.items():  # the counts the documents endpoint gives, in one pass
        assert client.centroids.documents(dataset, [cluster_id], VF, "km", page_size=1)["count"] == size


def test_an_alias_with_nothing_reads_as_empty(client, dataset):
    assert centroid_ids(client, dataset, VF, "nothing-here") == []
    assert read_centroids(client, dataset, VF, "nothing-here").dimension is None


def test_replace_over_ids_that_look_like_dot_segments_deletes_each_alone(tmp_path):
    """An alias holding `.` (stored by an older server) is replaced, not emptied: the review's `import --replace` case."""
    with EmbeddedServer(tmp_path, project="p", api_key="k") as server, Client(server.base_url, "p", "k") as client:
        client.datasets.bulk_insert("legacy", [{"_id": "d", VF: [1.0, 2.0, 3.0]}])
        client.centroids.insert("legacy", [{"_id": "old", VF: [1, 1, 1]}], VF, "km")
        with sqlite3.connect(tmp_path / "centroids.sqlite3") as db:
            db.executemany(
                "INSERT INTO centroids (dataset_id, vector_field, alias, cluster_id, data, body) VALUES (?, ?, ?, ?, ?, ?)",
                [("legacy", VF, "km", cid, np.ones(3, "<f4").tobytes(), "{}") for cid in (".", "..", "a/b")],
            )
        result = upload(client, "legacy", VF, "km", _file(["x", "y"], [[1, 2, 3], [4, 5, 6]]), replace=True)

        assert result.removed == 4
        assert read_centroids(client, "legacy", VF, "km").ids == ["x", "y"]


class _DeletesTooMuch:
    """A client whose server takes a one-centroid delete for the alias's (a fault this server cannot make)."""

    def __init__(self, client):
        self.client = client
        self.centroids = self

    def __getattr__(self, name):
        return getattr(self.client.centroids, name)

    def delete(self, dataset_id, vector_field, alias="default", centroid_id=None):
        return self.client.centroids.delete(dataset_id, vector_field, alias)


def test_replace_writes_the_file_again_when_a_delete_took_more_than_its_centroid(client, dataset):
    result = upload(_DeletesTooMuch(client), dataset, VF, "km", _file(["b", "c"], [[9, 9, 9], [1, 0, 0]]), replace=True)

    assert result.removed == 1
    stored = read_centroids(client, dataset, VF, "km")
    assert stored.ids == ["b", "c"] and stored.vectors.tolist() == [[9, 9, 9], [1, 0, 0]]


def test_our_server_counts_the_sizes_itself(client, dataset):
    assert client.centroids.sizes(dataset, VF, "km") == {"a": 4, "b": 2}
    assert cluster_sizes(client, dataset, VF, "nothing-here") == {}
