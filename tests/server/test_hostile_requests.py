"""Hostile and malformed requests from the security review (issue 9): each gets a clear 4xx, never a 500,
nothing is written, and no request reaches another route than the one it names."""

from __future__ import annotations

import base64
import socket
import sqlite3

import httpx
import numpy as np
import pytest
from server_helpers import VF, fresh_id

from centroid_explorer.client import Client
from centroid_explorer.server import contract
from centroid_explorer.server.runner import EmbeddedServer

C = "/services/cluster/centroids"


def centroid_ids(api, dataset_id, alias="default"):
    r = api.get(f"{C}/list", params={"dataset_id": dataset_id, "vector_field": VF, "alias": alias, "page_size": 1000})
    assert r.status_code == 200, r.text
    return [d["_id"] for d in r.json()["documents"]]


def insert_centroids(api, dataset_id, ids, alias="default"):
    centers = [{"_id": cid, VF: [float(i), 1.0, 2.0, 3.0]} for i, cid in enumerate(ids)]
    return api.post(f"{C}/insert", json={"dataset_id": dataset_id, "vector_field": VF, "alias": alias,
                                        "cluster_centers": centers})


# -- centroid ids travel in URL paths ----------------------------------------------------------


@pytest.mark.parametrize("bad_id", [".", "..", "a/b", "../delete", "x?y", "x#y", "50%", "%2E", "a\x00b", "tab\there"])
def test_insert_refuses_ids_that_cannot_travel_in_a_path(api, clustered, bad_id):
    dataset_id = clustered["dataset_id"]
    before = centroid_ids(api, dataset_id)
    r = insert_centroids(api, dataset_id, ["fine", bad_id])
    assert r.status_code == 400, r.text
    [failed] = r.json()["failed_documents"]
    assert "URL paths" in failed["error"]
    assert centroid_ids(api, dataset_id) == before


TRAVELLING_IDS = ["...", ".a", "a.", "a b", "é", "a+b", "a;b", "\\", "[x]", "~", "'", "cluster 3 (big)", "雪"]


def test_every_id_insert_accepts_is_deleted_alone_by_the_client(client, clustered):
    dataset_id = clustered["dataset_id"]
    alias = "travel"
    ids = [*TRAVELLING_IDS, "keep"]
    client.centroids.insert(dataset_id, [{"_id": cid, VF: [1.0, 2.0, 3.0, 4.0]} for cid in ids], VF, alias)
    for position, cid in enumerate(TRAVELLING_IDS):
        client.centroids.delete(dataset_id, VF, alias, centroid_id=cid)
        left = [d["_id"] for d in client.centroids.iter_list(dataset_id, VF, alias)]
        assert left == ids[position + 1:], cid


def test_ids_stored_before_the_rule_are_still_deleted_alone(tmp_path):
    """Ids inserted by an older version (`.`, `..`, `a/b`, ...) reach their own route, never the alias's delete."""
    legacy = [".", "..", "a/b", "../../datasets/delete", "x?y", "x#y", "%2E", "50%"]
    with EmbeddedServer(tmp_path, project="p", api_key="k") as server, \
            Client(server.base_url, "p", "k") as client:
        client.datasets.bulk_insert("legacy", [{"_id": "d", VF: [1.0, 2.0]}])
        client.centroids.insert("legacy", [{"_id": "keep", VF: [1.0, 1.0]}], VF)
        with sqlite3.connect(tmp_path / "centroids.sqlite3") as db:  # as an older server stored them
            db.executemany(
                "INSERT INTO centroids (dataset_id, vector_field, alias, cluster_id, data, body) VALUES (?, ?, ?, ?, ?, ?)",
                [("legacy", VF, "default", cid, np.ones(2, "<f4").tobytes(), "{}") for cid in legacy],
            )
        for position, cid in enumerate(legacy):
            client.centroids.delete("legacy", VF, centroid_id=cid)
            left = [d["_id"] for d in client.centroids.iter_list("legacy", VF)]
            assert left == ["keep", *legacy[position + 1:]], cid
        assert client.datasets.list() == ["legacy"]


def test_an_empty_path_segment_is_no_way_to_the_alias_delete(api, clustered):
    dataset_id = clustered["dataset_id"]
    before = centroid_ids(api, dataset_id)
    body = {"dataset_id": dataset_id, "vector_field": VF}
    for path in (f"{C}//delete", f"/latest{C}//delete", f"{C}/%2F/delete"):
        r = api.post(path, json=body)
        assert r.status_code == 404, (path, r.text)
    assert centroid_ids(api, dataset_id) == before


