"""metadata_sync against a real embedded server: saves, conflicts when another client wrote, unknown keys kept."""

from __future__ import annotations

import uuid

import httpx
import pytest

from centroid_explorer import cluster_metadata as cm
from centroid_explorer import metadata_edits, metadata_sync
from centroid_explorer.client import Client

VF = "emb_vector_"



@pytest.fixture
def other_client(live_server):
    """A second user (another tab, another tool) on the same server."""
    with Client(live_server.base_url, live_server.project, live_server.api_key) as c:
        yield c


@pytest.fixture
def alias(client):
    """A fresh dataset with alias `km` holding 3 centroids and metadata another tool also wrote into."""
    dataset_id = f"sync-{uuid.uuid4().hex[:8]}"
    client.datasets.bulk_insert(
        dataset_id,
        [{"_id": f"d{i}", VF: [float(i), 1.0, 0.0], "_cluster_": {VF: {"km": f"c{i % 3}"}}} for i in range(6)],
    )
    client.centroids.insert(dataset_id, [{"_id": f"c{i}", VF: [float(i), 1.0, 0.0]} for i in range(3)], VF, "km")
    client.centroids.metadata(
        dataset_id,
        VF,
        "km",
        metadata={
            "description": "three clusters",
            "clusters": {"c0": {"label": "zero", "color": "#ff0000"}, "c1": {"label": "one"}},
            "owner_tool": {"name": "labeller", "version": 3},
        },
    )
    return dataset_id


