"""Quality table, suggested labels and outliers (centroid_explorer.insight) at demo size and at scale.

    .venv/bin/python benchmarks/insight.py                       # demo datasets + 200,000 x 768 in 200 clusters
    .venv/bin/python benchmarks/insight.py --docs 20000          # a quicker large row
    .venv/bin/python benchmarks/insight.py --data /tmp/insight-bench   # keep (and reuse) the seeded folder

The embedded server runs in a child process through `serve()` on a data folder, seeded once: the two
demo datasets (`demo.seed_demo`) and `bench`, documents drawn around 200 random centres (seeded) with a
title and a text field of 12 words, 4 of them from the document's own cluster's vocabulary. Each
measurement is a fresh child process that connects with the project's client, as the dashboard and
the CLI do, and times the library call end to end (reading over HTTP included; scikit-learn imported
beforehand, as a dashboard process does once); "peak MiB" is the child's peak RSS above its RSS just
before the call. What the figures rest on is in the "read" column:
every member, or the sample `read_members` takes (a share of the budget per cluster, spread over
each cluster's ranking).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.server import free_port, start_server  # noqa: E402

VF = "emb_vector_"
ALIAS = "kmeans-200"
PROJECT, KEY = "bench", "bench-key"
COMMON = "the of data report value system process result model review note item".split()
DEMOS = [("digits", "pixels_vector_", "kmeans-10"), ("python-docs", "text_vector_", "kmeans-12")]


def seed(base_url: str, docs: int, dim: int, clusters: int) -> None:
    from centroid_explorer import demo
    from centroid_explorer.client import Client

    with Client(base_url, PROJECT, KEY, timeout=600, deadline=3600) as client:
        known = client.datasets.list()
        if not set(demo.DEMO_DATASETS) <= set(known):
            demo.seed_demo(client)
        if "bench" in known and client.centroids.documents("bench", [], VF, ALIAS, page_size=1)["count"] == docs:
            return
        if "bench" in known:
            client.datasets.delete("bench")
        rng = np.random.default_rng(0)
        centres = rng.normal(size=(clusters, dim)).astype(np.float32)
        words = [[f"topic{c}word{j}" for j in range(8)] for c in range(clusters)]
        started = time.perf_counter()
        for start in range(0, docs, 1000):
            n = min(1000, docs - start)
            labels = rng.integers(0, clusters, size=n)
            vectors = centres[labels] + rng.normal(scale=0.6, size=(n, dim)).astype(np.float32)
            batch = []
            for i in range(n):
                c = int(labels[i])
                text = " ".join([*rng.choice(COMMON, 8), *rng.choice(words[c], 4)])
                batch.append({"_id": f"doc-{start + i}", "title": f"document {start + i}", "text": text,
                              VF: vectors[i], "_cluster_": {VF: {ALIAS: f"cluster_{c}"}}})
            client.datasets.bulk_insert("bench", batch)
        client.centroids.insert("bench", [{"_id": f"cluster_{c}", VF: centres[c]} for c in range(clusters)], VF, ALIAS)
        print(f"seeded bench: {docs:,} x {dim} in {clusters} clusters in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, from /proc."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def measure(base_url: str, task: str, dataset: str, vector_field: str, alias: str, metric: str) -> dict:
    """One task in this (child) process: seconds, peak MiB above the start, what was read."""
    import sklearn.feature_extraction.text  # noqa: F401  # imported once per dashboard process, not per call
    import sklearn.metrics  # noqa: F401

    from centroid_explorer.client import Client
    from centroid_explorer.insight.labels import suggest_labels
    from centroid_explorer.insight.members import read_members
    from centroid_explorer.insight.outliers import outlier_table
    from centroid_explorer.insight.quality import cluster_quality

    with Client(base_url, PROJECT, KEY, timeout=600, deadline=3600) as client:
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
        before = _status_mib("VmRSS")
        started = time.perf_counter()
        if task == "labels":
            suggestions = suggest_labels(client, dataset, vector_field, alias)
            read, total, exact = suggestions.read, suggestions.total, suggestions.exact
            extra = f"text field {suggestions.text_field}"
            read_s = None
        else:
            members = read_members(client, dataset, vector_field, alias, metric)
            read_s = time.perf_counter() - started
            if task == "quality":
                report = cluster_quality(members, metric)
                extra = f"silhouette on {report.silhouette_sample:,} ({report.silhouette_distance})"
            else:
                table = outlier_table(members, metric)
                extra = f"{len(table):,} rows"
            read, total, exact = len(members.ids), int(members.sizes.sum()), members.exact
        seconds = time.perf_counter() - started
    peak = _status_mib("VmHWM") - before
    return {"seconds": seconds, "read_s": read_s, "peak": peak, "read": read, "total": total, "exact": exact,
            "extra": extra}


def child(base_url: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", base_url, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--metrics", default="cosine,l2", help="metrics of the quality and outlier rows")
    parser.add_argument("--data", type=Path, help="data folder to seed once and reuse (default: a temp folder)")
    parser.add_argument("--measure", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    data = args.data or Path(tempfile.mkdtemp(prefix="insight-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(str(data), port, None)  # the SQLite store
    base_url = f"http://127.0.0.1:{port}"
    try:
        seed(base_url, args.docs, args.dim, args.clusters)
        targets = [(name, vf, alias) for name, vf, alias in DEMOS] + [("bench", VF, ALIAS)]
        print("| data | task | metric | s | of which reading | peak MiB | read | figures |")
        print("|---|---|---|---|---|---|---|---|")
        for dataset, vf, alias in targets:
            for task in ("quality", "labels", "outliers"):
                for metric in (["cosine"] if task == "labels" else args.metrics.split(",")):
                    row = child(base_url, task, dataset, vf, alias, metric)
                    what = "exact" if row["exact"] else "sampled"
                    reading = "-" if row["read_s"] is None else f"{row['read_s']:.2f}"
                    print(f"| {dataset} | {task} | {metric if task != 'labels' else '-'} | {row['seconds']:.2f} | "
                          f"{reading} | {row['peak']:.0f} | {row['read']:,} of {row['total']:,} ({what}) | "
                          f"{row['extra']} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
