"""Finished layouts, keyed by a hash of the exact input and parameters, in memory and on disk."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

# Bump when a change to the engine changes the layouts it makes, so old cache files are not reused.
LAYOUT_VERSION = "2"


def layout_key(arrays: list[np.ndarray], **params) -> str:
    """blake2b over every byte, shape and dtype of `arrays` and over the sorted parameters."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"v{LAYOUT_VERSION};{sorted(params.items())!r}".encode())
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f";{array.dtype.str}{array.shape}".encode())
        digest.update(array.reshape(-1).view(np.uint8).data)  # .data: the buffer, as typeshed wants
    return digest.hexdigest()


class LayoutCache:
    """Layouts by key: the last `max_in_memory` in memory, all of them as .npy files in `folder`.

    Returned arrays are read-only and shared: copy before changing them. Safe across threads.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, max_in_memory: int = 32):
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self._max = max_in_memory
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        if self.folder is None:
            return None
        try:
            layout = np.load(self.folder / f"{key}.npy", allow_pickle=False)
        except (FileNotFoundError, ValueError, OSError):  # missing, or a truncated file
            return None
        return self._remember(key, layout)

    def put(self, key: str, layout: np.ndarray) -> np.ndarray:
        layout = self._remember(key, np.array(layout))
        if self.folder is not None:
            # Write then rename, so a crash or a concurrent reader never sees half a file.
            partial = self.folder / f"{key}.{threading.get_ident()}.partial.npy"
            np.save(partial, layout, allow_pickle=False)
            os.replace(partial, self.folder / f"{key}.npy")
        return layout

    def _remember(self, key: str, layout: np.ndarray) -> np.ndarray:
        layout.flags.writeable = False
        with self._lock:
            self._memory[key] = layout
            self._memory.move_to_end(key)
            while len(self._memory) > self._max:
                self._memory.popitem(last=False)
        return layout