# -- auth comes before the body ---------------------------------------------------------------


def _raw_request_head(server, headers: str, length: int) -> bytes:
    return (f"POST /datasets/big/documents/bulk_insert HTTP/1.1\r\nHost: {server.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n{headers}\r\n").encode()


@pytest.mark.parametrize("auth", ["", "Authorization: test-project:wrong\r\n"])
def test_an_unauthenticated_body_is_answered_401_before_it_is_sent_and_never_read(live_server, auth):
    with socket.create_connection((live_server.host, live_server.port), timeout=10) as sock:
        sock.sendall(_raw_request_head(live_server, auth, 200 * 1024 * 1024))
        answer = sock.recv(65536)  # no byte of the body was sent: the answer cannot have waited for it
        assert answer.startswith(b"HTTP/1.1 401"), answer
        assert b"connection: close" in answer.lower()
        with pytest.raises(OSError):  # the server closed the connection instead of draining 200 MB
            for _ in range(200):
                sock.sendall(b"x" * 1024 * 1024)


def test_a_stalled_body_gets_a_408(tmp_path, monkeypatch):
    monkeypatch.setattr(contract, "BODY_READ_TIMEOUT_SECONDS", 0.3)
    with EmbeddedServer(tmp_path, project="p", api_key="k") as server:
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(_raw_request_head(server, "Authorization: p:k\r\n", 1000) + b'{"documents": [')
            answer = b""  # the rest of the body never comes; the server answers and closes
            while chunk := sock.recv(65536):  # the head and the body may come in two packets
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 408"), answer
            assert b"stalled" in answer
        assert httpx.get(f"{server.base_url}/datasets/list", headers={"Authorization": "p:k"}).json()["datasets"] == []


# -- cursors -----------------------------------------------------------------------------------

# The last two are what an older server issued for positions of 19 and 40 digits (base64 of `p` + digits).
GARBAGE_CURSORS = ["p" + "9" * 19, "p" + "1" * 40, "p-1", "p01", "p1 ", "p\u0663", "garbage", "%%%", "P1",
                   base64.urlsafe_b64encode(b"p" + b"9" * 19).decode(), base64.urlsafe_b64encode(b"p" + b"1" * 40).decode()]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
def test_garbage_cursors_are_a_400_on_every_paged_route(api, clustered, cursor):
    dataset_id = clustered["dataset_id"]
    q = {"dataset_id": dataset_id, "vector_field": VF, "cursor": cursor}
    answers = {
        "list GET": api.get(f"{C}/list", params=q),
        "list POST": api.post(f"{C}/list", json=q),
        "get": api.get(f"{C}/get", params={**q, "cluster_ids": ["cluster_0", "cluster_1"]}),
        "documents": api.post(f"{C}/documents", json=q),
        "documents list": api.get(f"/datasets/{dataset_id}/documents/list", params={"cursor": cursor}),
    }
    for route, r in answers.items():
        assert r.status_code == 400 and "cursor" in r.json()["message"], (route, r.status_code, r.text)


def test_an_empty_cursor_is_the_first_page(api, clustered):
    dataset_id = clustered["dataset_id"]
    q = {"dataset_id": dataset_id, "vector_field": VF, "page_size": 2}
    assert api.get(f"{C}/list", params={**q, "cursor": ""}).json() == api.get(f"{C}/list", params=q).json()


# -- nesting, schema values, names ------------------------------------------------------------


def nested(depth: int):
    value: object = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


