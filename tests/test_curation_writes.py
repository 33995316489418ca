"""Curation writes on the real embedded server over real HTTP: new alias, in place, and failures part-way."""

from __future__ import annotations

import itertools
import sqlite3
import uuid

import numpy as np
import pytest

from centroid_explorer import curation, metadata
from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.curation import writes
from centroid_explorer.curation.state import read_assignments

FIELD, ALIAS = "v_vector_", "k3"
CENTRES = {"a": [0, 0, 10, 0], "b": [10, 0, 0, 0], "c": [0, 10, 0, 0]}
PER_CLUSTER = 8
METADATA = {
    "description": "three blobs",
    "tool": {"keep": 1},
    "clusters": {"a": {"label": "Apples", "tags": ["fruit"]}, "b": {"label": "Bananas", "tags": ["fruit", "long"]},
                 "c": {"label": "Cars", "note": "kept"}},
}



@pytest.fixture
def dataset(client):
    """A fresh dataset: 3 blobs of PER_CLUSTER documents in alias k3 (plus another alias left alone), labels."""
    dataset_id = f"curate-{uuid.uuid4().hex[:8]}"  # fresh even when another module imports this fixture
    rng = np.random.default_rng(1)
    documents = []
    for name, centre in CENTRES.items():
        for i in range(PER_CLUSTER):
            vector = np.asarray(centre, dtype=np.float32) + rng.normal(scale=0.3, size=4).astype(np.float32)
            documents.append({"_id": f"{name}{i}", "text": f"doc {name}{i}", FIELD: vector.tolist(),
                              "_cluster_": {FIELD: {ALIAS: name, "other": "x"}}})
    documents.append({"_id": "loose", FIELD: [1.0, 1.0, 1.0, 1.0]})  # assigned by no alias
    client.datasets.bulk_insert(dataset_id, documents)
    client.centroids.insert(dataset_id, [{"_id": n, FIELD: c} for n, c in CENTRES.items()], FIELD, ALIAS)
    client.centroids.metadata(dataset_id, FIELD, ALIAS, METADATA)
    return dataset_id


def snapshot(client, dataset_id: str, alias: str = ALIAS):
    """Everything a curation may change in an alias: centroids, assignments, metadata."""
    centroids = read_centroids(client, dataset_id, FIELD, alias)
    return (dict(zip(centroids.ids, centroids.vectors.tolist(), strict=True)),
            read_assignments(client, dataset_id, FIELD, alias), metadata.load(client, dataset_id, FIELD, alias))


def member_vectors(client, dataset_id: str, ids) -> np.ndarray:
    by_id = {d["_id"]: d[FIELD] for d in client.datasets.iter_documents(dataset_id, include_vector=True)}
    return np.asarray([by_id[i] for i in ids], dtype=np.float32)


def test_merge_into_a_new_alias_leaves_the_source_untouched(client, dataset):
    before = snapshot(client, dataset)
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_merge(client, state, ["a", "b"], "cosine")
    result = curation.write_new_alias(client, plan, "merged")
    assert (result.centroids, result.documents) == (2, 3 * PER_CLUSTER)

    centroids, assignments, metadata = snapshot(client, dataset, "merged")
    assert sorted(centroids) == ["a", "c"]
    members = member_vectors(client, dataset, [f"{n}{i}" for n in "ab" for i in range(PER_CLUSTER)])
    unit = members / np.linalg.norm(members, axis=1, keepdims=True)
    expected = unit.mean(0) / np.linalg.norm(unit.mean(0))
    np.testing.assert_allclose(centroids["a"], expected, rtol=1e-5)
    np.testing.assert_allclose(centroids["c"], before[0]["c"])
    assert assignments == {doc: ("c" if doc.startswith("c") else "a") for doc in before[1]}
    assert metadata["clusters"]["a"] == {"label": "Apples + Bananas", "description": "", "tags": ["fruit", "long"]}
    assert "b" not in metadata["clusters"] and metadata["clusters"]["c"] == METADATA["clusters"]["c"]
    assert metadata["tool"] == {"keep": 1} and metadata["derived_from"]["alias"] == ALIAS
    assert snapshot(client, dataset) == before
    assert read_assignments(client, dataset, FIELD, "other") == {doc: "x" for doc in before[1]}  # other aliases kept


