"""Time to a map on screen, in a real browser, on a freshly started dashboard (issue 5's figures).

A data folder is seeded once (first start of the app), then for each round a new `streamlit run
app.py` process is started on it and Chromium opens the cluster map of the digits demo:
- first paint: from opening the page to the map's points on screen (the PCA preview);
- UMAP: from opening the page to the refined layout replacing it;
- reopen: a second tab on the same view once the layout is cached.

    .venv/bin/python benchmarks/first_paint.py --rounds 3

Uses the browser tests' launcher (tests/browser/conftest.py) and Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEW = "/?dataset_id=digits&vector_field=pixels_vector_&alias=kmeans-10"
MAP_DRAWN = """() => { const p = document.querySelector('.st-key-cluster_map .js-plotly-plot');
                       return !!(p && p.data && p.data.length); }"""
REFINED = "() => !document.body.innerText.includes('Refining layout')"


def _launcher():
    spec = importlib.util.spec_from_file_location("browser_conftest", ROOT / "tests" / "browser" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _time_to(page, url: str, condition: str) -> float:
    start = time.monotonic()
    page.goto(url)
    page.wait_for_function(condition, timeout=300_000)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    browser_kit = _launcher()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        data, logs = Path(tmp, "data"), Path(tmp, "logs")
        data.mkdir(), logs.mkdir()
        browser = playwright.chromium.launch(
            executable_path=browser_kit.CHROMIUM, headless=True, args=browser_kit.CHROMIUM_ARGS
        )
        with browser_kit.running_app(data, logs) as url:  # first start: seeds the demo data
            seeding = browser.new_page()
            _time_to(seeding, url + "/connect", "() => document.body.innerText.includes('Connect')")
            seeding.close()
        for round_ in range(args.rounds):
            with browser_kit.running_app(data, logs) as url:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                start = time.monotonic()
                page.goto(url + VIEW)
                page.wait_for_function(MAP_DRAWN, timeout=300_000)
                first = time.monotonic() - start
                page.wait_for_function(REFINED, timeout=300_000)
                refined = time.monotonic() - start
                reopen = _time_to(browser.new_page(viewport={"width": 1440, "height": 1000}), url + VIEW, MAP_DRAWN)
                rows.append((round_ + 1, first, refined, reopen))
        browser.close()

    print(f"load average before: {Path('/proc/loadavg').read_text().split()[0]}")
    print("| round | map on screen s | UMAP layout s | reopened view s |")
    print("|-------|-----------------|---------------|-----------------|")
    for round_, first, refined, reopen in rows:
        print(f"| {round_} | {first:.2f} | {refined:.2f} | {reopen:.2f} |")
    if len(rows) > 1:
        med = [statistics.median(r[i] for r in rows) for i in (1, 2, 3)]
        print(f"| median | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.2f} |")


if __name__ == "__main__":
    main()
