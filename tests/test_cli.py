"""The CLI as a user runs it: `python -m centroid_explorer ...` in a subprocess, against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from centroid_explorer import centroid_csv
from centroid_explorer.client import Client, NotFoundError
from centroid_explorer.endpoint import WRONG_BASE_URL, Endpoint, probe
from centroid_explorer.server.runner import EmbeddedServer
from components.api_errors import describe

REPO = Path(__file__).resolve().parents[1]
CONNECTION_VARIABLES = ("RELEVANCE_BASE_URL", "RELEVANCE_PROJECT", "RELEVANCE_API_KEY", "CENTROID_EXPLORER_DATA")


def run_cli(*args: str, server: EmbeddedServer | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI; with `server`, it connects there through the RELEVANCE_* variables."""
    environment = {k: v for k, v in os.environ.items() if k not in CONNECTION_VARIABLES}
    if server is not None:
        environment |= {
            "RELEVANCE_BASE_URL": server.base_url,
            "RELEVANCE_PROJECT": server.project,
            "RELEVANCE_API_KEY": server.api_key,
        }
    result = subprocess.run(
        [sys.executable, "-m", "centroid_explorer", *args],
        cwd=REPO, env=environment | (env or {}), capture_output=True, text=True, timeout=300,
    )
    if server is not None:
        assert server.api_key not in result.stdout + result.stderr, "the API key was printed"
    assert "Traceback" not in result.stderr, result.stderr
    return result



@pytest.fixture(scope="module")
def vectors_dataset(client):
    """A dataset with a 4-dimensional vector field, for the centroid commands."""
    rng = np.random.default_rng(3)
    documents = [{"_id": f"d{i}", "n": i, "x_vector_": rng.normal(size=4).tolist()} for i in range(20)]
    client.datasets.bulk_insert("cli-vectors", documents)
    return "cli-vectors"


def test_help_explains_every_command_with_examples():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "load", "cluster", "import-centroids", "export-centroids"):
        assert command in result.stdout
    assert "examples:" in result.stdout and "RELEVANCE_BASE_URL" in result.stdout


@pytest.mark.parametrize("command", ["serve", "demo", "load", "cluster", "import-centroids", "export-centroids"])
def test_each_command_has_its_own_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert f"usage: python -m centroid_explorer {command}" in result.stdout


def test_import_then_export_round_trips_the_centroids(live_server, client, vectors_dataset, tmp_path):
    vectors = np.random.default_rng(5).normal(size=(3, 4)).astype(np.float32)
    csv_file = tmp_path / "centroids.csv"
    csv_file.write_text(centroid_csv.export(["c-a", "c-b", "c-c"], vectors))
    imported = run_cli(
        "import-centroids", str(csv_file), "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
        "--alias", "imported", server=live_server,
    )
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 centroids" in imported.stdout
    stored = client.centroids.get(vectors_dataset, ["c-b"], "x_vector_", "imported")["documents"]
    np.testing.assert_array_equal(np.float32(stored[0]["x_vector_"]), vectors[1])

    exported = run_cli(
        "export-centroids", "--dataset-id", vectors_dataset, "--vector-field", "x_vector_", "--alias", "imported",
        server=live_server,
    )
    assert exported.returncode == 0, exported.stderr
    parsed = centroid_csv.parse(exported.stdout)
    assert parsed.ids == ["c-a", "c-b", "c-c"]
    np.testing.assert_array_equal(parsed.vectors, vectors)


