"""cluster_sample and the map's hover: every document up to a cap, a sample spread over the ranking past it, hover
escaping; fetches go over real HTTP."""

from __future__ import annotations

import dataclasses

import httpx
import numpy as np
import pandas as pd
import pytest

from centroid_explorer import array_pages
from centroid_explorer.alias_centroids import read_centroids
from centroid_explorer.client import Client
from centroid_explorer.cluster_sample import (
    MAP_TEXT_CHARS,
    cluster_of,
    fetch_cluster_sample,
    readable_fields,
    relevance_sample,
    sample_pages,
)
from centroid_explorer.display import cluster_names
from centroid_explorer.metrics import similarity
from centroid_explorer.projection.core import PCA_DIMS
from components.hover import HOVER_BUDGET, HOVER_LINE_CHARS, field_lines, tooltips

VF, ALIAS = "text_vector_", "km"


def test_everything_under_the_cap_is_read():
    assert sample_pages(7, cap=50) == (7, [1])
    page_size, pages = sample_pages(4_500, cap=10_000)
    assert page_size * len(pages) >= 4_500 and pages == list(range(1, len(pages) + 1))


def test_sample_spreads_over_the_whole_ranking():
    page_size, pages = sample_pages(100_000, cap=1_000)
    assert page_size * len(pages) == 1_000
    assert pages[0] == 1 and pages[-1] == 100_000 // page_size  # closest and farthest members both drawn
    assert pages == sorted(set(pages))


def test_hover_escapes_document_text():
    text = field_lines({"text": "<script>alert(1)</script>", "n": 3, "<i>field</i>": "x"})
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;i&gt;field&lt;/i&gt;" in text


def test_hover_keeps_line_breaks_and_skips_lists():
    text = field_lines({"picture": " #\n##", "pixels": [1, 2, 3]})
    assert " #<br>##" in text and "pixels" not in text


def test_hover_shows_quotes_as_quotes_and_wraps_between_words():
    words = " ".join(f"word{i:02d}" for i in range(30))  # 209 characters, under the cut
    text = field_lines({"text": 'say "hi" ' + words})
    assert 'say "hi"' in text  # not &quot;, which plotly would print as it is
    body = text.split("</i>: ", 1)[1].split("<br>")
    assert " ".join(body) == 'say "hi" ' + words and all(len(line) <= HOVER_LINE_CHARS for line in body)


def test_cluster_names_are_labels_or_ids_one_line_and_distinct():
    ids = ["a", "b", "c", " ", "line\nbreak"]
    labels = {"a": "Same", "b": "Same", "c": "<b>c</b>"}
    assert cluster_names(ids, labels) == ["Same (a)", "Same (b)", "<b>c</b>", "' '", "line\\nbreak"]


def test_ids_that_are_the_same_text_are_one_cluster():
    """A server that allows numeric ids (the hosted API, which answers JSON) can list 7 and "7"; ours cannot. Read
    over two pages: the first of the same text is kept, and a centroid without the vector is left out."""
    pages = {"": {"documents": [{"_id": 7, VF: [1.0, 0.0]}, {"_id": "bare"}], "cursor": "next", "count": 4},
             "next": {"documents": [{"_id": "7", VF: [0.0, 1.0]}, {"_id": "8", VF: [1.0, 1.0]}], "cursor": None, "count": 4}}

    def hosted(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("cursor", "")])

    with Client("https://hosted.test", "p", "k", transport=httpx.MockTransport(hosted)) as client:
        read = read_centroids(client, "d", VF, ALIAS)
    assert read.ids == ["7", "8"] and read.vectors.tolist() == [[1.0, 0.0], [1.0, 1.0]]


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


def test_under_the_cap_every_document_is_drawn_with_its_own_vector_and_counted(clustered):
    client, dataset = clustered
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, cap=100)
    assert sample.complete and sample.total == 34 and sample.drawn == 34
    assert dict(zip(sample.cluster_ids, sample.sizes.tolist(), strict=True)) == {"near": 30, "far": 4}
    assert sample.document_vectors.shape == (34, 3) and sample.centroids.vectors.shape == (2, 3)
    stored = {d["_id"]: d[VF] for d in client.datasets.iter_documents(dataset, include_vector=True)}
    for row, position, vector in zip(sample.documents.itertuples(), sample.cluster_index, sample.document_vectors, strict=True):
        assert sample.cluster_ids[position] == row.cluster_id
        np.testing.assert_allclose(vector, stored[row._1], rtol=1e-6)  # the row's own vector


