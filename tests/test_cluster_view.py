"""cluster_view: the representative sample and hover escaping; fetches go over real HTTP."""

from __future__ import annotations

import numpy as np
import pytest

from centroid_explorer.client import Client
from centroid_explorer.cluster_view import (
    HOVER_LINE_CHARS,
    cluster_names,
    cluster_of,
    fetch_centroids,
    fetch_cluster_sample,
    hover_text,
    readable_fields,
    relevance_sample,
    sample_pages,
)

VF, ALIAS = "text_vector_", "km"


def test_small_clusters_are_taken_whole():
    assert sample_pages(7, per_cluster=50) == (7, [1])


def test_sample_spreads_over_the_whole_ranking():
    page_size, pages = sample_pages(1000, per_cluster=50)
    assert page_size * len(pages) == 50
    assert pages[0] == 1 and pages[-1] == 1000 // page_size  # closest and farthest members both drawn
    assert pages == sorted(set(pages))


def test_hover_escapes_document_text():
    text = hover_text("d<1>", "label & co", {"text": "<script>alert(1)</script>", "n": 3}, 0.5)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "d&lt;1&gt;" in text and "label &amp; co" in text


def test_hover_keeps_line_breaks_and_skips_lists():
    text = hover_text("d1", "c", {"picture": " #\n##", "pixels": [1, 2, 3]}, None)
    assert " #<br>##" in text and "pixels" not in text


def test_hover_shows_quotes_as_quotes_and_wraps_between_words():
    words = " ".join(f"word{i:02d}" for i in range(30))  # 209 characters, under the cut
    text = hover_text('say "hi"', "c", {"text": words}, None)
    assert 'say "hi"' in text  # not &quot;, which plotly would print as it is
    body = text.split("</i>: ", 1)[1].split("<br>")
    assert " ".join(body) == words and all(len(line) <= HOVER_LINE_CHARS for line in body)


def test_hover_names_the_metric_and_shows_distances_positive():
    assert "Cosine similarity to centroid: 0.500" in hover_text("d", "c", {}, 0.5, "cosine")
    assert "Euclidean (L2) distance to centroid: 2.000" in hover_text("d", "c", {}, -2.0, "l2")
    assert "Dot product with centroid: 3.000" in hover_text("d", "c", {}, 3.0, "dp")


def test_cluster_names_are_labels_or_ids_one_line_and_distinct():
    ids = ["a", "b", "c", " ", "line\nbreak"]
    labels = {"a": "Same", "b": "Same", "c": "<b>c</b>"}
    assert cluster_names(ids, labels) == ["Same (a)", "Same (b)", "<b>c</b>", "' '", "line\\nbreak"]


def test_ids_that_are_the_same_text_are_one_cluster():
    """A server that allows numeric ids can list 7 and "7"; ours cannot, so a stand-in client lists them."""

    class Centroids:
        def iter_list(self, *args, **kwargs):
            yield from [{"_id": 7, VF: [1.0, 0.0]}, {"_id": "7", VF: [0.0, 1.0]}, {"_id": "8", VF: [1.0, 1.0]}]

    class StandIn:
        centroids = Centroids()

    ids, vectors = fetch_centroids(StandIn(), "d", VF, ALIAS)
    assert ids == ["7", "8"] and vectors.tolist() == [[1.0, 0.0], [1.0, 1.0]]


def test_readable_fields_drop_vectors_and_labels():
    doc = {"_id": "a", "x_vector_": [1.0], "_cluster_": {}, "_relevance": 0.2, "title": "t"}
    assert readable_fields(doc) == {"title": "t"}


def test_cluster_of_reads_the_nested_label():
    doc = {"_cluster_": {VF: {ALIAS: "c1", "other": "c9"}}}
    assert cluster_of(doc, VF, ALIAS) == "c1" and cluster_of(doc, VF, "missing") is None


@pytest.fixture(scope="module")
def clustered(live_server):
    """Two clusters of unequal size on the shared test server: 'near' (30 docs) and 'far' (4 docs)."""
    rng = np.random.default_rng(0)
    dataset = "cluster-view-test"
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        docs = []
        for cluster, centre, n in (("near", [1.0, 0.0, 0.0], 30), ("far", [0.0, 0.0, 1.0], 4)):
            for i in range(n):
                vector = np.array(centre) + rng.normal(0, 0.05 * (i + 1), 3)
                docs.append({"_id": f"{cluster}-{i}", VF: vector.tolist(), "title": f"<b>{cluster} {i}</b>",
                             "_cluster_": {VF: {ALIAS: cluster}}})
        client.datasets.bulk_insert(dataset, docs)
        client.centroids.insert(dataset, [{"_id": "near", VF: [1.0, 0, 0]}, {"_id": "far", VF: [0, 0, 1.0]}], VF, ALIAS)
        yield client, dataset


def test_fetch_samples_each_cluster_with_matching_rows_and_vectors(clustered):
    client, dataset = clustered
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, per_cluster=10)
    assert sorted(sample.cluster_ids) == ["far", "near"]
    sizes = dict(zip(sample.cluster_ids, sample.sizes.tolist(), strict=False))
    assert sizes == {"near": 30, "far": 4}
    near = sample.documents[sample.documents.cluster_id == "near"]
    assert len(near) == 10 and near["rank"].max() > 20  # far members of the ranking are in the sample
    assert len(sample.documents[sample.documents.cluster_id == "far"]) == 4
    assert sample.document_vectors.shape == (14, 3) and sample.centroids.shape == (2, 3)
    # each row's vector is that document's: cluster_index points at its own centroid's cluster
    for row, position in zip(sample.documents.itertuples(), sample.cluster_index, strict=False):
        assert sample.cluster_ids[position] == row.cluster_id


def test_relevance_sample_covers_the_ranking(clustered):
    client, dataset = clustered
    size, relevance = relevance_sample(client, dataset, VF, ALIAS, "near", "cosine", limit=10)
    assert size == 30 and len(relevance) == 10
    assert relevance[0] == relevance.max()  # closest first
