"""The C allocator's thresholds for a process that runs many model evaluations.

A batched model run allocates its large arrays (hundreds of kilobytes to megabytes each)
afresh for every chunk of draws. glibc's ``malloc`` serves blocks above its mmap threshold
with fresh pages from the kernel and returns them when freed, and trims the top of its
heap as soon as 128 KiB there are free: every chunk then touches its memory for the first
time again, a page fault for every 4 KiB page (for 10,000 draws of the EC example, 35,000
faults and 15-20% of the run). With the mmap threshold at 32 MiB and the trim threshold at
64 MiB (what glibc's own adaptive rule reaches for large blocks, fixed from the start),
freed blocks are kept and reused: 13,000 faults, the same peak memory
(``benchmarks/bench_simulate.py``; glibc's ``mallopt(3)`` documents both thresholds).

:func:`tune` sets them for the whole process, so only a process that is ours calls it:
the command line's many-run commands (``simulate``, ``sensitivity``, ``backtest``,
``report``: :func:`realpolitik.cli.common.on_backend`) and the runner's pool workers; not
``serve`` (a long-lived server of many threads, where freed memory kept in each thread's
arena would add up), and ``import realpolitik`` never does (a notebook may call it). It
changes how fast memory is had, never what a computation gives; where the C library has
no ``mallopt`` (macOS, Windows, musl ignores it) nothing happens.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune"]

#: Blocks at least this large are mapped apart (and unmapped when freed): 32 MiB, glibc's
#: upper bound for its adaptive threshold on 64-bit systems.
MMAP_THRESHOLD = 32 * 2**20
#: Free memory at the top of the heap beyond this is returned to the system: 64 MiB.
TRIM_THRESHOLD = 64 * 2**20

_M_TRIM_THRESHOLD = -1  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def tune() -> bool:
    """Set the allocator's thresholds for this process (:data:`MMAP_THRESHOLD`,
    :data:`TRIM_THRESHOLD`); whether the C library took them (false off glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - no C library with mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    took = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and took
