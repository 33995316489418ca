"""One rule for "a number a float32 vector can keep", the same in the server, the document loader and the
centroid CSV: a user's file is accepted by the checks exactly when the server would take it."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from centroid_explorer import centroid_csv, document_import
from centroid_explorer.checks import FLOAT32_LIMIT, problems_text

FLOAT32_MAX = float(np.finfo(np.float32).max)
JUST_BELOW_LIMIT = float(np.nextafter(FLOAT32_LIMIT, 0))
KEPT = [3.402e38, FLOAT32_MAX, 3.4028235e38, JUST_BELOW_LIMIT, -JUST_BELOW_LIMIT]  # 3.4028235e38: str(float32 max)
REFUSED = [FLOAT32_LIMIT, -FLOAT32_LIMIT, 1e39]


def server_takes(client, value: float) -> bool:
    dataset_id = f"f32-{abs(hash(value)) % 10**9}"
    answer = client.post(f"/datasets/{dataset_id}/documents/bulk_insert",
                         json={"documents": [{"_id": "a", "e_vector_": [value]}]})
    assert answer.status_code in (200, 400), answer.text
    return answer.status_code == 200


def loader_takes(value: float) -> bool:
    return document_import.check_document("line 1", {"_id": "a", "e_vector_": [value]}, {}, {}) == []


def csv_takes(value: float) -> bool:
    try:
        centroid_csv.parse(f"_id,v0,v1\na,{value!r},1\n")
    except centroid_csv.CentroidCSVError:
        return False
    return True


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server.base_url, headers={"Authorization": f"{live_server.project}:{live_server.api_key}"},
                      timeout=30) as client:
        yield client


@pytest.mark.parametrize("value", KEPT)
def test_a_number_that_rounds_to_a_finite_float32_is_kept_everywhere(http, value):
    assert (server_takes(http, value), loader_takes(value), csv_takes(value)) == (True, True, True)


@pytest.mark.parametrize("value", REFUSED)
def test_a_number_that_rounds_to_infinity_is_refused_everywhere(http, value):
    assert (server_takes(http, value), loader_takes(value), csv_takes(value)) == (False, False, False)


def test_documents_read_back_from_the_server_can_be_inserted_again(client):
    """The server writes float32 values as their shortest text: float32's max reads back as 3.4028235e38."""
    client.datasets.bulk_insert("f32-first", [{"_id": "a", "e_vector_": [FLOAT32_MAX, -FLOAT32_MAX]}])
    read = client.datasets.list_documents("f32-first", include_vector=True)["documents"]
    client.datasets.bulk_insert("f32-second", read)
    again = client.datasets.list_documents("f32-second", include_vector=True)["documents"]
    assert np.asarray(again[0]["e_vector_"], dtype=np.float32).tolist() == [FLOAT32_MAX, -FLOAT32_MAX]


def test_problems_text_shows_twenty_then_how_many_more():
    assert problems_text([f"p{i}" for i in range(20)]).splitlines()[-1] == "p19"
    assert problems_text([f"p{i}" for i in range(23)]).splitlines()[20:] == ["... and 3 more"]
