"""`streamlit run dashboard.py` (what `make run` does): app.py, with its slow starts begun at start-up.

Streamlit runs app.py only when a browser connects. Started from here, the process begins at once
what the first page would otherwise wait for: UMAP's compile in the worker process, the embedded
server (on a first start, with the demo data seeded), and the modules the pages import. A page
opened meanwhile waits only for what is not finished (st.cache_resource computes each thing once).
`streamlit run app.py` works too; it starts all of it with the first page instead.
"""

from __future__ import annotations

import importlib
import logging
import threading
from contextlib import asynccontextmanager

import streamlit as st

from centroid_explorer.projection import stop_worker
from components.warmup import start_projection_warmup

log = logging.getLogger("centroid_explorer.dashboard")
# What the first page imports besides the connection: pandas, plotly's figures.
FIRST_PAGE_MODULES = ("centroid_explorer.cluster_sample", "components.charts")
# Streamlit warns when a cached function runs outside a page; here that is the point.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)


def _prepare() -> None:
    """In a thread: the imports (~1 s) and the server's start would otherwise delay the URL being served."""
    try:
        from components.connection import start_default_backend  # the client and embedded server stacks

        start_default_backend()
        for module in FIRST_PAGE_MODULES:
            importlib.import_module(module)
    except Exception:  # noqa: BLE001 - the first page tries again and shows the error there
        log.exception("Preparing the dashboard at start-up failed; the first page will retry")


@asynccontextmanager
async def lifespan(_app):
    start_projection_warmup()  # first: numba's cache folder must be set before anything imports umap
    threading.Thread(target=_prepare, name="centroid-explorer-prepare", daemon=True).start()
    try:
        yield
    finally:
        # Run as an st.App, the process ends without Python's exit hooks (where the worker is
        # otherwise stopped): stopping it here also frees its queues' semaphores.
        stop_worker()


app = st.App("app.py", lifespan=lifespan)
