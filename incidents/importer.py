"""Import a file of incidents into a store: read, validate, insert, in one transaction.

Valid rows are imported; every rejected row comes back as a :class:`RowError` with its line
in the file and the reason. ``strict=True`` imports nothing when any row is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .dates import DateOrder
from .exc import ImportFormatError, ImportRejected, RowError
from .formats import ColumnMapping, Format, ReadResult, read_incidents
from .formats.acled import AcledZeros
from .formats.stream import CHUNK_BYTES, Stream, open_stream
from .geocoding import place_incidents
from .history import existing_ids, record_import, record_import_of_all
from .memory import small_pages
from .postgres import ids_sort_bytewise
from .prefetch import prefetched
from .progress import ProgressCallback
from .snapshot import RowSpill, write_snapshot
from .store import InsertResult, OnConflict, Store
from .validate import validate_frame, validate_groups

if TYPE_CHECKING:
    from geodata import GeocoderChain

__all__ = ["PREVIEW_ROWS", "ImportReport", "import_file", "import_result"]

#: Rows a dry run shows.
PREVIEW_ROWS = 10
#: From this many rows, a load into an empty store builds its indexes once, at the end.
BIG_LOAD = 50_000


@dataclass
class ImportReport(InsertResult):
    """What an import did: the store's :class:`InsertResult` and what the file held.
    ``errors`` lists every rejected row (the file's and the store's), in file order."""

    format: str = ""
    #: Rows found in the file (valid or not).
    rows: int = 0
    #: What ``RowError.line`` counts: ``line`` (CSV), ``feature`` (GeoJSON) or ``record`` (JSON).
    unit: str = "line"
    #: What was found about the file (encoding, delimiter, date convention...), in words.
    conventions: dict[str, str] = field(default_factory=dict)
    #: A dry run: nothing was written; ``valid`` rows would have been offered to the store.
    dry_run: bool = False
    valid: int = 0
    #: The first valid rows, as they would be stored (a dry run's preview).
    preview: pd.DataFrame | None = None
    #: A dry run's valid rows whose id the store already holds, and what the import would do
    #: with them (``on_conflict`` skip or replace; with ``error`` they are in ``errors``).
    known: list[RowError] = field(default_factory=list)
    #: The ids written (inserted or replaced), in file order.
    stored_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self, error: RowError) -> str:
        """An error in the file's own terms (``line 12``, ``feature 3``, ``record 2``)."""
        text = str(error)
        return text.replace("line ", f"{self.unit} ", 1) if self.unit != "line" else text


def _group_frame(read: ReadResult, store: Store) -> tuple[pd.DataFrame | None, list[RowError]]:
    if read.groups is None or not len(read.groups):
        return None, []
    report = validate_groups(read.groups, lines=read.group_lines)
    errors = report.errors
    groups = report.valid
    if read.derived_groups:
        # Figures rebuilt from group_* columns carry no description or sources: keep the stored ones.
        errors = [
            RowError(
                e.line,
                "group_" + e.field if e.field != "group_id" else "casualty_group",
                e.message,
                e.event_id,
            )
            for e in errors
        ]
        stored = store.groups().set_index("group_id")
        for name in ("description", "sources"):
            known = (
                groups["group_id"].map(stored[name])
                if len(stored)
                else pd.Series(pd.NA, index=groups.index)
            )
            groups[name] = groups[name].fillna(known.astype("string"))
    else:
        errors = [
            RowError(e.line, f"casualty_groups: {e.field}", e.message, e.event_id) for e in errors
        ]
    return groups, errors


@dataclass
class _Part:
    """One part of a file checked: valid rows, their lines, the groups, every problem."""

    valid: pd.DataFrame
    lines: pd.Series
    groups: pd.DataFrame | None
    errors: list[RowError]


def _check(read: ReadResult, store: Store, geocoder: GeocoderChain | None) -> _Part:
    frame, lines, place_errors = read.frame, read.lines, []
    if geocoder is not None:
        placed = place_incidents(frame, chain=geocoder, lines=lines)
        failed = {e.line for e in placed.errors}
        keep = ~np.isin(np.asarray(lines), list(failed))
        frame, lines, place_errors = placed.frame[keep], np.asarray(lines)[keep], placed.errors
    checked = validate_frame(frame, lines=lines)
    groups, group_errors = _group_frame(read, store)
    errors = read.errors + place_errors + group_errors + checked.errors
    lines_kept = checked.lines if checked.lines is not None else pd.Series([], dtype="int64")
    return _Part(checked.valid, lines_kept, groups, errors)


