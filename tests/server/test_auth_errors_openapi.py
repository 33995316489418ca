"""Auth on every route, error shapes (never a 500 for bad input), body size bound, and the OpenAPI schema."""

from __future__ import annotations

import httpx
import pytest

from centroid_explorer import array_pages
from centroid_explorer.metrics import METRICS
from centroid_explorer.server import contract
from centroid_explorer.server.runner import EmbeddedServer


def every_route(live_server):
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            yield method.upper(), path.replace("{dataset_id}", "some-ds").replace("{centroid_id}", "c1").replace("{version}", "1")


def test_health_needs_no_auth(live_server):
    assert httpx.get(f"{live_server.base_url}/health").json() == {"status": "ok"}


@pytest.mark.parametrize("header", [None, "", "test-project", "test-project:wrong", "other:test-key",
                                    "test-project:test-keyx", "TEST-PROJECT:test-key", "Bearer test-key"])
def test_every_route_but_health_needs_the_right_authorization(live_server, header):
    headers = {} if header is None else {"Authorization": header}
    routes = [r for r in every_route(live_server) if r[1] != "/health"]
    assert len(routes) == 22
    for method, path in routes:
        r = httpx.request(method, live_server.base_url + path, headers=headers, json={})
        assert r.status_code == 401, (method, path, r.text)
        assert "Authorization" in r.json()["message"] or "API key" in r.json()["message"]
        assert "test-key" not in r.text


def test_malformed_json_is_a_422_on_every_post_route(api, live_server):
    for method, path in every_route(live_server):
        if method != "POST":
            continue
        for body in (b"{not json", b'{"dataset_id": "x", "vector_field": "a_vector_", "page_size": NaN}', b"[1, 2"):
            r = api.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code == 422, (path, r.text)
            assert r.json()["detail"][0]["type"] == "json_invalid"


def test_wrong_types_are_422s_naming_the_field(api, clustered):
    r = api.post("/services/cluster/centroids/documents",
                 json={"dataset_id": clustered["dataset_id"], "vector_field": "emb_vector_", "cluster_ids": "cluster_1"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "cluster_ids"]
    r = api.post("/services/cluster/centroids/insert", json={"dataset_id": 5, "cluster_centers": {}})
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} >= {("body", "dataset_id"), ("body", "cluster_centers")}
    r = api.get("/services/cluster/centroids/list", params={"dataset_id": "x", "vector_field": "a", "include_vector": "maybe"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "include_vector"]


def test_unknown_route_and_method_use_the_message_shape(api):
    r = api.get("/nowhere")
    assert r.status_code == 404 and "message" in r.json()
    r = api.get("/services/cluster/centroids/insert")
    assert r.status_code == 405 and "message" in r.json()


def test_bodies_over_the_bound_get_a_413(tmp_path, monkeypatch):
    monkeypatch.setattr(contract, "MAX_BODY_BYTES", 2_000)
    with EmbeddedServer(tmp_path, project="p", api_key="k") as server:
        headers = {"Authorization": "p:k"}
        documents = [{"_id": f"d{i}", "v_vector_": [0.5] * 20} for i in range(40)]
        url = f"{server.base_url}/datasets/big/documents/bulk_insert"
        r = httpx.post(url, json={"documents": documents}, headers=headers)
        assert r.status_code == 413 and "2000 bytes" in r.json()["message"]

        def chunks():  # no Content-Length: counted while reading
            yield b'{"documents": ['
            for i in range(200):
                yield b'{"_id": "d%d", "v_vector_": [1, 2]},' % i
            yield b'{"_id": "last", "v_vector_": [1, 2]}]}'

        r = httpx.post(url, content=chunks(), headers={**headers, "content-type": "application/json"})
        assert r.status_code == 413 and "message" in r.json()
        r = httpx.post(url, json={"documents": documents[:3]}, headers=headers)
        assert r.status_code == 200
        assert httpx.get(f"{server.base_url}/datasets/list", headers=headers).json()["datasets"] == ["big"]


def test_openapi_describes_every_route_with_models(live_server):
    spec = httpx.get(f"{live_server.base_url}/openapi.json").json()
    routes = {(m.upper(), p) for p, ms in spec["paths"].items() for m in ms}
    c = "/services/cluster/centroids"
    assert routes == {
        ("GET", "/health"), ("GET", f"{c}/list"), ("POST", f"{c}/list"), ("GET", f"{c}/get"),
        ("POST", f"{c}/insert"), ("POST", f"{c}/documents"), ("GET", f"{c}/metadata"), ("POST", f"{c}/metadata"),
        ("POST", f"{c}/delete"), ("POST", f"{c}/{{centroid_id}}/delete"),
        ("GET", "/datasets/{dataset_id}/cluster/centroids/configs/list"), ("GET", "/datasets/list"),
        ("GET", "/datasets/{dataset_id}/schema"), ("POST", "/datasets/create"),
        ("POST", "/datasets/{dataset_id}/documents/bulk_insert"), ("GET", "/datasets/{dataset_id}/documents/list"),
        ("POST", "/datasets/delete"), ("POST", f"{c}/list_closest_to_center"), ("POST", f"{c}/list_furthest_from_center"),
        ("POST", "/datasets/{dataset_id}/documents/bulk_update"),
        ("GET", "/datasets/{dataset_id}/cluster/centroids/metadata/history"),
        ("GET", "/datasets/{dataset_id}/cluster/centroids/metadata/history/{version}"),
        ("GET", "/datasets/{dataset_id}/cluster/centroids/sizes"),
    }
    schemas = spec["components"]["schemas"]
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok != {} and ("$ref" in ok or "anyOf" in ok or "additionalProperties" in ok), (method, path)
            if method == "post":
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
                assert "$ref" in body or "anyOf" in body, (method, path)
            if path != "/health":
                assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    for name in ("CentroidsDocumentsRequest", "CentroidsInsertRequest", "ClusterDocumentsPage", "InsertResponse"):
        assert name in schemas
    page_size = schemas["CentroidsListRequest"]["properties"]["page_size"]
    assert page_size["maximum"] == contract.MAX_PAGE_SIZE and "[ours]" in page_size["description"]
    assert str(contract.MAX_PAGE_SIZE) in spec["info"]["description"]
    for route, method in ((f"{c}/documents", "post"), (f"{c}/list", "post"), (f"{c}/list", "get")):
        arrays = spec["paths"][route][method]["responses"]["200"]["content"]
        assert array_pages.MEDIA_TYPE in arrays and "CEA1" in str(spec["paths"][route][method]), (route, method)
    metric = schemas["CentroidsDocumentsRequest"]["properties"]["similarity_metric"]
    assert set(metric["enum"]) == set(METRICS) and "_relevance" in metric["description"]
