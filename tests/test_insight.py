"""The insight library on a planted alias, over the real embedded server."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from centroid_explorer.insight import members as members_module
from centroid_explorer.insight.labels import class_tfidf_terms, suggest_labels
from centroid_explorer.insight.members import read_members
from centroid_explorer.insight.outliers import CLOSER, outlier_table, table_csv
from centroid_explorer.insight.quality import cluster_quality
from centroid_explorer.insight.search import find_similar, matching_fields, snippet
from centroid_explorer.metrics import METRICS
from tests.planted import ALIAS, MISASSIGNED, VECTOR_FIELD, WORDS, write_planted

DATASET = "insight-planted"


@pytest.fixture(scope="module")
def planted(client):
    write_planted(client, DATASET)
    return client


@pytest.mark.parametrize("metric", METRICS)
def test_quality_puts_the_cluster_with_planted_misassigned_members_first(planted, metric):
    members = read_members(planted, DATASET, VECTOR_FIELD, ALIAS, metric)
    report = cluster_quality(members, metric)
    assert report.exact and report.read == report.total == 36
    worst = report.clusters[0]
    assert worst.cluster_id == "glaciers"
    assert (worst.size, worst.misassigned, worst.misassigned_share) == (12, 4, pytest.approx(4 / 12))
    assert worst.nearest_cluster_id == "volcanoes"
    by_id = {row.cluster_id: row for row in report.clusters}
    for clean in ("volcanoes", "music"):
        assert by_id[clean].misassigned == 0 and by_id[clean].margin > 0
        assert by_id[clean].silhouette > worst.silhouette
    assert report.clusters[-1].cluster_id == "empty" and report.clusters[-1].size == 0
    assert math.isnan(report.clusters[-1].cohesion)
    if metric in ("l1", "l2"):  # shown as distances: the tight clusters are the closest
        assert by_id["volcanoes"].cohesion < by_id["glaciers"].cohesion
        assert by_id["glaciers"].p10 <= by_id["glaciers"].p50 <= by_id["glaciers"].p90
    else:
        assert by_id["volcanoes"].cohesion > by_id["glaciers"].cohesion


def test_quality_from_a_sample_says_so_and_estimates_the_share(planted, monkeypatch):
    monkeypatch.setattr(members_module, "MIN_PER_CLUSTER", 5)
    members = read_members(planted, DATASET, VECTOR_FIELD, ALIAS, budget=20)  # 5 of each cluster's 12
    assert not members.exact and members.read.tolist() == [5, 5, 5, 0]
    report = cluster_quality(members, "cosine")
    glaciers = next(row for row in report.clusters if row.cluster_id == "glaciers")
    assert glaciers.size == 12 and glaciers.read == 5
    # The sample is spread over the ranking, its last page included: the far (mis-assigned) end is in it.
    assert glaciers.misassigned_share > 0 and glaciers.misassigned == round(glaciers.misassigned_share * 12)


def test_outliers_list_the_planted_members_with_the_closer_cluster(planted):
    members = read_members(planted, DATASET, VECTOR_FIELD, ALIAS, "l2")
    table = outlier_table(members, "l2", labels={"volcanoes": "Volcanoes"}, farthest=4)
    closer = table[table["reason"].str.contains(CLOSER)]
    assert sorted(closer["_id"]) == sorted(MISASSIGNED)
    assert set(closer["closer_cluster_id"]) == {"volcanoes"} and set(closer["closer_cluster_label"]) == {"Volcanoes"}
    assert (closer["closer_score"] < closer["score"]).all()  # distances: the other centroid is nearer
    far_glaciers = table[(table["cluster_id"] == "glaciers")]
    assert set(far_glaciers["_id"]) == set(MISASSIGNED)  # the 4 farthest of glaciers are the planted ones
    assert len(table[table["cluster_id"] == "music"]) == 4 and "glacier" in closer["preview"].iloc[0]


def test_suggested_labels_are_each_clusters_distinctive_words(planted):
    suggestions = suggest_labels(planted, DATASET, VECTOR_FIELD, ALIAS)
    assert suggestions.text_field == "text" and suggestions.exact
    for cluster, words in WORDS.items():
        found = suggestions.labels[cluster]
        assert set(found.terms[:4]) == set(words), cluster
        assert found.label == ", ".join(found.terms[:3])
    assert suggestions.labels["empty"].terms == []
    assert all("report" not in s.terms[:4] for s in suggestions.labels.values())  # in every cluster: not distinctive


def test_suggested_labels_name_a_missing_text_field(planted):
    with pytest.raises(ValueError, match="nope.*fields with text: text, title"):
        suggest_labels(planted, DATASET, VECTOR_FIELD, ALIAS, text_field="nope")


def test_class_tfidf_prefers_words_rare_in_other_clusters():
    labels = class_tfidf_terms({"a": ["apple apple common"], "b": ["banana common common"], "c": ["the of and"]}, terms=2)
    assert labels["a"].terms[0] == "apple" and labels["b"].terms[0] == "banana"
    assert labels["c"].terms == [] and labels["c"].label == ""
    assert class_tfidf_terms({"x": ["the and"]})["x"].terms == []  # nothing but stop words


def test_class_tfidf_reads_each_clusters_first_texts_within_its_share_of_the_characters():
    texts = {"a": ["apple " * 10, "zebra " * 10], "b": ["mango " * 10, "peach " * 10]}  # 60 characters a text
    whole = class_tfidf_terms(texts)
    assert set(whole["a"].terms) == {"apple", "zebra"} and set(whole["b"].terms) == {"mango", "peach"}
    shared = class_tfidf_terms(texts, chars=2 * 60)  # 60 characters a cluster: its closest text only
    assert shared["a"].terms == ["apple"] and shared["b"].terms == ["mango"]
    cut = class_tfidf_terms({"a": ["apple " * 5 + "zebra " * 5]}, chars=30)  # one long text, cut
    assert cut["a"].terms == ["apple"]


def test_find_similar_returns_the_nearest_members_across_clusters(planted):
    members = read_members(planted, DATASET, VECTOR_FIELD, ALIAS)
    query = members.vectors[members.ids.index(MISASSIGNED[0])]
    similar = find_similar(planted, DATASET, VECTOR_FIELD, ALIAS, query, "cosine", count=3, exclude_id=MISASSIGNED[0])
    assert similar.exact and similar.read == 36 and len(similar.results) == 3
    assert {row.document_id for row in similar.results} == set(MISASSIGNED[1:])  # its planted twins, in glaciers
    assert [row.cluster_id for row in similar.results] == ["glaciers"] * 3
    assert similar.results[0].score >= similar.results[-1].score


def test_find_similar_within_a_budget_searches_the_nearest_clusters_first(planted):
    query = np.zeros(16, dtype=np.float32)
    query[1] = 1  # a music-like vector
    similar = find_similar(planted, DATASET, VECTOR_FIELD, ALIAS, query, "l2", count=5, budget=10)
    assert not similar.exact and similar.clusters_searched == 1
    assert all(row.cluster_id == "music" for row in similar.results)
    assert similar.results[0].score <= similar.results[-1].score  # distances, nearest first


def test_text_search_matches_any_case_and_marks_the_match_as_plain_text():
    fields = {"text": "Lava *flows* [here](http://x)", "n": 3, "title": "none"}
    assert matching_fields(fields, "LAVA") == ["text"] and matching_fields(fields, "  ") == []
    assert snippet(fields["text"], "flows") == "Lava *»flows«* [here](http://x)"
    assert snippet("x" * 100 + "needle" + "y" * 100, "needle", 5) == "…xxxxx»needle«yyyyy…"


def test_outlier_csv_keeps_text_cells_from_running_as_formulas():
    frame = pd.DataFrame([{"_id": "=1+1", "cluster_id": "@SUM(A1)", "score": -0.5, "preview": "plain"}])
    lines = table_csv(frame).splitlines()
    assert lines[1] == "'=1+1,'@SUM(A1),-0.5,plain"  # numbers stay numbers; only text is guarded


def test_a_member_without_a_usable_vector_is_left_out_not_fatal(client):
    write_planted(client, "insight-odd-vectors")
    # Our server refuses a vector of another length; a member without one is assigned all the same.
    odd = {"_id": "no-vector", "text": "lava", "_cluster_": {VECTOR_FIELD: {ALIAS: "volcanoes"}}}
    client.datasets.bulk_insert("insight-odd-vectors", [odd])
    members = read_members(client, "insight-odd-vectors", VECTOR_FIELD, ALIAS)
    volcanoes = members.cluster_ids.index("volcanoes")
    assert "no-vector" not in members.ids
    assert members.sizes[volcanoes] == 13 and members.read[volcanoes] == 12 and not members.exact
    assert cluster_quality(members, "cosine").clusters[0].cluster_id == "glaciers"


def test_one_cluster_has_no_nearest_no_margin_and_no_silhouette():
    from centroid_explorer.insight.members import Members

    vectors = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    members = Members(["only"], vectors[:1], np.array([5]), np.array([True]), np.array([5]),
                      [f"d{i}" for i in range(5)], np.zeros(5, dtype=np.int64), vectors, [{}] * 5)
    [row] = cluster_quality(members, "l2").clusters
    assert row.nearest_cluster_id is None and row.misassigned == 0 and row.size == 5
    assert all(row.as_dict()[key] is None for key in ("nearest_similarity", "margin", "silhouette"))