def post_json_text(api, path: str, text: str):
    """JSON written by hand: Python's encoders stop short of the depths tried here."""
    return api.post(path, content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("depth", [contract.MAX_JSON_DEPTH + 1, 300, 1000])
def test_values_nested_too_deep_are_a_400_and_nothing_is_written(api, clustered, depth):
    dataset_id = clustered["dataset_id"]
    q = {"dataset_id": dataset_id, "vector_field": VF}
    deep = '{"a": ' * depth + '"bottom"' + "}" * depth
    before_metadata = api.get(f"{C}/metadata", params=q).json()
    r = post_json_text(api, f"{C}/metadata", f'{{"dataset_id": "{dataset_id}", "vector_field": "{VF}", "metadata": {deep}}}')
    assert r.status_code == 400 and str(contract.MAX_JSON_DEPTH) in r.json()["message"], r.text
    assert api.get(f"{C}/metadata", params=q).json() == before_metadata

    r = post_json_text(api, f"/datasets/{dataset_id}/documents/bulk_insert", f'{{"documents": [{{"_id": "deep", "x": {deep}}}]}}')
    assert r.status_code == 400 and "nested deeper" in r.json()["failed_documents"][0]["error"], r.text
    r = post_json_text(api, f"{C}/insert", f'{{"dataset_id": "{dataset_id}", "vector_field": "{VF}", "cluster_centers": '
                                          f'[{{"_id": "deep", "{VF}": [1, 2, 3, 4], "x": {deep}}}]}}')
    assert r.status_code == 400 and "nested deeper" in r.json()["failed_documents"][0]["error"], r.text
    assert "deep" not in centroid_ids(api, dataset_id)


def test_values_at_the_depth_bound_are_stored_and_read_back(api, clustered):
    dataset_id = clustered["dataset_id"]
    q = {"dataset_id": dataset_id, "vector_field": VF}
    deepest = nested(contract.MAX_JSON_DEPTH - 1)  # the metadata object itself is one level
    assert api.post(f"{C}/metadata", json={**q, "metadata": deepest}).status_code == 200
    assert api.get(f"{C}/metadata", params=q).json()["results"] == deepest
    document = {"_id": "deepest", "x": nested(contract.MAX_JSON_DEPTH - 1)}
    assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": [document]}).status_code == 200
    listed = api.get(f"/datasets/{dataset_id}/documents/list", params={"page_size": 100}).json()["documents"]
    assert document in listed


@pytest.mark.parametrize("schema", [
    {"name": ["text"]}, {"name": {"type": "text"}}, {"name": None}, {"name": 3},
    {"v_vector_": [3]}, {"v_vector_": {"vector": 3, "extra": 1}}, {"v_vector_": {"vector": [3]}},
    {"v_vector_": {"vector": 0}}, {"v_vector_": {"vector": contract.MAX_DIMENSION + 1}}, {"a\x00b": "text"},
])
def test_create_refuses_schema_values_it_cannot_store(api, schema):
    dataset_id = fresh_id()
    r = api.post("/datasets/create", json={"id": dataset_id, "schema": schema})
    assert r.status_code == 400 and "schema field" in r.json()["message"], r.text
    assert dataset_id not in api.get("/datasets/list").json()["datasets"]


def test_create_takes_an_integral_float_dimension(api):
    dataset_id = fresh_id()
    assert api.post("/datasets/create", json={"id": dataset_id, "schema": {"v_vector_": {"vector": 3.0}}}).status_code == 200
    assert api.get(f"/datasets/{dataset_id}/schema").json() == {"v_vector_": {"vector": 3}}


@pytest.mark.parametrize("document,where", [
    ({"_id": "a", "v\x00x_vector_": [1, 2]}, "field name"),
    ({"_id": "a", "ti\x1btle": "x"}, "field name"),
    ({"_id": "a", "": "x"}, "field name"),
    ({"_id": "a\x00"}, "`_id`"),
    ({"_id": "a", "_cluster_": {"v_vector_": {"de\x00fault": "c1"}}}, "alias"),
    ({"_id": "a", "_cluster_": {"v_vector_": {"default": "c\n1"}}}, "_cluster_.v_vector_.default"),
    ({"_id": "a", "_cluster_": {"v\x00_vector_": {"default": "c1"}}}, "vector field name"),
])
def test_names_with_control_characters_are_refused(api, document, where):
    dataset_id = fresh_id()
    r = api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": [document]})
    assert r.status_code == 400, r.text
    assert where in r.json()["failed_documents"][0]["error"]
    assert dataset_id not in api.get("/datasets/list").json()["datasets"]


def test_vector_fields_named_with_like_wildcards_keep_one_dimension(api):
    dataset_id = fresh_id()
    for name in ("a%_vector_", "b_c_vector_"):
        assert api.post(f"/datasets/{dataset_id}/documents/bulk_insert",
                        json={"documents": [{"_id": "1", name: [1, 2]}]}).status_code == 200
        r = api.post(f"/datasets/{dataset_id}/documents/bulk_insert", json={"documents": [{"_id": "2", name: [1, 2, 3]}]})
        assert r.status_code == 409 and "2 dimensions" not in r.text and "3 dimensions" in r.text, r.text


@pytest.mark.parametrize("alias", ["de\x00fault", "", "a\x7fb"])
def test_aliases_with_control_characters_are_refused_on_write(api, clustered, alias):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF, "alias": alias}
    assert api.post(f"{C}/metadata", json={**q, "metadata": {"a": 1}}).status_code == 422
    assert insert_centroids(api, clustered["dataset_id"], ["x"], alias=alias).status_code == 422


