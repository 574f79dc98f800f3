"""How an import asks the kernel for memory: in small pages.

numpy, and the allocator behind Arrow, ask Linux for transparent huge pages (2 MiB) on big
allocations (``madvise(MADV_HUGEPAGE)``). An import allocates and frees hundreds of megabytes
per part (the CSV parser's columns, the rows kept for the snapshot, each part's sort); where a
huge page's first touch is slow (on the development machine's virtual machine, about 15 ms to
fault in one 2 MiB page against a few microseconds per 4 KiB page), that was half of the
import's system time: sorting a 100,000-row part took 0.5 s of system time with huge pages,
0.05 s without. :func:`small_pages` turns them off for the process while a block runs
(``prctl(PR_SET_THP_DISABLE)``, Linux 3.15+), and restores the setting after the last block
that turned it off ends. Pages already mapped keep their size; only new faults change.
Elsewhere (not Linux) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["huge_pages_disabled", "small_pages"]

_PR_SET_THP_DISABLE = 41
_PR_GET_THP_DISABLE = 42

_lock = threading.Lock()
_blocks = 0  # blocks running that turned huge pages off
_restore = False  # whether the last of them turns them back on


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a Linux without a C library to load
        return None
    prctl = getattr(libc, "prctl", None)
    if prctl is None:  # pragma: no cover
        return None
    prctl.restype = ctypes.c_int
    return lambda option, arg=0: prctl(
        ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
        ctypes.c_ulong(0),
    )  # fmt: skip


def huge_pages_disabled() -> bool | None:
    """Whether transparent huge pages are off for this process (None: not known here)."""
    prctl = _prctl()
    if prctl is None:
        return None
    found = prctl(_PR_GET_THP_DISABLE)
    return None if found < 0 else bool(found)


@contextmanager
def small_pages() -> Iterator[None]:
    """Within the block, new memory of the process comes in small pages (see the module doc).
    Blocks may overlap (imports in threads): the setting found before the first one is put
    back when the last one ends."""
    global _blocks, _restore
    prctl = _prctl()
    if prctl is None:
        yield
        return
    with _lock:
        if _blocks == 0:
            before = prctl(_PR_GET_THP_DISABLE)
            _restore = before == 0 and prctl(_PR_SET_THP_DISABLE, 1) == 0
        _blocks += 1
    try:
        yield
    finally:
        with _lock:
            _blocks -= 1
            if _blocks == 0 and _restore:
                prctl(_PR_SET_THP_DISABLE, 0)
                _restore = False
