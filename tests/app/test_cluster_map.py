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


def test_an_unknown_dataset_in_the_url_is_named_and_not_replaced_by_another(app_page):
    """A link made on another connection: say which dataset is missing, show none, keep the link."""
    at = app_page(dataset_id="no-such-dataset", vector_field="v_vector_", alias="a")
    assert not at.exception
    assert _by_label(at.sidebar.selectbox, "Dataset").value is None
    assert [w.value for w in at.main.warning] == [
        "The link names dataset `no-such-dataset`, which this connection does not have."
    ]
    assert not [c for c in at.main.caption if "clusters ·" in c.value]  # no map of another dataset
    assert _param(at, "dataset_id") == "no-such-dataset"

    at.run()  # still said on the next run, until the user picks a dataset
    assert len(at.main.warning) == 1
    _by_label(at.sidebar.selectbox, "Dataset").set_value(DEMO_DATASET)
    at.run()
    assert not at.main.warning
    assert _map_caption(at).startswith("10 clusters")
    assert _param(at, "dataset_id") == DEMO_DATASET


def test_an_unknown_alias_in_the_url_is_named_until_another_is_picked(app_page):
    at = app_page(dataset_id=DEMO_DATASET, vector_field=DEMO_VECTOR_FIELD, alias="no-such-alias")
    assert _by_label(at.sidebar.selectbox, "Clustering alias").value is None
    warning = f"The link names alias `no-such-alias` of `{DEMO_DATASET}` / `{DEMO_VECTOR_FIELD}`, which this connection does not have."
    assert [w.value for w in at.main.warning] == [warning]
    at.run()
    assert [w.value for w in at.main.warning] == [warning]  # still true on the next run
    assert _param(at, "alias") == "no-such-alias"

    _by_label(at.sidebar.selectbox, "Dataset").set_value("python-docs")
    at.run()
    assert not at.main.warning
    assert _by_label(at.sidebar.selectbox, "Clustering alias").value == "kmeans-12"


def test_a_crafted_alias_in_the_url_is_quoted_as_text(app_page):
    """Finding 4: an alias that closes a backtick span and adds a link stays inside one code span."""
    crafted = "x` [Sign in again](https://evil.example/login) ![](https://evil.example/a.png) `"
    at = app_page(dataset_id=DEMO_DATASET, vector_field=DEMO_VECTOR_FIELD, alias=crafted)
    assert not at.exception
    assert [w.value for w in at.main.warning] == [
        f"The link names alias `` {crafted} `` of `{DEMO_DATASET}` / `{DEMO_VECTOR_FIELD}`, "
        "which this connection does not have."
    ]


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
