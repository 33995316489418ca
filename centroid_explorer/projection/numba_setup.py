"""Where numba keeps compiled code, and the one place that imports umap-learn.

numba reads NUMBA_CACHE_DIR once, when it is first imported, so the folder must be chosen
before anything imports umap, pynndescent or numba: hence the lazy import below.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

_ENV = "NUMBA_CACHE_DIR"


def use_numba_cache(folder: str | os.PathLike[str]) -> bool:
    """Keep numba's on-disk cache in `folder`, unless NUMBA_CACHE_DIR is already set.

    Returns False when it is too late (numba already imported) or the user chose a folder.
    """
    if _ENV in os.environ or "numba" in sys.modules:
        return False
    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ[_ENV] = str(folder)
    return True


def import_umap():
    """umap-learn, imported on first use (~2 s with a warm numba cache, ~15 s without)."""
    import umap

    # We pass exact neighbours without a search index; we never call transform, which needs it.
    warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", module="umap")
    # umap-learn lays out disconnected components itself; sklearn's spectral step warns regardless.
    warnings.filterwarnings("ignore", message="Graph is not fully connected", module="sklearn")
    return umap
