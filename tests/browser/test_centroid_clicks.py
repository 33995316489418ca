"""Clicking a centroid's diamond opens its cluster, on a map whose documents lie under the diamonds.

A dataset like a user's own (16 clusters of 300 documents), not the demo: after UMAP each cluster's
sampled documents sit under its diamond, where plotly gave the click to a document (0 of 16 centre
clicks opened a cluster before components/centroid_clicks.py). The app runs on its own data folder.
"""

from __future__ import annotations

import numpy as np

from centroid_explorer.client import Client
from centroid_explorer.clustering import cluster_dataset
from centroid_explorer.server.runner import EmbeddedServer

DATASET, FIELD, ALIAS = "blobs", "emb_vector_", "kmeans-16"
CLUSTERS, PER_CLUSTER, DIMENSIONS = 16, 300, 48
VIEW = f"/?dataset_id={DATASET}&vector_field={FIELD}&alias={ALIAS}"
MAP = ".st-key-cluster_map .js-plotly-plot"
MAP_DRAWN = f"() => {{ const p = document.querySelector({MAP!r}); return !!(p && p._fullData && p._fullData.length); }}"
UMAP_TIMEOUT_MS = 400_000  # a fresh process compiles UMAP first; generous, never a sleep
# Where each trace's points are on the page: [{x, y, centroid, cluster}] (`customdata`: each point's cluster).
MAP_POINTS = """(selector) => {
    const plot = document.querySelector(selector), layout = plot._fullLayout, box = plot.getBoundingClientRect();
    const ids = plot._fullData.find(t => t.meta === 'centroid').customdata;
    return plot._fullData.filter(t => t.meta === 'document' || t.meta === 'centroid').flatMap(t => Array.from(t.x, (x, i) => ({
        x: box.left + layout._size.l + layout.xaxis.l2p(x), y: box.top + layout._size.t + layout.yaxis.l2p(t.y[i]),
        centroid: t.meta === 'centroid', cluster: t.meta === 'centroid' ? t.customdata[i] : ids[t.customdata[i][0]],
    })));
}"""
# Spots on a 20 px diamond (corners 13 px from its centre): the centre and points towards its corners.
SPOTS = [(0, 0), (9, 0), (0, -9), (-5, 5), (0, 0), (-9, 0), (0, 9), (5, -5)]


def _blobs_data(folder) -> None:
    """A data folder holding only the 16-cluster dataset (so the app seeds no demo)."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(CLUSTERS, DIMENSIONS)) * 3
    documents = [
        {"_id": f"doc-{c}-{i}", "emb_vector_": (centres[c] + rng.normal(size=DIMENSIONS) * 1.6).round(4).tolist()}
        for c in range(CLUSTERS) for i in range(PER_CLUSTER)
    ]
    with EmbeddedServer(folder) as server, Client(server.base_url, server.project, server.api_key) as client:
        client.datasets.bulk_insert(DATASET, documents)
        cluster_dataset(client, DATASET, FIELD, CLUSTERS, ALIAS)


def _open_map(page, url, wait_for_app) -> list[dict]:
    page.goto(url + VIEW)
    page.wait_for_function(MAP_DRAWN)
    page.wait_for_function("() => !document.body.innerText.includes('Refining layout')", timeout=UMAP_TIMEOUT_MS)
    assert page.get_by_text("The UMAP layout failed").count() == 0
    page.wait_for_function(MAP_DRAWN)
    wait_for_app(page)
    page.locator(MAP).scroll_into_view_if_needed()  # positions are read in the viewport: no scroll after
    return page.evaluate(MAP_POINTS, MAP)


def test_every_click_on_a_centroid_diamond_opens_that_cluster(
    page, running_app, tmp_path, wait_for_app, save_screenshot, assert_no_traceback
):
    (tmp_path / "data").mkdir(), (tmp_path / "logs").mkdir()
    _blobs_data(tmp_path / "data")
    with running_app(tmp_path / "data", tmp_path / "logs") as url:
        points = _open_map(page, url, wait_for_app)
        centroids = [p for p in points if p["centroid"]]
        documents = [p for p in points if not p["centroid"]]
        assert len(centroids) == CLUSTERS
        save_screenshot(page, "centroid-clicks-map", full_page=False)
        covered = 0
        for centroid, (dx, dy) in zip(centroids, SPOTS * 2, strict=False):
            x, y = centroid["x"] + dx, centroid["y"] + dy
            # Would plotly alone have given this click to a document (one within ~4 px of the pointer)?
            covered += any((d["x"] - x) ** 2 + (d["y"] - y) ** 2 <= 4**2 for d in documents)
            page.mouse.move(x, y)
            hover = page.locator(".hoverlayer .hovertext").first
            hover.wait_for()
            assert f"Centroid {centroid['cluster']}" in hover.text_content()
            page.mouse.click(x, y)
            page.get_by_role("heading", name="Cluster documents").wait_for()
            wait_for_app(page)
            assert f"cluster_id={centroid['cluster']}&" in page.url + "&", (centroid["cluster"], dx, dy, page.url)
            assert_no_traceback(page)
            assert _open_map(page, url, wait_for_app) == points  # the same (cached) layout
        assert covered >= CLUSTERS // 2  # the case that failed: documents right under the pointer

