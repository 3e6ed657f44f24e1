"""The process's allocator, set once at start-up.

glibc serves a block from its heap once a block that size has been freed (its
mmap threshold rises to the largest freed block, up to 32 MB), so the
one-second arrays the render frees across its threads stay resident, spread
over per-thread arenas. At a fixed 1 MB threshold the large ones went back to
the system when freed: the 60-minute build with all three formats, Python process
200 → 166 MB (tree 339 → 304 MB), the same wall time in alternated runs.

A fixed threshold also fixes the heap's trim threshold at glibc's 128 kB, so
an arena gave its top back to the system as soon as a chunk there was freed and
faulted it in again for the next: 1.1–1.4 million page faults in a 20-minute
build with all three formats, about a quarter of the build's system time. The
trim threshold at 2 MB: 0.37–0.48 million faults, the Python process 15.7
against 17.7 CPU-s (means of runs alternated with the old setting). What an
arena then keeps is bounded by keeping two arenas, not one a thread (glibc's
default: up to 16 on two cores): the 120-minute build with all three formats
held 288 MB of tree PSS with the trim threshold alone, 269 with both (277
before either). docs/dev/performance.md has the runs.
"""
from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
THRESHOLD_BYTES = 1 << 20
TRIM_BYTES = 2 << 20
ARENAS = 2  # the render's threads mostly wait on pipes: two arenas are seldom contended


def return_large_blocks() -> None:
    """A no-op where the C library is not glibc (mallopt missing or refusing).
    The process's own symbols, not ctypes.util.find_library("c"): that runs
    `ldconfig -p` in a child process on every command."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES)
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENAS)
    except (OSError, AttributeError):
        pass
