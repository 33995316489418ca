"""Long fetches run in the background, one per key, with progress a page can poll and a way to stop.

A page that starts a fetch and is left (another page, a closed tab, a rerun) does not lose it: the
next visit finds it running or finished. A finished result is kept for `ttl` seconds after it ends,
so a large fetch is never started over because a cache expired while it ran; and only the `keep`
most recently finished are kept, within a `budget` of the weights their starts declared (the map's:
documents, at most its cap), so that memory does not grow with every view opened (a map of 200,000
documents holds ~0.1 GB). A fetch's own weight counts from its start: a large one lets go of the
results it would not fit beside before it runs, not after.
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
    weight: int = 0
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
    def __init__(self, ttl: float, keep: int = 2, budget: int | None = None, threads: int = 2):
        self._ttl, self._keep, self._budget = ttl, keep, budget
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="fetch")
        self._fetches: dict[Hashable, Fetch] = {}
        self._lock = threading.Lock()

    def start(self, key: Hashable, fetch: Callable[[Callable[[int, int], None]], Any], weight: int = 0) -> Fetch:
        """The fetch for `key`: running, finished within the ttl, or started now as `fetch(progress)`.
        A fetch that failed or was stopped is started again. `weight`: what its result will hold, at most."""
        now = time.monotonic()
        with self._lock:
            # Newest first; the one asked for counts among the `keep` and in the budget (it is kept, or about to run).
            others = sorted(((f.finished_at, k) for k, f in self._fetches.items() if f.finished_at is not None and k != key),
                            key=lambda finished: -finished[0])
            kept, used = 1, weight
            for finished_at, old in others:
                held = self._fetches[old].weight
                if kept >= self._keep or now - finished_at > self._ttl or (self._budget is not None and used + held > self._budget):
                    del self._fetches[old]
                else:
                    kept, used = kept + 1, used + held
            current = self._fetches.get(key)
            if current is not None and not (current.future.done() and current.future.exception() is not None):
                return current
            entry = Fetch(Future(), weight=weight)
            self._fetches[key] = entry
        entry.future = self._pool.submit(fetch, entry.progress)
        entry.future.add_done_callback(lambda _: setattr(entry, "finished_at", time.monotonic()))
        return entry
