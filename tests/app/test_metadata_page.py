"""Metadata page through AppTest on the demo data: edit and save, conflicts, validation, edits kept across pages."""

from __future__ import annotations

import copy

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import DEMO_ALIAS, DEMO_DATASET, DEMO_VECTOR_FIELD
from tests.generated import GENERATED_ALIAS, GENERATED_FIELD, cluster_size, generated_alias
from tests.hostile import as_read

METADATA = "views/metadata.py"
DEMO = {"dataset_id": DEMO_DATASET, "vector_field": DEMO_VECTOR_FIELD, "alias": DEMO_ALIAS}


@pytest.fixture
def stored(demo_client):
    """Read/write the demo alias's metadata; whatever a test writes is put back afterwards."""

    class Stored:
        def read(self) -> dict:
            return demo_client.centroids.metadata(DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS)

        def write(self, metadata: dict) -> None:
            demo_client.centroids.metadata(DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS, metadata=metadata)

    store = Stored()
    original = store.read()
    yield store
    store.write(original)


def _edit_cells(at: AppTest, editor_index: int, edited_rows: dict, added_rows: list | None = None) -> None:
    """What the browser sends when cells of a data editor are edited (AppTest cannot type into the grid)."""
    key = at.data_editor[editor_index].key
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": added_rows or [], "deleted_rows": []}
    at.run()


def _button(at: AppTest, label: str):
    return next(b for b in at.main.button if b.label == label)


def _row_of(at: AppTest, cluster_id: str) -> int:
    return at.data_editor[0].value["cluster_id"].tolist().index(cluster_id)


def test_the_page_shows_every_cluster_with_its_size_and_label(app_page, stored, demo_client):
    at = app_page(METADATA, **DEMO)

    assert not at.exception
    table = at.data_editor[0].value
    assert len(table) == 10
    documents = demo_client.centroids.documents(DEMO_DATASET, [], DEMO_VECTOR_FIELD, DEMO_ALIAS, page_size=1)
    assert table["size"].sum() == documents["count"]
    labels = {c: n.get("label") for c, n in stored.read()["clusters"].items()}
    assert dict(zip(table["cluster_id"], table["label"], strict=False)) == labels
    assert _button(at, "Save").proto.disabled  # nothing to save yet


def test_a_label_edited_and_saved_is_stored(app_page, stored):
    at = app_page(METADATA, **DEMO)
    _edit_cells(at, 0, {_row_of(at, "cluster_3"): {"label": "Threes, mostly"}})
    assert any("cluster 'cluster_3' label changed" in t.value for t in at.text)

    _button(at, "Save").click().run()

    assert not at.exception
    assert stored.read()["clusters"]["cluster_3"]["label"] == "Threes, mostly"
    assert any(s.value.startswith("Saved 1 change") for s in at.success)
    assert stored.read()["source"] == "sklearn.datasets.load_digits"  # a key the dashboard does not own


def test_a_conflicting_edit_is_shown_and_nothing_is_overwritten(app_page, stored):
    at = app_page(METADATA, **DEMO)
    theirs = copy.deepcopy(stored.read())
    theirs["clusters"]["cluster_3"]["label"] = "edited in another tab"
    theirs["description"] = "a new description from elsewhere"
    stored.write(theirs)

    _edit_cells(at, 0, {_row_of(at, "cluster_3"): {"label": "my label"}})
    _button(at, "Save").click().run()

    assert not at.exception
    assert stored.read() == theirs  # not overwritten
    assert any("stored metadata changed since you loaded it" in w.value for w in at.warning)
    assert any("alias description changed" in t.value for t in at.text)  # what they changed, in words
    [choice] = at.main.radio
    assert as_read(choice.label) == "cluster 'cluster_3' label"
    assert [as_read(option) for option in choice.options] == ['Stored now: "edited in another tab"', 'Yours: "my label"']

    choice.set_value("mine").run()
    _button(at, "Merge into my edits").click().run()
    _button(at, "Save").click().run()

    after = stored.read()
    assert after["clusters"]["cluster_3"]["label"] == "my label"
    assert after["description"] == "a new description from elsewhere"  # their change kept


