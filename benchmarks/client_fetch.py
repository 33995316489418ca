"""Fetch 20,000 documents with 768-dim vectors from the embedded server through the client.

Compares the parsing choices of the client module: stdlib json with vectors kept as Python lists
(the naive client), orjson with lists, and orjson with each page's vectors turned into float32
arrays (`iter_documents(..., as_arrays=True)`) and stacked with `vectors_of`.

The server runs in this process; each fetch runs in a fresh child process so that its peak memory
is its own. "peak MiB" is the child's peak RSS above its RSS just before fetching; "RSS after"
is what it still holds once the documents (and, for float32, the stacked matrix) are in hand.
"client CPU s" is the child's CPU time while fetching: receiving and parsing, without the server's
work (which runs in this process), so it is the column the parsing choices move.

    .venv/bin/python benchmarks/client_fetch.py [--documents 20000] [--dimension 768] [--page-size 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from centroid_explorer.client import Client, vectors_of  # noqa: E402
from centroid_explorer.config import ENV_API_KEY, ENV_BASE_URL, ENV_PROJECT  # noqa: E402
from centroid_explorer.server.runner import EmbeddedServer  # noqa: E402

DATASET_ID = "bench-client-fetch"
VECTOR_FIELD = "text_vector_"
VARIANTS = {
    "json-lists": "stdlib json, vectors as Python lists",
    "orjson-lists": "orjson, vectors as Python lists",
    "orjson-float32": "orjson, float32 arrays per page + vectors_of",
}


def _status_bytes(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak_rss() -> None:
    # ru_maxrss would report the parent's peak (it survives fork and exec); VmHWM can be reset.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def fetch(variant: str, page_size: int) -> dict:
    """In the child: fetch every document the way `variant` says; time and peak memory."""
    if variant == "json-lists":
        from centroid_explorer.client import _session

        _session.orjson = types.SimpleNamespace(loads=json.loads, JSONDecodeError=json.JSONDecodeError)
    with Client.from_env(timeout=300) as client:
        client.datasets.list_documents(DATASET_ID, page_size=1)  # connection open, modules warm
        _reset_peak_rss()
        before = _status_bytes("VmRSS")
        started, cpu_started = time.perf_counter(), time.process_time()
        as_arrays = variant == "orjson-float32"
        pages = client.datasets.iter_documents(DATASET_ID, page_size, include_vector=True, as_arrays=as_arrays)
        documents = list(pages)
        matrix = vectors_of(documents, VECTOR_FIELD) if as_arrays else None
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak = _status_bytes("VmHWM")
        retained = _status_bytes("VmRSS") - before
    assert matrix is None or matrix.shape == (len(documents), len(documents[0][VECTOR_FIELD]))
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": (peak - before) / 2**20,
        "retained_mib": retained / 2**20,
    }


def seed(client: Client, documents: int, dimension: int) -> float:
    rng = np.random.default_rng(0)

    def generate():
        for start in range(0, documents, 1000):
            vectors = rng.normal(size=(min(1000, documents - start), dimension)).astype(np.float32)
            for offset, vector in enumerate(vectors):
                yield {"_id": f"doc-{start + offset:06d}", "title": f"document {start + offset}", VECTOR_FIELD: vector}

    started = time.perf_counter()
    answer = client.datasets.bulk_insert(DATASET_ID, generate())
    assert answer["inserted"] == documents, answer
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--dimension", type=int, default=768)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(fetch(args.child, args.page_size)))
        return

    with tempfile.TemporaryDirectory() as data_dir, EmbeddedServer(data_dir) as server:
        with Client(server.base_url, server.project, server.api_key, timeout=300) as client:
            seed_seconds = seed(client, args.documents, args.dimension)
        print(f"{args.documents:,} documents x {args.dimension} dims, page_size={args.page_size}; "
              f"seeded through bulk_insert in {seed_seconds:.1f} s\n")
        print(f"| {'variant':<46} | {'fetch s':>7} | {'client CPU s':>12} | {'peak MiB':>8} | {'RSS after':>9} |")
        print(f"|{'-' * 48}|{'-' * 9}|{'-' * 14}|{'-' * 10}|{'-' * 11}|")
        for variant, label in VARIANTS.items():
            child = subprocess.run(
                [sys.executable, __file__, "--page-size", str(args.page_size), "--child", variant],
                env={
                    **os.environ,
                    ENV_BASE_URL: server.base_url,
                    ENV_PROJECT: server.project,
                    ENV_API_KEY: server.api_key,
                },
                check=True, capture_output=True, text=True,
            )
            result = json.loads(child.stdout)
            print(
                f"| {label:<46} | {result['seconds']:>7.2f} | {result['cpu_seconds']:>12.2f} "
                f"| {result['peak_mib']:>8.0f} | {result['retained_mib']:>9.0f} |"
            )


if __name__ == "__main__":
    main()