def test_our_server_sends_the_vectors_as_float32_and_they_equal_the_json_ones(clustered, live_server):
    client, dataset = clustered
    as_json = client.centroids.documents(dataset, [], VF, ALIAS, page_size=50, include_vector=True)
    page = client.centroids.documents_with_vectors(dataset, [], VF, ALIAS, page_size=50)
    assert [d["_id"] for d in page.payload["results"]] == [d["_id"] for d in as_json["results"]]
    assert [d["_relevance"] for d in page.payload["results"]] == [d["_relevance"] for d in as_json["results"]]
    assert all(VF not in d for d in page.payload["results"]) and page.present().all()
    np.testing.assert_array_equal(page.vectors, np.array([d[VF] for d in as_json["results"]], np.float32))
    body = {"dataset_id": dataset, "cluster_ids": [], "vector_field": VF, "alias": ALIAS, "page_size": 50,
            "include_vector": True}
    headers = {"Authorization": f"{live_server.project}:{live_server.api_key}"}
    raw = httpx.post(f"{live_server.base_url}/services/cluster/centroids/documents", json=body,
                     headers={**headers, "Accept": array_pages.MEDIA_TYPE})
    plain = httpx.post(f"{live_server.base_url}/services/cluster/centroids/documents", json=body, headers=headers)
    assert raw.headers["content-type"] == array_pages.MEDIA_TYPE and plain.headers["content-type"] == "application/json"
    assert len(raw.content) < len(plain.content)


def test_a_member_without_the_vector_is_left_off_the_map_and_counted(live_server):
    dataset = "cluster-view-no-vector"
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(dataset, [
            {"_id": "with", VF: [1.0, 0.0, 0.0], "_cluster_": {VF: {ALIAS: "c"}}},
            {"_id": "without", "title": "no vector", "_cluster_": {VF: {ALIAS: "c"}}},
        ])
        client.centroids.insert(dataset, [{"_id": "c", VF: [1.0, 0.0, 0.0]}], VF, ALIAS)
        page = client.centroids.documents_with_vectors(dataset, [], VF, ALIAS, page_size=10)
        assert [d["_id"] for d in page.payload["results"]] == ["with", "without"] and page.present().tolist() == [True, False]
        sample = fetch_cluster_sample(client, dataset, VF, ALIAS)
    assert sample.documents["_id"].tolist() == ["with"] and sample.unplaced == 1 and sample.complete


def test_the_map_rows_keep_the_assignment_and_every_readable_field_of_odd_documents(live_server):
    """A document's own `cluster_id` field does not replace its assignment; fields that only some documents
    have and nested ones come through as a person would read them."""
    dataset = "cluster-view-odd-fields"
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(dataset, [
            {"_id": "a", VF: [1.0, 0.0, 0.0], "cluster_id": "theirs", "meta": {"k": 1}, "_cluster_": {VF: {ALIAS: "c"}}},
            {"_id": "b", VF: [0.9, 0.1, 0.0], "only_b": 7, "_cluster_": {VF: {ALIAS: "c", "other": "x"}}},
        ])
        client.centroids.insert(dataset, [{"_id": "c", VF: [1.0, 0.0, 0.0]}], VF, ALIAS)
        rows = fetch_cluster_sample(client, dataset, VF, ALIAS).documents.set_index("_id")
    assert rows["cluster_id"].to_dict() == {"a": "c", "b": "c"}
    assert rows.loc["a", "meta"] == {"k": 1} and rows.loc["b", "only_b"] == 7 and pd.isna(rows.loc["a", "only_b"])
    assert list(rows.columns[:2]) == ["cluster_id", "_relevance"] and "_cluster_" not in rows.columns


def test_past_the_cap_a_sample_over_the_whole_ranking_estimates_sizes(clustered):
    client, dataset = clustered
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, cap=10)
    assert not sample.complete and sample.drawn == 10 and sample.total == 34
    relevance = sample.documents["_relevance"].to_numpy()
    assert relevance.max() > 0.99 and relevance.min() < 0.5  # close and far members both drawn
    assert abs(int(sample.sizes.sum()) - 34) <= 2  # each cluster's share of the sample, scaled


