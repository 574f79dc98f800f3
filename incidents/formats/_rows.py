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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..dates import DateOrder, read_dates
from ..exc import RowError
from ..schema import COLUMN_NAMES
from .result import ReadResult

__all__ = ["MERGED", "SeenIds", "Tally", "finish", "id_keys", "row_ids"]

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
    frame: pd.DataFrame,
    lines: np.ndarray,
    order: DateOrder | Mapping[str, DateOrder],
    conventions: dict[str, str],
) -> tuple[np.ndarray, list[RowError]]:
    bad = np.zeros(len(frame), dtype=bool)
    errors: list[RowError] = []
    years = frame["year"] if "year" in frame.columns else None
    for name in ("event_date", "event_date_end"):
        if name not in frame.columns:
            continue
        own: DateOrder = order if isinstance(order, str) else order.get(name, "auto")
        found = read_dates(frame[name], order=own, years=years if name == "event_date" else None)
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


@dataclass
class Tally:
    """Counts of what :func:`finish` did, summed over the parts of a file read in chunks."""

    generated: int = 0
    copies: int = 0
    merged: int = 0
    rejected: int = 0

    def describe(self, conventions: dict[str, str]) -> None:
        """Write the counts into ``conventions`` (the words the CLI and the page show)."""
        if self.generated:
            conventions["event_id"] = (
                f"{self.generated:,} rows without an id got one from their content (ID-...)"
            )
        if self.copies or self.merged or self.rejected:
            conventions["repeated ids"] = (
                f"{self.copies:,} identical copies dropped, {self.merged:,} rows merged into "
                f"the first row of their id (actors, sources joined), {self.rejected:,} "
                "differing rows rejected"
            )


def _repeated(
    frame: pd.DataFrame, lines: np.ndarray, tally: Tally
) -> tuple[np.ndarray, list[RowError]]:
    """Drop identical copies, merge rows differing only in MERGED columns, reject the rest."""
    drop = np.zeros(len(frame), dtype=bool)
    ids = frame["event_id"]
    repeated = ids.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return drop, []
    errors: list[RowError] = []
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
                tally.copies += 1
                continue
            if all(c in MERGED for c in differs):
                tally.merged += 1
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
            tally.rejected += 1
            errors.append(
                RowError(
                    int(lines[pos]),
                    c,
                    f"same event_id as line {int(lines[first])} (kept) but {c} differs: "
                    f"{str(other[c])[:40]!r} vs {str(keep_values[c])[:40]!r}",
                    str(ids.iat[pos]),
                )
            )
    return drop, errors