def _stored_rows(store: Store, part: _Part, on_conflict: OnConflict) -> list[RowError]:
    """A dry run's word on the valid rows whose id the store already holds."""
    ids = part.valid["event_id"]
    stored = store.stored_ids(ids) if len(ids) else set()
    if not stored:
        return []
    what = {
        "error": "already in the store (import with on_conflict 'replace' or 'skip')",
        "skip": "already in the store: would be skipped (the stored incident kept)",
        "replace": "already in the store: would replace the stored incident",
    }[on_conflict]
    return [
        RowError(int(line), "event_id", what, str(ident))
        for ident, line in zip(ids, part.lines, strict=True)
        if ident in stored
    ]


class _Progress:
    """Rows written so far against the rows expected (estimated from the bytes read)."""

    def __init__(self, callback: ProgressCallback | None, stream: Stream | None, total: int):
        self.callback, self.stream, self.total, self.done = callback, stream, total, 0

    def expected(self, rows_read: int, bytes_read: int) -> int:
        if self.stream is None or not bytes_read:
            return self.total
        if bytes_read >= self.stream.size:
            return rows_read
        return max(rows_read, round(rows_read * self.stream.size / bytes_read))

    def part(self, rows_read: int, bytes_read: int) -> Callable[[int], None] | None:
        if self.callback is None:
            return None
        done, total, callback = self.done, self.expected(rows_read, bytes_read), self.callback
        return lambda n: callback(done + n, max(total, done + n))


def import_result(
    store: Store,
    read: ReadResult,
    *,
    strict: bool = False,
    on_conflict: OnConflict = "error",
    geocoder: GeocoderChain | None = None,
    refresh_snapshot: bool = True,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    source: str | None = None,
    who: str | None = None,
) -> ImportReport:
    """Validate rows already read (:func:`incidents.formats.read_incidents`) and insert them.

    ``dry_run`` writes nothing: the report holds every problem the file and the rules find,
    the valid rows whose id the store already holds (in ``errors`` with ``on_conflict``
    ``error``, as the import would reject them; else in ``known``, to be skipped or
    replaced), the number of valid rows and a preview of the first :data:`PREVIEW_ROWS`.

    With a ``geocoder`` (a :class:`geodata.GeocoderChain`), rows without coordinates are placed
    from their ``location``, ``country`` and ``admin1`` (a place it will not vouch for is a
    rejected row), and rows without a region get one by reverse lookup. With
    ``refresh_snapshot`` the store's columnar snapshot is rebuilt after a write, so the
    dashboard's next start reads it instead of the database. Each incident stored is recorded
    in the history (:func:`incidents.history.record_import`) with ``source`` (the file's name)
    and ``who`` (the person importing, when known).
    """
    return _import_parts(
        store,
        iter([read]),
        format=read.format,
        unit=read.unit,
        conventions=read.conventions,
        stream=None,
        big=len(read.frame) >= BIG_LOAD,
        strict=strict,
        on_conflict=on_conflict,
        geocoder=geocoder,
        refresh_snapshot=refresh_snapshot,
        dry_run=dry_run,
        progress=progress,
        source=source,
        who=who,
    )


