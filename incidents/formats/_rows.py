"""What every reader's rows go through before validation: ids, dates, repeated ids.

1. **Dates.** ``event_date`` (and ``event_date_end``) are read by :func:`incidents.dates.read_dates`
   with the file's own convention (decided per column, checked against the source's ``year``
   column when it has one) and written back as ``YYYY-MM-DD``. A row whose date is ambiguous
   or contradicts its ``year`` is rejected with that reason; the convention is reported.
2. **Ids.** A row without an ``event_id`` gets ``ID-`` and the first 16 hex digits of the
   SHA-1 of its cells once mapped to our columns, dates already as ``YYYY-MM-DD`` (our column
   names, sorted, with their text; the line number is not part of it). The same row gives the
   same id in every file and every import (a sheet saved as CSV or kept as .xlsx too), so
   importing a file twice, or two overlapping files, does not duplicate it; two rows with
   identical cells get the same id and are one incident.
3. **Repeated ids.** Identical copies of a row (overlapping downloads) become one. Rows that
   share an id but differ (ACLED's older files have one row per actor) are merged when they
   differ only in :data:`MERGED` text columns (distinct values joined with ``"; "``); any
   other difference keeps the first row and rejects the others naming the column and the
   line kept. The file is never refused for it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from ..dates import DateOrder, read_dates
from ..exc import RowError
from .result import ReadResult

__all__ = ["MERGED", "finish", "row_ids"]

#: Columns whose differing values are joined when rows repeat an id (one row per actor).
MERGED: tuple[str, ...] = ("actor1", "actor2", "source", "admin2", "claimed_by")
_PREFIX = "ID-"


def row_ids(frame: pd.DataFrame) -> pd.Series:
    """Deterministic ids from each row's cells (see the module doc)."""
    columns = sorted(c for c in frame.columns if c != "event_id" and not c.startswith("_"))
    text = pd.Series("", index=frame.index, dtype="object")
    for name in columns:
        cells = frame[name].astype("string").str.strip().fillna("")
        text = text + name + "=" + cells.astype("object") + "\x1f"
    return pd.Series(
        [_PREFIX + hashlib.sha1(t.encode("utf-8")).hexdigest()[:16] for t in text],
        index=frame.index,
        dtype="string",
    )


def _fill_ids(frame: pd.DataFrame) -> int:
    ids = (
        frame["event_id"].astype("string").str.strip()
        if "event_id" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    missing = ids.isna() | (ids == "")
    if missing.any():
        ids = ids.where(~missing, row_ids(frame[missing]))
    frame["event_id"] = ids
    return int(missing.sum())


def _dates(
    frame: pd.DataFrame, lines: np.ndarray, order: DateOrder, conventions: dict[str, str]
) -> tuple[np.ndarray, list[RowError]]:
    bad = np.zeros(len(frame), dtype=bool)
    errors: list[RowError] = []
    years = frame["year"] if "year" in frame.columns else None
    for name in ("event_date", "event_date_end"):
        if name not in frame.columns:
            continue
        found = read_dates(frame[name], order=order, years=years if name == "event_date" else None)
        if found.convention:
            checked = " (checked against the year column)" if years is not None else ""
            conventions[name] = found.convention + (checked if name == "event_date" else "")
        read = found.dates.notna().to_numpy()
        iso = found.dates.dt.strftime("%Y-%m-%d").astype("string")
        frame[name] = frame[name].astype("string").where(~read, iso)
        for pos, message in sorted(found.problems.items()):
            if not bad[pos]:
                ident: Any = frame["event_id"].iat[pos] if "event_id" in frame.columns else None
                errors.append(
                    RowError(int(lines[pos]), name, message, None if pd.isna(ident) else str(ident))
                )
                bad[pos] = True
    return bad, errors


def _repeated(
    frame: pd.DataFrame, lines: np.ndarray, conventions: dict[str, str]
) -> tuple[np.ndarray, list[RowError]]:
    """Drop identical copies, merge rows differing only in MERGED columns, reject the rest."""
    drop = np.zeros(len(frame), dtype=bool)
    ids = frame["event_id"]
    repeated = ids.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return drop, []
    errors: list[RowError] = []
    copies = merged = 0
    columns = [c for c in frame.columns if c != "event_id"]
    sub = frame.loc[repeated, columns].astype("string")
    for _ident, positions in sub.groupby(ids[repeated], sort=False).indices.items():
        rows = np.flatnonzero(repeated)[positions]
        first = rows[0]
        keep_values = frame.iloc[first]
        for pos in rows[1:]:
            other = frame.iloc[pos]
            differs = [
                c
                for c in columns
                if not (pd.isna(keep_values[c]) and pd.isna(other[c]))
                and str(keep_values[c]).strip() != str(other[c]).strip()
            ]
            drop[pos] = True
            if not differs:
                copies += 1
                continue
            if all(c in MERGED for c in differs):
                merged += 1
                for c in differs:
                    parts = [p for p in (keep_values[c], other[c]) if not pd.isna(p)]
                    seen = []
                    for part in "; ".join(str(p) for p in parts).split("; "):
                        if part and part not in seen:
                            seen.append(part)
                    frame.loc[frame.index[first], c] = "; ".join(seen)
                keep_values = frame.iloc[first]
                continue
            c = differs[0]
            errors.append(
                RowError(
                    int(lines[pos]),
                    c,
                    f"same event_id as line {int(lines[first])} (kept) but {c} differs: "
                    f"{str(other[c])[:40]!r} vs {str(keep_values[c])[:40]!r}",
                    str(ids.iat[pos]),
                )
            )
    if copies or merged or errors:
        conventions["repeated ids"] = (
            f"{copies:,} identical copies dropped, {merged:,} rows merged into the first row "
            f"of their id (actors, sources joined), {len(errors):,} differing rows rejected"
        )
    return drop, errors


def finish(read: ReadResult, *, date_order: DateOrder = "auto") -> ReadResult:
    """Ids, dates and repeated ids (see the module doc); rejected rows join ``read.errors``."""
    frame = read.frame.reset_index(drop=True).copy()
    lines = np.asarray(read.lines)
    if not len(frame):
        read.frame = frame.drop(columns=["year"], errors="ignore")
        return read
    bad, errors = _dates(frame, lines, date_order, read.conventions)
    frame, lines = frame[~bad].reset_index(drop=True), lines[~bad]
    generated = _fill_ids(frame)
    if generated:
        read.conventions["event_id"] = (
            f"{generated:,} rows without an id got one from their content (ID-...)"
        )
    drop, more = _repeated(frame, lines, read.conventions)
    read.frame = frame[~drop].reset_index(drop=True).drop(columns=["year"], errors="ignore")
    read.lines = lines[~drop]
    read.errors = sorted(read.errors + errors + more, key=lambda e: e.line)
    return read
