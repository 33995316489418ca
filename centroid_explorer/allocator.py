"""Handing freed memory back to the system (glibc's malloc_trim), during and after the map's large work.

glibc serves blocks of a few MB from its heaps once one such block has been freed (its mmap threshold
rises), and keeps freed heap memory that small live objects sit between. The map's fetch frees ~100
page answers of ~6 MB each, and its figures tens of MB of JSON; without a trim the dashboard kept
~0.15 GB more per 200,000-document map (benchmarks/README.md). A trim once the page has run returns
it at no cost to the work itself, and one every 10 pages of the fetch lowers its peak (a trim after
every page, or a fixed mmap threshold, made the 200,000 fetch 20-25% slower: memory taken back from
the system is faulted in again).
"""

from __future__ import annotations

import ctypes


def release_free_memory() -> bool:
    """Give the process's free heap memory back to the system; False where the C library has no
    malloc_trim (not glibc), where nothing is done."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already runs on
    except (OSError, AttributeError):
        return False
    trim(0)
    return True