def test_hover_text_shrinks_with_the_number_drawn_and_stays_in_budget(clustered):
    client, dataset = clustered
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, cap=100)
    full = tooltips(sample, {})
    assert full.details is not None and all("title" in text for text in full.details)
    many = sample.documents.loc[np.zeros(200_000, dtype=int)].reset_index(drop=True)  # 200,000 rows to hover
    big = dataclasses.replace(sample, total=200_000, documents=many, cluster_index=np.zeros(200_000, dtype=np.int64))
    compact = tooltips(big, {})
    assert compact.details is None and sum(len(t) for t in compact.titles) <= HOVER_BUDGET
    assert all(t.startswith("near-0 · ") for t in compact.titles[:3])


def test_relevance_sample_covers_the_ranking(clustered):
    client, dataset = clustered
    size, relevance = relevance_sample(client, dataset, VF, ALIAS, "near", "cosine", limit=10)
    assert size == 30 and len(relevance) == 10
    assert relevance[0] == relevance.max()  # closest first


@pytest.fixture(scope="module")
def large(live_server):
    """5,000 documents x 64 dims in 4 clusters: past the size where the map lays out principal components."""
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 64)).astype(np.float32)
    labels = rng.integers(0, 4, 5_000)
    vectors = centres[labels] + rng.normal(0, 0.4, (5_000, 64)).astype(np.float32)
    dataset = "cluster-view-large"
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(dataset, [{"_id": f"d{i}", VF: vectors[i].tolist(), "_cluster_": {VF: {ALIAS: f"c{labels[i]}"}}}
                                              for i in range(5_000)])
        client.centroids.insert(dataset, [{"_id": f"c{c}", VF: centres[c].tolist()} for c in range(4)], VF, ALIAS)
        yield client, dataset, dict(zip((f"d{i}" for i in range(5_000)), vectors, strict=True))


def test_a_large_sample_keeps_what_the_layout_uses_and_the_clusters_stay_apart(large):
    client, dataset, stored = large
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, cap=10_000, metric="cosine")
    assert sample.drawn == 5_000 and sample.layout_metric == "l2"
    assert sample.document_vectors.shape == (5_000, PCA_DIMS) and sample.layout_centroids.shape == (4, PCA_DIMS)
    full = np.array([stored[i] for i in sample.documents["_id"]])
    by_cosine = np.argmax(similarity(full, sample.centroids.vectors, "cosine"), axis=1)
    reduced = ((sample.document_vectors[:, None, :] - sample.layout_centroids[None]) ** 2).sum(-1).argmin(axis=1)
    assert (reduced == by_cosine).mean() > 0.99  # each document still lies by the centroid it is closest to


def test_l1_keeps_the_vectors_themselves(large):
    client, dataset, stored = large
    sample = fetch_cluster_sample(client, dataset, VF, ALIAS, cap=10_000, metric="l1")
    assert sample.layout_metric == "l1" and sample.document_vectors.shape == (5_000, 64)
    np.testing.assert_array_equal(sample.document_vectors[0], stored[sample.documents["_id"][0]])


def test_the_map_keeps_the_start_of_a_long_text_and_short_ones_whole(live_server):
    """A corpus of long texts is not held whole by the map (its tooltips, search and labels need the start)."""
    dataset = "cluster-view-long-text"
    long_text = "the start " + "words " * 2_000
    with Client(live_server.base_url, live_server.project, live_server.api_key) as client:
        client.datasets.bulk_insert(dataset, [
            {"_id": "long", VF: [1.0, 0.0, 0.0], "body": long_text, "n": 3, "_cluster_": {VF: {ALIAS: "c"}}},
            {"_id": "short", VF: [0.9, 0.1, 0.0], "body": "a short one", "n": 4, "_cluster_": {VF: {ALIAS: "c"}}},
        ])
        client.centroids.insert(dataset, [{"_id": "c", VF: [1.0, 0.0, 0.0]}], VF, ALIAS)
        rows = fetch_cluster_sample(client, dataset, VF, ALIAS).documents.set_index("_id")
    assert rows.loc["long", "body"] == long_text[:MAP_TEXT_CHARS] + "…"
    assert rows.loc["short", "body"] == "a short one" and rows["n"].tolist() == [3, 4]
