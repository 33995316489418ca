"""Settings shared by the server, the client, the CLI and the dashboard.

Environment variable names and the data folder live here so that there is one spelling of each.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_BASE_URL = "RELEVANCE_BASE_URL"
ENV_PROJECT = "RELEVANCE_PROJECT"
ENV_API_KEY = "RELEVANCE_API_KEY"
ENV_DATA_DIR = "CENTROID_EXPLORER_DATA"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the embedded database, generated credentials and caches.

    `explicit` wins, then $CENTROID_EXPLORER_DATA, then $XDG_DATA_HOME/centroid-explorer
    (~/.local/share/centroid-explorer). Created if missing.
    """
    if explicit is not None:
        path = Path(explicit)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(xdg) / "centroid-explorer"
    path = path.expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path
