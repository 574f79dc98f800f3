"""Load a store into memory once per revision, through a checked columnar snapshot on disk.

Reading a million rows out of SQLite takes seconds; mapping the same rows from a snapshot file
takes a fraction of one. The snapshot is an uncompressed Arrow IPC file: the page maps it
(``mmap``) instead of decoding it, so the text columns (notes, sources) cost nothing until a
row is shown or searched, and processes on one machine share the same pages of the operating
system's file cache. It is larger on disk than a compressed format (about 0.75 GB per million
incidents); only the current revision's snapshot is kept.

The snapshot's file name carries the store's :attr:`~incidents.store.Store.cache_key` (its URL
digest, the database's own id and the revision), so a write makes the old snapshot unused, and
processes or machines sharing a cache directory never read another store's snapshot; older
snapshots of the same store are removed.

The store is the truth, the snapshot only a cache. When a snapshot is written, its size, its
SHA-256, its row count and its revision are recorded in the store (``meta``); a snapshot is
read only when it is a regular file matching that record, and it is mapped from the very file
that was checked. Anything else (truncated, zeroed, bytes flipped, a directory or another file
in its place) is rebuilt from the store with a :class:`~incidents.exc.SnapshotWarning`. The
rows of a snapshot are read from the store in one transaction, so they are exactly those of its
revision; after an import into an empty store, they are the rows that import wrote
(:class:`RowSpill`), when its revision is still the store's. Temporary files left by writers
that died (``*.tmp<pid>``) are removed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
import os
import re
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from .exc import SnapshotWarning, StoreError
from .frame import _take_chunked, with_group_figures
from .schema import COLUMNS
from .store import PROJECT_DIR, Store, _concat, _pandas_type, _typed

__all__ = [
    "RowSpill",
    "default_cache_dir",
    "iter_snapshot",
    "iter_snapshot_tables",
    "load_frame",
    "snapshot_path",
    "verify_snapshot",
    "write_snapshot",
]

#: Rows per record batch of the snapshot: the unit :func:`iter_snapshot` reads and
#: :func:`write_snapshot` writes, so memory stays bounded.
ROW_GROUP = 100_000
#: The snapshot's file suffix (an Arrow IPC file, uncompressed, so it can be mapped).
SUFFIX = ".arrow"
#: A temporary file older than this is removed even if its writer's process id is in use again.
STALE_TEMP_SECONDS = 24 * 3600
_TEMP = re.compile(r"^incidents-.*\.tmp(\d+)$")
_READ_ERRORS = (OSError, ValueError, pa.ArrowException)
#: Snapshot files of older revisions (``.parquet``: the format before Arrow IPC) are removed.
_SNAPSHOT_SUFFIXES = (SUFFIX, ".parquet")


def default_cache_dir() -> Path:
    """``INCIDENTS_CACHE_DIR`` if set, else ``data/cache`` in the project."""
    return Path(os.environ.get("INCIDENTS_CACHE_DIR") or PROJECT_DIR / "data" / "cache")


def load_frame(
    store: Store, *, cache_dir: Path | None = None, use_snapshot: bool = True
) -> pd.DataFrame:
    """All incidents with their shared figures joined (``group_*`` columns), typed.

    With ``use_snapshot`` the frame is read from the revision's checked Parquet snapshot, or
    read from the store and the snapshot (re)written.
    """
    if not use_snapshot:
        _, incidents, groups = store.read_consistent()
        return with_group_figures(incidents, groups)
    cache_dir = Path(cache_dir or default_cache_dir())
    path = snapshot_path(store, cache_dir=cache_dir)
    problem = ""
    handle = _open_checked(store, path, cache_dir)
    if isinstance(handle, str):
        problem = handle
    else:
        with handle:
            try:
                return _mapped_table(handle).to_pandas(use_threads=False)
            except _READ_ERRORS as err:
                problem = f"cannot be read ({str(err)[:200]})"
    if problem:
        _warn(f"the snapshot {path} {problem}; rebuilt from the store")
    return _rebuild(store, cache_dir)


def snapshot_path(store: Store, *, cache_dir: Path | None = None, key: str | None = None) -> Path:
    """Where the snapshot of the store's current revision lives (it may not exist yet)."""
    return Path(cache_dir or default_cache_dir()) / f"incidents-{key or store.cache_key}{SUFFIX}"


