"""What goes on the wire: paths, query strings, JSON bodies, pages, batches, credentials."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import numpy as np
import orjson
import pytest

from centroid_explorer.client import REGIONS, APIError, Client, region_base_url
from centroid_explorer.client._batches import json_batches
from centroid_explorer.config import ENV_API_KEY, ENV_BASE_URL, ENV_PROJECT


class Recorder:
    """A handler that records requests and answers with `answer` (a dict, or a function of the request)."""

    def __init__(self, answer=None):
        self.requests: list[httpx.Request] = []
        self.answer = answer if answer is not None else {"results": {}}

    def __call__(self, request):
        self.requests.append(request)
        body = self.answer(request) if callable(self.answer) else self.answer
        return httpx.Response(200, json=body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def query(self, index=-1) -> list[tuple[str, str]]:
        return parse_qsl(self.requests[index].url.query.decode(), keep_blank_values=True)

    def body(self, index=-1):
        return json.loads(self.requests[index].content)


@pytest.fixture
def recorder():
    return Recorder()


def test_get_sends_lists_as_repeated_keys_booleans_in_python_spelling_and_leaves_out_none(mock_client, recorder):
    mock_client(recorder).centroids.get("ds", ["cluster_0", "cluster 1"], "title_vector_", page_size=10)
    assert recorder.last.method == "GET"
    assert recorder.last.url.path == "/latest/services/cluster/centroids/get"
    assert recorder.query() == [
        ("dataset_id", "ds"),
        ("cluster_ids", "cluster_0"),
        ("cluster_ids", "cluster 1"),
        ("vector_field", "title_vector_"),
        ("alias", "default"),
        ("page_size", "10"),
    ]
    mock_client(recorder).centroids.list("ds", "title_vector_", "kmeans-3", 5, "abc", True)
    assert ("include_vector", "True") in recorder.query() and ("cursor", "abc") in recorder.query()
    mock_client(recorder).centroids.list("ds", "title_vector_")
    assert ("include_vector", "False") in recorder.query()


def test_the_key_travels_only_in_the_authorization_header(mock_client, recorder, api_key):
    mock_client(recorder).centroids.list("ds", "t_vector_")
    assert recorder.last.headers["Authorization"] == f"unit-project:{api_key}"
    assert api_key not in str(recorder.last.url)


def test_documents_posts_every_seed_parameter_as_json(mock_client, recorder):
    mock_client(recorder).centroids.documents("ds", ["c1"], "t_vector_", "kmeans-3", 7, "cur", 2, True, "l2")
    assert recorder.last.method == "POST"
    assert recorder.last.url.path == "/latest/services/cluster/centroids/documents"
    assert recorder.last.headers["Content-Type"] == "application/json"
    assert recorder.body() == {
        "dataset_id": "ds",
        "cluster_ids": ["c1"],
        "vector_field": "t_vector_",
        "alias": "kmeans-3",
        "page_size": 7,
        "cursor": "cur",
        "page": 2,
        "include_vector": True,
        "similarity_metric": "l2",
    }


def test_metadata_reads_with_get_and_writes_the_whole_object_with_post(mock_client):
    stored = {"description": "d", "clusters": {"cluster_0": {"label": "cats"}}, "other_tool": [1]}
    recorder = Recorder({"results": stored})
    client = mock_client(recorder)
    assert client.centroids.metadata("ds", "t_vector_", "kmeans-3") == stored
    assert recorder.last.method == "GET"
    assert ("alias", "kmeans-3") in recorder.query()
    assert client.centroids.metadata("ds", "t_vector_", "kmeans-3", metadata=stored) == stored
    assert recorder.last.method == "POST"
    assert recorder.body() == {"dataset_id": "ds", "vector_field": "t_vector_", "alias": "kmeans-3", "metadata": stored}


def test_delete_one_centroid_quotes_its_id_into_the_path(mock_client, recorder):
    client = mock_client(recorder)
    client.centroids.delete("ds", "t_vector_", "kmeans-3", centroid_id="cluster/0 ?x")
    assert recorder.last.url.raw_path == b"/latest/services/cluster/centroids/cluster%2F0%20%3Fx/delete"
    assert recorder.body() == {"dataset_id": "ds", "vector_field": "t_vector_", "alias": "kmeans-3"}
    client.centroids.delete("ds", "t_vector_")
    assert recorder.last.url.path == "/latest/services/cluster/centroids/delete"


@pytest.mark.parametrize("centroid_id,segment", [
    (".", b"%2E"), ("..", b"%2E%2E"), ("...", b"..."), ("%2E", b"%252E"), ("a/../b", b"a%2F..%2Fb"), ("#", b"%23"),
])
def test_a_centroid_id_is_always_one_segment_of_its_own_route(mock_client, recorder, centroid_id, segment):
    """`.` and `..` would be resolved as dot segments (onto the alias's delete route) unless encoded."""
    client = mock_client(recorder)
    client.centroids.delete("ds", "t_vector_", "kmeans-3", centroid_id=centroid_id)
    assert recorder.last.url.raw_path == b"/latest/services/cluster/centroids/" + segment + b"/delete"


@pytest.mark.parametrize("dataset_id", [".", ".."])
def test_dataset_ids_are_encoded_the_same_way(mock_client, recorder, dataset_id):
    recorder.answer = {"results": []}
    client = mock_client(recorder)
    client.centroids.configs(dataset_id)
    encoded = dataset_id.replace(".", "%2E")
    assert recorder.last.url.raw_path == f"/latest/datasets/{encoded}/cluster/centroids/configs/list".encode()
    client.datasets.schema(dataset_id)
    assert recorder.last.url.raw_path == f"/latest/datasets/{encoded}/schema".encode()


def test_an_empty_centroid_id_is_refused_before_anything_is_sent(mock_client, recorder):
    client = mock_client(recorder)
    with pytest.raises(ValueError, match="empty id"):
        client.centroids.delete("ds", "t_vector_", centroid_id="")
    assert recorder.requests == []


def test_a_request_whose_path_would_change_on_the_way_is_not_sent(mock_client, recorder, monkeypatch):
    """Defence in depth: were an id ever put in a path unencoded, the client still sends nothing."""
    from centroid_explorer.client import _centroids

    monkeypatch.setattr(_centroids, "path_segment", lambda value: value)
    client = mock_client(recorder)
    with pytest.raises(APIError, match="Refused to send"):
        client.centroids.delete("ds", "t_vector_", centroid_id=".")
    assert recorder.requests == []


def test_dataset_calls_hit_their_paths(mock_client):
    def answer(request):
        return {
            "/latest/datasets/list": {"datasets": ["a", "b"], "count": 2},
            "/latest/datasets/my-ds/schema": {"t_vector_": {"vector": 3}},
            "/latest/datasets/my-ds/cluster/centroids/configs/list": {
                "results": [{"vector_fields": ["t_vector_"], "alias": "k", "count": 2}]
            },
        }.get(request.url.path, {"status": "success", "message": ""})

    recorder = Recorder(answer)
    client = mock_client(recorder)
    assert client.datasets.list() == ["a", "b"]
    assert client.datasets.schema("my-ds") == {"t_vector_": {"vector": 3}}
    assert client.centroids.configs("my-ds") == [{"vector_fields": ["t_vector_"], "alias": "k", "count": 2}]
    client.datasets.create("my-ds")
    assert recorder.body() == {"id": "my-ds"}
    client.datasets.create("my-ds", schema={"t_vector_": {"vector": 3}})
    assert recorder.body() == {"id": "my-ds", "schema": {"t_vector_": {"vector": 3}}}
    client.datasets.delete("my-ds")
    assert (recorder.last.url.path, recorder.body()) == ("/latest/datasets/delete", {"dataset_id": "my-ds"})
    client.datasets.list_documents("my-ds", select_fields=["title", "t_vector_"])
    assert recorder.query() == [
        ("page_size", "20"),
        ("include_vector", "False"),
        ("select_fields", "title"),
        ("select_fields", "t_vector_"),
    ]


def _paged_server(items, key):
    """Answers pages of `items` by a numeric cursor, null after the last page, like the contract says."""

    def answer(request):
        fields = json.loads(request.content) if request.content else dict(parse_qsl(request.url.query.decode()))
        start = int(fields.get("cursor") or 0)
        size = int(fields["page_size"])
        page = items[start : start + size]
        more = start + size < len(items)
        return {key: page, "cursor": str(start + size) if more else None, "count": len(items)}

    return answer


@pytest.mark.parametrize("page_size", [1, 3, 7, 1000])
def test_iterators_walk_every_page_once(mock_client, page_size):
    items = [{"_id": f"d{i}", "t_vector_": [i, i + 0.5]} for i in range(7)]
    client = mock_client(Recorder(_paged_server(items, "documents")))
    assert list(client.datasets.iter_documents("ds", page_size=page_size)) == items
    assert list(client.centroids.iter_list("ds", "t_vector_", page_size=page_size)) == items
    client = mock_client(Recorder(_paged_server(items, "results")))
    assert list(client.centroids.iter_documents("ds", [], "t_vector_", page_size=page_size)) == items


def test_iterator_stops_on_an_empty_page_even_with_a_cursor(mock_client):
    pages = iter([{"documents": [{"_id": "a"}], "cursor": "x"}, {"documents": [], "cursor": "y"}])
    recorder = Recorder(lambda request: next(pages))
    assert [d["_id"] for d in mock_client(recorder).datasets.iter_documents("ds")] == ["a"]
    assert len(recorder.requests) == 2


def test_iterators_give_float32_arrays_when_asked(mock_client):
    items = [{"_id": f"d{i}", "t_vector_": [0.1 * i, 1.0], "title": "x"} for i in range(3)]
    client = mock_client(Recorder(_paged_server(items, "documents")))
    documents = list(client.datasets.iter_documents("ds", page_size=2, include_vector=True, as_arrays=True))
    assert all(d["t_vector_"].dtype == np.float32 for d in documents)
    np.testing.assert_array_equal(documents[1]["t_vector_"], np.array([0.1, 1.0], dtype=np.float32))
    assert documents[0]["title"] == "x"


def test_bulk_insert_sends_batches_and_reports_progress(mock_client):
    def answer(request):
        documents = json.loads(request.content)["documents"]
        failed = [{"_id": d["_id"], "error": "bad"} for d in documents if d["_id"] == "d1500"]
        return {"inserted": len(documents) - len(failed), "failed_documents": failed}

    recorder = Recorder(answer)
    documents = [{"_id": f"d{i}", "t_vector_": np.array([i, 0.5], dtype=np.float32)} for i in range(2500)]
    progress = []
    result = mock_client(recorder).datasets.bulk_insert("ds", documents, progress=lambda *a: progress.append(a))
    assert result == {"inserted": 2499, "failed_documents": [{"_id": "d1500", "error": "bad"}]}
    assert progress == [(1000, 2500), (2000, 2500), (2500, 2500)]
    assert [len(recorder.body(i)["documents"]) for i in range(3)] == [1000, 1000, 500]
    assert recorder.body(0)["documents"][3] == {"_id": "d3", "t_vector_": [3.0, 0.5]}
    assert recorder.last.url.path == "/latest/datasets/ds/documents/bulk_insert"


def test_bulk_insert_reads_a_generator_without_knowing_its_length(mock_client):
    recorder = Recorder(lambda request: {"inserted": len(json.loads(request.content)["documents"])})
    progress = []
    documents = ({"_id": str(i)} for i in range(3))
    assert mock_client(recorder).datasets.bulk_insert("ds", documents, progress=lambda *a: progress.append(a))[
        "inserted"
    ] == 3
    assert progress == [(3, None)]


def test_centroid_insert_sends_numpy_vectors_as_lists(mock_client):
    recorder = Recorder({"inserted": 2, "failed_documents": []})
    centers = [{"_id": "c0", "t_vector_": np.array([0.25, -1.0], dtype=np.float32)}, {"_id": "c1", "t_vector_": [1, 2]}]
    assert mock_client(recorder).centroids.insert("ds", centers, "t_vector_", "kmeans-2") == {
        "inserted": 2,
        "failed_documents": [],
    }
    assert recorder.body() == {
        "dataset_id": "ds",
        "cluster_centers": [{"_id": "c0", "t_vector_": [0.25, -1.0]}, {"_id": "c1", "t_vector_": [1, 2]}],
        "vector_field": "t_vector_",
        "alias": "kmeans-2",
    }


def test_batches_stay_under_the_byte_bound_and_keep_order():
    documents = [{"_id": f"d{i}", "v": "x" * 90} for i in range(50)]
    batches = list(json_batches(documents, max_bytes=1000, max_documents=100))
    assert all(len(orjson.dumps(batch)) <= 1000 for batch in batches)
    assert [json.loads(orjson.dumps(f)) for batch in batches for f in batch] == documents
    assert len(batches) > 1


def test_a_document_bigger_than_the_bound_goes_alone():
    documents = [{"_id": "small"}, {"_id": "big", "v": "x" * 5000}, {"_id": "small2"}]
    assert [len(batch) for batch in json_batches(documents, max_bytes=1000)] == [1, 1, 1]


def test_from_token_takes_project_key_and_region(api_key):
    with Client.from_token(f"proj:{api_key}:us-east-1:firebase-uid") as client:
        assert (client.base_url, client.project) == ("https://api.us-east-1.relevance.ai/latest", "proj")
    with Client.from_token(f"proj:{api_key}", base_url="http://127.0.0.1:9/") as client:
        assert client.base_url == "http://127.0.0.1:9"
    with pytest.raises(ValueError, match="names no region"):
        Client.from_token(f"proj:{api_key}")
    with pytest.raises(ValueError) as caught:
        Client.from_token(api_key)
    assert api_key not in str(caught.value)


def test_from_env_reads_the_three_variables(monkeypatch, api_key):
    monkeypatch.setenv(ENV_BASE_URL, REGIONS["old-australia-east"])
    monkeypatch.setenv(ENV_PROJECT, "proj")
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    with pytest.raises(ValueError, match=ENV_API_KEY):
        Client.from_env()
    monkeypatch.setenv(ENV_API_KEY, api_key)
    with Client.from_env() as client:
        assert client.base_url == "https://gateway-api-aueast.relevance.ai/latest"
        assert api_key not in repr(client)


def test_from_env_reads_a_blank_variable_as_unset_and_strips_the_others(monkeypatch, api_key):
    """As the dashboard does (one reader, config.connection_settings): a blank key is no key."""
    monkeypatch.setenv(ENV_BASE_URL, f" {REGIONS['us-east-1']} ")
    monkeypatch.setenv(ENV_PROJECT, " proj ")
    monkeypatch.setenv(ENV_API_KEY, "   ")
    with pytest.raises(ValueError, match=f"set {ENV_API_KEY} "):
        Client.from_env()
    monkeypatch.setenv(ENV_API_KEY, f" {api_key} ")
    with Client.from_env() as client:
        assert (client.base_url, client.project) == (REGIONS["us-east-1"], "proj")


def test_regions_follow_the_sdk_rule():
    assert REGIONS["us-east-1"] == "https://api.us-east-1.relevance.ai/latest"
    assert region_base_url("ap-southeast-2") == "https://api.ap-southeast-2.relevance.ai/latest"
    with pytest.raises(ValueError):
        region_base_url("evil.example.com/")


def test_base_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        Client("api.us-east-1.relevance.ai", "p", "k")


def test_a_closed_client_sends_nothing(api_key):
    recorder = Recorder({"datasets": []})
    with Client("http://127.0.0.1:9", "p", api_key, transport=httpx.MockTransport(recorder)) as client:
        client.datasets.list()
    with pytest.raises(RuntimeError):
        client.datasets.list()
    assert len(recorder.requests) == 1
