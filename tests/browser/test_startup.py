"""`make run` (`streamlit run dashboard.py`) prepares the dashboard before any browser connects:
the demo data is seeded and UMAP's compile has begun, so the first page waits for neither."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

DEMO_ALIASES = {("digits", "pixels_vector_", "kmeans-10"), ("python-docs", "text_vector_", "kmeans-12")}
PREPARED_WITHIN_S = 180  # seeding and a first compile on a busy 2-core machine; polled, not slept


def _aliases_with_metadata(database: Path) -> set[tuple[str, str, str]]:
    """Seeding writes each alias's metadata last, so a row here means that dataset is complete."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            return set(connection.execute("SELECT dataset_id, vector_field, alias FROM alias_metadata"))
    except sqlite3.OperationalError:  # not created yet
        return set()


def _compiled_files(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.nbi")) if cache.exists() else 0


def test_the_demo_data_is_seeded_and_umap_compiling_before_any_page_is_opened(running_app, tmp_path):
    data, logs = tmp_path / "data", tmp_path / "logs"
    data.mkdir(), logs.mkdir()
    with running_app(data, logs):  # no browser, no page: only the process started
        deadline = time.monotonic() + PREPARED_WITHIN_S
        while time.monotonic() < deadline and not (
            _aliases_with_metadata(data / "centroids.sqlite3") == DEMO_ALIASES and _compiled_files(data / "numba-cache")
        ):
            time.sleep(0.5)
        assert _aliases_with_metadata(data / "centroids.sqlite3") == DEMO_ALIASES
        assert _compiled_files(data / "numba-cache") > 0  # the worker is compiling UMAP into the data folder
