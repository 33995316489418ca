"""glibc's malloc, told to give large blocks straight back to the system.

By default glibc raises its mmap threshold each time a large block is freed (up to 32 MB), so the
next blocks of that size come from the heap, where a few small objects left between them keep the
memory from ever being returned. The map's fetch frees a ~6 MB page answer per request; with the
default, the dashboard kept ~0.15 GB more per 200,000-document map (benchmarks/README.md). A fixed
threshold keeps every block above it in its own mapping, unmapped when freed.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (glibc malloc.h)
LARGE_BLOCK = 1 << 20


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Blocks of `threshold` bytes and more are mapped on their own and returned when freed, from now
    on, in this process. False where the C library is not glibc (nothing is changed there)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process already runs on
    except (OSError, AttributeError):  # not glibc (macOS, musl without mallopt)
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, threshold) == 1)
