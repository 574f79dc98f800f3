"""Import a file of incidents into a store: read, validate, insert, in one transaction.

Valid rows are imported; every rejected row comes back as a :class:`RowError` with its line
in the file and the reason. ``strict=True`` imports nothing when any row is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .dates import DateOrder
from .exc import ImportRejected, RowError
from .formats import ColumnMapping, Format, ReadResult, read_incidents
from .formats.acled import AcledZeros
from .geocoding import place_incidents
from .history import existing_ids, record_import
from .progress import ProgressCallback
from .snapshot import load_frame
from .store import InsertResult, OnConflict, Store
from .validate import validate_frame, validate_groups

if TYPE_CHECKING:
    from geodata import GeocoderChain

__all__ = ["PREVIEW_ROWS", "ImportReport", "import_file", "import_result"]

#: Rows a dry run shows.
PREVIEW_ROWS = 10


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


def _record_history(
    store: Store,
    ids: pd.Series,
    before: set[str],
    result: InsertResult,
    source: str | None,
    fmt: str,
    who: str | None,
) -> None:
    """One history row per incident the import stored: rejected rows and (with ``skip``) ids
    stored before are not; (with ``replace``) those are recorded as replaced."""
    rejected = {e.event_id for e in result.errors}
    stored = ids[~ids.isin(rejected)]
    inserted = stored[~stored.isin(before)].tolist()
    replaced = stored[stored.isin(before)].tolist() if result.replaced else []
    record_import(
        store,
        inserted,
        replaced,
        source=f"{source} ({fmt})" if source else f"a {fmt} file",
        why=f"{fmt} import: {result.inserted} inserted, {result.replaced} replaced",
        who=who,
    )


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

    ``dry_run`` writes nothing: the report holds every problem the file and the rules find
    (not the store's: ids already stored, unknown casualty groups), the number of valid rows
    and a preview of the first :data:`PREVIEW_ROWS` of them.

    With a ``geocoder`` (a :class:`geodata.GeocoderChain`), rows without coordinates are placed
    from their ``location``, ``country`` and ``admin1`` (a place it will not vouch for is a
    rejected row), and rows without a region get one by reverse lookup. With
    ``refresh_snapshot`` the store's columnar snapshot is rebuilt after a write, so the
    dashboard's next start reads it instead of the database. Each incident stored is recorded
    in the history (:func:`incidents.history.record_import`) with ``source`` (the file's name)
    and ``who`` (the person importing, when known).
    """
    report = ImportReport(
        format=read.format,
        rows=len(read.frame) + len(read.errors),
        unit=read.unit,
        conventions=dict(read.conventions),
    )
    frame, lines, place_errors = read.frame, read.lines, []
    if geocoder is not None:
        placed = place_incidents(frame, chain=geocoder, lines=lines)
        failed = {e.line for e in placed.errors}
        keep = ~np.isin(np.asarray(lines), list(failed))
        frame, lines, place_errors = placed.frame[keep], np.asarray(lines)[keep], placed.errors
    checked = validate_frame(frame, lines=lines)
    groups, group_errors = _group_frame(read, store)
    errors = read.errors + place_errors + group_errors + checked.errors
    report.valid = len(checked.valid)
    if dry_run:
        report.dry_run = True
        report.preview = checked.valid.head(PREVIEW_ROWS)
        report.errors = sorted(errors, key=lambda e: e.line)
        report.revision = store.revision
        return report
    if strict and errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    ids = checked.valid["event_id"].tolist()
    before = existing_ids(store, ids) if on_conflict != "error" else set()
    result = store.insert(
        checked.valid,
        groups=groups,
        on_conflict=on_conflict,
        lines=checked.lines,
        strict=strict,
        progress=progress,
    )
    report.inserted, report.replaced, report.skipped = (
        result.inserted,
        result.replaced,
        result.skipped,
    )
    report.errors = sorted(errors + result.errors, key=lambda e: e.line)
    report.revision = result.revision
    if result.inserted or result.replaced:
        _record_history(store, checked.valid["event_id"], before, result, source, read.format, who)
    if refresh_snapshot and (result.inserted or result.replaced):
        load_frame(store)
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
    source: str | None = None,
    who: str | None = None,
) -> ImportReport:
    """Import one file (any format of :func:`incidents.formats.read_incidents`) into ``store``.

    ``date_order`` and ``mapping`` are :func:`~incidents.formats.read_incidents`'s; ``dry_run``
    :func:`import_result`'s; ``progress`` is called with (rows written, rows to write) as the
    rows go in (:mod:`incidents.progress`).

    Valid rows are inserted in one transaction; rejected rows are listed in
    :attr:`ImportReport.errors` with their line and reason. With ``strict`` any rejected row
    raises :class:`~incidents.exc.ImportRejected` and nothing is written. A file that is not
    a table raises :class:`~incidents.exc.ImportFormatError`; a failing database
    :class:`~incidents.exc.StoreError` (the store is left as it was).
    """
    read = read_incidents(
        path, format=format, acled_zeros=acled_zeros, date_order=date_order, mapping=mapping
    )
    return import_result(
        store,
        read,
        strict=strict,
        on_conflict=on_conflict,
        geocoder=geocoder,
        refresh_snapshot=refresh_snapshot,
        dry_run=dry_run,
        progress=progress,
        source=source or Path(path).name,
        who=who,
    )
