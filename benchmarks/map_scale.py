"""The cluster map at many clusters: what the page fetches, builds and sends, for k in {10, 200, 2,000, 10,000}.
Prints a table.

    .venv/bin/python benchmarks/map_scale.py                              # 200,000 docs x 768 dims
    .venv/bin/python benchmarks/map_scale.py --docs 50000 --dims 128      # a quicker run
    .venv/bin/python benchmarks/map_scale.py --data /tmp/map-scale        # keep the loaded server data for the next run

One embedded server (a child process, as `serve` runs it) holds the documents once, with one alias per
k (each document assigned in each). Per k, as the map page does it with its default cap (10,000
documents) and at the whole-dataset cap (200,000): the fetch through the client, the figures built
(map with its hover texts, sizes, distribution, the neighbour heatmap) and their size as plotly sends
them to the browser, and one page of one cluster's documents (the Cluster documents page's request).
Each row runs in a fresh process (the dashboard's side): its peak RSS, and what the imports alone
took before the row began. The layout (UMAP) is benchmarks/projection.py's; the browser's side is
benchmarks/map_browser.py's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.server import free_port, start_server  # noqa: E402
from centroid_explorer.client import Client  # noqa: E402
from centroid_explorer.cluster_sample import DEFAULT_CAP, fetch_cluster_sample  # noqa: E402
from centroid_explorer.metrics import nearest_centroids, similarity  # noqa: E402
from centroid_explorer.projection.core import quick_layout  # noqa: E402
from centroid_explorer.projection.engine import Layout  # noqa: E402
from components import charts  # noqa: E402
from components.hover import tooltips  # noqa: E402

VF = "emb_vector_"
KS = [10, 200, 2_000, 10_000]


def load(client: Client, docs: int, dims: int, ks: list[int], batch: int = 2_000) -> None:
    rng = np.random.default_rng(0)
    centres = {k: rng.normal(size=(k, dims)).astype(np.float32) for k in ks}
    finest = centres[max(ks)]
    for start in range(0, docs, batch):
        n = min(batch, docs - start)
        base = finest[rng.integers(0, len(finest), n)] + rng.normal(0, 0.3, (n, dims)).astype(np.float32)
        # Each alias assigns a document to its nearest centroid of that k (coarse aliases: the finest's first k).
        assigned = {k: np.argmax(similarity(base, centres[k], "cosine"), axis=1) for k in ks}
        client.datasets.bulk_insert("scale", [
            {"_id": f"d{start + i}", VF: base[i].tolist(), "title": f"document {start + i}",
             "_cluster_": {VF: {f"k{k}": f"c{assigned[k][i]}" for k in ks}}}
            for i in range(n)
        ])
    for k in ks:
        for first in range(0, k, 1_000):
            client.centroids.insert("scale", [{"_id": f"c{c}", VF: centres[k][c].tolist()} for c in range(first, min(k, first + 1_000))],
                                    VF, f"k{k}")


def figure_bytes(figure) -> int:
    return len(figure.to_json())


def measure_in_child(base_url: str, k: int, cap: int) -> dict:
    """`measure` in a fresh process, so that its peak memory is this row's alone."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measure, base_url, k, cap).result()


def _measure(base_url: str, k: int, cap: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Client(base_url, "bench", "bench-key", timeout=600) as client:
        return {**measure(client, k, cap), "baseline_gb": before / 1e6}


def measure(client: Client, k: int, cap: int) -> dict:
    start = time.perf_counter()
    sample = fetch_cluster_sample(client, "scale", VF, f"k{k}", cap)
    fetched = time.perf_counter() - start
    start = time.perf_counter()
    xy = quick_layout(np.concatenate([sample.layout_centroids, sample.document_vectors]), sample.layout_metric)
    layout = Layout(documents=xy[k:], centroids=xy[:k], refined=False)
    the_map, _ = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine")
    focus = int(np.argmax(sample.sizes))
    shown = nearest_centroids(sample.centroids.vectors, focus, "cosine", 25)
    ids = [sample.cluster_ids[i] for i in shown]
    vectors = sample.centroids.vectors[shown]
    side = [charts.cluster_sizes(sample.cluster_ids, {}, sample.sizes), charts.size_distribution(sample.sizes),
            charts.centroid_similarity(ids, {}, similarity(vectors, vectors, "cosine"), "cosine", "neighbours")]
    sizes = [figure_bytes(the_map)] + [figure_bytes(f) for f in side]
    built = time.perf_counter() - start
    start = time.perf_counter()
    client.centroids.documents("scale", [sample.cluster_ids[focus]], VF, f"k{k}", page_size=20)
    one_cluster = time.perf_counter() - start
    return dict(k=k, cap=cap, drawn=sample.drawn, fetch=fetched, build=built, map_mb=sizes[0] / 1e6,
                largest_mb=max(sizes) / 1e6, total_mb=sum(sizes) / 1e6, one_cluster=one_cluster,
                rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--dims", type=int, default=768)
    parser.add_argument("--ks", default=",".join(map(str, KS)))
    parser.add_argument("--caps", default=f"{DEFAULT_CAP},200000")
    parser.add_argument("--data", help="a folder for the server's data, loaded once and reused by later runs "
                        "(with the same --docs, --dims and --ks); default: a temp folder")
    args = parser.parse_args()
    ks = [int(k) for k in args.ks.split(",")]
    caps = [int(c) for c in args.caps.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.data or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        loaded = folder / f"loaded-{args.docs}x{args.dims}"  # holds the ks loaded; later runs may measure fewer
        port = free_port()
        server = start_server(str(folder), port, None)
        try:
            with Client(f"http://127.0.0.1:{port}", "bench", "bench-key", timeout=600) as client:
                if not loaded.exists():
                    start = time.perf_counter()
                    load(client, args.docs, args.dims, ks)
                    loaded.write_text(args.ks)
                elif not set(ks) <= {int(k) for k in loaded.read_text().split(",")}:
                    parser.error(f"{folder} holds aliases for k in {loaded.read_text()}; use another --data to load others")
                    print(f"{args.docs:,} documents x {args.dims} dims, {len(ks)} aliases, loaded in {time.perf_counter() - start:.0f} s")
            rows = [measure_in_child(f"http://127.0.0.1:{port}", k, cap) for k in ks for cap in caps]
            status = Path(f"/proc/{server.pid}/status").read_text()
            server_peak = int(status.split("VmHWM:")[1].split()[0]) / 1e6
        finally:
            server.terminate()
    print(f"the server process's peak RSS over these rows: {server_peak:.2f} GB")
    print("| k | cap | drawn | fetch (s) | figures built (s) | map figure (MB) | largest message (MB) | all figures (MB) |"
          " one cluster's page (s) | peak RSS (GB) | of which imports (GB) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['k']:,} | {r['cap']:,} | {r['drawn']:,} | {r['fetch']:.1f} | {r['build']:.1f} | {r['map_mb']:.1f} | "
              f"{r['largest_mb']:.1f} | {r['total_mb']:.1f} | {r['one_cluster']:.3f} | {r['rss_gb']:.2f} | {r['baseline_gb']:.2f} |")


if __name__ == "__main__":
    main()
