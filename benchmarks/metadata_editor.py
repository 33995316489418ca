"""The Metadata page at k = 10 ... 10,000 clusters, through AppTest (the real app, server and HTTP):
page load, one label edit, and the save, each the wall time of one script run.

A generated alias per k (tests/generated.py: 8-dim vectors, 1-5 documents per cluster, a third of
the clusters labelled) is written to the app's embedded server on a fresh data folder (the first
run also seeds the demo data, not timed). Per k and round, a new AppTest session opens the page
(load: the sidebar and the page, reading the metadata, the centroid ids and the cluster sizes, drawing the first 100 rows),
types one label into the table (edit: what the browser sends for one cell, then the rerun), and
presses Save (read-before-write, one write of the whole object, the rerun).

    .venv/bin/python benchmarks/metadata_editor.py            # --ks 10 200 2000 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from centroid_explorer.client import Client  # noqa: E402
from tests.generated import GENERATED_ALIAS, GENERATED_FIELD, generated_alias  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT_S = 900


def _timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def one_round(dataset_id: str, label: str) -> tuple[float, float, float]:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in {"dataset_id": dataset_id, "vector_field": GENERATED_FIELD, "alias": GENERATED_ALIAS}.items():
        at.query_params[key] = value
    at.switch_page("views/metadata.py")  # before the first run: the default page (the map) is not opened
    load = _timed_run(at)
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {1: {"label": label}}, "added_rows": [], "deleted_rows": []}
    edit = _timed_run(at)
    next(b for b in at.main.button if b.label == "Save").click()
    save = _timed_run(at)
    if not any(s.value.startswith("Saved 1 change") for s in at.success):
        raise RuntimeError("the save did not report one change")
    return load, edit, save


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[10, 200, 2_000, 10_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    os.environ["CENTROID_EXPLORER_DATA"] = tempfile.mkdtemp(prefix="metadata-bench-")
    for key in [k for k in os.environ if k.startswith("RELEVANCE_")]:
        del os.environ[key]
    warm = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    warm.run()  # starts the embedded server and seeds the demo data
    from components.connection import embedded_server

    server = embedded_server()
    rows = []
    with Client(server.base_url, server.project, server.api_key, timeout=120) as client:
        for k in args.ks:
            start = time.perf_counter()
            dataset_id = generated_alias(client, k)
            written = time.perf_counter() - start
            documents = client.datasets.list_documents(dataset_id, page_size=1)["count"]
            times = [one_round(dataset_id, f"benchmark {k} round {r}") for r in range(args.rounds)]
            stored = len(client.centroids.metadata(dataset_id, GENERATED_FIELD, GENERATED_ALIAS)["clusters"])
            load, edit, save = (statistics.median(column) for column in zip(*times, strict=True))
            worst = max(t[1] for t in times)
            rows.append((k, documents, stored, written, load, edit, worst, save))

    print(f"rounds per k: {args.rounds} (median; 'edit max' is the slowest edit)\n")
    print("| k | documents | labelled after | alias written s | page load s | one edit s | edit max s | save s |")
    print("|---|---|---|---|---|---|---|---|")
    for k, documents, stored, written, load, edit, worst, save in rows:
        print(f"| {k:,} | {documents:,} | {stored:,} | {written:.1f} | {load:.2f} | {edit:.2f} | {worst:.2f} | {save:.2f} |")


if __name__ == "__main__":
    main()