def test_reload_drops_my_edit_and_shows_the_stored_value(app_page, stored):
    at = app_page(METADATA, **DEMO)
    theirs = copy.deepcopy(stored.read())
    theirs["clusters"]["cluster_1"]["label"] = "theirs"
    stored.write(theirs)
    _edit_cells(at, 0, {_row_of(at, "cluster_1"): {"label": "mine"}})
    _button(at, "Save").click().run()

    _button(at, "Discard my edits and reload").click().run()

    assert stored.read() == theirs
    table = at.data_editor[0].value
    assert table.loc[table["cluster_id"] == "cluster_1", "label"].item() == "theirs"
    assert any("No unsaved changes" in c.value for c in at.caption)


def test_a_too_long_label_names_the_cluster_and_blocks_saving(app_page, stored):
    before = stored.read()
    at = app_page(METADATA, **DEMO)
    _edit_cells(at, 0, {_row_of(at, "cluster_7"): {"label": "x" * 150}})

    assert any(as_read(e.value).startswith("cluster 'cluster_7', label: is 150 characters") for e in at.error)
    assert _button(at, "Save").proto.disabled
    assert stored.read() == before


def test_a_free_field_that_is_not_json_is_named_and_nothing_is_written(app_page, stored):
    before = stored.read()
    at = app_page(METADATA, **DEMO)
    _edit_cells(at, 1, {}, added_rows=[{"key": "owner", "value": "search team"}])

    assert any(as_read(e.value).startswith("field 'owner': the value is not JSON") for e in at.error)
    assert _button(at, "Save").proto.disabled
    assert not any("No unsaved changes" in c.value for c in at.caption)  # there is one, it cannot be saved yet
    assert any("fix them to save" in c.value for c in at.caption)
    assert stored.read() == before


def test_an_unsaved_edit_survives_a_visit_to_another_page(app_page, stored):
    at = app_page(METADATA, **DEMO)
    _edit_cells(at, 0, {_row_of(at, "cluster_5"): {"label": "kept while away"}})

    at.switch_page("views/connect.py").run()
    at.switch_page(METADATA).run()

    assert not at.exception
    table = at.data_editor[0].value
    assert table.loc[table["cluster_id"] == "cluster_5", "label"].item() == "kept while away"
    _button(at, "Save").click().run()
    assert stored.read()["clusters"]["cluster_5"]["label"] == "kept while away"


def test_the_label_form_on_the_cluster_documents_page_saves_in_place(app_page, stored):
    at = app_page("views/cluster_documents.py", **DEMO)
    [cluster_id] = at.main.multiselect[0].value
    label = next(t for t in at.main.text_input if t.label == "Label")

    label.input("Edited in place").run()
    _button(at, "Save label and description").click().run()

    assert not at.exception
    assert stored.read()["clusters"][cluster_id]["label"] == "Edited in place"
    assert any(s.value.startswith("Saved 1 change") for s in at.success)


def test_history_lists_each_version_shows_its_changes_and_restores_one(app_page, stored):
    before = stored.read()
    at = app_page(METADATA, **DEMO)
    _edit_cells(at, 0, {_row_of(at, "cluster_2"): {"label": "Twos <b>bold</b>"}})
    _button(at, "Save").click().run()

    history = at.main.dataframe[-1].value  # the History table: newest first
    assert history["changed"].iloc[0] == "cluster 'cluster_2' label"
    assert history["written_by"].iloc[0] == "default" and history["written_at"].iloc[0]
    assert _button(at, "Restore this version").proto.disabled  # the newest is the current version
    assert any("cluster 'cluster_2' label changed from" in t.value and "<b>bold</b>" in t.value for t in at.text)

    version = next(s for s in at.main.selectbox if s.label == "Version to look at")
    version.set_value(history["version"].iloc[1]).run()
    _button(at, "Restore this version").click().run()

    assert not at.exception
    assert stored.read() == before  # written back whole, as a new version
    assert any(s.value.startswith(f"Restored version {history['version'].iloc[1]}") for s in at.success)
    assert at.main.dataframe[-1].value["version"].iloc[0] not in set(history["version"])


