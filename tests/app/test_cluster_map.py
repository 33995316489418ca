"""Cluster map through AppTest, on the app's embedded server with the demo data."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from tests.hostile import as_read

DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS = "digits", "pixels_vector_", "kmeans-10"


def _by_label(elements, label):
    return next(e for e in elements if e.label == label)


def _param(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def _drawn(at) -> int:
    return int(re.search(r"(?:all|drawing) ([\d,]+)", _map_caption(at)).group(1).replace(",", ""))


def _values(array) -> list:
    """A figure's array as plotly sends it: a list, or numpy's bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return array


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _names(the_map: dict) -> list[str]:
    """The names drawn by centroids: the text of the map's "names" trace."""
    return next(trace["text"] for trace in the_map["data"] if trace["meta"] == "names")


def _map_caption(at) -> str:
    return next(c.value for c in at.main.caption if "clusters ·" in c.value)


def test_map_runs_on_the_demo_data(app_page):
    at = app_page()
    assert not at.exception
    assert [s.value for s in at.sidebar.selectbox] == [DEMO_DATASET, DEMO_VECTOR_FIELD, DEMO_ALIAS]
    assert _map_caption(at).startswith("10 clusters · 1,797 documents · all 1,797 drawn")
    assert len(at.get("plotly_chart")) == 3  # the map, cluster sizes, centroid similarity
    the_map = _figures(at)[0]
    assert [trace["meta"] for trace in the_map["data"]] == ["document", "centroid", "names"]  # not two traces per cluster
    assert len(_values(the_map["data"][0]["x"])) == 1797 and len(_names(the_map)) == 10  # every centroid named


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


def test_fewer_documents_on_the_map_draws_a_stated_sample(app_page):
    at = app_page()
    _by_label(at.main.selectbox, "Documents on the map").set_value(1_000)
    at.run()
    assert not at.exception
    assert 950 <= _drawn(at) <= 1_000 and "sizes are estimated" in _map_caption(at)  # the last page may be short
    assert "estimated from the sample" in _figures(at)[1]["layout"]["title"]["text"]


@pytest.fixture(scope="module")
def many_clusters(demo_client):
    """60 clusters of 2 to 61 members (cluster c59 the largest), in 4 dimensions."""
    rng = np.random.default_rng(3)
    dataset, field, alias = "many-clusters", "v_vector_", "k60"
    centres = rng.normal(size=(60, 4)).astype(np.float32)
    documents = [
        {"_id": f"d{c}-{i}", field: (centres[c] + rng.normal(0, 0.01, 4)).tolist(), "_cluster_": {field: {alias: f"c{c}"}}}
        for c in range(60) for i in range(c + 2)
    ]
    demo_client.datasets.bulk_insert(dataset, documents)
    demo_client.centroids.insert(dataset, [{"_id": f"c{c}", field: centres[c].tolist()} for c in range(60)], field, alias)
    return dict(dataset_id=dataset, vector_field=field, alias=alias)


def test_many_clusters_name_a_few_and_show_the_largest_smallest_and_nearest(app_page, many_clusters):
    at = app_page(**many_clusters)
    assert not at.exception
    the_map, sizes, distribution, heatmap = _figures(at)
    assert len(the_map["data"]) == 3 and the_map["layout"]["showlegend"] is False
    named = _names(the_map)
    assert 0 < len(named) <= 10 and "c59" in named  # the largest ten at most, not sixty labels in a pile
    assert sizes["layout"]["title"]["text"] == "The 10 largest and 10 smallest of 60 clusters"
    assert sizes["data"][0]["customdata"][0] == "c59" and sizes["data"][0]["customdata"][-1] == "c0"
    assert distribution["data"][0]["type"] == "histogram"
    assert "the largest cluster and its 24 nearest" in heatmap["layout"]["title"]["text"]
    assert heatmap["data"][0]["z"]["shape"] == "25, 25" and heatmap["layout"]["yaxis"]["ticktext"][0] == "c59"


