"""The whole-dataset map in a real browser, per k: what a user waits for and what it costs. Prints a table.

    .venv/bin/python benchmarks/map_scale.py --data /tmp/map-scale --caps 10000    # loads the data once
    .venv/bin/python benchmarks/map_browser.py --data /tmp/map-scale --ks 10,2000

The dashboard (`streamlit run dashboard.py`, what `make run` starts) runs on the data folder that
benchmarks/map_scale.py loaded (200,000 documents with an alias per k). Per k, in headless Chromium:
- default cap: the map page opened on the alias, to its points on screen (a fresh fetch of 10,000);
- 200,000, fetch to points: "up to 200,000" chosen, to all 200,000 documents drawn (fetch, PCA preview,
  figure, plotly drawing it);
- 200,000, laid out: from choosing to the UMAP layout replacing the preview;
- 200,000 from cache: a new tab on the same view, the same choice, to every point on screen;
- sent to the browser: the websocket's bytes from choosing 200,000 to the layout;
- browser heap: Chromium's JS heap once the layout is drawn, after a garbage collection;
- Streamlit peak: the dashboard process's peak RSS so far (VmHWM), and that of its two child processes:
  the embedded server's and the layout worker's;
- Metadata page / Cluster documents page: opened by URL, to the page idle with its first table drawn.
Then the reference page (benchmarks/map_floor.py: the same drawing of as many points, no data work), in a
new profile and in a second tab: the floor Streamlit and plotly.js set in this browser.
The UMAP worker is warm after the first k (numba compiled by the app's warm-up and the first fit).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ".st-key-cluster_map .js-plotly-plot"
DOCUMENT_POINTS = f"""() => {{ const p = document.querySelector({MAP!r});
    return p && p._fullData ? p._fullData.filter(t => t.meta === 'document' && t.name === 'documents')
                                         .reduce((n, t) => n + t._length, 0) : 0; }}"""
REFINED = "() => !document.body.innerText.includes('Refining layout')"
TIMEOUT_MS = 900_000
VIEWPORT = {"width": 1440, "height": 1000}


def _launcher():
    spec = importlib.util.spec_from_file_location("browser_conftest", ROOT / "tests" / "browser" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peak_gb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1e6


def _processes(port: int) -> tuple[int, list[int]]:
    """(the dashboard's pid, its children's pids): found by the port on its command line."""
    dashboard = next(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and
                     f"--server.port\0{port}".encode() in _read(p / "cmdline"))
    children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and
                _read(p / "stat").split(b")")[-1].split()[1:2] == [str(dashboard).encode()]]
    return dashboard, children


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _heap_mb(context, page) -> float:
    """The tab's JS heap in use after a garbage collection (what it holds, not what it has yet to free)."""
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}["JSHeapUsedSize"] / 1e6


def _choose_cap(page, label: str) -> None:
    page.locator(".stSelectbox").filter(has_text="Documents on the map").click()
    page.get_by_role("option", name=label, exact=True).click()


def _wait_points(page, n: int) -> None:
    page.wait_for_function(f"() => ({DOCUMENT_POINTS})() >= {n}", polling=50, timeout=TIMEOUT_MS)


