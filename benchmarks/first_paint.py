"""Time to a map on screen, in a real browser, on a freshly started dashboard (issue 5's figures).

A data folder is seeded once (first start of the app). Then, per round, its layout cache is
emptied, a new `streamlit run dashboard.py` process is started on it, and Chromium opens the
cluster map of the digits demo:
- fresh app: the first tab after the start, with a new browser profile (nothing cached): to the
  map's points on screen (the PCA preview), and to the UMAP layout replacing it (a new fit: in
  round 1 with UMAP's compile, as numba's cache in the data folder starts empty);
- reopened, new profile: a second tab on the same view, in another new profile (the layout is
  cached now, so this is the final map);
- reopened, returning browser: a third tab, in the second tab's profile (its HTTP cache holds
  Streamlit's JavaScript, as for anyone who has opened the dashboard before);
- from another page: in that profile, the Connect page first, then "Cluster map" in the sidebar;
- after the warm-up: once more in the returning browser, WARM_UP_DONE_S after the start. The rows
  above run while the worker compiles UMAP's nndescent code in the background (after the first
  map's own fit), which slows the whole machine a little; this one runs once it is done.
Last, a reference: a Streamlit page with nothing but one plotly chart of the same number of
points and clusters (benchmarks/first_paint_floor.py), in a new profile and a returning one.
"Map on screen" is plotly having drawn the map's data (its `data` set, polled every 20 ms).

    .venv/bin/python benchmarks/first_paint.py --rounds 5

Uses the browser tests' launcher (tests/browser/conftest.py) and Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEW = "?dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"
MAP_DRAWN = """() => { const p = document.querySelector('.st-key-cluster_map .js-plotly-plot');
                       return !!(p && p.data && p.data.length); }"""
REFINED = "() => !document.body.innerText.includes('Refining layout')"
VIEWPORT = {"width": 1440, "height": 1000}
TIMEOUT_MS = 300_000
WARM_UP_DONE_S = 60  # the warm-up's second step takes ~25 s after the first map's fit (~55 s in round 1)


def _launcher():
    spec = importlib.util.spec_from_file_location("browser_conftest", ROOT / "tests" / "browser" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _open(context, url: str) -> tuple[object, float]:
    """A new tab on `url`; returns it and the seconds until the map is drawn."""
    page = context.new_page()
    start = time.monotonic()
    page.goto(url)
    page.wait_for_function(MAP_DRAWN, polling=20, timeout=TIMEOUT_MS)
    return page, time.monotonic() - start


def _map_size(page) -> tuple[int, int]:
    """(documents shown, clusters) from the map page's caption."""
    caption = page.get_by_text(re.compile(r"clusters · .* documents · showing")).inner_text()
    clusters = int(re.match(r"(\d+) clusters", caption).group(1))
    return int(re.search(r"showing ([\d,]+)", caption).group(1).replace(",", "")), clusters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    kit = _launcher()
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = defaultdict(list)
    load_before = Path("/proc/loadavg").read_text().split()[0]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        data, logs = Path(tmp, "data"), Path(tmp, "logs")
        data.mkdir(), logs.mkdir()
        browser = playwright.chromium.launch(executable_path=kit.CHROMIUM, headless=True, args=kit.CHROMIUM_ARGS)
        with kit.running_app(data, logs) as url:  # first start: seeds the demo data
            seeding = browser.new_page()
            seeding.goto(url + "/connect")
            kit.wait_for_app(seeding)
            seeding.close()
        for _ in range(args.rounds):
            shutil.rmtree(data / "projection-cache", ignore_errors=True)  # the round's UMAP layout is a new fit
            with kit.running_app(data, logs) as url:
                started = time.monotonic()  # the app answers: the clock for the UMAP layout and the warm-up
                first = browser.new_context(viewport=VIEWPORT)
                page, on_screen = _open(first, url + "/" + VIEW)
                times["fresh app, new profile: map on screen"].append(on_screen)
                page.wait_for_function(REFINED, timeout=TIMEOUT_MS)
                times["fresh app, new profile: UMAP layout"].append(time.monotonic() - started)
                kit.wait_for_app(page)
                points, clusters = _map_size(page)
                first.close()

                returning = browser.new_context(viewport=VIEWPORT)
                page, seconds = _open(returning, url + "/" + VIEW)
                times["reopened, new profile"].append(seconds)
                kit.wait_for_app(page)
                page.close()
                page, seconds = _open(returning, url + "/" + VIEW)
                times["reopened, returning browser"].append(seconds)
                kit.wait_for_app(page)
                page.goto(url + "/connect" + VIEW)
                kit.wait_for_app(page)
                start = time.monotonic()
                page.locator("[data-testid='stSidebarNav']").get_by_text("Cluster map", exact=True).click()
                page.wait_for_function(MAP_DRAWN, polling=20, timeout=TIMEOUT_MS)
                times["from another page (sidebar link)"].append(time.monotonic() - start)
                page.close()
                time.sleep(max(0.0, started + WARM_UP_DONE_S - time.monotonic()))
                page, seconds = _open(returning, url + "/" + VIEW)
                times["reopened, returning browser, after the warm-up"].append(seconds)
                returning.close()

        floor_view = f"/?points={points}&clusters={clusters}"
        with kit.running_app(data, logs, script="benchmarks/first_paint_floor.py") as url:
            for _ in range(args.rounds):
                returning = browser.new_context(viewport=VIEWPORT)
                page, seconds = _open(returning, url + floor_view)
                times["reference page, new profile"].append(seconds)
                kit.wait_for_app(page)
                page.close()
                page, seconds = _open(returning, url + floor_view)
                times["reference page, returning browser"].append(seconds)
                returning.close()
        browser.close()

    print(f"load average before: {load_before}; map: {points} documents + {clusters} centroids; {args.rounds} rounds")
    print("| scenario | median s | min s | max s | each round s |")
    print("|---|---|---|---|---|")
    for name, values in times.items():
        each = " / ".join(f"{value:.2f}" for value in values)
        print(f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} | {each} |")


if __name__ == "__main__":
    main()