def verify_snapshot(store: Store, *, cache_dir: Path | None = None) -> str | None:
    """None when the current revision's snapshot matches the store's record of it; otherwise
    what is wrong ("" when there is simply no snapshot yet)."""
    cache_dir = Path(cache_dir or default_cache_dir())
    handle = _open_checked(store, snapshot_path(store, cache_dir=cache_dir), cache_dir)
    if isinstance(handle, str):
        return handle
    handle.close()
    return None


def iter_snapshot(store: Store, *, cache_dir: Path | None = None) -> Iterator[pd.DataFrame] | None:
    """The current revision's snapshot in row groups (ordered by date and id, like
    :meth:`Store.iter_frames`), or None when there is no good snapshot of this revision (a
    damaged one is reported with a :class:`SnapshotWarning`; read the store instead)."""
    tables = iter_snapshot_tables(store, cache_dir=cache_dir)
    if tables is None:
        return None
    return (table.to_pandas(use_threads=False) for table in tables)


def iter_snapshot_tables(
    store: Store, *, cache_dir: Path | None = None
) -> Iterator[pa.Table] | None:
    """:func:`iter_snapshot` as Arrow tables (mapped from the file: no DataFrame)."""
    cache_dir = Path(cache_dir or default_cache_dir())
    path = snapshot_path(store, cache_dir=cache_dir)
    handle = _open_checked(store, path, cache_dir)
    if isinstance(handle, str):
        if handle:
            _warn(f"the snapshot {path} {handle}; read from the store instead")
        return None
    # The mapping keeps its own descriptor: the file is closed now, not when (or if) the
    # caller finishes the row groups.
    with handle:
        try:
            reader = ipc.open_file(_mapped(handle))
        except _READ_ERRORS as err:
            _warn(f"the snapshot {path} cannot be read ({str(err)[:200]}); read from the store")
            return None

    def chunks() -> Iterator[pd.DataFrame]:
        for i in range(reader.num_record_batches):
            try:
                batch = reader.get_batch(i)
            except _READ_ERRORS as err:  # checked a moment ago: only a failing disk
                raise StoreError(f"the snapshot {path} cannot be read: {err}") from None
            yield pa.Table.from_batches([batch])

    return chunks()


def _mapped(handle: BinaryIO) -> pa.BufferReader:
    """The open (checked) file mapped read-only: Arrow reads its columns in place."""
    return pa.BufferReader(pa.py_buffer(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)))


def _mapped_table(handle: BinaryIO) -> pa.Table:
    """The whole snapshot, its columns still in the mapped file (its bytes were checked
    against the store's record: a full validation would touch every page for nothing)."""
    table = ipc.open_file(_mapped(handle)).read_all()
    table.validate()
    return table


# -- checking ------------------------------------------------------------------------------
def _record_key(cache_dir: Path) -> str:
    digest = hashlib.sha1(str(cache_dir.resolve()).encode()).hexdigest()[:16]
    return f"snapshot:{digest}"


def _open_checked(store: Store, path: Path, cache_dir: Path) -> BinaryIO | str:
    """The snapshot, open and checked against the store's record, or what is wrong with it."""
    if not path.exists() and not path.is_symlink():
        return ""
    if path.is_dir():
        return "is a directory, not a snapshot file (remove it so the snapshot can be written)"
    if not path.is_file():
        return "is not a regular file"
    try:
        record = json.loads(store.note(_record_key(cache_dir)) or "null")
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("file") != path.name:
        return "is not the one the store recorded (no record of it)"
    try:
        handle = open(path, "rb")  # noqa: SIM115 - returned open to the caller
    except OSError as err:
        return f"cannot be opened ({err.strerror})"
    size = os.fstat(handle.fileno()).st_size
    if size != record.get("bytes"):
        handle.close()
        return f"is {size:,} bytes, the store recorded {record.get('bytes')} (truncated?)"
    digest = hashlib.sha256()
    while block := handle.read(2**20):
        digest.update(block)
    if digest.hexdigest() != record.get("sha256"):
        handle.close()
        return "does not match the checksum the store recorded (damaged)"
    handle.seek(0)
    return handle


def _warn(message: str) -> None:
    warnings.warn(message, SnapshotWarning, stacklevel=3)


