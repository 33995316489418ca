"""Issue 11: an alias of k = 2,000 clusters (small vectors) in a real browser: the map is usable (points on
screen, no legend of 2,000 entries, a few names rather than a pile), a cluster is found by the picker and
highlighted, and the heatmap shows its nearest neighbours. The app runs on its own data folder."""

from __future__ import annotations

import numpy as np

from centroid_explorer.client import Client
from centroid_explorer.server.runner import EmbeddedServer

DATASET, FIELD, ALIAS = "many", "emb_vector_", "k2000"
CLUSTERS, PER_CLUSTER, DIMENSIONS = 2_000, 4, 8
VIEW = f"/?dataset_id={DATASET}&vector_field={FIELD}&alias={ALIAS}"
MAP = ".st-key-cluster_map .js-plotly-plot"
MAP_DRAWN = f"() => {{ const p = document.querySelector({MAP!r}); return !!(p && p._fullData && p._fullData.length); }}"
FETCH_TIMEOUT_MS = 300_000
TRACES = f"() => document.querySelector({MAP!r})._fullData.map(t => [t.name, t._length, (t.text || []).filter(Boolean).length])"


def _many_clusters(folder) -> None:
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(CLUSTERS, DIMENSIONS)).astype(np.float32)
    documents = [
        {"_id": f"d{c}-{i}", FIELD: (centres[c] + rng.normal(0, 0.02, DIMENSIONS)).round(5).tolist(),
         "_cluster_": {FIELD: {ALIAS: f"c{c}"}}}
        for c in range(CLUSTERS) for i in range(PER_CLUSTER)
    ]
    with EmbeddedServer(folder) as server, Client(server.base_url, server.project, server.api_key) as client:
        client.datasets.bulk_insert(DATASET, documents)
        client.centroids.insert(DATASET, [{"_id": f"c{c}", FIELD: centres[c].tolist()} for c in range(CLUSTERS)], FIELD, ALIAS)


def test_a_map_of_2000_clusters_is_readable_and_finds_a_cluster(
    page, running_app, tmp_path, wait_for_app, save_screenshot, assert_no_traceback
):
    (tmp_path / "data").mkdir(), (tmp_path / "logs").mkdir()
    _many_clusters(tmp_path / "data")
    with running_app(tmp_path / "data", tmp_path / "logs") as url:
        page.goto(url + VIEW)
        page.wait_for_function(MAP_DRAWN, timeout=FETCH_TIMEOUT_MS)
        wait_for_app(page, FETCH_TIMEOUT_MS)
        assert_no_traceback(page)
        assert page.get_by_text("2,000 clusters · 8,000 documents · all 8,000 drawn").is_visible()
        (documents, drawn, _), (centroids, k, _), (names, named, texts) = page.evaluate(TRACES)
        assert (documents, drawn, centroids, k, names) == ("documents", 8_000, "centroids", 2_000, "names")
        assert 0 < named == texts <= 10  # the largest clusters named, not 2,000 labels in one pile
        assert page.locator(f"{MAP} .legend").count() == 0
        assert page.get_by_text("The 10 largest and 10 smallest of 2,000 clusters").count() == 1
        save_screenshot(page, "cluster-map-2000", full_page=False)

        finder = page.locator(".stSelectbox").filter(has_text="Find a cluster")
        finder.click()
        page.keyboard.type("c1234")
        page.get_by_role("option", name="c1234", exact=True).click()
        page.wait_for_function(f"() => document.querySelector({MAP!r})?._fullData?.length === 4", timeout=FETCH_TIMEOUT_MS)
        wait_for_app(page)
        assert_no_traceback(page)
        (_, _, _), (highlight, members, _), (_, _, _), (_, named, found) = page.evaluate(TRACES)
        assert (highlight, members) == ("highlighted", PER_CLUSTER) and found == named <= 11
        heatmap = page.locator(".js-plotly-plot").filter(has_text="the found cluster and its 24 nearest")
        assert heatmap.locator(".ytick text").first.text_content() == "c1234"
        save_screenshot(page, "cluster-map-2000-found", full_page=False)
        heatmap.scroll_into_view_if_needed()
        save_screenshot(page, "cluster-map-2000-neighbours", full_page=False)
