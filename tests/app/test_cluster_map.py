"""Cluster map through AppTest, on the app's embedded server with the demo data."""

from __future__ import annotations

import re

from tests.hostile import as_read

DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS = "digits", "pixels_vector_", "kmeans-10"


def _by_label(elements, label):
    return next(e for e in elements if e.label == label)


def _param(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def _shown_in(caption: str) -> int:
    return int(re.search(r"showing ([\d,]+)", caption).group(1).replace(",", ""))


def _shown(at) -> int:
    return _shown_in(_map_caption(at))


def _map_caption(at) -> str:
    return next(c.value for c in at.main.caption if "clusters ·" in c.value)


def test_map_runs_on_the_demo_data(app_page):
    at = app_page()
    assert not at.exception
    assert [s.value for s in at.sidebar.selectbox] == [DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS]
    assert _map_caption(at).startswith("10 clusters · 1,797 documents")
    assert len(at.get("plotly_chart")) == 3  # the map, cluster sizes, centroid similarity


def test_switching_dataset_redraws_the_map_and_the_url(app_page):
    at = app_page()
    _by_label(at.sidebar.selectbox, "Dataset").set_value("python-docs")
    at.run()
    assert not at.exception
    assert _by_label(at.sidebar.selectbox, "Clustering alias").value == "kmeans-12"
    assert _map_caption(at).startswith("12 clusters")
    assert _param(at, "dataset_id") == "python-docs"
    assert _param(at, "alias") == "kmeans-12"


def test_a_url_reopens_the_same_view(app_page):
    at = app_page(dataset_id="python-docs", vector_field="text_vector_", alias="kmeans-12")
    assert not at.exception
    assert _by_label(at.sidebar.selectbox, "Dataset").value == "python-docs"
    assert _map_caption(at).startswith("12 clusters")


def test_an_unknown_dataset_in_the_url_falls_back_to_a_real_one(app_page):
    at = app_page(dataset_id="no-such-dataset")
    assert not at.exception
    assert _by_label(at.sidebar.selectbox, "Dataset").value == DEMO_DATASET
    assert [w.value for w in at.main.warning] == [f"Dataset `no-such-dataset` was not found; showing {DEMO_DATASET}."]


def test_an_unknown_alias_in_the_url_is_named_until_another_is_picked(app_page):
    at = app_page(dataset_id=DEMO_DATASET, vector_field=DEMO_VECTOR_FIELD, alias="no-such-alias")
    assert _by_label(at.sidebar.selectbox, "Clustering alias").value == DEMO_ALIAS
    warning = f"Alias `no-such-alias` was not found for {DEMO_DATASET} / {DEMO_VECTOR_FIELD}; showing {DEMO_ALIAS}."
    assert [w.value for w in at.main.warning] == [warning]
    at.run()
    assert [w.value for w in at.main.warning] == [warning]  # still true on the next run (the map reruns itself)

    _by_label(at.sidebar.selectbox, "Dataset").set_value("python-docs")
    at.run()
    assert not at.main.warning


def test_a_vector_field_without_centroids_says_to_upload_some(app_page, demo_client):
    dataset = "no-centroids-yet"
    demo_client.datasets.bulk_insert(dataset, [{"_id": f"doc-{i}", "emb_vector_": [float(i), 1.0]} for i in range(5)])
    at = app_page(dataset_id=dataset)
    assert not at.exception
    assert "emb_vector_ has no centroids yet" in as_read(at.main.info[0].value)
    assert [link.label for link in at.main.get("page_link")] == ["Upload centroids"]


def test_fewer_documents_per_cluster_draws_a_smaller_sample(app_page):
    at = app_page()
    before = _map_caption(at)
    at.main.select_slider[0].set_value(10)
    at.run()
    assert not at.exception
    assert 90 <= _shown(at) <= 100 < _shown_in(before)  # about 10 of each of the 10 clusters


def test_each_metric_draws_without_error(app_page):
    at = app_page()
    for metric in ("dp", "l2", "l1"):
        _by_label(at.main.selectbox, "Similarity metric").set_value(metric)
        at.run()
        assert not at.exception, metric
        assert not at.main.error, metric
