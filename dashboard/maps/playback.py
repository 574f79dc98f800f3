"""Time playback: what the map's time control plays, computed once per selection.

The browser plays a selection day by day or week by week (a window, or everything up to the
frame's last day) without asking the page for anything: the layer's payload holds, for the
selection,

* per day that has incidents, the sums the KPIs of a window add up (:func:`day_sums`):
  incidents, killed and injured (best, low, high, and incidents whose figure is unknown),
  claimed or disputed incidents;
* per incident drawn one by one, its day (the symbol shows while its day is in the window);
* per hexagon of one resolution, its incidents per day, or per week when a day-by-day table
  would be too big (:func:`cell_periods`; at most :data:`PAIR_BUDGET` non-empty entries).

The shared-figure rule holds in every frame: a casualty figure given for several incidents is
counted once, on the earliest incident of the *selection* (:func:`incidents.totals.group_carriers`),
so it shows in the window holding that incident's day and in every cumulative frame from that
day on, never twice; the windows of a selection add up to its KPIs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from incidents.totals import counted_casualties

from .aggregate import STAT_COLUMNS, CellIndex, cell_stats, key_sums

__all__ = [
    "NO_DAY",
    "PAIR_BUDGET",
    "RowTimes",
    "cell_periods",
    "day_numbers",
    "day_sums",
    "row_times",
    "time_payload",
]

#: Day number of an undated row (never in a frame).
NO_DAY = np.iinfo(np.int64).min
#: Most (hexagon, period) entries with incidents sent for the playback (about 5 bytes each).
PAIR_BUDGET = 60_000
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, eq=False)
class RowTimes:
    """Per row of the frame a map is built from: its day (days since 1970-01-01, :data:`NO_DAY`
    when undated) and its contributions to the window sums (:data:`STAT_COLUMNS`, with the
    selection's shared-figure carriers). ``cells``/``cell_rows``: an H3 :class:`CellIndex` and
    each row's position in it (the dashboard's index of the whole store); None: the map
    indexes the rows it counts in hexagons itself."""

    day: np.ndarray
    stats: Mapping[str, np.ndarray]
    cells: CellIndex | None = None
    cell_rows: np.ndarray | None = None


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (int64) of datetime values; :data:`NO_DAY` for a missing one."""
    values = np.asarray(pd.Series(dates).to_numpy(dtype="datetime64[ns]"))
    days = values.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(values), NO_DAY, days)


def row_times(frame: pd.DataFrame) -> RowTimes | None:
    """The :class:`RowTimes` of a typed incidents frame with ``group_*`` columns (the whole
    selection: shared figures are carried by its earliest incidents); None without dates."""
    if "event_date" not in frame.columns or "casualty_group" not in frame.columns:
        return None
    stats = cell_stats(counted_casualties(frame), frame["claim_status"])
    return RowTimes(day_numbers(frame["event_date"]), stats)


def day_sums(day: np.ndarray, stats: Mapping[str, np.ndarray], start: int) -> dict:
    """Sums of ``stats`` per day that has rows: ``{"day": [days since start], measure: [...]}``;
    a ``_low``/``_high`` list equal to the best one is None (as in the hexagon levels)."""
    dated = day != NO_DAY
    every = bool(dated.all())
    offset = (day if every else day[dated]) - start
    span = int(offset.max()) + 1 if len(offset) else 0
    sums = {
        name: key_sums(
            offset, np.asarray(stats[name]) if every else np.asarray(stats[name])[dated], span
        )
        for name in STAT_COLUMNS
    }
    present = np.flatnonzero(sums["incidents"])
    out: dict = {"day": present.tolist()}
    for name in STAT_COLUMNS:
        out[name] = sums[name][present].round().astype(np.int64).tolist()
    for name in STAT_COLUMNS:
        if name.endswith(("_low", "_high")) and out[name] == out[name.rsplit("_", 1)[0]]:
            out[name] = None
    return out


def _monday_offset(start: int) -> int:
    """Days from the Monday on or before day ``start`` to it (1970-01-01 was a Thursday)."""
    return (start + 3) % 7


def cell_periods(
    codes: Sequence[np.ndarray], n_cells: Sequence[int], day: np.ndarray, start: int, span: int
) -> dict | None:
    """Incidents per hexagon and period of the finest level that fits :data:`PAIR_BUDGET`.

    ``codes[k]``: per counted row, its cell's position in level ``k`` (levels coarse to fine,
    ``n_cells[k]`` cells each); ``day``: the rows' days. Daily periods when some level fits,
    else weekly ones (weeks from Monday); None when not even the coarsest level fits weekly.
    """
    dated = day != NO_DAY
    every = bool(dated.all())
    offset = (day if every else day[dated]) - start
    for step in (1, 7):
        period = offset if step == 1 else (offset + _monday_offset(start)) // 7
        periods = int(period.max()) + 1 if len(period) else 1
        best: dict | None = None
        for level, (lv_codes, n) in enumerate(zip(codes, n_cells, strict=True)):
            key = np.asarray(lv_codes, dtype=np.int64)
            key = (key if every else key[dated]) * periods + period
            if n * periods <= 4_000_000:
                counts = np.bincount(key, minlength=n * periods)
                keys = np.flatnonzero(counts)
                values = counts[keys]
            else:
                keys, values = np.unique(key, return_counts=True)
            if len(keys) > PAIR_BUDGET:
                break
            encoded = _encode_runs(keys, values, periods, n)
            if len(encoded["t"]) + len(encoded["c"]) > PAIR_BUDGET:
                break
            best = {"level": level, "step": step, **encoded}
        if best is not None:
            return best
    return None


