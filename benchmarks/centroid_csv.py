"""Checking a centroid CSV (`centroid_csv.parse`, what the CLI's import and the upload page run):
CPU time and peak memory per file shape.

    .venv/bin/python benchmarks/centroid_csv.py
    .venv/bin/python benchmarks/centroid_csv.py --shapes 1x100000,10000x768 --repeats 3

Each shape is rows x vector columns of one-column-per-dimension numbers (as the export writes
them), generated in the parent and parsed in a fresh child process (`--child`), so the peak RSS is
that parse's alone. "wide header" shapes pass the vector field's dimension as 64, so the file is
refused at its header (the message the user gets); the others are parsed whole. CPU s is the
child's process time for `parse` (the fastest of --repeats runs); peak MiB is the child's peak RSS
above its RSS before the parse.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SHAPES = "1x10000,1x100000,2000x3000,5000x768"


def make_file(rows: int, columns: int) -> bytes:
    from centroid_explorer import centroid_csv

    vectors = np.random.default_rng(0).normal(size=(rows, columns)).astype(np.float32)
    return centroid_csv.export([f"cluster_{i}" for i in range(rows)], vectors).encode()


def child(path: str, expected_dimension: int | None) -> None:
    from centroid_explorer import centroid_csv

    data = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    try:
        outcome = f"parsed {centroid_csv.parse(data, expected_dimension).vectors.shape}"
    except centroid_csv.CentroidCSVError as error:
        outcome = str(error.problems[0])
    cpu = time.process_time() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"cpu": cpu, "peak": peak, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default=DEFAULT_SHAPES, help="rows x columns, comma-separated")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]) or None)
        return

    print("| file (rows x columns)  |   MB | checked as          | CPU s | peak MiB | outcome")
    print("|------------------------|------|---------------------|-------|----------|--------")
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes.split(","):
            rows, columns = (int(n) for n in shape.split("x"))
            path = Path(folder) / f"{shape}.csv"
            path.write_bytes(make_file(rows, columns))
            wide_header = columns > 64 and rows == 1
            runs = []
            for _ in range(args.repeats):
                answer = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), "64" if wide_header else "0"],
                    capture_output=True, text=True, check=True, cwd=ROOT,
                )
                runs.append(json.loads(answer.stdout))
            best = min(runs, key=lambda run: run["cpu"])
            kind = "wide header, dim 64" if wide_header else "whole file"
            print(
                f"| {rows:>7,} x {columns:>8,}     | {path.stat().st_size / 2**20:4.0f} | {kind:<19} "
                f"| {best['cpu']:5.2f} | {best['peak']:8.0f} | {best['outcome'][:70]}"
            )


if __name__ == "__main__":
    main()
