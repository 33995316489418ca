"""Long fetches run in the background, one per key, with progress a page can poll and a way to stop.

A page that starts a fetch and is left (another page, a closed tab, a rerun) does not lose it: the
next visit finds it running or finished. A finished result is kept for `ttl` seconds after it ends,
so a large fetch is never started over because a cache expired while it ran; and only the `keep`
most recently finished are kept, so that memory does not grow with every view opened (a map of
200,000 documents holds ~0.1 GB).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


class Stopped(Exception):
    """The fetch was stopped by the user."""


@dataclass
class Fetch:
    future: Future
    done: int = 0
    total: int = 0
    stop_requested: bool = False
    finished_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, done: int, total: int) -> None:
        """For the fetching function: report progress; raises Stopped once a stop was asked for."""
        with self.lock:
            self.done, self.total = done, total
        if self.stop_requested:
            raise Stopped

    def stop(self) -> None:
        self.stop_requested = True


class Fetches:
    def __init__(self, ttl: float, keep: int = 2, threads: int = 2):
        self._ttl, self._keep = ttl, keep
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="fetch")
        self._fetches: dict[Hashable, Fetch] = {}
        self._lock = threading.Lock()

    def start(self, key: Hashable, fetch: Callable[[Callable[[int, int], None]], Any]) -> Fetch:
        """The fetch for `key`: running, finished within the ttl, or started now as `fetch(progress)`.
        A fetch that failed or was stopped is started again."""
        now = time.monotonic()
        with self._lock:
            # Oldest first; the one asked for counts among the `keep` (it is kept, or is about to finish).
            others = sorted(((f.finished_at, k) for k, f in self._fetches.items() if f.finished_at is not None and k != key),
                            key=lambda finished: finished[0])
            crowded = len(others) - (self._keep - 1)
            for rank, (finished_at, old) in enumerate(others):
                if rank < crowded or now - finished_at > self._ttl:
                    del self._fetches[old]
            current = self._fetches.get(key)
            if current is not None and not (current.future.done() and current.future.exception() is not None):
                return current
            entry = Fetch(Future())
            self._fetches[key] = entry
        entry.future = self._pool.submit(fetch, entry.progress)
        entry.future.add_done_callback(lambda _: setattr(entry, "finished_at", time.monotonic()))
        return entry
