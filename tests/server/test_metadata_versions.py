"""Metadata versions (ETag / If-Match, no lost write) and history, over real HTTP; and a database file
written before versions existed, opened by this version."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

import httpx
import pytest
from server_helpers import VF, fresh_id

from centroid_explorer.server.runner import EmbeddedServer
from centroid_explorer.server.store.sqlite import DB_FILENAME

C = "/services/cluster/centroids"
HISTORY = "/datasets/{}/cluster/centroids/metadata/history"


@pytest.fixture
def alias(api):
    """A dataset with a vector field and an alias with no metadata yet: (dataset_id, query fields)."""
    dataset_id = fresh_id()
    r = api.post(f"/datasets/{dataset_id}/documents/bulk_insert",
                 json={"documents": [{"_id": "a", VF: [1.0, 2.0], "_cluster_": {VF: {"k": "c0"}}}]})
    assert r.status_code == 200, r.text
    return dataset_id, {"dataset_id": dataset_id, "vector_field": VF, "alias": "k"}


def read(api, fields) -> tuple[dict, str]:
    r = api.get(f"{C}/metadata", params=fields)
    assert r.status_code == 200, r.text
    return r.json()["results"], r.headers["ETag"]


def write(api, fields, metadata, if_match=None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return api.post(f"{C}/metadata", json={**fields, "metadata": metadata}, headers=headers)


def test_reads_and_writes_carry_the_version(api, alias):
    _, fields = alias
    assert read(api, fields) == ({}, '"0"')
    r = write(api, fields, {"clusters": {"c0": {"label": "one"}}})
    assert r.status_code == 200, r.text
    version = r.headers["ETag"]
    assert version.startswith('"') and version != '"0"'
    assert read(api, fields) == ({"clusters": {"c0": {"label": "one"}}}, version)
    post_read = api.post(f"{C}/metadata", json=fields)
    assert post_read.headers["ETag"] == version and post_read.json() == {"results": {"clusters": {"c0": {"label": "one"}}}}
    assert write(api, fields, {"x": 1}).headers["ETag"] not in (version, '"0"')


@pytest.mark.parametrize("stale", ['"0"', 'W/"{current}"', '"0{current}"', '"999999999"', "garbage", '""'])
def test_a_write_with_a_stale_version_is_refused_and_changes_nothing(api, alias, stale):
    _, fields = alias
    current = write(api, fields, {"mine": "first"}).headers["ETag"]
    r = write(api, fields, {"mine": "second"}, if_match=stale.format(current=current.strip('"')))
    assert r.status_code == 412, r.text
    assert "version" in r.json()["message"] and "nothing was written" in r.json()["message"]
    assert r.headers["ETag"] == current
    assert read(api, fields) == ({"mine": "first"}, current)


def test_a_write_with_the_current_version_or_none_is_made(api, alias):
    _, fields = alias
    first = write(api, fields, {"n": 1}, if_match='"0"')
    assert first.status_code == 200, first.text
    second = write(api, fields, {"n": 2}, if_match=f'"1", {first.headers["ETag"]}')
    assert second.status_code == 200, second.text
    assert write(api, fields, {"n": 3}, if_match="*").status_code == 200
    assert write(api, fields, {"n": 4}).status_code == 200  # no If-Match: the SDK's unconditional write
    assert read(api, fields)[0] == {"n": 4}


def test_two_writers_with_the_same_version_exactly_one_wins(live_server, alias):
    _, fields = alias
    auth = {"Authorization": f"{live_server.project}:{live_server.api_key}"}

    def session() -> httpx.Client:
        return httpx.Client(base_url=live_server.base_url, headers=auth, timeout=30)

    def writer(name: str, metadata: dict, version: str, barrier: threading.Barrier, answers: dict) -> None:
        with session() as http:
            barrier.wait()
            answers[name] = write(http, fields, metadata, if_match=version)

    for round_ in range(10):
        with session() as reader:
            _, version = read(reader, fields)
        barrier, answers = threading.Barrier(2), {}
        threads = [threading.Thread(target=writer, args=(name, {"by": name, "round": round_}, version, barrier, answers))
                   for name in ("ann", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status_code for r in answers.values())
        assert statuses == [200, 412], {name: r.text for name, r in answers.items()}
        winner = next(name for name, r in answers.items() if r.status_code == 200)
        with session() as reader:
            assert read(reader, fields) == ({"by": winner, "round": round_}, answers[winner].headers["ETag"])


def test_history_lists_every_version_newest_first(api, alias):
    dataset_id, fields = alias
    versions = [write(api, fields, body).headers["ETag"].strip('"') for body in (
        {"clusters": {"c0": {"label": "a"}}},
        {"clusters": {"c0": {"label": "b", "tags": ["x"]}}, "note": "n"},
        {"clusters": {"c0": {"label": "b", "tags": ["x"]}}},
    )]
    r = api.get(HISTORY.format(dataset_id), params={"vector_field": VF, "alias": "k"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [v["version"] for v in page["results"]] == versions[::-1] and page["count"] == 3 and page["cursor"] is None
    assert [v["changed"] for v in page["results"]] == [
        [["note"]], [["clusters", "c0", "label"], ["clusters", "c0", "tags"], ["note"]], [["clusters"]]]
    assert {v["written_by"] for v in page["results"]} == {"default"}
    assert all(datetime.fromisoformat(v["written_at"]).tzinfo is not None for v in page["results"])
    first = api.get(HISTORY.format(dataset_id) + f"/{versions[0]}", params={"vector_field": VF, "alias": "k"})
    assert first.json() == {"results": {"clusters": {"c0": {"label": "a"}}}, "version": versions[0]}
    # Paged with the cursor: the same versions, one at a time.
    seen, cursor = [], ""
    while cursor is not None:
        body = api.get(HISTORY.format(dataset_id), params={"vector_field": VF, "alias": "k", "page_size": 1,
                                                           "cursor": cursor}).json()
        seen += [v["version"] for v in body["results"]]
        cursor = body["cursor"]
    assert seen == versions[::-1]


def test_restoring_a_version_is_a_new_version(api, alias):
    dataset_id, fields = alias
    old = write(api, fields, {"label": "old"}).headers["ETag"]
    current = write(api, fields, {"label": "new"}).headers["ETag"]
    restored = api.get(HISTORY.format(dataset_id) + f"/{old.strip(chr(34))}", params={"vector_field": VF, "alias": "k"})
    r = write(api, fields, restored.json()["results"], if_match=current)
    assert r.status_code == 200 and read(api, fields)[0] == {"label": "old"}
    history = api.get(HISTORY.format(dataset_id), params={"vector_field": VF, "alias": "k"}).json()["results"]
    assert len(history) == 3 and history[0]["version"] == r.headers["ETag"].strip('"')
    assert history[0]["changed"] == [["label"]]


@pytest.mark.parametrize("where,params,fragment", [
    ("/123456", {"vector_field": VF, "alias": "k"}, "no version 123456"),
    ("", {"vector_field": VF, "alias": "nope"}, "nope"),
    ("", {"vector_field": "other_vector_", "alias": "k"}, "other_vector_"),
])
def test_history_of_what_does_not_exist_is_404(api, alias, where, params, fragment):
    dataset_id, fields = alias
    write(api, fields, {"a": 1})
    r = api.get(HISTORY.format(dataset_id) + where, params=params)
    assert r.status_code == 404 and fragment in r.json()["message"], r.text


def test_history_needs_a_well_formed_version_and_field(api, alias):
    dataset_id, _ = alias
    assert api.get(HISTORY.format(dataset_id) + "/v1", params={"vector_field": VF}).status_code == 422
    assert api.get(HISTORY.format(dataset_id)).status_code == 422


def test_a_deleted_and_recreated_alias_never_matches_an_old_version(api, alias):
    dataset_id, fields = alias
    old = write(api, fields, {"a": 1}).headers["ETag"]
    assert api.post("/datasets/delete", json={"dataset_id": dataset_id}).status_code == 200
    api.post(f"/datasets/{dataset_id}/documents/bulk_insert",
             json={"documents": [{"_id": "a", VF: [1.0, 2.0], "_cluster_": {VF: {"k": "c0"}}}]})
    write(api, fields, {"b": 2})
    assert write(api, fields, {"c": 3}, if_match=old).status_code == 412
    history = api.get(HISTORY.format(dataset_id), params={"vector_field": VF, "alias": "k"}).json()
    assert history["count"] == 1


# -- a file written by the schema before metadata versions --------------------------------------

OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
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
    seq INTEGER PRIMARY KEY,            -- insertion order; kept when a document is replaced
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
-- One counter for the whole database: a dataset deleted and created again never sees a generation again.
CREATE TABLE IF NOT EXISTS write_generation (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO write_generation (only_row, value) SELECT 1, COALESCE(MAX(generation), 0) FROM datasets;
"""


