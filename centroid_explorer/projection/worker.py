"""UMAP runs in one worker process of its own, shared by every ProjectionEngine of this process.

Why a process and not a thread: compiling umap-learn's numba code (~10-40 s on first use) and
fitting hold the GIL for long stretches, and a thread doing that froze the dashboard's own
script runs (the first map took 12-20 s to appear instead of ~2 s). In a process of its own the
compile runs beside the page, at a lower priority, and stays compiled for every later layout.

The worker is started with "spawn" (forking a process that runs threads, like Streamlit's
server, is unsafe), inherits NUMBA_CACHE_DIR from the environment, and exits when its parent
does, even if the parent was killed.

Streamlit runs each script as the `__main__` module, and "spawn" makes the new process import
the parent's `__main__` file first: it would run app.py (and start a server) in the worker.
So the worker is spawned while a bare module stands in for `__main__`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import types
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

PARENT_CHECK_S = 1.0

_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None


def submit(fn, *args, **kwargs) -> Future:
    """Run `fn(*args, **kwargs)` in the worker (started on first use, restarted if it died)."""
    global _executor
    with _lock, _bare_main():  # submit is where the pool spawns its process
        try:
            return _pool().submit(fn, *args, **kwargs)
        except BrokenProcessPool:  # the worker died (e.g. killed for memory): start a new one
            _executor = None
            return _pool().submit(fn, *args, **kwargs)


@contextmanager
def _bare_main():
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _pool() -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ProcessPoolExecutor(
            max_workers=1,  # a UMAP fit already uses both cores: two at once only slow each other
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
    return _executor


def stop() -> None:
    """Stop the worker now, without waiting for its job (idempotent; also run at exit). Terminated
    first, the worker ends at once, so waiting for the pool only lets it release its queues."""
    global _executor
    if _executor is not None:
        for process in list((_executor._processes or {}).values()):
            process.terminate()
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None  # collected now, while the modules its finalizer uses still exist


# At exit, concurrent.futures waits for the running job: a compile could hold Ctrl-C up for a
# minute. Stop the worker first (threading's exit hooks run last-registered first, so this one
# runs before concurrent.futures' own, registered when it was imported above).
threading._register_atexit(stop)  # type: ignore[attr-defined]  # private, so typeshed omits it


def _start_worker(parent_pid: int) -> None:
    _lowest_priority()
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _lowest_priority() -> None:
    # The dashboard and its browser go first; UMAP takes what they leave. Measured (benchmarks/
    # README.md, first paint): nice 19 instead of 5 made pages opened during a compile ~0.3 s
    # quicker and the compile no slower. SCHED_IDLE measured the same, and is Linux-only.
    os.nice(19)


def _exit_with_parent(parent_pid: int) -> None:
    # A parent killed with SIGKILL never tells its pool; without this the worker would finish
    # (or keep compiling) for nobody.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)
