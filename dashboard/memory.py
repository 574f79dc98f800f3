"""How the dashboard's process asks the kernel for memory.

numpy asks Linux for transparent huge pages (``madvise(MADV_HUGEPAGE)``) on every big array.
Where the kernel's ``transparent_hugepage/defrag`` setting is ``madvise`` (a common default),
a page fault in such an array may make the kernel compact memory first to find a free 2 MB
page, and a page's first touch gets slow. The page allocates many short-lived arrays of a
million entries (one per column and per selection): at 1M incidents this was about half the
CPU of a first view, spent in the kernel (measured: system time 3.0-4.7 s with huge pages,
1.3-1.4 s without, over the same first view; docs/dashboard.md). Small pages cost nothing
measurable in user time here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["use_small_pages"]


def use_small_pages() -> bool:
    """Stop numpy from asking for transparent huge pages for the arrays it allocates from
    now on (the process-wide equivalent of ``NUMPY_MADVISE_HUGEPAGE=0``); returns whether it
    asked for them before. A no-op where numpy has no such setting."""
    core = getattr(np, "_core", None)
    setter = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if setter is None:
        return False
    return bool(setter(False))
