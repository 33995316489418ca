"""The Curate and Compare clusterings pages through AppTest, on the app's embedded server over real HTTP."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.app.test_hostile_data import _assert_shown_as_text
from tests.hostile import ALIAS, HOSTILE, HOSTILE_DATASET, VECTOR_FIELD, as_read, write_hostile

CURATE, COMPARE = "views/curate.py", "views/compare_clusterings.py"
DATASET, FIELD = "curate-pages", "v_vector_"
# Three well separated blobs of 10 documents; alias "truth" assigns them as made, alias "shuffled"
# names the clusters differently and puts two documents of blob a into blob b's cluster.
BLOBS = {"a": [0, 0, 10], "b": [10, 0, 0], "c": [0, 10, 0]}
MOVED_IN_SHUFFLED = ["a-0", "a-1"]
VIEW = {"dataset_id": DATASET, "vector_field": FIELD, "alias": "truth"}
PER_BLOB = 10


@pytest.fixture(scope="module")
def curate_data(demo_client):
    rng = np.random.default_rng(7)
    renamed = {"a": "q", "b": "r", "c": "s"}
    documents, centres = [], {}
    for name, centre in BLOBS.items():
        vectors = np.asarray(centre, dtype=np.float32) + rng.normal(scale=0.5, size=(10, 3)).astype(np.float32)
        centres[name] = vectors.mean(axis=0)
        for i, vector in enumerate(vectors):
            doc_id = f"{name}-{i}"
            shuffled = renamed["b"] if doc_id in MOVED_IN_SHUFFLED else renamed[name]
            documents.append({"_id": doc_id, "text": f"document {doc_id}", FIELD: vector.tolist(),
                              "_cluster_": {FIELD: {"truth": name, "shuffled": shuffled}}})
    demo_client.datasets.bulk_insert(DATASET, documents)
    for alias, ids in (("truth", {n: n for n in BLOBS}), ("shuffled", renamed)):
        demo_client.centroids.insert(DATASET, [{"_id": ids[n], FIELD: c.tolist()} for n, c in centres.items()], FIELD, alias)
    demo_client.centroids.metadata(DATASET, FIELD, "truth", {"clusters": {"a": {"label": "Apples"}, "b": {"label": "Bananas"}}})
    return demo_client


def _array(value) -> np.ndarray:
    """A plotly figure's array, plain or typed (`{"dtype", "bdata", "shape"}`)."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def test_compare_scores_matches_and_lists_the_documents_that_changed(app_page, curate_data):
    at = app_page(COMPARE, **VIEW)
    assert not at.exception
    assert [s.value for s in at.main.selectbox[:2]] == ["truth", "shuffled"]
    scores = {m.label: m.value for m in at.main.metric}
    assert scores["Documents both assign"] == "30" and scores["Changed cluster"] == "2"
    assert 0.5 < float(scores["Adjusted Rand index"]) < 1
    matches = at.main.dataframe[0].value
    assert dict(zip(matches["cluster_a"], matches["cluster_b"], strict=True)) == {"a": "q", "b": "r", "c": "s"}
    changed = at.main.dataframe[1].value
    assert sorted(changed["_id"]) == MOVED_IN_SHUFFLED and set(changed["cluster_b"]) == {"r"}
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert _array(heatmap["data"][0]["z"])[0].tolist() == [8, 2, 0]  # a's documents: 8 to its match q, 2 to r


def test_merge_preview_shows_sizes_both_maps_and_the_documents_that_move(app_page, curate_data):
    at = app_page(CURATE, **VIEW)
    assert not at.exception
    at.main.multiselect[0].set_value(["a", "b"]).run()
    next(b for b in at.main.button if b.label == "Preview").click().run()
    assert not at.exception
    assert as_read(at.main.info[0].value) == "Merge 2 clusters ('a', 'b') into 'a'"
    sizes = at.main.dataframe[0].value
    assert sizes.to_dict("records") == [
        {"cluster": "a", "label": "Apples + Bananas", "before": 10, "after": 20, "change": 10},
        {"cluster": "b", "label": "Bananas", "before": 10, "after": 0, "change": -10},
    ]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles == ["Before", "After"]
    moves = at.main.dataframe[1].value
    assert sorted(moves["_id"]) == [f"b-{i}" for i in range(10)] and set(moves["to"]) == {"a"}
    # Changing the question drops the preview: it never shows for other inputs than it was made for
    at.main.multiselect[0].set_value(["a", "c"]).run()
    assert not at.main.dataframe and not at.get("plotly_chart")


