"""Load a store into memory once per revision, through a columnar snapshot on disk.

Reading a million rows out of SQLite takes seconds; reading the same rows back from a Parquet
snapshot takes a fraction of that. The snapshot's file name carries the store's
:attr:`~incidents.store.Store.cache_key` (its URL digest and revision), so a write makes the
old snapshot unused; older snapshots of the same store are removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .frame import with_group_figures
from .store import PROJECT_DIR, Store

__all__ = ["default_cache_dir", "iter_snapshot", "load_frame", "snapshot_path"]

#: Rows per Parquet row group: the unit :func:`iter_snapshot` reads, so memory stays bounded.
ROW_GROUP = 100_000


def default_cache_dir() -> Path:
    """``INCIDENTS_CACHE_DIR`` if set, else ``data/cache`` in the project."""
    return Path(os.environ.get("INCIDENTS_CACHE_DIR") or PROJECT_DIR / "data" / "cache")


def load_frame(
    store: Store, *, cache_dir: Path | None = None, use_snapshot: bool = True
) -> pd.DataFrame:
    """All incidents with their shared figures joined (``group_*`` columns), typed.

    With ``use_snapshot`` the frame is read from (or written to) a Parquet file keyed on the
    store's revision.
    """
    if not use_snapshot:
        return with_group_figures(store.frame(), store.groups())
    cache_dir = Path(cache_dir or default_cache_dir())
    key = store.cache_key
    path = snapshot_path(store, cache_dir=cache_dir, key=key)
    if path.exists():
        return pd.read_parquet(path)
    frame = with_group_figures(store.frame(), store.groups())
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    frame.to_parquet(tmp, index=False, row_group_size=ROW_GROUP)
    os.replace(tmp, path)
    prefix = key.rsplit("-r", 1)[0]
    for old in cache_dir.glob(f"incidents-{prefix}-r*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)
    return frame


def snapshot_path(store: Store, *, cache_dir: Path | None = None, key: str | None = None) -> Path:
    """Where the snapshot of the store's current revision lives (it may not exist yet)."""
    return Path(cache_dir or default_cache_dir()) / f"incidents-{key or store.cache_key}.parquet"


def iter_snapshot(store: Store, *, cache_dir: Path | None = None) -> Iterator[pd.DataFrame] | None:
    """The current revision's snapshot in row groups (ordered by date and id, like
    :meth:`Store.iter_frames`), or None when there is no snapshot of this revision."""
    path = snapshot_path(store, cache_dir=cache_dir)
    if not path.exists():
        return None
    parquet = pq.ParquetFile(path)

    def chunks() -> Iterator[pd.DataFrame]:
        for i in range(parquet.num_row_groups):
            yield parquet.read_row_group(i).to_pandas()

    return chunks()