# -- writing -------------------------------------------------------------------------------
def _rebuild(store: Store, cache_dir: Path) -> pd.DataFrame:
    """Read the store (in one transaction), write the snapshot, record it, return the frame."""
    revision, incidents, groups = store.read_consistent()
    frame = with_group_figures(incidents, groups)
    written = _write_temp(store, cache_dir, revision, iter([frame]), None)
    if written is not None:
        _record(store, cache_dir, revision, *written)
    return frame


def _write_temp(
    store: Store,
    cache_dir: Path,
    revision: int,
    chunks: Iterator[pd.DataFrame],
    groups: pd.DataFrame | None,
) -> tuple[Path, Path, int] | None:
    """Write the snapshot of ``revision`` from ``chunks`` (see :func:`_write_ipc`) to a
    temporary file: (its final path, the temporary file, the rows written), or None with a
    warning when the disk refuses (the incidents are then read from the store)."""
    path = snapshot_path(store, cache_dir=cache_dir, key=store.key_for(revision))
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        remove_dead_temps(cache_dir)
        return path, tmp, _write_ipc(tmp, chunks, groups)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        _cannot_write(path, err)
        return None


def _cannot_write(path: Path, err: Exception) -> None:
    _warn(f"the snapshot {path} cannot be written ({err}); incidents are read from the store")


def _record(store: Store, cache_dir: Path, revision: int, path: Path, tmp: Path, rows: int) -> None:
    """Record the written snapshot ``tmp`` in the store, move it to ``path``, remove the
    store's older snapshots."""
    try:
        digest = hashlib.sha256()
        with open(tmp, "rb") as handle:
            while block := handle.read(2**20):
                digest.update(block)
        record = {
            "file": path.name,
            "revision": revision,
            "rows": rows,
            "bytes": tmp.stat().st_size,
            "sha256": digest.hexdigest(),
        }
        store.set_note(_record_key(cache_dir), json.dumps(record))
        os.replace(tmp, path)
    except (OSError, StoreError) as err:
        tmp.unlink(missing_ok=True)
        _cannot_write(path, err)
        return
    prefix = store.key_for(revision).rsplit("-r", 1)[0]
    for old in cache_dir.glob(f"incidents-{prefix}-r*"):
        if old != path and old.suffix in _SNAPSHOT_SUFFIXES and old.is_file():
            old.unlink(missing_ok=True)


def write_snapshot(
    store: Store, *, cache_dir: Path | None = None, spill: RowSpill | None = None
) -> None:
    """Write (and record) the snapshot of the store's current revision, reading the store in
    row groups: memory holds one group, never the whole store (an import's last step).

    ``spill``, the rows an import wrote into an empty store (:class:`RowSpill`, its
    ``revision`` set to the one the import made), are used instead of reading the store when
    that revision is still the current one; they are sorted as the store would give them."""
    cache_dir = Path(cache_dir or default_cache_dir())
    with store.consistent_frames(chunksize=ROW_GROUP) as (revision, groups, chunks):
        if spill is not None and spill.revision == revision and spill.usable:
            chunks = spill.frames(ROW_GROUP)
        written = _write_temp(store, cache_dir, revision, chunks, groups)
    if written is not None:
        _record(store, cache_dir, revision, *written)


def _write_ipc(tmp: Path, chunks: Iterator[pd.DataFrame], groups: pd.DataFrame | None) -> int:
    """Record batches of at most :data:`ROW_GROUP` incidents (their shared figures joined from
    ``groups``; None when the chunks already hold them); returns the rows written."""

    def table(chunk: pd.DataFrame) -> pa.Table:
        frame = chunk if groups is None else with_group_figures(chunk, groups)
        return pa.Table.from_pandas(frame, preserve_index=False)

    tables = map(table, chunks)
    first = next(tables, None)
    if first is None:  # no incidents: the empty frame, as a whole read writes it
        first = table(_concat([]))
    rows = 0
    with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, first.schema) as writer:
        for part in itertools.chain([first], tables):
            writer.write_table(part, max_chunksize=ROW_GROUP)
            rows += part.num_rows
    return rows


_SPILL_TYPES = {
    "text": pa.string(),
    "json": pa.string(),
    "date": pa.timestamp("s"),
    "int": pa.int64(),
    "count": pa.int64(),
    "float": pa.float64(),
}


#: The store backends whose rows :class:`RowSpill` can keep as the store gives them back.
SPILL_BACKENDS = ("sqlite", "postgresql")