def test_a_bad_csv_names_row_and_column_and_writes_nothing(live_server, client, vectors_dataset, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("_id,v0,v1,v2,v3\nok,1,2,3,4\nbad,1,two,3,4\nok,1,2,3,4\n")
    result = run_cli(
        "import-centroids", str(csv_file), "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
        "--alias", "never-written", server=live_server,
    )
    assert result.returncode == 1
    assert "nothing was written" in result.stderr
    assert "row 3, column 'v1': not a number: 'two'" in result.stderr
    assert "row 4, column '_id': duplicate id 'ok' (first on row 2)" in result.stderr
    with pytest.raises(NotFoundError):  # the alias was never created
        client.centroids.list(vectors_dataset, "x_vector_", "never-written")


def test_a_csv_of_the_wrong_dimension_is_refused(live_server, vectors_dataset, tmp_path):
    csv_file = tmp_path / "three.csv"
    csv_file.write_text(centroid_csv.template(3))
    result = run_cli(
        "import-centroids", str(csv_file), "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
        "--alias", "wrong-dim", server=live_server,
    )
    assert result.returncode == 1
    assert "row 1: the file has 3 vector columns; the vector field has dimension 4" in result.stderr


def test_importing_into_an_alias_with_centroids_needs_replace(live_server, client, vectors_dataset, tmp_path):
    csv_file = tmp_path / "two.csv"
    csv_file.write_text(centroid_csv.template(4, rows=2))
    args = ["import-centroids", str(csv_file), "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
            "--alias", "replaced"]
    client.centroids.insert(vectors_dataset, [{"_id": "old", "x_vector_": [1, 1, 1, 1]}], "x_vector_", "replaced")
    refused = run_cli(*args, server=live_server)
    assert refused.returncode == 1 and "--replace" in refused.stderr
    replaced = run_cli(*args, "--replace", server=live_server)
    assert replaced.returncode == 0, replaced.stderr
    ids = [c["_id"] for c in client.centroids.iter_list(vectors_dataset, "x_vector_", "replaced")]
    assert sorted(ids) == ["cluster_0", "cluster_1"]


def test_unknown_dataset_or_field_is_one_clear_line(live_server, vectors_dataset, tmp_path):
    csv_file = tmp_path / "c.csv"
    csv_file.write_text(centroid_csv.template(4))
    missing = run_cli("import-centroids", str(csv_file), "--dataset-id", "no-such-dataset", "--vector-field",
                      "x_vector_", server=live_server)
    assert missing.returncode == 1 and "no dataset 'no-such-dataset'" in missing.stderr
    field = run_cli("import-centroids", str(csv_file), "--dataset-id", vectors_dataset, "--vector-field",
                    "y_vector_", server=live_server)
    assert field.returncode == 1 and "has no vector field 'y_vector_' (its vector fields: x_vector_)" in field.stderr
    no_file = run_cli("import-centroids", str(tmp_path / "nope.csv"), "--dataset-id", vectors_dataset,
                      "--vector-field", "x_vector_", server=live_server)
    assert no_file.returncode == 1 and "no such file" in no_file.stderr


def test_load_reports_bad_lines_by_number_and_writes_nothing(live_server, client, tmp_path):
    lines = [
        {"_id": "a", "title": "first", "t_vector_": [1, 2, 3]},
        {"_id": "b", "title": "second", "t_vector_": [1, 2, 3]},
        "this line is not JSON",
        {"_id": "c", "t_vector_": [1, 2]},
    ]
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    result = run_cli("load", str(jsonl), "--dataset-id", "cli-bad-load", server=live_server)
    assert result.returncode == 1
    assert "line 3: not valid JSON" in result.stderr
    assert "line 4: `t_vector_` has 2 numbers; the field has 3" in result.stderr
    assert "cli-bad-load" not in client.datasets.list()


def test_load_streams_a_good_file_in(live_server, client, tmp_path):
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps({"_id": f"d{i}", "n": i, "t_vector_": [i, 1.0]}) + "\n" for i in range(30)))
    result = run_cli("load", str(jsonl), "--dataset-id", "cli-good-load", server=live_server)
    assert result.returncode == 0, result.stderr
    assert "loaded 30 documents into cli-good-load; vector fields: t_vector_ (2)" in result.stdout
    assert client.datasets.list_documents("cli-good-load")["count"] == 30