def test_split_into_a_new_alias_assigns_every_member_to_a_part(client, dataset):
    before = snapshot(client, dataset)
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_split(client, state, "c", 2, "l2")
    curation.write_new_alias(client, plan, "split")
    centroids, assignments, metadata = snapshot(client, dataset, "split")
    assert sorted(centroids) == ["a", "b", "c-1", "c-2"]
    parts = {cid for doc, cid in assignments.items() if doc.startswith("c")}
    assert parts == {"c-1", "c-2"}
    for part in parts:  # each part's centroid is the mean of the members it holds
        ids = [doc for doc, cid in assignments.items() if cid == part]
        np.testing.assert_allclose(centroids[part], member_vectors(client, dataset, ids).mean(0), rtol=1e-5)
    assert {doc: cid for doc, cid in assignments.items() if not doc.startswith("c")} == {
        doc: cid for doc, cid in before[1].items() if not doc.startswith("c")}
    assert metadata["clusters"]["c-1"] == {"label": "Cars (part 1 of 2)", "note": "kept"}
    assert snapshot(client, dataset) == before


def test_in_place_writes_change_exactly_what_the_preview_showed(client, dataset):
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_move(client, state, ["a0", "a1", "c3"], "b", "dp")
    result = curation.write_in_place(client, plan)
    assert result.documents == 3
    centroids, assignments, metadata = snapshot(client, dataset)
    assert assignments == plan.assignments_after()
    assert list(centroids) == plan.cluster_ids_after
    np.testing.assert_allclose(np.asarray(list(centroids.values())), plan.centroids_after(), rtol=1e-6)
    assert metadata == plan.metadata_after(METADATA) == METADATA  # nothing emptied: no entry changes

    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_merge(client, state, ["c", "a"], "l1")
    curation.write_in_place(client, plan)
    centroids, assignments, metadata = snapshot(client, dataset)
    assert assignments == plan.assignments_after() and set(assignments.values()) == {"b", "c"}
    assert list(centroids) == plan.cluster_ids_after == ["b", "c"]
    np.testing.assert_allclose(np.asarray(list(centroids.values())), plan.centroids_after(), rtol=1e-6)
    assert metadata["clusters"]["c"]["label"] == "Cars + Apples" and "a" not in metadata["clusters"]


def test_a_taken_name_or_a_changed_source_writes_nothing(client, dataset):
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_merge(client, state, ["a", "b"], "cosine")
    before = snapshot(client, dataset)
    for taken in ("other", ALIAS):
        with pytest.raises(curation.AliasTakenError):
            curation.write_new_alias(client, plan, taken)
    client.datasets.bulk_update(dataset, [writes.assignment_update("a0", FIELD, ALIAS, "c")])  # someone else moves one
    changed = snapshot(client, dataset)
    with pytest.raises(curation.SourceChangedError, match="1 document"):
        curation.write_in_place(client, plan)
    with pytest.raises(curation.SourceChangedError):
        curation.write_new_alias(client, plan, "fresh")
    assert snapshot(client, dataset) == changed != before
    assert "fresh" not in str(client.datasets.schema(dataset))


def delete_document(server, dataset_id: str, doc_id: str) -> None:
    """Another writer deletes a document (the API has no route for it: straight in the server's SQLite file)."""
    with sqlite3.connect(server.data_dir / "centroids.sqlite3", timeout=30) as conn:
        (seq,) = conn.execute("SELECT seq FROM documents WHERE dataset_id = ? AND doc_id = ?", (dataset_id, doc_id)).fetchone()
        conn.execute("DELETE FROM assignments WHERE doc_seq = ?", (seq,))
        conn.execute("DELETE FROM vectors WHERE doc_seq = ?", (seq,))
        conn.execute("DELETE FROM documents WHERE seq = ?", (seq,))
        conn.execute("UPDATE write_generation SET value = value + 1")
        conn.execute("UPDATE datasets SET generation = (SELECT value FROM write_generation) WHERE dataset_id = ?", (dataset_id,))


def deleting_before_update(client, monkeypatch, server, dataset_id: str, call: int, doc_id: str) -> None:
    """Let the client's bulk_update run for real, but have `doc_id` deleted just before its call number `call`."""
    real = client.datasets.bulk_update
    calls = itertools.count(1)

    def bulk_update(dataset, updates):
        if next(calls) == call:
            delete_document(server, dataset_id, doc_id)
        return real(dataset, updates)

    monkeypatch.setattr(client.datasets, "bulk_update", bulk_update)