def test_a_found_cluster_is_highlighted_and_centres_the_heatmap(app_page, many_clusters):
    at = app_page(**many_clusters)
    finder = _by_label(at.main.selectbox, "Find a cluster")
    finder.set_value(finder.options.index("c7"))
    at.run()
    assert not at.exception
    the_map, _, _, heatmap = _figures(at)
    highlight = the_map["data"][1]
    assert highlight["name"] == "highlighted" and len(_values(highlight["x"])) == 9  # c7 has 9 members
    assert "c7" in _names(the_map)
    assert heatmap["layout"]["yaxis"]["ticktext"][0] == "c7" and "the found cluster" in heatmap["layout"]["title"]["text"]
    assert [b.label for b in at.button] == ["Open the found cluster's documents"]


def test_each_metric_draws_without_error(app_page):
    at = app_page()
    for metric in ("dp", "l2", "l1"):
        _by_label(at.main.selectbox, "Similarity metric").set_value(metric)
        at.run()
        assert not at.exception, metric
        assert not at.main.error, metric


def test_a_link_naming_a_cluster_opens_the_map_with_it_found(app_page, many_clusters):
    at = app_page(**many_clusters, cluster_id="c12")
    assert not at.exception
    finder = _by_label(at.main.selectbox, "Find a cluster")
    assert finder.value == finder.options.index("c12")
    assert _figures(at)[0]["data"][1]["name"] == "highlighted"


def test_colour_by_a_field_with_a_filter_and_search_emphasises_matches(app_page):
    at = app_page(dataset_id="python-docs", vector_field="text_vector_", alias="kmeans-12")
    colour = _by_label(at.main.selectbox, "Colour by")
    assert colour.value is None  # by cluster
    assert "module" in colour.options  # the text demo's documents name their module
    colour.set_value("module")
    at.run()
    assert not at.exception
    the_map = _figures(at)[0]
    assert the_map["layout"]["showlegend"] is True
    legend = [t["name"] for t in the_map["data"] if t.get("meta") == "legend"]
    assert 1 < len(legend) <= 11 and legend[-1] == "other"
    values = _by_label(at.main.multiselect, "Only these values")
    values.set_value([values.options[0]])
    at.run()
    shown = len(_values(_figures(at)[0]["data"][0]["x"]))
    assert 0 < shown < 2_655 and any(f"Showing {shown:,} of the" in c.value for c in at.main.caption)

    _by_label(at.main.multiselect, "Only these values").set_value([])
    _by_label(at.main.text_input, "Search the documents' text").set_value("thread")
    at.run()
    assert not at.exception
    matches = next(t for t in _figures(at)[0]["data"] if t.get("name") == "matches")
    found = next(c.value for c in at.main.caption if "contain the search text" in c.value)
    assert 0 < len(_values(matches["x"])) <= int(found.split()[0].replace(",", ""))


def test_clusters_without_a_label_are_named_by_their_words_marked_as_suggested(app_page, demo_client):
    dataset, field, alias = "worded-clusters", "v_vector_", "k3"
    words = {"c0": "volcano lava crater", "c1": "violin cello orchestra", "c2": "tomato basil garlic"}
    rng = np.random.default_rng(5)
    demo_client.datasets.bulk_insert(dataset, [
        {"_id": f"{cid}-{i}", field: (np.eye(3)[n] + rng.normal(0, 0.05, 3)).tolist(),
         "text": f"notes on {words[cid]} number {i}", "_cluster_": {field: {alias: cid}}}
        for n, cid in enumerate(words) for i in range(6)
    ])
    demo_client.centroids.insert(dataset, [{"_id": cid, field: np.eye(3)[n].tolist()} for n, cid in enumerate(words)], field, alias)
    demo_client.centroids.metadata(dataset, field, alias, {"clusters": {"c2": {"label": "Cooking"}}})
    at = app_page(dataset_id=dataset, vector_field=field, alias=alias)
    assert not at.exception
    named = _names(_figures(at)[0])
    assert "Cooking" in named  # a label someone wrote is kept as it is
    suggested = {text for text in named if text.startswith("≈ ")}
    assert len(suggested) == 2 and any("volcano" in t for t in suggested) and any("violin" in t for t in suggested)
    assert "≈ marks a label suggested" in _map_caption(at)