def test_load_a_csv_with_vectors_as_json_text(live_server, client, tmp_path):
    csv_file = tmp_path / "docs.csv"
    csv_file.write_text('_id,title,score,t_vector_\nr1,"hello, world",3,"[1, 2]"\nr2,bye,0.5,"[3, 4]"\n')
    result = run_cli("load", str(csv_file), "--dataset-id", "cli-csv-load", server=live_server)
    assert result.returncode == 0, result.stderr
    documents = {d["_id"]: d for d in client.datasets.iter_documents("cli-csv-load", include_vector=True)}
    assert documents["r1"] == {"_id": "r1", "title": "hello, world", "score": 3, "t_vector_": [1.0, 2.0]}


def test_cluster_writes_assignments_centroids_and_the_run(live_server, client, tmp_path):
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [10, 10], [-10, 10]], dtype=float)
    documents = [
        {"_id": f"p{i}", "blob": i % 3, "p_vector_": (centers[i % 3] + rng.normal(scale=0.5, size=2)).tolist()}
        for i in range(30)
    ]
    client.datasets.bulk_insert("cli-cluster", documents)
    client.centroids.insert("cli-cluster", [{"_id": "x", "p_vector_": [0, 0]}], "p_vector_", "blobs")
    client.centroids.metadata("cli-cluster", "p_vector_", "blobs", {"owner": "someone", "clusters": {}})

    result = run_cli("cluster", "--dataset-id", "cli-cluster", "--vector-field", "p_vector_", "--k", "3",
                     "--alias", "blobs", server=live_server)
    assert result.returncode == 0, result.stderr
    assert "k-means k=3 on 30 documents" in result.stdout

    stored = list(client.datasets.iter_documents("cli-cluster"))
    by_blob: dict[int, set[str]] = {}
    for document in stored:
        by_blob.setdefault(document["blob"], set()).add(document["_cluster_"]["p_vector_"]["blobs"])
    assert all(len(ids) == 1 for ids in by_blob.values())  # each blob is one cluster
    assert len(set().union(*by_blob.values())) == 3  # and the blobs are three clusters
    centroid_ids = sorted(c["_id"] for c in client.centroids.iter_list("cli-cluster", "p_vector_", "blobs"))
    assert centroid_ids == ["cluster_0", "cluster_1", "cluster_2"]  # the old centroid "x" is gone
    metadata = client.centroids.metadata("cli-cluster", "p_vector_", "blobs")
    assert metadata["owner"] == "someone"
    assert metadata["run"]["algorithm"] == "kmeans" and metadata["run"]["k"] == 3 and metadata["run"]["inertia"] > 0


def test_cluster_with_too_large_k_is_a_user_error(live_server, client):
    client.datasets.bulk_insert("cli-tiny", [{"_id": "a", "q_vector_": [1, 2]}, {"_id": "b", "q_vector_": [2, 1]}])
    result = run_cli("cluster", "--dataset-id", "cli-tiny", "--vector-field", "q_vector_", "--k", "5",
                     server=live_server)
    assert result.returncode == 1
    assert "k=5 clusters need at least 5 documents with vectors; there are 2" in result.stderr
    with pytest.raises(NotFoundError):
        client.centroids.list("cli-tiny", "q_vector_", "kmeans-5")


def test_base_url_without_credentials_is_refused(live_server):
    result = run_cli("export-centroids", "--dataset-id", "x", "--vector-field", "x_vector_",
                     env={"RELEVANCE_BASE_URL": live_server.base_url})
    assert result.returncode == 1
    assert "--base-url needs a project and an API key" in result.stderr


def test_with_nothing_configured_commands_use_the_local_data_folder(tmp_path):
    data = tmp_path / "data"
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(json.dumps({"_id": "only", "v_vector_": [0.5, 0.5]}) + "\n")
    result = run_cli("load", str(jsonl), "--dataset-id", "local-docs", env={"CENTROID_EXPLORER_DATA": str(data)})
    assert result.returncode == 0, result.stderr
    assert f"using the local data folder {data}" in result.stderr
    with EmbeddedServer(data) as server:  # the dashboard's default backend sees what the CLI loaded
        with Client(server.base_url, server.project, server.api_key) as local:
            assert [d["_id"] for d in local.datasets.iter_documents("local-docs")] == ["only"]
        assert server.api_key not in result.stdout + result.stderr