def measure(kit, browser, url: str, port: int, k: int, docs: int) -> dict:
    view = f"/?dataset_id=scale&vector_field=emb_vector_&alias=k{k}"
    row: dict = {"k": k}
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
    start = time.monotonic()
    page.goto(url + view)
    _wait_points(page, 1)
    row["default cap: points (s)"] = time.monotonic() - start
    kit.wait_for_app(page, TIMEOUT_MS)
    page.wait_for_function(REFINED, timeout=TIMEOUT_MS)
    kit.wait_for_app(page, TIMEOUT_MS)

    received[0] = 0
    start = time.monotonic()
    _choose_cap(page, f"up to {docs:,}")
    _wait_points(page, docs)
    row["200,000: fetch to points (s)"] = time.monotonic() - start
    page.wait_for_function(REFINED, timeout=TIMEOUT_MS)
    _wait_points(page, docs)
    kit.wait_for_app(page, TIMEOUT_MS)
    row["200,000: laid out (s)"] = time.monotonic() - start
    row["sent to the browser (MB)"] = received[0] / 1e6
    row["browser heap (MB)"] = _heap_mb(context, page)
    page.close()

    page = context.new_page()
    page.goto(url + view)
    _wait_points(page, 1)
    kit.wait_for_app(page, TIMEOUT_MS)
    start = time.monotonic()
    _choose_cap(page, f"up to {docs:,}")
    _wait_points(page, docs)
    row["200,000 from cache: points (s)"] = time.monotonic() - start
    print(row, flush=True)
    kit.wait_for_app(page, TIMEOUT_MS)

    for name, path in (("Metadata page (s)", "/metadata"), ("Cluster documents page (s)", "/cluster_documents")):
        start = time.monotonic()
        page.goto(url + path + view.replace("/?", "?"))
        kit.wait_for_app(page, TIMEOUT_MS)
        page.wait_for_selector("[data-testid^='glide-cell']", state="attached", timeout=TIMEOUT_MS)  # its first table drawn
        row[name] = time.monotonic() - start
        print(k, name, round(row[name], 2), flush=True)
    context.close()
    dashboard, children = _processes(port)
    server = [pid for pid in children if b"centroid_explorer.server.runner" in _read(Path(f"/proc/{pid}/cmdline"))]
    row["Streamlit peak (GB)"] = _peak_gb(dashboard)
    row["embedded server peak (GB)"] = max((_peak_gb(pid) for pid in server), default=0.0)
    row["layout worker peak (GB)"] = max((_peak_gb(pid) for pid in children if pid not in server), default=0.0)
    return row


def measure_floor(kit, browser, url: str, docs: int) -> dict:
    """The reference page (benchmarks/map_floor.py): the same drawing, no data work."""
    row: dict = {"k": "reference page"}
    context = browser.new_context(viewport=VIEWPORT)
    for name in ("points, new profile (s)", "points, second tab (s)"):
        page = context.new_page()
        start = time.monotonic()
        page.goto(f"{url}/?points={docs}&clusters=10")
        _wait_points(page, docs)
        row[name] = time.monotonic() - start
        kit.wait_for_app(page, TIMEOUT_MS)
    row["browser heap (MB)"] = _heap_mb(context, page)
    context.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="the data folder benchmarks/map_scale.py --data loaded")
    parser.add_argument("--ks", default="10,200,2000,10000")
    parser.add_argument("--docs", type=int, default=200_000)
    args = parser.parse_args()
    kit = _launcher()
    from playwright.sync_api import sync_playwright

    load = Path("/proc/loadavg").read_text().split()[0]
    rows = []
    shutil.rmtree(Path(args.data, "projection-cache"), ignore_errors=True)  # every layout is a new fit
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as logs:
        browser = playwright.chromium.launch(executable_path=kit.CHROMIUM, headless=True, args=kit.CHROMIUM_ARGS)
        with kit.running_app(Path(args.data), Path(logs)) as url:
            port = int(url.rsplit(":", 1)[1])
            for k in (int(k) for k in args.ks.split(",")):
                rows.append(measure(kit, browser, url, port, k, args.docs))
                print(rows[-1], flush=True)
        with kit.running_app(Path(args.data), Path(logs), script="benchmarks/map_floor.py") as url:
            floor = measure_floor(kit, browser, url, args.docs)
        browser.close()
    print(f"load average before: {load}; {args.docs:,} documents")
    for table in (rows, [floor]):
        print("| " + " | ".join(table[0]) + " |")
        print("|" + "---|" * len(table[0]))
        for row in table:
            print("| " + " | ".join(v if isinstance(v, str) else f"{v:,}" if isinstance(v, int) else f"{v:.2f}"
                                    for v in row.values()) + " |")


if __name__ == "__main__":
    main()
