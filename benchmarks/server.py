"""Server speed on each store, side by side: bulk insert over HTTP, `list` and `documents` latency,
and 8 writers with 8 readers at once. Prints a table.

    .venv/bin/python benchmarks/server.py                 # 200,000 docs x 768 dims, 200 clusters
    .venv/bin/python benchmarks/server.py --docs 20000    # a quick run
    .venv/bin/python benchmarks/server.py --stores sqlite # one store only

The server runs in a child process (`serve`, as `python -m centroid_explorer serve` runs it), so the
benchmark's own JSON encoding does not share its interpreter. Data is generated with numpy, seeded.
PostgreSQL is a throwaway cluster (tests/pg_cluster.py) with its default settings. The store's dataset
writes do not wait for the disk there (synchronous_commit off per write: the durability of the SQLite
store, WAL with synchronous=NORMAL); `postgresql-fsync` asks for every commit flushed, through the
database URL's options (`synchronous_commit=on`), as the README's "For a team" says. On PostgreSQL the
reads are timed once autovacuum has been through the loaded tables (a minute or two, default settings).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
VF = "emb_vector_"
ALIAS = "kmeans-200"
C = "/services/cluster/centroids"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: str, port: int, database_url: str | None) -> subprocess.Popen:
    code = ("import sys; from centroid_explorer.server.runner import serve; "
            "serve(sys.argv[1], port=int(sys.argv[2]), project='bench', api_key='bench-key', "
            "database_url=sys.argv[3] or None)")
    proc = subprocess.Popen([sys.executable, "-c", code, data_dir, str(port), database_url or ""], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode())


def batches(n_docs: int, dim: int, k: int, batch: int, seed: int):
    centers = np.random.default_rng(seed).normal(size=(k, dim)).astype(np.float32)
    for start in range(0, n_docs, batch):
        rng = np.random.default_rng((seed, start))
        n = min(batch, n_docs - start)
        labels = rng.integers(0, k, size=n)
        vectors = centers[labels] + rng.normal(scale=0.6, size=(n, dim)).astype(np.float32)
        yield [
            {"_id": f"doc-{start + i}", VF: vectors[i], "title": f"document {start + i}", "n": start + i,
             "_cluster_": {VF: {ALIAS: f"cluster_{labels[i]}"}}}
            for i in range(n)
        ]
    yield centers


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def timed(call) -> float:
    start = time.perf_counter()
    r = call()
    elapsed = time.perf_counter() - start
    assert r.status_code == 200, r.text[:300]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1_000, help="documents per bulk_insert request")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per latency row")
    parser.add_argument("--stores", default="sqlite,postgresql,postgresql-fsync",
                        help="comma-separated: sqlite, postgresql, postgresql-fsync (the URL asks for "
                             "synchronous_commit=on: every commit waits for the disk)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    results: dict[str, dict[str, str]] = {}
    for store in args.stores.split(","):
        cluster = None
        with tempfile.TemporaryDirectory() as data_dir:
            if store.startswith("postgresql"):
                sys.path.insert(0, str(ROOT / "tests"))
                import pg_cluster

                reason = pg_cluster.unavailable()
                if reason:
                    print(f"skipping PostgreSQL: {reason}", file=sys.stderr)
                    continue
                cluster = pg_cluster.Cluster()
            port = free_port()
            url = cluster.database() if cluster else None
            if store == "postgresql-fsync":
                url += "&options=-c%20synchronous_commit%3Don"
            proc = start_server(data_dir, port, url)
            try:
                results[store] = dict(run(args, port, Path(data_dir), url))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
                if cluster:
                    cluster.stop()

    stores = list(results)
    measures = list(dict.fromkeys(m for rows in results.values() for m in rows))
    width = max(len(m) for m in measures)
    print(f"\nServer: {args.docs:,} documents x {args.dim} dims in {args.clusters} clusters\n")
    print("| " + " | ".join([f"{'measure'.ljust(width)}", *stores]) + " |")
    print("|" + "|".join(["-" * (width + 2), *["---" for _ in stores]]) + "|")
    for m in measures:
        print("| " + " | ".join([m.ljust(width), *[results[s].get(m, "") for s in stores]]) + " |")


def run(args, port: int, data_dir: Path, database_url: str | None) -> list[tuple[str, str]]:
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "bench:bench-key"}, timeout=600)
    rows: list[tuple[str, str]] = []

    # -- bulk insert --------------------------------------------------------------------------
    sent_bytes, insert_seconds, centers = 0, 0.0, None
    for item in batches(args.docs, args.dim, args.clusters, args.batch, args.seed):
        if isinstance(item, np.ndarray):
            centers = item
            break
        body = orjson.dumps({"documents": item}, option=orjson.OPT_SERIALIZE_NUMPY)
        sent_bytes += len(body)
        insert_seconds += timed(lambda: api.post("/datasets/bench/documents/bulk_insert", content=body,
                                                 headers={"content-type": "application/json"}))
    rows.append(("bulk_insert", f"{args.docs / insert_seconds:,.0f} docs/s, {sent_bytes / insert_seconds / 1e6:,.1f} MB/s "
                 f"of JSON ({sent_bytes / 1e9:.2f} GB in {insert_seconds:.1f} s, {args.batch} docs/request)"))
    centroids = [{"_id": f"cluster_{j}", VF: centers[j]} for j in range(args.clusters)]
    body = orjson.dumps({"dataset_id": "bench", "vector_field": VF, "alias": ALIAS, "cluster_centers": centroids},
                        option=orjson.OPT_SERIALIZE_NUMPY)
    insert_ms = timed(lambda: api.post(f"{C}/insert", content=body, headers={"content-type": "application/json"})) * 1000
    rows.append(("centroids/insert", f"{args.clusters} centroids in {insert_ms:.0f} ms"))
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            # Reads are timed once autovacuum has been through the loaded tables (it sets the visibility map
            # that index-only scans of `assignments` use), as every database is a minute or two after a load.
            start = time.monotonic()
            while conn.execute("SELECT count(*) FROM pg_stat_user_tables WHERE last_autovacuum IS NOT NULL "
                               "AND relname IN ('documents', 'vectors', 'assignments')").fetchone()[0] < 3:
                if time.monotonic() - start > 600:
                    raise RuntimeError("autovacuum did not run within 10 minutes of the load")
                time.sleep(1)
        rows.append(("autovacuum done, after the load", f"{time.monotonic() - start:.0f} s"))
    else:
        size = sum(p.stat().st_size for p in data_dir.glob("centroids.sqlite3*"))
    rows.append(("database size", f"{size / 1e9:.2f} GB"))

    # -- list with vectors --------------------------------------------------------------------
    q = {"dataset_id": "bench", "vector_field": VF, "alias": ALIAS, "include_vector": True, "page_size": args.clusters}
    samples = [timed(lambda: api.get(f"{C}/list", params=q)) for _ in range(args.requests)]
    rows.append((f"list, {args.clusters} centroids with vectors", "p50 {:.1f} ms, p99 {:.1f} ms".format(*percentiles(samples))))
    q5 = {**q, "page_size": 5}
    samples = [timed(lambda: api.get(f"{C}/list", params=q5)) for _ in range(args.requests)]
    rows.append(("list, default page of 5 with vectors", "p50 {:.1f} ms, p99 {:.1f} ms".format(*percentiles(samples))))

    # -- documents, page of 50 ----------------------------------------------------------------
    rng = np.random.default_rng(args.seed + 1)
    for metric in ("cosine", "l1", "l2", "dp"):
        base = {"dataset_id": "bench", "vector_field": VF, "alias": ALIAS, "page_size": 50, "similarity_metric": metric}
        clusters = rng.permutation(args.clusters)[: min(args.requests, args.clusters)]
        cold = [timed(lambda: api.post(f"{C}/documents", json={**base, "cluster_ids": [f"cluster_{c}"]}))
                for c in clusters]
        rows.append((f"documents {metric}, 1 cluster, first page (ranked)",
                     "p50 {:.1f} ms, p99 {:.1f} ms".format(*percentiles(cold))))
        warm = [timed(lambda: api.post(f"{C}/documents", json={**base, "cluster_ids": [f"cluster_{clusters[-1]}"],
                                                                  "page": 1 + i % 10}))
                for i in range(args.requests)]
        rows.append((f"documents {metric}, 1 cluster, later pages (cached)",
                     "p50 {:.1f} ms, p99 {:.1f} ms".format(*percentiles(warm))))
        first_all = timed(lambda: api.post(f"{C}/documents", json={**base, "cluster_ids": []}))
        all_pages = [timed(lambda: api.post(f"{C}/documents", json={**base, "cluster_ids": [], "page": 1 + i * 37}))
                     for i in range(args.requests)]
        rows.append((f"documents {metric}, all clusters",
                     "first {:.0f} ms, then p50 {:.1f} ms, p99 {:.1f} ms".format(first_all * 1000, *percentiles(all_pages))))

    rows += concurrent(args, api, port)
    return rows


def concurrent(args, api: httpx.Client, port: int, threads: int = 8, rounds: int = 10) -> list[tuple[str, str]]:
    """8 writers (each 100-document batches into a dataset of its own) while 8 readers page through rankings."""
    done = threading.Event()
    write_seconds: list[float] = []
    read_seconds: list[float] = []
    base = {"dataset_id": "bench", "vector_field": VF, "alias": ALIAS, "page_size": 50}

    def writer(w: int) -> None:
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=600) as own:
            for item in batches(rounds * 100, args.dim, args.clusters, 100, args.seed + 10 + w):
                if isinstance(item, np.ndarray):
                    return
                body = orjson.dumps({"documents": item}, option=orjson.OPT_SERIALIZE_NUMPY)
                write_seconds.append(timed(lambda: own.post(f"/datasets/conc-{w}/documents/bulk_insert", content=body,
                                                            headers={"content-type": "application/json"})))

    def reader(r: int) -> None:
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=600) as own:
            i = 0
            while not done.is_set():
                q = {**base, "cluster_ids": [f"cluster_{(r * 7 + i) % args.clusters}"], "page": 1 + i % 5}
                read_seconds.append(timed(lambda: own.post(f"{C}/documents", json=q)))
                i += 1

    writers = [threading.Thread(target=writer, args=(w,)) for w in range(threads)]
    readers = [threading.Thread(target=reader, args=(r,)) for r in range(threads)]
    start = time.perf_counter()
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    wall = time.perf_counter() - start
    done.set()
    for t in readers:
        t.join()
    return [
        (f"{threads} writers + {threads} readers: writes", f"{threads * rounds * 100 / wall:,.0f} docs/s, request "
         "p50 {:.0f} ms, p99 {:.0f} ms".format(*percentiles(write_seconds))),
        (f"{threads} writers + {threads} readers: reads", "{} pages ({:.0f}/s), p50 {:.1f} ms, p99 {:.1f} ms".format(
            len(read_seconds), len(read_seconds) / wall, *percentiles(read_seconds))),
    ]

if __name__ == "__main__":
    main()