# -- types are taken as JSON says ---------------------------------------------------------------


@pytest.mark.parametrize("field,value", [("page_size", True), ("page_size", "5"), ("page_size", 2.5),
                                         ("include_vector", "True"), ("include_vector", 1), ("page", True)])
def test_json_values_of_the_wrong_type_are_refused_not_coerced(api, clustered, field, value):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF}
    r = api.post(f"{C}/documents", json={**q, field: value})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field], r.text


def test_integral_floats_are_integers(api, clustered):
    q = {"dataset_id": clustered["dataset_id"], "vector_field": VF}
    assert len(api.post(f"{C}/list", json={**q, "page_size": 2.0}).json()["documents"]) == 2


def test_an_empty_vector_field_beside_vector_fields_is_the_2022_sdk_spelling(api, clustered):
    """The 2022 SDK's `documents` sends `"vector_field": ""` with `vector_fields`."""
    q = {"dataset_id": clustered["dataset_id"], "vector_field": "", "vector_fields": [VF], "cluster_ids": ["cluster_1"]}
    r = api.post(f"{C}/documents", json=q)
    assert r.status_code == 200 and r.json()["count"] > 0, r.text


# -- the hosted base URL forms -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/", "/latest", "/latest/", "/v1", "/v1/", "//latest//"])
def test_the_hosted_base_url_forms_reach_the_routes(live_server, api, clustered, prefix):
    """SDKs join base URL and path as strings: `.../latest/` + `/datasets/list` is `/latest//datasets/list`."""
    base = live_server.base_url + prefix
    headers = {"Authorization": f"{live_server.project}:{live_server.api_key}"}
    r = httpx.get(base + "/datasets/list", headers=headers)
    assert r.status_code == 200 and clustered["dataset_id"] in r.json()["datasets"], (prefix, r.text)
    r = httpx.get(base + f"{C}/list", params={"dataset_id": clustered["dataset_id"], "vector_field": VF}, headers=headers)
    assert r.status_code == 200 and r.json()["count"] == 3
    assert httpx.get(base + "/datasets/list").status_code == 401
    assert httpx.get(base + "/health").json() == {"status": "ok"}


@pytest.mark.parametrize("base", ["/latest", "/latest/", "/v1/"])
def test_the_client_works_with_a_hosted_style_base_url(live_server, clustered, base):
    with Client(live_server.base_url + base, live_server.project, live_server.api_key) as c:
        assert clustered["dataset_id"] in c.datasets.list()
        assert c.centroids.list(clustered["dataset_id"], VF)["count"] == 3


def test_other_prefixes_are_still_unknown(api):
    assert api.get("/latestx/datasets/list").status_code == 404
    assert api.get("/api/datasets/list").status_code == 404


# -- methods, docs, schema -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["list", "metadata"])
def test_options_names_every_method_of_the_path(api, route):
    r = api.request("OPTIONS", f"{C}/{route}")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}


def test_no_docs_page_loads_scripts_from_the_internet(api, live_server):
    assert api.get("/docs").status_code == 404 and api.get("/redoc").status_code == 404
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    assert "/openapi.json" in spec["info"]["description"]


def test_the_schema_declares_the_authorization_header_and_the_required_vector_field(live_server):
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    [scheme] = spec["components"]["securitySchemes"].values()
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert ("security" in op) == (path != "/health"), (method, path)
            params = {p["name"]: p for p in op.get("parameters", [])}
            if method == "get" and path.startswith(C):
                assert params["vector_field"]["required"] is True, path
                assert "vector_fields" not in params
    selector = spec["components"]["schemas"]["FieldSelector"]
    assert selector["oneOf"] == [{"required": ["vector_field"]}, {"required": ["vector_fields"]}]


def test_invalid_utf8_and_lone_surrogates_are_a_4xx(api, clustered):
    dataset_id = clustered["dataset_id"]
    r = post_json_text(api, f"/datasets/{dataset_id}/documents/bulk_insert", '{"documents": [{"_id": "\\ud800"}]}')
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
    r = api.post(f"/datasets/{dataset_id}/documents/bulk_insert", content=b'{"documents": [{"_id": "\xff"}]}',
                 headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert api.get("/datasets/%ff%fe/schema").status_code == 404
    assert api.post(f"{C}/%ff/delete", json={"dataset_id": dataset_id, "vector_field": VF}).status_code == 404
    assert api.get(f"{C}/list?dataset_id={dataset_id}&vector_field=%ff").status_code == 404