def test_a_database_from_before_versions_opens_and_works(tmp_path):
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    conn.executescript(OLD_SCHEMA)
    conn.execute("INSERT INTO datasets (dataset_id, generation, created_at) VALUES ('old', 3, 0)")
    conn.execute("UPDATE write_generation SET value = 3")
    conn.execute("""INSERT INTO fields VALUES ('old', 'v_vector_', '{"vector":2}')""")
    conn.execute("""INSERT INTO documents (dataset_id, doc_id, body) VALUES ('old', 'd1', '{"_id":"d1"}')""")
    conn.execute("INSERT INTO alias_metadata VALUES ('old', 'v_vector_', 'k', ?)", ('{"label":"kept"}',))
    conn.commit()
    conn.close()
    for _ in range(2):  # opened twice: the migration runs once and leaves the file as it found it after
        with EmbeddedServer(tmp_path, project="p", api_key="k") as server, httpx.Client(
                base_url=server.base_url, headers={"Authorization": "p:k"}) as api:
            fields = {"dataset_id": "old", "vector_field": "v_vector_", "alias": "k"}
            metadata, version = read(api, fields)
            assert metadata in ({"label": "kept"}, {"label": "new"}) and version != '"0"'
            history = api.get(HISTORY.format("old"), params={"vector_field": "v_vector_", "alias": "k"}).json()
            assert history["results"][-1] == {"version": history["results"][-1]["version"], "written_at": None,
                                              "written_by": None, "changed": None}
            if metadata == {"label": "kept"}:
                assert write(api, fields, {"label": "new"}, if_match='"0"').status_code == 412
                assert write(api, fields, {"label": "new"}, if_match=version).status_code == 200
            assert read(api, fields)[0] == {"label": "new"}
            assert len(api.get(HISTORY.format("old"), params=fields | {"alias": "k"}).json()["results"]) == 2
            assert api.get("/datasets/old/documents/list").json()["documents"] == [{"_id": "d1"}]
