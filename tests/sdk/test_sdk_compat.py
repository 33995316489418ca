"""The official `relevanceai==0.19.2` SDK, unchanged, against the embedded server over real HTTP.

The SDK runs in its own venv (.venv-sdk, built by `make sdk-venv`, which `make test` runs) because
it needs joblib<1.2. Without that venv this test fails: it must not pass silently in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SDK_PYTHON = REPO / ".venv-sdk" / "bin" / "python"
SCRIPT = Path(__file__).with_name("sdk_script.py")
DATASET_ID = "sdk-compat"
VECTOR_FIELD, ALIAS = "v_vector_", "sdk"


@pytest.fixture(scope="module")
def sdk_results(live_server, tmp_path_factory) -> dict:
    if not SDK_PYTHON.exists():
        pytest.fail(f"the SDK venv is missing ({SDK_PYTHON}): run `make sdk-venv` (part of `make test`)")
    out = tmp_path_factory.mktemp("sdk") / "results.json"
    env = {**os.environ, "RELEVANCE_PROJECT": live_server.project, "RELEVANCE_API_KEY": live_server.api_key}
    run = subprocess.run(
        [str(SDK_PYTHON), str(SCRIPT), live_server.base_url, DATASET_ID, str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, f"the SDK script failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results = json.loads(out.read_text())
    failed = {call: r for call, r in results.items() if isinstance(r, dict) and r.get("sdk_error")}
    assert not failed, f"the server answered the SDK with errors: {failed}"
    return results


def test_sdk_is_the_pinned_version():
    if not SDK_PYTHON.exists():
        pytest.fail(f"the SDK venv is missing ({SDK_PYTHON}): run `make sdk-venv`")
    version = subprocess.run(
        [str(SDK_PYTHON), "-c", "import relevanceai; print(relevanceai.__version__)"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout.strip()
    assert version == "0.19.2"


def test_sdk_inserts_documents_and_centroids(sdk_results):
    assert sdk_results["bulk_insert"] == {"inserted": 12, "failed_documents": []}
    assert sdk_results["insert"] == {"inserted": 3, "failed_documents": []}


def test_sdk_lists_every_centroid_once_across_pages(sdk_results):
    pages = sdk_results["list_pages"]
    ids = [d["_id"] for page in pages for d in page["documents"]]
    assert sorted(ids) == ["cluster_0", "cluster_1", "cluster_2"]
    assert len(pages) == 2 and pages[-1]["cursor"] is None and pages[0]["cursor"]
    vectors = {d["_id"]: d[VECTOR_FIELD] for page in pages for d in page["documents"]}
    assert vectors == {f"cluster_{c}": [1.0 + c, 2.0 + c, 1.0] for c in range(3)}


def test_sdk_gets_centroids_in_the_order_asked(sdk_results):
    documents = sdk_results["get"]["documents"]
    assert [d["_id"] for d in documents] == ["cluster_2", "cluster_0"]
    assert documents[0][VECTOR_FIELD] == [3.0, 4.0, 1.0]


def test_sdk_fetches_a_clusters_documents_closest_first(sdk_results):
    answer = sdk_results["documents"]
    members = [f"doc-{i}" for i in range(12) if i % 3 == 1]
    assert answer["count"] == 4 and sorted(d["_id"] for d in answer["results"]) == sorted(members)
    centroid = np.array([2.0, 3.0, 1.0])
    vectors = np.array([d[VECTOR_FIELD] for d in answer["results"]])
    cosine = vectors @ centroid / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(centroid))
    assert list(cosine) == sorted(cosine, reverse=True)
    np.testing.assert_allclose([d["_relevance"] for d in answer["results"]], cosine, rtol=1e-5)


def test_sdk_writes_and_reads_metadata(sdk_results):
    written = {"description": "written by the SDK", "clusters": {"cluster_1": {"label": "ones"}}, "other": [1, 2]}
    assert sdk_results["metadata_write"]["results"] == written
    assert sdk_results["metadata_read"] == {"results": written}


def test_sdk_pattern_deletes_each_id_insert_accepts_alone(sdk_results):
    """The later SDKs put the id into the path unescaped (`base_url + f".../{id}/delete"`), through this SDK's
    own transport here: every id the server accepts still reaches its own route, and only its centroid goes."""
    travelling = ["...", ".a", "a b", "é", "a+b", "a;b", "~", "'", "[x]", "\\"]
    assert sdk_results["travel_insert"]["inserted"] == len(travelling) + 1
    assert sdk_results["travel_left"] == [[*travelling[i + 1:], "keep"] for i in range(len(travelling))]


def test_sdk_insert_of_ids_that_cannot_travel_is_refused(sdk_results):
    for cid, refused in sdk_results["untravelling_insert"].items():
        assert refused["status"] == 400 and "URL paths" in refused["body"], cid


def test_sdk_with_a_hosted_style_base_url(sdk_results):
    assert sdk_results["latest_list"]["count"] == 3


def test_sdk_bulk_update_changes_only_the_named_fields(sdk_results):
    assert sdk_results["bulk_update"] == {"inserted": 2, "failed_documents": []}
    documents = {d["_id"]: d for d in sdk_results["after_update"]["documents"]}
    assert documents["doc-0"]["title"] == "renamed" and documents["doc-0"]["extra"] == {"note": "dotted"}
    assert documents["doc-0"][VECTOR_FIELD] == [1.0, 0.0, 1.0]
    assert documents["doc-1"]["_cluster_"] == {VECTOR_FIELD: {ALIAS: "cluster_1", "second": "moved"}}
    assert documents["doc-5"]["title"] == "document 5" and "checked" not in documents["doc-5"]


def test_sdk_update_documents_reads_our_answer(sdk_results):
    """The batch helper reads `inserted` and `failed_documents` from each 200 answer."""
    answer = sdk_results["update_documents"]
    assert answer["inserted"] == 4 and answer["failed_documents"] == []
    documents = {d["_id"]: d for d in sdk_results["after_update"]["documents"]}
    assert [i for i in range(12) if documents[f"doc-{i}"].get("checked")] == [0, 1, 2, 3]


def test_sdk_bulk_update_of_an_unknown_id_raises_naming_it_and_writes_nothing(sdk_results):
    refused = sdk_results["bulk_update_unknown"]
    assert refused["raised"] == "APIError" and "missing" in refused["message"]
    documents = {d["_id"]: d for d in sdk_results["after_update"]["documents"]}
    assert documents["doc-2"]["title"] == "document 2"


def test_sdk_lists_closest_to_and_furthest_from_center(sdk_results):
    closest = sdk_results["closest"]
    assert sorted(closest["results"]) == ["cluster_0", "cluster_1", "cluster_2"] and closest["count"] == 12
    assert all(len(docs) == 2 for docs in closest["results"].values())
    for cluster_id, docs in closest["results"].items():
        assert all(d["_cluster_"][VECTOR_FIELD][ALIAS] == cluster_id for d in docs)
        assert docs[0]["_relevance"] >= docs[1]["_relevance"]
    furthest = sdk_results["furthest"]["results"]["cluster_1"]
    centroid = np.array([2.0, 3.0, 1.0])
    l2 = -np.linalg.norm(np.array([d[VECTOR_FIELD] for d in furthest]) - centroid, axis=1)
    assert len(furthest) == 4 and list(l2) == sorted(l2)
    np.testing.assert_allclose([d["_relevance"] for d in furthest], l2, rtol=1e-5)
