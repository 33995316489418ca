"""`suggest-labels` and `quality` as a user runs them, against a live server holding a planted alias."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.planted import ALIAS, MISASSIGNED, VECTOR_FIELD, WORDS, write_planted
from tests.test_cli import run_cli

DATASET = "cli-insight"
WHERE = ("--dataset-id", DATASET, "--vector-field", VECTOR_FIELD, "--alias", ALIAS)


@pytest.fixture(scope="module")
def planted(client):
    write_planted(client, DATASET)


def test_suggest_labels_json_is_keyed_by_cluster_with_the_distinctive_words(live_server, planted):
    result = run_cli("suggest-labels", *WHERE, "--terms", "4", "--format", "json", server=live_server)
    assert result.returncode == 0, result.stderr
    labels = json.loads(result.stdout)
    assert set(labels) == {"volcanoes", "music", "glaciers", "empty"}
    for cluster, words in WORDS.items():
        assert set(labels[cluster]["terms"]) == set(words)
        assert labels[cluster]["label"] == ", ".join(labels[cluster]["terms"][:3])
    assert "text field text: read 36 of 36 members (every member)" in result.stderr


def test_suggest_labels_table_and_a_missing_text_field(live_server, planted):
    table = run_cli("suggest-labels", *WHERE, "--text-field", "text", server=live_server)
    assert table.returncode == 0 and table.stdout.splitlines()[0].split() == ["cluster_id", "label", "terms"]
    assert any(line.startswith("volcanoes") and "lava" in line for line in table.stdout.splitlines())
    missing = run_cli("suggest-labels", *WHERE, "--text-field", "body", server=live_server)
    assert missing.returncode == 1 and "'body'" in missing.stderr and "fields with text: text, title" in missing.stderr


@pytest.mark.parametrize("metric", ["cosine", "l2"])
def test_quality_json_puts_the_mixed_cluster_first(live_server, planted, metric):
    result = run_cli("quality", *WHERE, "--metric", metric, "--format", "json", server=live_server)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    first = rows[0]
    assert first["cluster_id"] == "glaciers" and first["nearest_cluster_id"] == "volcanoes"
    assert (first["size"], first["misassigned"]) == (12, len(MISASSIGNED))
    assert first["misassigned_share"] == pytest.approx(4 / 12)
    required = {"cluster_id", "size", "cohesion", "nearest_cluster_id", "nearest_similarity", "margin",
                "misassigned", "misassigned_share", "silhouette"}
    assert all(required <= set(row) for row in rows)
    assert rows[-1]["cluster_id"] == "empty" and rows[-1]["cohesion"] is None  # valid JSON: no NaN
    assert f"metric {metric}: read 36 of 36 members (every member)" in result.stderr


def test_quality_csv_and_table(live_server, planted):
    result = run_cli("quality", *WHERE, "--format", "csv", server=live_server)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["cluster_id"] for row in rows][0] == "glaciers" and rows[0]["misassigned"] == "4"
    table = run_cli("quality", *WHERE, server=live_server)
    assert table.returncode == 0 and table.stdout.splitlines()[1].startswith("glaciers")


def test_quality_of_an_alias_without_centroids_is_one_clear_line(live_server, planted):
    result = run_cli("quality", "--dataset-id", DATASET, "--vector-field", VECTOR_FIELD, "--alias", "nope",
                     server=live_server)
    assert result.returncode == 1 and "no centroids in cli-insight / text_vector_ / nope" in result.stderr
