"""Plain umap-learn (defaults) vs centroid_explorer.projection.project_2d: time, memory, quality.

    .venv/bin/python benchmarks/projection.py                      # everything (100k plain is slow)
    .venv/bin/python benchmarks/projection.py --sizes 2000,20000 --datasets digits --modes warm

Every measurement runs in its own subprocess, so peak memory and compile state are per run:
  warm: the child first compiles the side it measures by fitting the first 5,000 rows of the
        same data with the same call (see compile_side), then times the fit on all of it,
        --repeats times (default 3; 1 above 20,000 points), and reports the fastest: on a shared
        machine the minimum is the run least disturbed by other work.
  cold: the child is timed from process start (parent clock, before spawning) to the layout,
        after one discarded run of the same child has filled numba's on-disk cache.
Both sides use euclidean distances (project_2d metric "l2"), as plain defaults do.
Quality, computed in the parent on the saved layouts:
  trustworthiness: sklearn, k=10, on a random subsample of at most 5,000 points (neighbours
        are found within the subsample, in both spaces), the same subsample for both sides;
  recall@10: for 1,000 random points, the share of their 10 true nearest neighbours (in the
        input space, among all n) that are among their 10 nearest in the layout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def clustered(n: int, d: int = 768, n_clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Gaussian clusters of uneven sizes (Dirichlet shares) and spreads (x0.3 to x2)."""
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(n_clusters, 0.5))
    labels = rng.choice(n_clusters, size=n, p=shares)
    centres = rng.normal(scale=1.0, size=(n_clusters, d)).astype(np.float32)
    spreads = rng.uniform(0.3, 2.0, size=n_clusters).astype(np.float32) / np.sqrt(d / 16)
    return centres[labels] + rng.normal(size=(n, d)).astype(np.float32) * spreads[labels, None]


def load(dataset: str) -> np.ndarray:
    if dataset == "digits":
        from sklearn.datasets import load_digits

        return load_digits().data.astype(np.float32)
    if dataset == "text":
        from centroid_explorer.demo import python_docs

        demo = python_docs()
        return np.array([doc[demo.vector_field] for doc in demo.documents], dtype=np.float32)
    return clustered(int(dataset.removeprefix("blobs-")))


# --- child: one fit ---------------------------------------------------------------------

def fit(side: str, vectors: np.ndarray) -> np.ndarray:
    if side == "plain":
        import umap

        return umap.UMAP().fit_transform(vectors)
    from centroid_explorer.projection import project_2d

    return project_2d(vectors, "l2")


def compile_side(side: str, vectors: np.ndarray) -> None:
    """Fit the first 5,000 rows (all when fewer): the same code path the full fit takes, since
    umap-learn switches paths at 4,096 points. Ours first runs the app's warm-up, which also
    compiles nndescent: project_2d uses it from 4,096 points once it is compiled."""
    if side == "ours":
        from centroid_explorer.projection.warmup import warm

        warm(["euclidean"])  # in this process, where the timed fits run
    fit(side, vectors[:5_000])


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(args) -> None:
    vectors = np.load(args.data)
    if args.mode == "warm":
        compile_side(args.side, vectors)
    before = rss_mb()
    repeats = args.repeats if args.mode == "warm" and len(vectors) <= 20_000 else 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        layout = fit(args.side, vectors)
        times.append(time.perf_counter() - start)
    elapsed = min(times)
    done_at = time.time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.save(args.out, layout)
    print(json.dumps({"fit_s": elapsed, "all_s": times, "done_at": done_at, "peak_mb": peak, "before_mb": before}))


# --- parent -------------------------------------------------------------------------------

def run_child(mode: str, side: str, data: Path, out: Path, env: dict, repeats: int = 1) -> dict:
    started = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", "--mode", mode, "--side", side, "--data", str(data), "--out", str(out),
         "--repeats", str(repeats)],
        capture_output=True, text=True, env=env, check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = result["done_at"] - started
    return result


def quality(vectors: np.ndarray, layout: np.ndarray, seed: int = 0) -> tuple[float, float]:
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    n = len(vectors)
    sample = rng.choice(n, size=min(n, 5_000), replace=False)
    trust = trustworthiness(vectors[sample], layout[sample], n_neighbors=10)
    queries = rng.choice(n, size=min(n, 1_000), replace=False)
    true = NearestNeighbors(n_neighbors=11).fit(vectors).kneighbors(vectors[queries], return_distance=False)[:, 1:]
    got = NearestNeighbors(n_neighbors=11).fit(layout).kneighbors(layout[queries], return_distance=False)[:, 1:]
    recall = np.mean([len(set(t) & set(g)) / 10 for t, g in zip(true, got, strict=False)])
    return float(trust), float(recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000,100000", help="clustered 768-dim sets to run")
    parser.add_argument("--datasets", default="digits,text", help="demo data sets to run (digits, text)")
    parser.add_argument("--modes", default="warm,cold")
    parser.add_argument("--repeats", type=int, default=3, help="warm fits per side up to 20,000 points; the fastest counts")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode"), parser.add_argument("--side"), parser.add_argument("--data"), parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        return child(args)

    names = [f"blobs-{s}" for s in args.sizes.split(",") if s] + [d for d in args.datasets.split(",") if d]
    work = Path(tempfile.mkdtemp(prefix="projection-bench-"))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(work / "numba-cache"), PYTHONWARNINGS="ignore")
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}; {os.cpu_count()} cores")
    header = ("| data | n x d | mode | plain s | ours s | speed-up | plain peak MB | ours peak MB "
              "| plain trust | ours trust | plain recall@10 | ours recall@10 | load |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name in names:
        vectors = load(name)
        data = work / f"{name}.npy"
        np.save(data, vectors)
        for mode in args.modes.split(","):
            row = {}
            load_at_start = open("/proc/loadavg").read().split()[0]
            for side in ("plain", "ours"):
                out = work / f"{name}-{mode}-{side}.npy"
                if mode == "cold":
                    run_child(mode, side, data, out, env)  # fills numba's on-disk cache
                result = run_child(mode, side, data, out, env, args.repeats)
                seconds = result["fit_s"] if mode == "warm" else result["process_s"]
                row[side] = (seconds, result["peak_mb"] - result["before_mb"], *quality(vectors, np.load(out)))
            (pt, pm, ptr, prc), (ot, om, otr, orc) = row["plain"], row["ours"]
            print(f"| {name} | {vectors.shape[0]:,} x {vectors.shape[1]} | {mode} | {pt:.2f} | {ot:.2f} | "
                  f"{pt / ot:.1f}x | {pm:.0f} | {om:.0f} | {ptr:.4f} | {otr:.4f} | {prc:.3f} | {orc:.3f} | {load_at_start} |",
                  flush=True)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