def _encode_runs(keys: np.ndarray, values: np.ndarray, periods: int, n_cells: int) -> dict:
    """Per cell, its (period, count) entries (``keys`` = cell x ``periods`` + period, sorted):
    sparse as period deltas and counts, or, when at least half of the periods between its
    first and last are busy, dense as the first period and one count per period (zeros too)."""
    cell, t = np.divmod(np.asarray(keys, dtype=np.int64), periods)
    bounds = np.searchsorted(cell, np.arange(n_cells + 1))
    first_at, end_at = bounds[:-1], bounds[1:]
    entries = end_at - first_at
    busy = entries > 0
    width = np.zeros(n_cells, dtype=np.int64)
    width[busy] = t[end_at[busy] - 1] - t[first_at[busy]] + 1
    dense = busy & (width <= 2 * entries)
    n_out = np.where(dense, -width, entries)
    # Periods: a cell's first as is, then deltas (sparse cells only).
    is_first = np.zeros(len(t), dtype=bool)
    is_first[first_at[busy]] = True
    deltas = np.where(is_first, t, t - np.concatenate(([0], t[:-1])))
    t_out = deltas[is_first | ~dense[cell]]
    # Counts: a sparse cell's as they are, a dense cell's at their period in a run of zeros.
    length = np.where(dense, width, entries)
    base = np.concatenate(([0], np.cumsum(length)[:-1]))
    rank = np.arange(len(t)) - first_at[cell]
    position = base[cell] + np.where(dense[cell], t - t[first_at[cell]], rank)
    c_out = np.zeros(int(length.sum()), dtype=np.int64)
    c_out[position] = values
    return {"n": n_out.tolist(), "t": t_out.tolist(), "c": c_out.tolist()}


def level_codes(index: CellIndex, positions: np.ndarray, res: int, cells: np.ndarray) -> np.ndarray:
    """Position in ``cells`` (a level's sorted cell ids, holding the cell of every one of
    ``positions``) of the cell at ``res`` of each of ``positions`` (placed rows of ``index``).

    A gather, not a search per row: the level's cells are placed among all of the index's
    cells at ``res`` (a few thousand), then each row's cell code is looked up (1M rows:
    0.09 s -> 0.01 s per level)."""
    up, ids = index.parents[res]
    cells = np.asarray(cells, dtype=np.uint64)
    rank = np.full(len(ids), -1, dtype=np.int64)
    rank[np.searchsorted(ids, cells)] = np.arange(len(cells))
    return rank[up[index.codes[positions]]]


def time_payload(
    times: RowTimes,
    *,
    point_rows: np.ndarray | None,
    cell_codes: Sequence[np.ndarray] = (),
    cell_counts: Sequence[int] = (),
    cell_rows: np.ndarray | None = None,
    any_shared: bool = False,
) -> dict | None:
    """The ``time`` object of the layer's payload (see ``static/payload.schema.json``).

    ``point_rows``: the rows drawn one by one, in the points payload's order; ``cell_rows``:
    the rows counted in hexagons, and ``cell_codes``/``cell_counts`` their cell per level and
    each level's number of cells. None when no row has a date."""
    dated = times.day != NO_DAY
    if not dated.any():
        return None
    start = int(times.day[dated].min())
    span = int(times.day[dated].max()) - start + 1
    point_day = None
    if point_rows is not None:
        days = times.day[point_rows]
        point_day = np.where(days == NO_DAY, -1, days - start).astype(np.int64).tolist()
    cells = None
    if cell_rows is not None and len(cell_rows) and len(cell_codes):
        cells = cell_periods(cell_codes, cell_counts, times.day[cell_rows], start, span)
    note = (
        "A casualty figure shared by several incidents is counted once, on the day of the "
        "earliest of them in the selection."
        if any_shared
        else ""
    )
    undated = int((~dated).sum())
    if undated:
        note = (note + " " if note else "") + (
            f"{undated:,} incident{'s' if undated != 1 else ''} without a date never shown."
        )
    return {
        "start": (_EPOCH + dt.timedelta(days=start)).isoformat(),
        "days": span,
        "pointDay": point_day,
        "sums": day_sums(times.day, times.stats, start),
        "cells": cells,
        "undated": undated,
        "note": note,
    }