# --- a generated alias of 2,000 clusters ------------------------------------------------------

LARGE_K = 2_000


@pytest.fixture(scope="module")
def large(demo_client):
    """The generated alias with LARGE_K clusters (written once per server), and its stored metadata put back after."""
    dataset_id = generated_alias(demo_client, LARGE_K)
    original = demo_client.centroids.metadata(dataset_id, GENERATED_FIELD, GENERATED_ALIAS)
    yield dataset_id
    demo_client.centroids.metadata(dataset_id, GENERATED_FIELD, GENERATED_ALIAS, metadata=original)


def _open_large(app_page, dataset_id: str) -> AppTest:
    return app_page(METADATA, dataset_id=dataset_id, vector_field=GENERATED_FIELD, alias=GENERATED_ALIAS)


def _search(at: AppTest, text: str) -> None:
    next(t for t in at.main.text_input if t.label == "Search").input(text).run()


def test_a_large_alias_shows_a_page_of_clusters_with_their_sizes(app_page, large):
    at = _open_large(app_page, large)

    assert not at.exception
    table = at.data_editor[0].value
    assert len(table) == 100  # a page of rows, not 2,000
    assert table["cluster_id"].tolist()[:3] == ["cluster_0", "cluster_1", "cluster_2"]
    assert table["size"].tolist() == [cluster_size(i) for i in range(100)]  # sizes at any k
    assert any("of 2,000 matching clusters" in c.value for c in at.caption)


def test_search_finds_a_cluster_whose_label_is_edited_and_saved_into_the_one_object(app_page, large, demo_client):
    before = demo_client.centroids.metadata(large, GENERATED_FIELD, GENERATED_ALIAS)
    at = _open_large(app_page, large)

    _search(at, "cluster_1234")
    assert at.data_editor[0].value["cluster_id"].tolist() == ["cluster_1234"]
    _edit_cells(at, 0, {0: {"label": "found by search"}})
    _button(at, "Save").click().run()

    assert not at.exception
    after = demo_client.centroids.metadata(large, GENERATED_FIELD, GENERATED_ALIAS)
    assert after["clusters"]["cluster_1234"]["label"] == "found by search"
    del after["clusters"]["cluster_1234"]
    assert after == {**before, "clusters": {k: v for k, v in before["clusters"].items() if k != "cluster_1234"}}


def test_the_filters_show_labelled_unlabelled_tagged_and_largest_clusters(app_page, large):
    at = _open_large(app_page, large)

    def shown() -> list[str]:
        return at.data_editor[0].value["cluster_id"].tolist()

    show = next(s for s in at.main.selectbox if s.label == "Show")
    show.set_value("unlabelled").run()
    assert shown()[:3] == ["cluster_1", "cluster_2", "cluster_4"]
    show.set_value("labelled").run()
    assert shown()[:3] == ["cluster_0", "cluster_3", "cluster_6"]
    next(s for s in at.main.selectbox if s.label == "Tag").set_value("odd").run()
    assert shown()[:3] == ["cluster_3", "cluster_9", "cluster_15"]
    next(s for s in at.main.selectbox if s.label == "Order").set_value("largest").run()
    table = at.data_editor[0].value
    assert table["size"].is_monotonic_decreasing and table["size"].iloc[0] == 5
    assert table["cluster_id"].tolist()[:2] == ["cluster_9", "cluster_39"]  # equal sizes in id order


def test_a_large_alias_save_is_still_conflict_checked(app_page, large, demo_client):
    at = _open_large(app_page, large)
    theirs = demo_client.centroids.metadata(large, GENERATED_FIELD, GENERATED_ALIAS)
    theirs["clusters"]["cluster_3"]["label"] = "written elsewhere"
    demo_client.centroids.metadata(large, GENERATED_FIELD, GENERATED_ALIAS, metadata=theirs)

    _edit_cells(at, 0, {3: {"label": "mine"}})
    _button(at, "Save").click().run()

    assert not at.exception
    assert demo_client.centroids.metadata(large, GENERATED_FIELD, GENERATED_ALIAS) == theirs
    assert any("stored metadata changed since you loaded it" in w.value for w in at.warning)