def test_pages_show_hostile_ids_and_labels_as_text(app_page, demo_client):
    if HOSTILE_DATASET not in demo_client.datasets.list():
        write_hostile(demo_client)
    view = {"dataset_id": HOSTILE_DATASET, "vector_field": VECTOR_FIELD, "alias": ALIAS}
    at = app_page(COMPARE, **view)
    _assert_shown_as_text(at)
    at = app_page(CURATE, **view)
    _assert_shown_as_text(at)
    at.main.multiselect[0].set_value([HOSTILE, "007"]).run()
    next(b for b in at.main.button if b.label == "Preview").click().run()
    _assert_shown_as_text(at)
    assert len(at.get("plotly_chart")) == 2
    at.main.radio[0].set_value("split").run()
    next(b for b in at.main.button if b.label == "Preview").click().run()
    _assert_shown_as_text(at)
    at.main.radio[0].set_value("move").run()
    at.main.selectbox[1].set_value(HOSTILE).run()
    picker = next(m for m in at.main.multiselect if m.label == "Documents to move")
    picker.set_value([f"{HOSTILE} #0-0", "doc-0-1"]).run()  # the first document's id is hostile too
    next(b for b in at.main.button if b.label == "Preview").click().run()
    _assert_shown_as_text(at)
    assert sorted(at.main.dataframe[1].value["_id"]) == sorted([f"{HOSTILE} #0-0", "doc-0-1"])


def _click(at, label):
    next(b for b in at.main.button if b.label.startswith(label)).click().run()
    assert not at.exception, at.exception


def test_merge_written_to_a_new_alias_then_opened(app_page, curate_data):
    at = app_page(CURATE, **VIEW)
    at.main.multiselect[0].set_value(["b", "c"]).run()
    _click(at, "Preview")
    new_alias = next(t for t in at.main.text_input if t.label == "New alias")
    assert new_alias.value == "truth-merged"
    _click(at, "Write to the new alias")
    assert "written to the new alias 'truth-merged'" in as_read(at.main.success[0].value)
    assert sorted(c["_id"] for c in curate_data.centroids.iter_list(DATASET, FIELD, "truth-merged")) == ["a", "b"]
    assert sorted(c["_id"] for c in curate_data.centroids.iter_list(DATASET, FIELD, "truth")) == ["a", "b", "c"]
    _click(at, "Open")  # the page switch itself is followed in the browser test (AppTest does not follow one)
    assert next(s for s in at.sidebar.selectbox if s.label == "Clustering alias").value == "truth-merged"


def test_in_place_needs_the_confirmation(app_page, curate_data):
    at = app_page(CURATE, **{**VIEW, "alias": "shuffled"})
    at.main.radio[0].set_value("split").run()
    at.main.selectbox[1].set_value("q").run()
    _click(at, "Preview")
    apply = next(b for b in at.main.button if b.label == "Apply in place")
    assert apply.disabled
    next(c for c in at.main.checkbox if c.label.startswith("Yes, change")).check().run()
    _click(at, "Apply in place")
    assert "in place to 'shuffled'" in as_read(at.main.success[0].value)
    ids = sorted(c["_id"] for c in curate_data.centroids.iter_list(DATASET, FIELD, "shuffled"))
    assert ids == ["q-1", "q-2", "r", "s"]


def test_move_preview_lists_the_chosen_documents_and_sizes(app_page, curate_data):
    at = app_page(CURATE, **VIEW)
    at.main.radio[0].set_value("move").run()
    at.main.selectbox[1].set_value("c").run()  # from
    at.main.selectbox[2].set_value("a").run()  # to
    picker = next(m for m in at.main.multiselect if m.label == "Documents to move")
    assert len(picker.options) == PER_BLOB
    picker.set_value(["c-0", "c-1"]).run()
    _click(at, "Preview")
    moves = at.main.dataframe[1].value
    assert sorted(moves["_id"]) == ["c-0", "c-1"] and set(moves["from"]) == {"c"} and set(moves["to"]) == {"a"}
    sizes = {row["cluster"]: (row["before"], row["after"]) for row in at.main.dataframe[0].value.to_dict("records")}
    assert sizes == {"a": (10, 12), "c": (10, 8)}


def test_documents_handed_over_in_a_link_open_a_move_across_clusters(app_page, curate_data):
    at = app_page(CURATE, **VIEW, document_id=["a-3", "b-4", "not-a-document"])
    assert not at.exception
    assert at.main.radio[0].value == "move"
    assert any("1 document(s) of the link are not assigned" in w.value for w in at.main.warning)
    assert any(c.value.startswith("2 document(s) chosen on another page") for c in at.main.caption)
    next(s for s in at.main.selectbox if s.label == "To cluster").set_value("c").run()
    _click(at, "Preview")
    moves = at.main.dataframe[1].value
    assert moves[["_id", "from", "to"]].values.tolist() == [["a-3", "a", "c"], ["b-4", "b", "c"]]
    _click(at, "Choose the documents here instead")
    assert any(m.label == "Documents to move" for m in at.main.multiselect)
    assert "document_id" not in at.query_params
