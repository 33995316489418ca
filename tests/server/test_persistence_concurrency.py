"""Restart persistence and concurrent writers and readers, each against a server of its own, on each store."""

from __future__ import annotations

import threading

import httpx
from server_helpers import VF, make_documents

from centroid_explorer.server.runner import EmbeddedServer

C = "/services/cluster/centroids"


def client(server: EmbeddedServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"{server.project}:{server.api_key}"},
                        timeout=60)


def ok(response: httpx.Response) -> dict:
    """The answer's JSON, once the request succeeded: two snapshots of failures would compare equal."""
    assert response.status_code == 200, response.text
    return response.json()


def snapshot(api: httpx.Client, dataset_id: str) -> dict:
    q = {"dataset_id": dataset_id, "vector_field": VF}
    return {
        "datasets": ok(api.get("/datasets/list")),
        "schema": ok(api.get(f"/datasets/{dataset_id}/schema")),
        "documents": ok(api.get(f"/datasets/{dataset_id}/documents/list",
                                params={"page_size": 10_000, "include_vector": True})),
        "centroids": ok(api.get(f"{C}/list", params={**q, "include_vector": True, "page_size": 100})),
        "metadata": ok(api.get(f"{C}/metadata", params=q)),
        "members": ok(api.post(f"{C}/documents", json={**q, "page_size": 100, "similarity_metric": "l1"})),
        "configs": ok(api.get(f"/datasets/{dataset_id}/cluster/centroids/configs/list")),
    }


def test_everything_survives_a_restart(tmp_path, database_url):
    documents, centroids = make_documents(30, 5, 3)
    with EmbeddedServer(tmp_path, project="p", api_key="k", database_url=database_url) as server, client(server) as api:
        ok(api.post("/datasets/keep/documents/bulk_insert", json={"documents": documents}))
        ok(api.post(f"{C}/insert", json={"dataset_id": "keep", "vector_field": VF,
                                         "cluster_centers": [{"_id": c, VF: v} for c, v in centroids.items()]}))
        ok(api.post(f"{C}/metadata", json={"dataset_id": "keep", "vector_field": VF, "metadata": {"k": [1, "two"]}}))
        before = snapshot(api, "keep")
    assert before["documents"]["count"] == 30 and before["centroids"]["count"] == 3
    assert before["metadata"] == {"results": {"k": [1, "two"]}} and before["members"]["count"] == 30
    with EmbeddedServer(tmp_path, project="p", api_key="k", database_url=database_url) as server, client(server) as api:
        assert snapshot(api, "keep") == before


def test_generated_key_is_kept_across_restarts(tmp_path, monkeypatch):
    monkeypatch.delenv("RELEVANCE_PROJECT", raising=False)
    monkeypatch.delenv("RELEVANCE_API_KEY", raising=False)
    with EmbeddedServer(tmp_path) as first:
        key = first.api_key
        assert httpx.get(f"{first.base_url}/datasets/list", headers={"Authorization": f"local:{key}"}).status_code == 200
    with EmbeddedServer(tmp_path) as second:
        assert second.api_key == key and second.project == "local"


def test_concurrent_writers_and_readers_lose_nothing(tmp_path, database_url):
    writers, batches, per_batch = 4, 8, 25
    errors: list[str] = []
    with EmbeddedServer(tmp_path, project="p", api_key="k", database_url=database_url) as server:
        with client(server) as api:
            seed, centroids = make_documents(10, 8, 2)
            ok(api.post("/datasets/shared/documents/bulk_insert", json={"documents": seed}))
            ok(api.post(f"{C}/insert", json={"dataset_id": "shared", "vector_field": VF,
                                             "cluster_centers": [{"_id": c, VF: v} for c, v in centroids.items()]}))
        stop = threading.Event()

        def write(w: int) -> None:
            with client(server) as api:
                for b in range(batches):
                    documents, _ = make_documents(per_batch, 8, 2, seed=w * 100 + b)
                    for d in documents:
                        d["_id"] = f"w{w}-b{b}-{d['_id']}"
                    r = api.post("/datasets/shared/documents/bulk_insert", json={"documents": documents})
                    if r.status_code != 200:
                        errors.append(f"writer {w}: {r.status_code} {r.text}")
                    r = api.post(f"{C}/metadata", json={"dataset_id": "shared", "vector_field": VF,
                                                        "alias": f"writer-{w}", "metadata": {"batch": b}})
                    if r.status_code != 200:
                        errors.append(f"writer {w} metadata: {r.status_code} {r.text}")

        def read(r_: int) -> None:
            with client(server) as api:
                while not stop.is_set():
                    for r in (
                        api.post(f"{C}/documents", json={"dataset_id": "shared", "vector_field": VF,
                                                         "page_size": 50, "similarity_metric": "cosine"}),
                        api.get("/datasets/shared/documents/list", params={"page_size": 100}),
                        api.get(f"{C}/list", params={"dataset_id": "shared", "vector_field": VF, "include_vector": True}),
                    ):
                        if r.status_code != 200:
                            errors.append(f"reader {r_}: {r.status_code} {r.text}")

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        readers = [threading.Thread(target=read, args=(i,)) for i in range(3)]
        for t in threads + readers:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        for t in readers:
            t.join()
        assert errors == []
        with client(server) as api:
            body = api.get("/datasets/shared/documents/list", params={"page_size": 10_000}).json()
            expected = 10 + writers * batches * per_batch
            assert body["count"] == expected and len({d["_id"] for d in body["documents"]}) == expected
            members = api.post(f"{C}/documents", json={"dataset_id": "shared", "vector_field": VF,
                                                       "page_size": 10_000}).json()
            assert members["count"] == expected
            for w in range(writers):
                r = api.get(f"{C}/metadata", params={"dataset_id": "shared", "vector_field": VF, "alias": f"writer-{w}"})
                assert r.json() == {"results": {"batch": batches - 1}}
