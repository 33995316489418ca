"""The Cluster quality page through AppTest, on a planted alias written to the app's embedded server."""

from __future__ import annotations

import pytest

from tests.planted import ALIAS, MISASSIGNED, VECTOR_FIELD, write_planted

QUALITY = "views/cluster_quality.py"
DATASET = "planted-app"


@pytest.fixture(scope="module")
def planted(demo_client):
    write_planted(demo_client, DATASET)
    demo_client.centroids.metadata(DATASET, VECTOR_FIELD, ALIAS, {"clusters": {"music": {"label": "Music *bold*"}}})


def _open(app_page):
    return app_page(QUALITY, dataset_id=DATASET, vector_field=VECTOR_FIELD, alias=ALIAS)


def test_quality_table_puts_the_mixed_cluster_first_and_says_what_it_read(app_page, planted):
    at = _open(app_page)
    assert not at.exception
    table = at.main.dataframe[0].value
    assert table["cluster_id"].tolist()[0] == "glaciers" and table["cluster_id"].tolist()[-1] == "empty"
    first = table.iloc[0]
    assert (first["size"], first["likely mis-assigned"]) == (12, 4)
    assert first["share"] == pytest.approx(4 / 12) and first["nearest cluster"] == "volcanoes"
    assert any("every one of the 36 members read" in c.value for c in at.main.caption)
    # A stored label is the cluster's name (as text); clusters without one get a suggestion.
    labelled = table[table["cluster_id"] == "music"].iloc[0]
    assert labelled["cluster"] == "Music *bold*" and labelled["suggested label"] == ""
    assert "lava" in table[table["cluster_id"] == "volcanoes"].iloc[0]["suggested label"]


def test_outliers_list_the_planted_members_and_offer_a_csv(app_page, planted):
    at = _open(app_page)
    outliers = at.main.dataframe[1].value
    closer = outliers[outliers["reason"].str.contains("closer")]
    assert sorted(closer["_id"]) == sorted(MISASSIGNED) and set(closer["closer_cluster_id"]) == {"volcanoes"}
    assert any("4 of the 36 members sit closer to another centroid" in c.value for c in at.main.caption)
    assert at.get("download_button")


def test_distances_under_l2_are_positive_and_the_order_holds(app_page, planted):
    at = _open(app_page)
    at.main.selectbox(key="similarity_metric").set_value("l2").run()
    assert not at.exception
    table = at.main.dataframe[0].value
    assert table["cluster_id"].tolist()[0] == "glaciers"
    assert (table["cohesion"].dropna() > 0).all() and (table["nearest centroid"].dropna() > 0).all()
