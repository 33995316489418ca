"""Suggested labels in the Metadata editor (issue 12): from the planted clusters' own words, taken one by one
or all at once for the unlabelled, and nothing written until Save."""

from __future__ import annotations

import pytest

from tests.planted import ALIAS, VECTOR_FIELD, WORDS, write_planted

DATASET = "planted-suggestions"
METADATA = "views/metadata.py"


@pytest.fixture(scope="module")
def planted(demo_client):
    write_planted(demo_client, DATASET)
    demo_client.centroids.metadata(DATASET, VECTOR_FIELD, ALIAS, {"clusters": {"music": {"label": "Strings"}}})
    return demo_client


def _button(at, starts: str):
    return next(b for b in at.main.button if b.label.startswith(starts))


def _labels(at) -> dict[str, str]:
    table = at.data_editor[0].value
    return dict(zip(table["cluster_id"], table["label"], strict=True))


def test_suggestions_are_taken_one_or_all_and_written_only_on_save(app_page, planted):
    at = app_page(METADATA, dataset_id=DATASET, vector_field=VECTOR_FIELD, alias=ALIAS)
    assert "suggested" not in at.data_editor[0].value.columns  # nothing read until asked
    _button(at, "Suggest labels").click().run()
    assert not at.exception
    table = at.data_editor[0].value
    suggested = dict(zip(table["cluster_id"], table["suggested"], strict=True))
    for cluster, words in WORDS.items():  # each cluster's own words, none of another's
        assert suggested[cluster] and set(suggested[cluster].split(", ")) <= set(words), (cluster, suggested[cluster])

    row = table["cluster_id"].tolist().index("glaciers")  # one, by ticking "Use it" in its row
    at.session_state[at.data_editor[0].key] = {"edited_rows": {row: {"accept": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert _labels(at)["glaciers"] == suggested["glaciers"] and _labels(at)["volcanoes"] == ""

    _button(at, "Use the suggestion for every unlabelled cluster").click().run()  # the rest
    labels = _labels(at)
    assert labels["volcanoes"] == suggested["volcanoes"] and labels["music"] == "Strings"  # a written label is kept
    stored = planted.centroids.metadata(DATASET, VECTOR_FIELD, ALIAS)
    assert "volcanoes" not in stored.get("clusters", {})  # nothing written yet

    _button(at, "Save").click().run()
    stored = planted.centroids.metadata(DATASET, VECTOR_FIELD, ALIAS)["clusters"]
    assert stored["volcanoes"]["label"] == suggested["volcanoes"] and stored["music"]["label"] == "Strings"