def test_load_parquet_reports_bad_rows_and_reads_vectors_as_lists_or_json_text(live_server, client, tmp_path):
    import pandas as pd

    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"_id": ["a", "b", "c"], "w_vector_": ["[1, 2]", "[1, 2, 3]", "[0, 1]"]}).to_parquet(bad)
    refused = run_cli("load", str(bad), "--dataset-id", "cli-parquet", server=live_server)
    assert refused.returncode == 1
    assert "row 2: `w_vector_` has 3 numbers; the field has 2" in refused.stderr
    assert "cli-parquet" not in client.datasets.list()

    good = tmp_path / "good.parquet"
    pd.DataFrame({"_id": ["a", "b"], "w_vector_": [[1.0, 2.0], [3.0, 4.0]], "label": ["x", None]}).to_parquet(good)
    loaded = run_cli("load", str(good), "--dataset-id", "cli-parquet", server=live_server)
    assert loaded.returncode == 0, loaded.stderr
    documents = list(client.datasets.iter_documents("cli-parquet", include_vector=True))
    assert documents == [{"_id": "a", "w_vector_": [1.0, 2.0], "label": "x"}, {"_id": "b", "w_vector_": [3.0, 4.0]}]


def test_serve_runs_the_api_for_other_clients(tmp_path):
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if k not in CONNECTION_VARIABLES}
    server = subprocess.Popen(
        [sys.executable, "-m", "centroid_explorer", "serve", "--port", str(port), "--data", str(tmp_path),
         "--project", "p", "--api-key", "serve-secret"],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        first_line = server.stdout.readline()
        assert first_line.strip() == f"Centroid Explorer API on http://127.0.0.1:{port}"
        with Client(f"http://127.0.0.1:{port}", "p", "serve-secret") as remote:
            remote.datasets.bulk_insert("served", [{"_id": "a", "s_vector_": [1, 0]}])
            assert remote.datasets.list() == ["served"]
    finally:
        server.terminate()
        output = first_line + server.communicate(timeout=30)[0]
    assert "serve-secret" not in output


def test_a_base_url_that_is_not_the_api_is_said_to_be_wrong(live_server, vectors_dataset):
    """Not "no centroids": every route 404s there, the dataset list first."""
    result = run_cli("export-centroids", "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
                     server=live_server, env={"RELEVANCE_BASE_URL": live_server.base_url + "/not-the-api"})
    assert result.returncode == 1
    assert "The base URL is likely wrong" in result.stderr and "no centroids" not in result.stderr
    assert f"{live_server.base_url}/not-the-api" in result.stderr


def test_the_dashboard_says_the_same_for_a_404_on_the_dataset_list(live_server):
    endpoint = Endpoint(live_server.base_url + "/not-the-api", live_server.project, live_server.api_key)
    with pytest.raises(NotFoundError) as caught:
        probe(endpoint)
    message = describe(caught.value, "Connecting")
    assert WRONG_BASE_URL in message and "Pick another dataset" not in message
    # a 404 elsewhere still points at the pickers
    other = NotFoundError("Not found (404) at GET /datasets/x/schema: no dataset 'x'", status=404,
                          endpoint="/datasets/x/schema", method="GET")
    assert "Pick another dataset" in describe(other, "Reading the dataset")


@pytest.mark.parametrize("suffix", ["/latest", "/latest/", "/v1/"])
def test_the_cli_takes_a_hosted_style_base_url(live_server, client, vectors_dataset, suffix, tmp_path):
    client.centroids.insert(vectors_dataset, [{"_id": "h0", "x_vector_": [1, 2, 3, 4]}], "x_vector_", "hosted-form")
    result = run_cli("export-centroids", "--dataset-id", vectors_dataset, "--vector-field", "x_vector_",
                     "--alias", "hosted-form", server=live_server,
                     env={"RELEVANCE_BASE_URL": live_server.base_url + suffix})
    assert result.returncode == 0, result.stderr
    assert centroid_csv.parse(result.stdout, 4).ids == ["h0"]
