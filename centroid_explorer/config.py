"""Settings shared by the server, the client, the CLI and the dashboard.

Environment variable names and the data folder live here so that there is one spelling of each.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_BASE_URL = "RELEVANCE_BASE_URL"
ENV_PROJECT = "RELEVANCE_PROJECT"
ENV_API_KEY = "RELEVANCE_API_KEY"
ENV_DATA_DIR = "CENTROID_EXPLORER_DATA"
ENV_DATABASE_URL = "CENTROID_EXPLORER_DATABASE_URL"
CONNECTION_VARIABLES = (ENV_BASE_URL, ENV_PROJECT, ENV_API_KEY)


def connection_settings(source: Mapping[str, object] | None = None) -> dict[str, str]:
    """The RELEVANCE_* connection settings in `source` (default: os.environ), stripped; unset or blank
    ones left out. The one reader of them, so the client, the CLI, the server and the dashboard agree."""
    source = os.environ if source is None else source
    found = {name: str(source.get(name) or "").strip() for name in CONNECTION_VARIABLES}
    return {name: value for name, value in found.items() if value}


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the embedded database, generated credentials and caches.

    `explicit` wins, then $CENTROID_EXPLORER_DATA, then $XDG_DATA_HOME/centroid-explorer
    (~/.local/share/centroid-explorer). Created if missing, readable by this user only (0700);
    the default folder is made so even if it exists (an older version made it 0755).
    """
    chosen = explicit if explicit is not None else os.environ.get(ENV_DATA_DIR)
    if chosen:
        path = Path(chosen).expanduser()
        make_private_dir(path)
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(xdg).expanduser() / "centroid-explorer"
        make_private_dir(path)
        os.chmod(path, 0o700)
    return path


def database_url(explicit: str | None = None) -> str | None:
    """The PostgreSQL database to keep the data in: `explicit`, else $CENTROID_EXPLORER_DATABASE_URL;
    None (neither is set): the SQLite file in the data folder."""
    url = (explicit or os.environ.get(ENV_DATABASE_URL) or "").strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        source = "--database-url" if explicit else f"${ENV_DATABASE_URL}"
        raise ValueError(f"{source} must be a PostgreSQL URL (postgresql://user@host:port/database), "
                         f"not {url.split(':', 1)[0]!r}...")
    return url or None


def make_private_dir(path: Path) -> None:
    """Create `path` (and its parents) if missing; the folder itself readable by this user only.

    A folder the user chose and that exists already keeps its mode: it may be shared on purpose.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