def _import_parts(
    store: Store,
    parts: Iterator[ReadResult],
    *,
    format: str,
    unit: str,
    conventions: dict[str, str],
    stream: Stream | None,
    big: bool,
    strict: bool,
    on_conflict: OnConflict,
    geocoder: GeocoderChain | None,
    refresh_snapshot: bool,
    dry_run: bool,
    progress: ProgressCallback | None,
    source: str | None = None,
    who: str | None = None,
) -> ImportReport:
    """Check and write each part in turn, in one transaction (nothing held but one part)."""
    report = ImportReport(format=format, unit=unit, dry_run=dry_run)
    errors: list[RowError] = []
    previews: list[pd.DataFrame] = []
    if dry_run:
        for read in parts:
            report.rows += len(read.frame) + len(read.errors)
            part = _check(read, store, geocoder)
            errors += part.errors
            known = _stored_rows(store, part, on_conflict)
            if on_conflict == "error":
                errors += known
            else:
                report.known += known
            report.valid += len(part.valid)
            if sum(len(p) for p in previews) < PREVIEW_ROWS:
                previews.append(part.valid.head(PREVIEW_ROWS))
        report.preview = (
            pd.concat(previews, ignore_index=True).head(PREVIEW_ROWS) if previews else None
        )
        report.errors = sorted(errors, key=lambda e: e.line)
        report.conventions = dict(stream.conventions if stream else conventions)
        report.revision = store.revision
        return report
    with RowSpill(backend=store.engine.dialect.name) as spill:
        return _write_parts(
            store,
            parts,
            report,
            errors,
            stream=stream,
            conventions=conventions,
            big=big,
            strict=strict,
            on_conflict=on_conflict,
            geocoder=geocoder,
            progress=progress,
            spill=spill if refresh_snapshot else None,
            source=source,
            who=who,
        )


def _write_parts(
    store: Store,
    parts: Iterator[ReadResult],
    report: ImportReport,
    errors: list[RowError],
    *,
    stream: Stream | None,
    conventions: dict[str, str],
    big: bool,
    strict: bool,
    on_conflict: OnConflict,
    geocoder: GeocoderChain | None,
    progress: ProgressCallback | None,
    spill: RowSpill | None,
    source: str | None,
    who: str | None,
) -> ImportReport:
    """The writing half of :func:`_import_parts`. With ``spill`` (the snapshot is to be
    written) and an empty store, the rows written are kept there for the snapshot."""
    format = report.format
    ticker = _Progress(progress, stream, 0)
    rows_read = 0
    stored: list[pd.Series] = []
    before: set[str] = set()
    # Each part read and checked (with the bytes of the file read so far, for progress)
    checked = (
        (read, _check(read, store, geocoder), stream.bytes_read if stream else 0) for read in parts
    )
    if stream is not None:  # several parts: the next one is read while this one is written
        checked = prefetched(checked)
    with (
        store.writer(on_conflict=on_conflict, strict=strict, big=big) as chunks,
        closing(checked),  # (a part being read is let go at once if a write fails)
    ):
        if spill is not None and chunks.started_empty and ids_sort_bytewise(chunks.conn):
            chunks.on_rows = spill.add
        for read, part, bytes_read in checked:
            rows_read += len(read.frame) + len(read.errors)
            errors += part.errors
            report.valid += len(part.valid)
            if strict and errors:
                continue  # nothing more is written: the block raises below
            ticker.total = len(part.valid) if stream is None else ticker.total
            if on_conflict != "error":  # ids stored before: skipped or replaced, not new
                before |= existing_ids(store, part.valid["event_id"].tolist())
            stored.append(
                chunks.add(
                    part.valid,
                    groups=part.groups,
                    lines=part.lines,
                    progress=ticker.part(rows_read, bytes_read),
                )
            )
            ticker.done += len(part.valid)
        if strict and errors:
            raise ImportRejected(sorted(errors, key=lambda e: e.line))
        source = f"{source} ({format})" if source else f"a {format} file"
        why = f"{format} import: {chunks.result.inserted} inserted, 0 replaced"
        # Into an empty store every row is this import's (in the order written): recorded
        # in the import's own transaction.
        recorded = chunks.started_empty and chunks.wrote
        if recorded:
            record_import_of_all(chunks.conn, source=source, why=why, who=who)
    result = chunks.result
    report.rows = rows_read
    report.conventions = dict(stream.conventions if stream else conventions)
    report.inserted, report.replaced, report.skipped = (
        result.inserted,
        result.replaced,
        result.skipped,
    )
    report.stored_ids = pd.concat(stored, ignore_index=True).tolist() if stored else []
    report.errors = sorted(errors + result.errors, key=lambda e: e.line)
    report.revision = result.revision
    if (result.inserted or result.replaced) and not recorded:
        inserted = [i for i in report.stored_ids if i not in before]
        replaced = [i for i in report.stored_ids if i in before]
        record_import(
            store,
            inserted,
            replaced,
            source=source,
            why=f"{format} import: {result.inserted} inserted, {result.replaced} replaced",
            who=who,
        )  # not a write of incidents: the revision stays the one this import made
    if spill is not None and (result.inserted or result.replaced):
        if chunks.on_rows is not None and spill.rows == result.inserted:
            spill.revision = result.revision
        write_snapshot(store, spill=spill)
    return report


