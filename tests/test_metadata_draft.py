"""The metadata workflow (`metadata.Draft`) against a real embedded server, without Streamlit: saves,
conflicts when another client wrote, merge with choices, reload, unknown keys kept."""

from __future__ import annotations

import uuid
from dataclasses import replace

import httpx
import pytest

from centroid_explorer import metadata as md
from centroid_explorer.client import Client
from centroid_explorer.metadata import ClusterNotes, Draft

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


def _draft(client, alias: str) -> Draft:
    return Draft.load(client, alias, VF, "km")


def _label(draft: Draft, cluster_id: str, label: str) -> None:
    draft.set_rows([replace(draft.row(cluster_id), label=label)])


def test_load_shows_a_row_for_every_centroid_and_nothing_unsaved(client, alias):
    draft = _draft(client, alias)

    assert list(draft.edits.clusters) == ["c0", "c1", "c2"]
    assert draft.row("c2") == ClusterNotes("c2")
    assert draft.edits.description == "three clusters"
    assert not draft.dirty and draft.changes == [] and draft.mine == draft.base


def test_save_writes_the_edit_and_keeps_keys_the_dashboard_does_not_know(client, alias):
    draft = _draft(client, alias)
    draft.set_rows([ClusterNotes("c1", "the ones", "", ("digits",))])
    _label(draft, "c0", "new zero")

    result = draft.save(client)

    assert result.saved and result.written and result.changes == 3
    stored = client.centroids.metadata(alias, VF, "km")
    assert stored["clusters"]["c1"] == {"label": "the ones", "tags": ["digits"]}
    assert stored["clusters"]["c0"] == {"label": "new zero", "color": "#ff0000"}  # unknown key inside an entry
    assert "c2" not in stored["clusters"]  # an untouched cluster gets no empty entry
    assert stored["owner_tool"] == {"name": "labeller", "version": 3}  # unknown top-level key
    assert draft.base == stored and not draft.dirty  # the draft goes on from what was saved


def test_a_write_by_someone_else_since_loading_is_reported_and_nothing_is_written(client, other_client, alias):
    draft = _draft(client, alias)
    theirs = md.with_cluster_notes(draft.base, "c0", label="someone else's zero")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    _label(draft, "c0", "my zero")

    result = draft.save(client)

    assert not result.saved and not result.written
    assert client.centroids.metadata(alias, VF, "km") == theirs  # their write survived
    changed = draft.stored_changed
    assert changed is result.stored_changed
    assert [str(c) for c in changed.changes] == [
        "cluster 'c0' label changed from \"zero\" to \"someone else's zero\""
    ]
    [conflict] = changed.merge.conflicts
    assert (conflict.path, conflict.mine, conflict.theirs) == (("clusters", "c0", "label"), "my zero", "someone else's zero")
    assert draft.row("c0").label == "my zero"  # the edit is kept for the merge


def test_edits_to_different_fields_merge_and_the_merge_saves_against_the_new_base(client, other_client, alias):
    draft = _draft(client, alias)
    other_client.centroids.metadata(alias, VF, "km", metadata=md.with_alias_description(draft.base, "described by someone else"))
    _label(draft, "c2", "two")

    assert not draft.save(client).saved
    assert draft.stored_changed.merge.conflicts == []
    draft.merge({})
    assert draft.edits.description == "described by someone else" and draft.row("c2").label == "two"
    again = draft.save(client)

    assert again.saved and again.written
    stored = client.centroids.metadata(alias, VF, "km")
    assert stored["description"] == "described by someone else"
    assert stored["clusters"]["c2"]["label"] == "two"


def test_merge_takes_the_side_chosen_for_each_conflict(client, other_client, alias):
    draft = _draft(client, alias)
    theirs = md.with_cluster_notes(md.with_alias_description(draft.base, "theirs"), "c0", label="their zero")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    draft.set_description("mine")
    _label(draft, "c0", "my zero")

    draft.save(client)
    paths = [c.path for c in draft.stored_changed.merge.conflicts]
    draft.merge({paths.index(("description",)): "mine"})

    assert draft.mine["description"] == "mine"
    assert draft.mine["clusters"]["c0"]["label"] == "their zero"  # not chosen: the stored value stays
    assert draft.save(client).written
    assert client.centroids.metadata(alias, VF, "km")["description"] == "mine"


def test_a_write_after_the_merge_was_offered_is_caught_again(client, other_client, alias):
    draft = _draft(client, alias)
    other_client.centroids.metadata(alias, VF, "km", metadata=md.with_alias_description(draft.base, "first"))
    _label(draft, "c1", "mine")
    draft.save(client)
    draft.merge({})
    later = md.with_alias_description(client.centroids.metadata(alias, VF, "km"), "second")
    other_client.centroids.metadata(alias, VF, "km", metadata=later)

    assert not draft.save(client).saved
    assert client.centroids.metadata(alias, VF, "km") == later


def test_reload_drops_the_edits_and_shows_what_is_stored(client, other_client, alias):
    draft = _draft(client, alias)
    theirs = md.with_cluster_notes(draft.base, "c1", label="theirs")
    other_client.centroids.metadata(alias, VF, "km", metadata=theirs)
    _label(draft, "c1", "mine")
    draft.save(client)

    draft.reload(client)

    assert draft.stored_changed is None and not draft.dirty
    assert draft.row("c1").label == "theirs" and draft.base == theirs


