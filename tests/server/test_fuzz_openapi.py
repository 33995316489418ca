"""Schemathesis against the server's own /openapi.json: no request gets a 5xx, every answer has a
documented status, type and shape, schema-valid requests are accepted (or 404/409) and
schema-violating ones refused. The review's fuzzing, bounded: a fixed number of derandomized cases
per operation, on a server of its own whose seeded dataset the generated requests name often."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from centroid_explorer.server.runner import EmbeddedServer

AUTH = {"Authorization": "fuzz:key"}
DATASET, FIELD, ALIAS = "fz", "v_vector_", "default"
CLUSTERS = ["c0", "c1", "c2"]
CASES_PER_OPERATION = 20

# Requests name the seeded dataset, field, alias and clusters most of the time, so that they reach
# past the 404s into the routes' own checks.
CONFIG = {
    "dictionaries": {
        "datasets": {"values": [DATASET]}, "fields": {"values": [FIELD]},
        "aliases": {"values": [ALIAS]}, "clusters": {"values": CLUSTERS},
    },
    "parameters": {
        **{key: {"dictionary": "datasets", "probability": 0.8} for key in ("dataset_id", "body.dataset_id")},
        **{key: {"dictionary": "fields", "probability": 0.8}
           for key in ("vector_field", "body.vector_field", "body.vector_fields[*]")},
        **{key: {"dictionary": "aliases", "probability": 0.8} for key in ("alias", "body.alias")},
        **{key: {"dictionary": "clusters", "probability": 0.6}
           for key in ("centroid_id", "cluster_ids", "body.cluster_ids[*]")},
    },
    # A generated `If-Match` names some version: a precondition on stored state, refused with 412 (like a 409).
    "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]}},
    # Through the schema's security scheme, so that schemathesis knows the header is sent.
    "auth": {"openapi": {"ProjectKey": {"api_key": AUTH["Authorization"]}}},
}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    with EmbeddedServer(tmp_path_factory.mktemp("fuzz"), project="fuzz", api_key="key") as server:
        yield server


@pytest.fixture
def seeded(fuzz_server):
    """The dataset the dictionaries name, written again before each operation (deletes may have removed it)."""
    documents = [
        {"_id": f"d{i}", FIELD: [1.0 + i % 3, 0.5 * i, 1.0], "title": f"doc {i}", "_cluster_": {FIELD: {ALIAS: f"c{i % 3}"}}}
        for i in range(12)
    ]
    with httpx.Client(base_url=fuzz_server.base_url, headers=AUTH) as http:
        assert http.post(f"/datasets/{DATASET}/documents/bulk_insert", json={"documents": documents}).status_code in (200, 409)
        centers = [{"_id": cid, FIELD: [1.0 + c, 2.0, 1.0]} for c, cid in enumerate(CLUSTERS)]
        http.post("/services/cluster/centroids/insert",
                  json={"dataset_id": DATASET, "vector_field": FIELD, "alias": ALIAS, "cluster_centers": centers})


@pytest.fixture(scope="module")
def api_schema(fuzz_server):
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{fuzz_server.base_url}/openapi.json", config=config)


C = "/services/cluster/centroids"
OPERATIONS = [
    ("GET", "/health"), ("GET", f"{C}/list"), ("POST", f"{C}/list"), ("GET", f"{C}/get"), ("POST", f"{C}/insert"),
    ("POST", f"{C}/documents"), ("GET", f"{C}/metadata"), ("POST", f"{C}/metadata"), ("POST", f"{C}/delete"),
    ("POST", f"{C}/{{centroid_id}}/delete"), ("GET", "/datasets/{dataset_id}/cluster/centroids/configs/list"),
    ("GET", "/datasets/list"), ("GET", "/datasets/{dataset_id}/schema"), ("POST", "/datasets/create"),
    ("POST", "/datasets/{dataset_id}/documents/bulk_insert"), ("GET", "/datasets/{dataset_id}/documents/list"),
    ("POST", "/datasets/delete"), ("POST", f"{C}/list_closest_to_center"), ("POST", f"{C}/list_furthest_from_center"),
    ("POST", "/datasets/{dataset_id}/documents/bulk_update"),
    ("GET", "/datasets/{dataset_id}/cluster/centroids/metadata/history"),
    ("GET", "/datasets/{dataset_id}/cluster/centroids/metadata/history/{version}"),
    ("GET", "/datasets/{dataset_id}/cluster/centroids/sizes"),
]


def test_every_operation_is_fuzzed(api_schema):
    assert {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()} == set(OPERATIONS)


# No parameter, or only a free string in the path: nothing to send wrong but the auth header.
NOTHING_TO_SEND_WRONG = {("GET", "/health"), ("GET", "/datasets/list"), ("GET", "/datasets/{dataset_id}/schema"),
                         ("GET", "/datasets/{dataset_id}/cluster/centroids/configs/list")}
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if (m, p) not in NOTHING_TO_SEND_WRONG
]


# (schemathesis' own pytest loader cannot take a fixture's schema under pytest 9: the strategies are used directly.)
@pytest.mark.parametrize("method,path,mode", CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_every_operation_answers_as_its_schema_says(api_schema, seeded, method, path, mode):
    operation = api_schema[path][method]

    statuses = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=CASES_PER_OPERATION, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        statuses.append(case.call_and_validate().status_code)

    answers_as_documented()
    # The checks saw the routes' own answers, not only the auth gate's (invalid cases may leave the header out).
    assert 401 not in statuses if mode == GenerationMode.POSITIVE else set(statuses) != {401}
