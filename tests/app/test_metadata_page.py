"""Metadata page through AppTest on the demo data: edit and save, conflicts, validation, edits kept across pages."""

from __future__ import annotations

import copy

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import DEMO_ALIAS, DEMO_DATASET, DEMO_VECTOR_FIELD
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