def test_refresh_reads_a_stored_change_only_when_nothing_is_unsaved(client, other_client, alias):
    draft = _draft(client, alias)
    other_client.centroids.metadata(alias, VF, "km", metadata=md.with_cluster_notes(draft.base, "c2", label="new"))
    _label(draft, "c0", "unsaved")

    assert not draft.refresh(client) and draft.row("c2").label == ""  # unsaved edits are never replaced
    _label(draft, "c0", "zero")
    assert draft.refresh(client) and draft.row("c2").label == "new"


def test_invalid_metadata_is_refused_before_any_write(client, alias):
    draft = _draft(client, alias)
    _label(draft, "c1", "x" * (md.MAX_LABEL + 1))

    assert [str(p) for p in draft.problems] == [f"cluster 'c1', label: is {md.MAX_LABEL + 1} characters; the limit is 100"]
    with pytest.raises(md.InvalidMetadataError) as raised:
        draft.save(client)

    assert "cluster 'c1', label" in str(raised.value)
    assert client.centroids.metadata(alias, VF, "km") == draft.base


def test_the_same_change_already_stored_is_no_conflict(client, other_client, alias):
    draft = _draft(client, alias)
    other_client.centroids.metadata(alias, VF, "km", metadata=md.with_cluster_notes(draft.base, "c1", label="ones"))
    _label(draft, "c1", "ones")

    result = draft.save(client)

    assert result.saved and not result.written
    assert result.stored["clusters"]["c1"]["label"] == "ones"


def test_load_reads_an_alias_with_nothing_stored_as_empty(client, alias):
    """The one read of the stored object (pages, clustering, demo): no centroids, no metadata yet -> {}."""
    assert md.load(client, alias, VF, "never-clustered") == {}
    assert md.load(client, alias, VF, "km")["description"] == "three clusters"
    assert Draft.load(client, alias, VF, "never-clustered").edits.clusters == {}


class _WritesAfterTheRead(httpx.HTTPTransport):
    """A real transport that, once the metadata has been read `after` times, lets someone else write
    before the answer is returned: the write lands between save's re-read and its own write, deterministically."""

    def __init__(self, someone_writes, after: int):
        super().__init__()
        self.someone_writes, self.reads_left = someone_writes, after

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "GET" and request.url.path.endswith("/centroids/metadata") and self.someone_writes:
            self.reads_left -= 1
            if self.reads_left == 0:
                write, self.someone_writes = self.someone_writes, None
                response.read()
                write()
        return response


def test_a_write_landing_between_the_re_read_and_the_write_is_not_lost(live_server, client, other_client, alias):
    theirs = md.with_cluster_notes(md.load(client, alias, VF, "km"), "c0", label="landed in between")
    racing = Client(live_server.base_url, live_server.project, live_server.api_key,
                    transport=_WritesAfterTheRead(lambda: other_client.centroids.metadata(alias, VF, "km", metadata=theirs),
                                                  after=2))  # the load's read, then the save's re-read
    with racing:
        draft = Draft.load(racing, alias, VF, "km")
        assert draft.version is not None  # our server versions the object
        _label(draft, "c0", "my zero")
        result = draft.save(racing)

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
        draft = Draft.load(hosted, alias, VF, "km")
        assert draft.version is None
        _label(draft, "c2", "two")
        assert draft.save(hosted).written
        other_client.centroids.metadata(alias, VF, "km", metadata=md.with_alias_description(draft.base, "theirs"))
        _label(draft, "c2", "2")
        again = draft.save(hosted)
    assert not again.saved and [str(c) for c in again.stored_changed.changes] == [
        'alias description changed from "three clusters" to "theirs"']


def test_restoring_a_version_from_the_history_writes_it_whole_as_a_new_version(client, alias):
    draft = _draft(client, alias)
    [first] = client.centroids.metadata_history(alias, VF, "km")["results"]
    draft.set_rows([ClusterNotes("c2", "two", "", ("new",))])
    draft.set_description("changed")
    draft.save(client)

    _label(draft, "c0", "unsaved")
    with pytest.raises(ValueError):  # unsaved edits would be lost
        draft.restore(client, {})
    _label(draft, "c0", "zero")
    old = client.centroids.metadata_at(alias, VF, "km", first["version"])
    result = draft.restore(client, old)

    assert result.written and result.changes == 2
    assert client.centroids.metadata(alias, VF, "km") == old  # "c2" gone again, the description back
    history = client.centroids.metadata_history(alias, VF, "km")["results"]
    assert len(history) == 3 and history[0]["version"] not in (first["version"], history[1]["version"])


def test_a_restore_is_refused_when_the_stored_object_changed_since_loading(client, other_client, alias):
    draft = _draft(client, alias)
    other = md.with_alias_description(draft.base, "someone else's")
    other_client.centroids.metadata(alias, VF, "km", metadata=other)

    result = draft.restore(client, {"description": "restored"})

    assert not result.saved and client.centroids.metadata(alias, VF, "km") == other
