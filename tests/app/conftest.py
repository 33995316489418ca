"""AppTest fixtures: the real app, on the real embedded server, over real HTTP, with the demo data.

Decision: the app's own default path is what is tested. CENTROID_EXPLORER_DATA points at a fresh
session folder and no RELEVANCE_* variable is set, so `components.connection.embedded_server()`
starts the embedded server there and seeds the demo datasets, exactly as `streamlit run app.py`
does on a first start. st.cache_resource keeps that one server for the whole pytest process, so
every AppTest (and `demo_client`) talks to the same server and data.

    def test_x(app_page, demo_client):
        at = app_page("views/cluster_documents.py", dataset_id="digits")  # already run once
        assert not at.exception
        demo_client.centroids.metadata("digits", "pixels_vector_", "kmeans-10")  # read back

Every `at.run()` goes through app.py (sidebar, pickers, st.navigation) and then the current page,
as `streamlit run` does. The page scripts live in `views/`, not `pages/`: a `pages/` folder next to
app.py turns on Streamlit's old pages-folder mode, in which a page can run without app.py.

Demo names: dataset `digits`, vector field `pixels_vector_`, alias `kmeans-10` (see centroid_explorer/demo.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from centroid_explorer.client import Client

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# The first run of the session starts the server and seeds the demo data; later runs are quick.
FIRST_RUN_TIMEOUT_S = 300
RUN_TIMEOUT_S = 120

DEMO_DATASET = "digits"
DEMO_VECTOR_FIELD = "pixels_vector_"
DEMO_ALIAS = "kmeans-10"


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory):
    """A fresh data folder for the embedded server; RELEVANCE_* removed so the app uses it."""
    folder = tmp_path_factory.mktemp("app-test-data")
    saved = {key: value for key, value in os.environ.items() if key.startswith("RELEVANCE_")}
    saved_data = os.environ.get("CENTROID_EXPLORER_DATA")
    for key in saved:
        del os.environ[key]
    os.environ["CENTROID_EXPLORER_DATA"] = str(folder)
    yield folder
    os.environ.update(saved)
    if saved_data is None:
        os.environ.pop("CENTROID_EXPLORER_DATA", None)
    else:
        os.environ["CENTROID_EXPLORER_DATA"] = saved_data


@pytest.fixture(scope="session")
def embedded(app_data_dir):
    """The embedded server the app uses (started and seeded once for the process)."""
    from components.connection import embedded_server

    return embedded_server()


@pytest.fixture(scope="session")
def demo_client(embedded):
    """A client on the app's embedded server, to set up data or read back what the app wrote."""
    with Client(embedded.base_url, embedded.project, embedded.api_key) as client:
        yield client


@pytest.fixture
def app_page(embedded):
    """`app_page(page=None, **query_params)`: an AppTest of app.py, optionally switched to `page`
    (e.g. "views/metadata.py"), with the given query params, already run once."""

    def make(page: str | None = None, **query_params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
        for key, value in query_params.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return make
