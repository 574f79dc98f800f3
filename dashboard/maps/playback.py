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

from .aggregate import STAT_COLUMNS, CellIndex, cell_stats

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
    offset = day[dated] - start
    present, codes = np.unique(offset, return_inverse=True)
    out: dict = {"day": present.astype(np.int64).tolist()}
    for name in STAT_COLUMNS:
        weights = np.asarray(stats[name])[dated]
        out[name] = (
            np.bincount(codes, weights=weights, minlength=len(present))
            .round()
            .astype(np.int64)
            .tolist()
        )
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
    offset = day[dated] - start
    for step in (1, 7):
        period = offset if step == 1 else (offset + _monday_offset(start)) // 7
        periods = int(period.max()) + 1 if len(period) else 1
        best: dict | None = None
        for level, (lv_codes, n) in enumerate(zip(codes, n_cells, strict=True)):
            key = np.asarray(lv_codes)[dated].astype(np.int64) * periods + period
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
    cell, t = np.divmod(keys, periods)
    n_out: list[int] = []
    t_out: list[int] = []
    c_out: list[int] = []
    bounds = np.searchsorted(cell, np.arange(n_cells + 1))
    t_list, v_list = t.tolist(), values.tolist()
    for j in range(n_cells):
        a, b = int(bounds[j]), int(bounds[j + 1])
        ts, vs = t_list[a:b], v_list[a:b]
        if not ts:
            n_out.append(0)
            continue
        width = ts[-1] - ts[0] + 1
        if width <= 2 * len(ts):
            run = [0] * width
            for tt, vv in zip(ts, vs, strict=True):
                run[tt - ts[0]] = vv
            n_out.append(-width)
            t_out.append(ts[0])
            c_out.extend(run)
        else:
            n_out.append(len(ts))
            t_out.append(ts[0])
            t_out.extend(ts[i] - ts[i - 1] for i in range(1, len(ts)))
            c_out.extend(vs)
    return {"n": n_out, "t": t_out, "c": c_out}


def level_codes(index: CellIndex, positions: np.ndarray, res: int, cells: np.ndarray) -> np.ndarray:
    """Position in ``cells`` (a level's sorted cell ids) of the cell at ``res`` of each of
    ``positions`` (rows of ``index``)."""
    up, ids = index.parents[res]
    return np.searchsorted(np.asarray(cells, dtype=np.uint64), ids[up[index.codes[positions]]])


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
