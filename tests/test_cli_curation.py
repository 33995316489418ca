"""merge-clusters and split-cluster as a user runs them, in a subprocess against the live server."""

from __future__ import annotations

from centroid_explorer.alias_centroids import centroid_ids
from centroid_explorer.curation.state import read_assignments
from tests.test_cli import run_cli
from tests.test_curation_writes import ALIAS, FIELD, PER_CLUSTER, dataset, snapshot  # noqa: F401 - a fixture


def test_merge_clusters_into_a_new_alias(live_server, client, dataset):  # noqa: F811
    before = snapshot(client, dataset)
    result = run_cli("merge-clusters", "--dataset-id", dataset, "--vector-field", FIELD, "--alias", ALIAS,
                     "--clusters", "b,c", "--into-alias", "bc", server=live_server)
    assert result.returncode == 0, result.stderr
    assert "Merge 2 clusters ('b', 'c') into 'b'" in result.stdout and f"b: {PER_CLUSTER} -> {2 * PER_CLUSTER}" in result.stdout
    assert sorted(centroid_ids(client, dataset, FIELD, "bc")) == ["a", "b"]
    assert snapshot(client, dataset) == before


def test_split_cluster_in_place(live_server, client, dataset):  # noqa: F811
    result = run_cli("split-cluster", "--dataset-id", dataset, "--vector-field", FIELD, "--alias", ALIAS,
                     "--cluster", "a", "--k", "2", "--metric", "l2", server=live_server)
    assert result.returncode == 0, result.stderr
    assert sorted(centroid_ids(client, dataset, FIELD, ALIAS)) == ["a-1", "a-2", "b", "c"]
    assert {cid for doc, cid in read_assignments(client, dataset, FIELD, ALIAS).items() if doc.startswith("a")} == {"a-1", "a-2"}


def test_bad_clusters_or_k_are_one_line_and_write_nothing(live_server, client, dataset):  # noqa: F811
    before = snapshot(client, dataset)
    for args, message in (
        (["merge-clusters", "--clusters", "a,nope"], "error: alias 'k3' has no cluster 'nope'"),
        (["merge-clusters", "--clusters", "a"], "error: a merge needs at least two different clusters"),
        (["split-cluster", "--cluster", "a", "--k", "7"], "error: k must be from 2 to 5, got 7"),
        (["split-cluster", "--cluster", "a", "--k", "2", "--into-alias", "other"],
         "error: documents are already assigned under the alias 'other'"),
    ):
        result = run_cli(*args, "--dataset-id", dataset, "--vector-field", FIELD, "--alias", ALIAS, server=live_server)
        assert result.returncode == 1 and result.stderr.strip().startswith(message), result.stderr
    assert snapshot(client, dataset) == before
