"""The gazetteer index shared by the processes of one test run.

Under pytest-xdist the workers share one cache directory: :func:`build_shared_index` builds the
index there under a file lock, so it is built once whatever the number of workers, and the
others wait for it and then read the same file. ``python -m tests.support.gazetteer DIR`` does
the same from a separate process: the controller starts it before the workers, so the index is
built while they start up and collect the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

from filelock import FileLock

from geodata.index import default_source, index_path, load_index

__all__ = ["build_shared_index"]


def build_shared_index(cache_dir: Path) -> Path:
    """Make sure the index of the default source is in *cache_dir*, building it at most once
    across processes; returns *cache_dir*."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_dir / "build.lock")):
        if not index_path(cache_dir, default_source()).exists():
            load_index(cache_dir=cache_dir)
    return cache_dir


if __name__ == "__main__":
    build_shared_index(Path(sys.argv[1]))