def test_a_failure_part_way_in_place_leaves_the_alias_as_before(client, dataset, live_server, monkeypatch):
    """Merge b into a in requests of 3 documents; before the second request a document of it is deleted, so
    that request is refused whole (404): the first request's moves, the new centroid and all else are undone."""
    centroids, assignments, metadata = snapshot(client, dataset)
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_merge(client, state, ["a", "b"], "cosine")
    monkeypatch.setattr(writes, "UPDATE_BATCH", 3)
    deleting_before_update(client, monkeypatch, live_server, dataset, 2, "b4")
    with pytest.raises(curation.WriteFailedError, match="is as before") as failure:
        curation.write_in_place(client, plan)
    assert failure.value.source_intact
    monkeypatch.undo()
    del assignments["b4"]  # gone: deleted by the other writer, not by the curation
    assert snapshot(client, dataset) == (centroids, assignments, metadata)


def test_a_failure_writing_a_new_alias_leaves_the_source_as_before_and_no_centroids(client, dataset, live_server, monkeypatch):
    centroids, assignments, metadata = snapshot(client, dataset)
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_split(client, state, "a", 3, "cosine")
    monkeypatch.setattr(writes, "UPDATE_BATCH", 5)
    deleting_before_update(client, monkeypatch, live_server, dataset, 3, "c7")
    with pytest.raises(curation.WriteFailedError, match="'k3' is unchanged"):
        curation.write_new_alias(client, plan, "split-failed")
    monkeypatch.undo()
    del assignments["c7"]
    assert snapshot(client, dataset) == (centroids, assignments, metadata)
    assert read_centroids(client, dataset, FIELD, "split-failed").ids == []


def test_a_metadata_edit_landing_during_an_in_place_write_is_kept(client, dataset, monkeypatch):
    """Someone labels cluster c between the write's read of the metadata and its write: the versioned
    write is refused (412), read again, and both the label and the merge's entries end up stored."""
    state = curation.read_state(client, dataset, FIELD, ALIAS)
    plan = curation.preview_merge(client, state, ["a", "b"], "cosine")
    real = client.centroids.read_metadata
    reads = itertools.count(1)

    def read_metadata(*args, **kwargs):
        answer = real(*args, **kwargs)
        if next(reads) == 1:
            edited = {**answer[0], "clusters": {**answer[0]["clusters"], "c": {"label": "Cars, relabelled"}}}
            client.centroids.metadata(dataset, FIELD, ALIAS, edited)  # another writer, no version named
        return answer

    monkeypatch.setattr(client.centroids, "read_metadata", read_metadata)
    curation.write_in_place(client, plan)
    monkeypatch.undo()
    stored = metadata.load(client, dataset, FIELD, ALIAS)
    assert stored["clusters"]["c"] == {"label": "Cars, relabelled"}
    assert stored["clusters"]["a"]["label"] == "Apples + Bananas" and "b" not in stored["clusters"]


def test_when_the_server_goes_away_mid_write_the_error_says_the_alias_may_be_part_way(tmp_path, monkeypatch):
    """A server of its own, stopped for real between two update requests: neither the write nor its undo
    can reach it, and the error says so instead of claiming the alias is as before."""
    from centroid_explorer.client import Client
    from centroid_explorer.server.runner import EmbeddedServer

    server = EmbeddedServer(tmp_path, project="p", api_key="k")
    server.start()
    with Client(server.base_url, "p", "k", max_retries=0, connect_timeout=1, deadline=5) as own:
        dataset_id = "gone"
        own.datasets.bulk_insert(dataset_id, [
            {"_id": f"{n}{i}", FIELD: [float(i), 1.0, 2.0, 3.0] if n == "a" else [3.0, 2.0, 1.0, float(i)],
             "_cluster_": {FIELD: {ALIAS: n}}} for n in "ab" for i in range(4)
        ])
        own.centroids.insert(dataset_id, [{"_id": n, FIELD: [1.0, 1.0, 1.0, 1.0]} for n in "ab"], FIELD, ALIAS)
        plan = curation.preview_merge(own, curation.read_state(own, dataset_id, FIELD, ALIAS), ["a", "b"], "l2")
        monkeypatch.setattr(writes, "UPDATE_BATCH", 2)
        real, calls = own.datasets.bulk_update, itertools.count(1)

        def bulk_update(dataset, updates):
            if next(calls) == 2:
                server.stop()
            return real(dataset, updates)

        monkeypatch.setattr(own.datasets, "bulk_update", bulk_update)
        with pytest.raises(curation.WriteFailedError, match="Undoing it failed too .* may be left part-way") as failure:
            curation.write_in_place(own, plan)
    assert not failure.value.source_intact
