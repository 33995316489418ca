"""Real-browser fixtures: `streamlit run dashboard.py` (as `make run`) on a free port, driven by
Playwright + Debian's Chromium.

- `app_url` (session): the app started as a subprocess on a fresh data folder (the embedded server
  seeds the demo data on first start), with no RELEVANCE_* variables so it uses the embedded server.
- `running_app(data_folder, log_folder, script="dashboard.py")`: the same as a context manager, for tests
  that need their own process (e.g. a fresh start on an already seeded folder).
- `browser` (session) / `page` (per test): headless Chromium at /usr/bin/chromium.
- `wait_for_app(page)`: waits until the script run has finished (never sleeps).
- `wait_for_grids(page)`: waits until every table is drawn (they load after the script run ends).
- `assert_no_traceback(page)`: fails if an exception box is on the page.
- `save_screenshot(page, name)`: writes test-output/screenshots/<name>.png and returns the path.

Each helper is also a fixture of the same name, so tests need no import from here.
Skipped, with the reason, when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# First start seeds the demo data and imports the projection stack; generous, only paid once.
STARTUP_TIMEOUT_S = 180
RENDER_TIMEOUT_MS = 120_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling a process we started, not waiting on the page
    raise RuntimeError(f"streamlit did not answer within {STARTUP_TIMEOUT_S}s; see {log}")


@contextmanager
def running_app(data_folder: Path, log_folder: Path, script: str = "dashboard.py"):
    """`streamlit run <script>` on a free port over `data_folder`; yields its URL, stops it after."""
    port = _free_port()
    # As `make run` starts it: no RELEVANCE_*, and not the NUMBA_CACHE_DIR this test process's own
    # app set (AppTest's warm-up), which would send the app's compiled code to another folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELEVANCE_") and k != "NUMBA_CACHE_DIR"}
    env["CENTROID_EXPLORER_DATA"] = str(data_folder)
    log = log_folder / f"streamlit-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app-data"), tmp_path_factory.mktemp("app-log")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def wait_for_app(page, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script for the current page."""
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)


# Tables load lazily: a grey skeleton first, then the grid with a text mirror of its cells.
GRIDS_DRAWN = """() => !document.querySelector("[data-testid='stSkeleton']") &&
    [...document.querySelectorAll("[data-testid='stDataFrame']")].every(grid => grid.querySelector("[data-testid^='glide-cell']"))"""


def wait_for_grids(page) -> None:
    """Wait until every table on the page shows its cells (e.g. before a screenshot)."""
    page.wait_for_function(GRIDS_DRAWN)


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def assert_no_traceback(page) -> None:
    """No Python exception box anywhere on the page."""
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]


# The helpers as fixtures too, so test modules need no import from a conftest.
@pytest.fixture(name="wait_for_app")
def wait_for_app_fixture():
    return wait_for_app


@pytest.fixture(name="wait_for_grids")
def wait_for_grids_fixture():
    return wait_for_grids


@pytest.fixture(name="save_screenshot")
def save_screenshot_fixture():
    return save_screenshot


@pytest.fixture(name="assert_no_traceback")
def assert_no_traceback_fixture():
    return assert_no_traceback


@pytest.fixture(name="running_app", scope="session")  # session: module fixtures may start an app with it
def running_app_fixture():
    return running_app