def import_file(
    store: Store,
    path: str | Path,
    *,
    format: Format = "auto",
    strict: bool = False,
    on_conflict: OnConflict = "error",
    acled_zeros: AcledZeros = "unknown",
    date_order: DateOrder = "auto",
    mapping: ColumnMapping | None = None,
    geocoder: GeocoderChain | None = None,
    refresh_snapshot: bool = True,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    source: str | None = None,
    who: str | None = None,
) -> ImportReport:
    """Import one file (any format of :func:`incidents.formats.read_incidents`) into ``store``.

    ``date_order`` and ``mapping`` are :func:`~incidents.formats.read_incidents`'s; ``dry_run``
    :func:`import_result`'s; ``progress`` is called with (rows written, rows expected) as the
    rows go in (:mod:`incidents.progress`; for a big file the rows expected are estimated
    from the bytes read so far).

    A CSV larger than ``chunk_bytes`` is read, checked and written part by part
    (:mod:`incidents.formats.stream`), so memory holds one part, not the file; the result
    is the same as reading it whole, except that rows sharing an id in different parts are
    not merged (the later one is dropped when identical, else rejected naming the line kept).

    Valid rows are inserted in one transaction; rejected rows are listed in
    :attr:`ImportReport.errors` with their line and reason. With ``strict`` any rejected row
    raises :class:`~incidents.exc.ImportRejected` and nothing is written. A file that is not
    a table raises :class:`~incidents.exc.ImportFormatError`; a failing database
    :class:`~incidents.exc.StoreError` (the store is left as it was).

    The process's new memory comes in small pages while the import runs
    (:func:`incidents.memory.small_pages`: huge pages made half its system time).
    """
    with small_pages():
        return _import_file(
            store,
            Path(path),
            format=format,
            acled_zeros=acled_zeros,
            date_order=date_order,
            mapping=mapping,
            chunk_bytes=chunk_bytes,
            options=dict(
                strict=strict,
                on_conflict=on_conflict,
                geocoder=geocoder,
                refresh_snapshot=refresh_snapshot,
                dry_run=dry_run,
                progress=progress,
                source=source or Path(path).name,
                who=who,
            ),
        )


def _import_file(
    store: Store,
    path: Path,
    *,
    format: Format,
    acled_zeros: AcledZeros,
    date_order: DateOrder,
    mapping: ColumnMapping | None,
    chunk_bytes: int,
    options: dict[str, Any],
) -> ImportReport:
    """:func:`import_file`, ``options`` being those for :func:`import_result`."""
    stream = _open_stream(
        path,
        format=format,
        acled_zeros=acled_zeros,
        date_order=date_order,
        mapping=mapping,
        chunk_bytes=chunk_bytes,
    )
    if stream is None:
        read = read_incidents(
            path, format=format, acled_zeros=acled_zeros, date_order=date_order, mapping=mapping
        )
        return import_result(store, read, **options)
    return _import_parts(
        store,
        _named(path, stream.parts()),
        format=stream.format,
        unit=stream.unit,
        conventions=stream.conventions,
        stream=stream,
        big=True,
        **options,
    )


def _with_path(path: Path, err: ImportFormatError) -> ImportFormatError:
    message = str(err)
    return ImportFormatError(message if message.startswith(str(path)) else f"{path}: {message}")


def _open_stream(path: Path, **options) -> Stream | None:
    try:
        stream = open_stream(path, **options)
        if stream is not None:
            stream.first_pass()
        return stream
    except ImportFormatError as err:
        raise _with_path(path, err) from None


def _named(path: Path, parts: Iterator[ReadResult]) -> Iterator[ReadResult]:
    """The parts, with a format error naming the file (as :func:`read_incidents` does)."""
    try:
        yield from parts
    except ImportFormatError as err:
        raise _with_path(path, err) from None