def _hashes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each row's cell in each of ``columns`` (text, stripped; a missing
    column or cell is its own value): shape (rows, columns)."""
    out = np.zeros((len(frame), len(columns)), dtype=np.uint64)
    for k, name in enumerate(columns):
        if name in frame.columns:
            text = frame[name].astype("string").str.strip().fillna("\x00")
            out[:, k] = pd.util.hash_pandas_object(text, index=False).to_numpy()
        else:
            out[:, k] = np.uint64(0x9E3779B97F4A7C15)
    return out


def id_keys(ids: pd.Series) -> np.ndarray:
    """A 64-bit digest of each id (its text, stripped)."""
    text = ids.astype("string").str.strip().fillna("\x00")
    return pd.util.hash_pandas_object(text, index=False).to_numpy()


class SeenIds:
    """The ids met in earlier parts of a file read in chunks: a 64-bit digest of each id, the
    line of its first row, a 64-bit digest of that row and 16 bits per column (to name the
    column that differs): some 70 bytes per id, never the rows themselves."""

    #: The columns compared: ours, whichever a reader gives (a part may lack some).
    COLUMNS: tuple[str, ...] = tuple(c for c in COLUMN_NAMES if c != "event_id")

    def __init__(self, candidates: np.ndarray | None = None) -> None:
        #: Digests (:func:`id_keys`) of the ids that may repeat (None: any may); only their
        #: rows are compared and remembered.
        self.candidates = candidates
        self.keys = np.empty(0, dtype=np.uint64)
        self.lines = np.empty(0, dtype=np.int64)
        self.whole = np.empty(0, dtype=np.uint64)
        self.cells = np.empty((0, len(self.COLUMNS)), dtype=np.uint16)

    def __len__(self) -> int:
        return len(self.keys)

    def check(
        self, frame: pd.DataFrame, lines: np.ndarray, tally: Tally
    ) -> tuple[np.ndarray, list[RowError]]:
        """Rows (of one part, its own repeats already sorted out) whose id an earlier part
        had: identical copies are dropped, others rejected naming the line kept and the
        first column that differs. Then the part's ids are remembered."""
        drop = np.zeros(len(frame), dtype=bool)
        keys = id_keys(frame["event_id"])
        if self.candidates is not None:
            maybe = np.isin(keys, self.candidates)
            if not maybe.any():
                return drop, []
            where = np.flatnonzero(maybe)
            candidates, self.candidates = self.candidates, None
            try:
                more_drop, found = self.check(
                    frame.iloc[where].reset_index(drop=True), np.asarray(lines)[where], tally
                )
            finally:
                self.candidates = candidates
            drop[where] = more_drop
            return drop, found
        hashes = _hashes(frame, self.COLUMNS)
        whole = pd.util.hash_pandas_object(pd.DataFrame(hashes), index=False).to_numpy()
        cells = (hashes & np.uint64(0xFFFF)).astype(np.uint16)
        errors: list[RowError] = []
        if len(self.keys):
            at = np.searchsorted(self.keys, keys)
            at[at == len(self.keys)] = 0
            met = self.keys[at] == keys
            for pos in np.flatnonzero(met).tolist():
                j = at[pos]
                drop[pos] = True
                if whole[pos] == self.whole[j]:
                    tally.copies += 1
                    continue
                tally.rejected += 1
                differs = [c for c, a, b in zip(self.COLUMNS, cells[pos], self.cells[j]) if a != b]
                column = differs[0] if differs else "event_id"
                what = f"{column} differs" if differs else "other columns differ"
                if differs and all(c in MERGED for c in differs):
                    what += (
                        " (rows of one id this far apart in a big file are not merged: "
                        "sort the file by id to merge them)"
                    )
                errors.append(
                    RowError(
                        int(lines[pos]),
                        column,
                        f"same event_id as line {int(self.lines[j])} (kept) but {what}",
                        str(frame["event_id"].iat[pos]),
                    )
                )
        new = ~drop
        keys_all = np.concatenate([self.keys, keys[new]])
        order = np.argsort(keys_all, kind="stable")
        self.keys = keys_all[order]
        self.lines = np.concatenate([self.lines, np.asarray(lines)[new]])[order]
        self.whole = np.concatenate([self.whole, whole[new]])[order]
        self.cells = np.concatenate([self.cells, cells[new]])[order]
        return drop, errors


def finish(
    read: ReadResult,
    *,
    date_order: DateOrder | Mapping[str, DateOrder] = "auto",
    seen: SeenIds | None = None,
    tally: Tally | None = None,
) -> ReadResult:
    """Ids, dates and repeated ids (see the module doc); rejected rows join ``read.errors``.

    A file read in parts passes the same ``seen`` and ``tally`` for every part: ids repeated
    across parts are then found too (:class:`SeenIds`) and the counts are the file's, written
    into the conventions by the caller (:meth:`Tally.describe`). ``date_order`` may give each
    date column its own order (``{"event_date": "dmy"}``)."""
    own_tally = tally is None
    tally = Tally() if tally is None else tally
    frame = read.frame.reset_index(drop=True).copy()
    lines = np.asarray(read.lines)
    if not len(frame):
        read.frame = frame.drop(columns=["year"], errors="ignore")
        return read
    bad, errors = _dates(frame, lines, date_order, read.conventions)
    frame, lines = frame[~bad].reset_index(drop=True), lines[~bad]
    tally.generated += _fill_ids(frame)
    drop, more = _repeated(frame, lines, tally)
    frame, lines = frame[~drop].reset_index(drop=True), lines[~drop]
    if seen is not None:
        drop, across = seen.check(frame.drop(columns=["year"], errors="ignore"), lines, tally)
        frame, lines = frame[~drop].reset_index(drop=True), lines[~drop]
        more += across
    if own_tally:
        tally.describe(read.conventions)
    read.frame = frame.drop(columns=["year"], errors="ignore")
    read.lines = lines
    read.errors = sorted(read.errors + errors + more, key=lambda e: e.line)
    return read