def test_save_writes_the_edit_and_keeps_keys_the_dashboard_does_not_know(client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    mine = cm.with_cluster_notes(base, "c1", label="the ones", tags=["digits"])

    result = metadata_sync.save(client, alias, VF, "km", base, mine)

    assert result.saved and result.written
    stored = client.centroids.metadata(alias, VF, "km")
    assert stored["clusters"]["c1"] == {"label": "the ones", "tags": ["digits"]}
    assert stored["clusters"]["c0"]["color"] == "#ff0000"  # unknown key inside a cluster entry
    assert stored["owner_tool"] == {"name": "labeller", "version": 3}  # unknown top-level key


def test_the_editor_round_trip_keeps_every_key_it_does_not_show(client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    edits = metadata_edits.edits_from(base, ["c0", "c1", "c2"])
    rows = tuple(
        metadata_edits.ClusterRow(r.cluster_id, "new zero", r.description, r.tags) if r.cluster_id == "c0" else r
        for r in edits.clusters
    )
    mine, problems = metadata_edits.apply(base, metadata_edits.Edits(edits.description, rows, edits.free_fields))
    assert problems == []

    metadata_sync.save(client, alias, VF, "km", base, mine)

    stored = client.centroids.metadata(alias, VF, "km")
    assert stored["clusters"]["c0"] == {"label": "new zero", "color": "#ff0000"}
    assert "c2" not in stored["clusters"]  # an untouched cluster gets no empty entry
    assert stored["owner_tool"] == {"name": "labeller", "version": 3}


def test_a_write_by_someone_else_since_loading_is_reported_and_nothing_is_written(client, other_client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    theirs = cm.with_cluster_notes(base, "c0", label="someone else's zero")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    mine = cm.with_cluster_notes(base, "c0", label="my zero")

    result = metadata_sync.save(client, alias, VF, "km", base, mine)

    assert not result.saved and not result.written
    assert client.centroids.metadata(alias, VF, "km") == theirs  # their write survived
    changed = result.stored_changed
    assert [str(c) for c in changed.changes] == [
        "cluster 'c0' label changed from \"zero\" to \"someone else's zero\""
    ]
    [conflict] = changed.merge.conflicts
    assert (conflict.path, conflict.mine, conflict.theirs) == (("clusters", "c0", "label"), "my zero", "someone else's zero")


def test_edits_to_different_fields_merge_and_the_merge_saves_against_the_new_base(client, other_client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    theirs = cm.with_alias_description(base, "described by someone else")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    mine = cm.with_cluster_notes(base, "c2", label="two")

    changed = metadata_sync.save(client, alias, VF, "km", base, mine).stored_changed
    assert changed.merge.conflicts == []
    merged = metadata_sync.resolve(changed.merge, {})
    again = metadata_sync.save(client, alias, VF, "km", changed.theirs, merged)

    assert again.saved and again.written
    stored = client.centroids.metadata(alias, VF, "km")
    assert stored["description"] == "described by someone else"
    assert stored["clusters"]["c2"]["label"] == "two"


def test_resolve_takes_the_side_chosen_for_each_conflict(client, other_client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    theirs = cm.with_cluster_notes(cm.with_alias_description(base, "theirs"), "c0", label="their zero")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    mine = cm.with_cluster_notes(cm.with_alias_description(base, "mine"), "c0", label="my zero")

    merge = metadata_sync.save(client, alias, VF, "km", base, mine).stored_changed.merge
    paths = [c.path for c in merge.conflicts]
    resolved = metadata_sync.resolve(merge, {paths.index(("description",)): "mine"})

    assert resolved["description"] == "mine"
    assert resolved["clusters"]["c0"]["label"] == "their zero"  # not chosen: the stored value stays


def test_invalid_metadata_is_refused_before_any_write(client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    mine = cm.with_cluster_notes(base, "c1", label="x" * (cm.MAX_LABEL + 1))

    with pytest.raises(metadata_sync.InvalidMetadataError) as raised:
        metadata_sync.save(client, alias, VF, "km", base, mine)

    assert "cluster 'c1', label" in str(raised.value)
    assert client.centroids.metadata(alias, VF, "km") == base


def test_the_same_change_already_stored_is_no_conflict(client, other_client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    mine = cm.with_cluster_notes(base, "c1", label="ones")
    other_client.centroids.metadata(alias, VF, "km", metadata=mine)

    result = metadata_sync.save(client, alias, VF, "km", base, mine)

    assert result.saved and not result.written
    assert result.stored == mine


def test_load_reads_an_alias_with_nothing_stored_as_empty(client, alias):
    """The one read of the stored object (pages, clustering, demo): no centroids, no metadata yet -> {}."""
    assert metadata_sync.load(client, alias, VF, "never-clustered") == {}
    assert metadata_sync.load(client, alias, VF, "km")["description"] == "three clusters"


class _WritesAfterTheRead(httpx.HTTPTransport):
    """A real transport that, once the metadata has been read, lets someone else write before the answer
    is returned: the write lands between save's re-read and its own write, deterministically."""

    def __init__(self, someone_writes):
        super().__init__()
        self.someone_writes = someone_writes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "GET" and request.url.path.endswith("/centroids/metadata") and self.someone_writes:
            write, self.someone_writes = self.someone_writes, None
            response.read()
            write()
        return response


def test_a_write_landing_between_the_re_read_and_the_write_is_not_lost(live_server, client, other_client, alias):
    base = metadata_sync.load(client, alias, VF, "km")
    theirs = cm.with_cluster_notes(base, "c0", label="landed in between")
    mine = cm.with_cluster_notes(base, "c0", label="my zero")
    racing = Client(live_server.base_url, live_server.project, live_server.api_key,
                    transport=_WritesAfterTheRead(lambda: other_client.centroids.metadata(alias, VF, "km", metadata=theirs)))
    with racing:
        result = metadata_sync.save(racing, alias, VF, "km", base, mine)

    assert not result.saved and not result.written
    assert client.centroids.metadata(alias, VF, "km") == theirs  # their write survived
    assert result.stored_changed.theirs == theirs
    [conflict] = result.stored_changed.merge.conflicts
    assert (conflict.mine, conflict.theirs) == ("my zero", "landed in between")


class _NoVersions(httpx.HTTPTransport):
    """The real server with its ETags taken off: a server that versions nothing, like the hosted API."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.headers.pop("ETag", None)
        return response


def test_without_versions_save_keeps_the_read_before_write(live_server, client, other_client, alias):
    with Client(live_server.base_url, live_server.project, live_server.api_key, transport=_NoVersions()) as hosted:
        base = metadata_sync.load(hosted, alias, VF, "km")
        mine = cm.with_cluster_notes(base, "c2", label="two")
        assert metadata_sync.save(hosted, alias, VF, "km", base, mine).written
        other_client.centroids.metadata(alias, VF, "km", metadata=cm.with_alias_description(mine, "theirs"))
        again = metadata_sync.save(hosted, alias, VF, "km", mine, cm.with_cluster_notes(mine, "c2", label="2"))
    assert not again.saved and [str(c) for c in again.stored_changed.changes] == [
        'alias description changed from "three clusters" to "theirs"']