def _as_stored(frame: pd.DataFrame, backend: str) -> pa.Table:
    """Validated rows as the store of ``backend`` gives them back (the Arrow table of
    :func:`incidents.store._typed_rows` or of PostgreSQL's ``COPY``): dates as days, missing
    values null; ``-0.0`` as ``0.0`` on SQLite (its REAL has no negative zero), kept on
    PostgreSQL (``double precision`` keeps it)."""
    data = {}
    for column in COLUMNS:
        values = frame[column.name]
        if column.kind == "date":
            values = values.dt.floor("D")
        array = pa.array(values, from_pandas=True)
        if column.kind == "float":
            array = array.cast(pa.float64())
            if backend == "sqlite":
                array = pc.add(array, 0.0)
        data[column.name] = array.cast(_SPILL_TYPES[column.kind])
    return pa.table(data)


#: The order of the store's rows (:meth:`Store.iter_frames`) and of the snapshot.
_ORDER = ("event_date", "event_id")
_SORT_KEYS = [(name, "ascending") for name in _ORDER]


class RowSpill:
    """The rows an import writes into an empty store, kept in a temporary Arrow file beside
    the snapshots, so that the snapshot is written from them instead of reading the whole
    store back (a third of a big import's time). ``backend`` is the store's dialect
    (:data:`SPILL_BACKENDS`): the rows are kept as that backend gives them back. Rows that
    cannot be kept as the store holds them make it unusable (:attr:`usable`): the snapshot
    is then read from the store. Use as a context manager: the file is removed at the end."""

    def __init__(self, cache_dir: Path | None = None, *, backend: str = "sqlite"):
        self.backend = backend
        self.cache_dir = Path(cache_dir or default_cache_dir())
        # unique within the process too: the app imports in threads
        self.path = self.cache_dir / f"incidents-rows-{uuid.uuid4().hex[:16]}.tmp{os.getpid()}"
        self.rows = 0
        self.usable = backend in SPILL_BACKENDS
        #: The store revision the rows are the whole of (set by the import after its commit).
        self.revision: int | None = None
        self._writer: pa.ipc.RecordBatchFileWriter | None = None

    def __enter__(self) -> RowSpill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def add(self, frame: pd.DataFrame) -> None:
        """Keep the rows of one part (validated, as inserted)."""
        if not self.usable:
            return
        try:
            table = _as_stored(frame, self.backend)
            table = table.take(pc.sort_indices(table.select(list(_ORDER)), sort_keys=_SORT_KEYS))
            if self._writer is None:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                self._writer = pa.ipc.new_file(self.path, table.schema)
            self._writer.write_table(table)
        except (AttributeError, OSError, TypeError, ValueError, pa.ArrowException):
            self.usable = False  # the snapshot is read from the store instead
            self.close()
            self.path.unlink(missing_ok=True)
            return
        self.rows += len(frame)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def frames(self, chunksize: int) -> Iterator[pd.DataFrame]:
        """The rows ordered by date and id (as :meth:`Store.iter_frames`), typed as read from
        the store, ``chunksize`` at a time. The file is mapped, not read: each part was kept
        sorted, so a group of rows comes from one stretch of each part, and the pages of a
        group are let go once it is written (memory holds about one group)."""
        self.close()
        if not self.rows:
            return
        with open(self.path, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(mapped))).read_all()
        order = pc.sort_indices(table.select(list(_ORDER)), sort_keys=_SORT_KEYS).to_numpy()
        for start in range(0, len(order), chunksize):
            positions = np.asarray(order[start : start + chunksize], dtype=np.int64)
            part = pa.table(
                {name: _take_chunked(table[name], positions) for name in table.column_names}
            )
            mapped.madvise(mmap.MADV_DONTNEED)  # clean file pages: read again if touched
            yield _typed(part.to_pandas(types_mapper=_pandas_type))
        del table, part  # the mapping closes with the last view of it


def remove_dead_temps(cache_dir: Path) -> list[Path]:
    """Remove the temporary snapshot files of writers that died (their process is gone, or
    the file is older than :data:`STALE_TEMP_SECONDS`); returns those removed."""
    removed = []
    now = time.time()
    for path in cache_dir.glob("incidents-*.tmp*"):
        match = _TEMP.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            stale = now - path.stat().st_mtime > STALE_TEMP_SECONDS
        except OSError:
            continue
        if stale or not _alive(int(match[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or an absurd id): leave its file alone
    return True
