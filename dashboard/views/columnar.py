"""The page's aggregates of a big selection, from arrays built once per store revision.

A selection of a million incidents must not copy a million rows of strings to count them.
:func:`frame_arrays` turns what the KPIs, the timeline, the table's order and the hexagon map
need into plain numpy arrays, once per store revision (about a second at 1M rows); each
selection then takes its rows' entries (integer positions) and sums them with ``np.bincount``.

The results equal those of the row-wise functions they stand in for, figure for figure
(``tests/incidents/test_columnar.py`` compares them): :func:`totals` =
:func:`incidents.totals.casualty_totals`, :func:`timeline` = :func:`dashboard.views.timeline`,
:func:`cells` = :func:`dashboard.maps.aggregate.aggregate_cells` of the placed rows, :func:`newest` = the
table's order. The one rule they share, a casualty figure given for several incidents counted
once on its earliest incident in the selection (:func:`incidents.totals.group_carriers`), is
applied per selection by :func:`silent`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents.totals import Figure, Totals, carried_figure, figure_parts

from ..maps.aggregate import CellIndex, cell_index, row_stats, sum_cells
from ..maps.playback import NO_DAY, RowTimes, day_numbers
from .timeline import Freq, Timeline, _period_start, period_sums, timeline_freq

__all__ = [
    "FrameArrays",
    "cells",
    "frame_arrays",
    "group_sizes",
    "grouped_count",
    "map_frame",
    "newest",
    "row_times",
    "silent",
    "timeline",
    "totals",
]

_MEASURES = (("killed", "fatalities"), ("injured", "injured"))


@dataclass(eq=False)
class FrameArrays:
    """Per-row arrays of a frame (see :func:`frame_arrays`). Read-only once built."""

    n: int
    dates: pd.Series  # event_date (for the timeline's periods)
    date_key: np.ndarray  # int64: event_date
    id_rank: np.ndarray  # int64: orders the rows of one date by event_id (see _id_rank)
    type_codes: np.ndarray  # int64 into type_names
    type_names: np.ndarray  # sorted event types, "(none)" for a missing one
    unconfirmed: np.ndarray  # bool: claimed or disputed
    group_codes: np.ndarray  # int64: casualty group, -1 = none
    group_names: np.ndarray
    best: dict[
        str, np.ndarray
    ]  # float64 best figure the row carries (group's if grouped), NaN = unknown
    parts: dict[
        str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    ]  # figure_parts of the same
    placed: np.ndarray  # bool: usable coordinates
    cell_index: CellIndex
    day: np.ndarray  # int64: days since 1970-01-01 (maps.playback.NO_DAY: undated)
    _periods: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def periods(self, freq: Freq) -> tuple[np.ndarray, np.ndarray]:
        """(period code per row, sorted period starts) of ``freq``; computed once per freq."""
        with self._lock:
            if freq not in self._periods:
                unit = self.dates.dtype  # numpy datetimes (a store's frame), all dated: by day
                self._periods[freq] = (
                    _periods_by_day(unit, self.day, freq)
                    if self.n
                    and isinstance(unit, np.dtype)
                    and unit.kind == "M"
                    and bool((self.day != NO_DAY).all())
                    else _periods_by_row(self.dates, freq)
                )
            return self._periods[freq]


def _periods_by_row(dates: pd.Series, freq: Freq) -> tuple[np.ndarray, np.ndarray]:
    codes, found = pd.factorize(_period_start(dates, freq).to_numpy())  # hashing, not a sort
    order = np.argsort(found)
    rank = np.empty(len(found), dtype=np.int64)
    rank[order] = np.arange(len(found))
    return rank[codes], np.asarray(found)[order]


def _periods_by_day(unit: np.dtype, day: np.ndarray, freq: Freq) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_periods_by_row` of dated rows, with the calendar work done once per distinct day
    (a few thousand) instead of once per row: a period's start depends on the day alone."""
    first = int(day.min())
    offset = day - first
    present = np.flatnonzero(np.bincount(offset))
    days = pd.Series((present + first).astype("datetime64[D]").astype(unit))
    found, inverse = np.unique(_period_start(days, freq).to_numpy(), return_inverse=True)
    lookup = np.zeros(int(present[-1]) + 1, dtype=np.int64)
    lookup[present] = inverse.ravel()
    return lookup[offset], found


def frame_arrays(frame: pd.DataFrame) -> FrameArrays:
    """The arrays of a typed incidents frame with ``group_*`` columns (:func:`incidents.load_frame`)."""
    n = len(frame)
    dates = frame["event_date"]
    date_key = dates.to_numpy().view("int64")
    id_rank = _id_rank(frame["event_id"], date_key)
    type_codes, type_names = pd.factorize(
        frame["event_type"].astype("string").fillna("(none)"), sort=True
    )
    group_codes, group_names = pd.factorize(frame["casualty_group"])
    best, parts = {}, {}
    for ours, col in _MEASURES:
        figures = [
            pd.Series(carried_figure(frame, col + suffix)) for suffix in ("", "_low", "_high")
        ]
        best[ours] = figures[0].to_numpy(dtype="float64", na_value=np.nan)
        parts[ours] = figure_parts(*figures)
    lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)
    lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)
    index = cell_index(lat, lon)
    return FrameArrays(
        n=n,
        dates=dates,
        date_key=date_key,
        id_rank=id_rank,
        type_codes=np.asarray(type_codes, dtype=np.int64),
        type_names=np.asarray(type_names, dtype=object),
        unconfirmed=frame["claim_status"]
        .isin(["claimed", "disputed"])
        .fillna(False)
        .to_numpy(dtype=bool),
        group_codes=np.asarray(group_codes, dtype=np.int64),
        group_names=np.asarray(group_names, dtype=object),
        best=best,
        parts=parts,
        placed=index.codes >= 0,
        cell_index=index,
        day=day_numbers(dates),
    )


def _id_rank(event_id: pd.Series, date_key: np.ndarray) -> np.ndarray:
    """Ranks that order the rows of one date by ``event_id`` (only ever compared between rows
    of the same date). A store's frame comes sorted by date, then id: its positions are such
    ranks, checked in one pass over neighbouring rows; any other frame is sorted by id."""
    ids = event_id.astype("string").fillna("")
    n = len(ids)
    if n > 1:
        arrow = pa.array(ids.array)
        same_day = date_key[1:] == date_key[:-1]
        ordered = pc.less_equal(arrow.slice(0, n - 1), arrow.slice(1)).to_numpy(
            zero_copy_only=False
        )
        if bool((date_key[1:] >= date_key[:-1]).all()) and bool(ordered[same_day].all()):
            return np.arange(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[ids.argsort(kind="stable").to_numpy()] = np.arange(n)  # Arrow's sort: 4x numpy's
    return rank


def silent(arrays: FrameArrays, rows: np.ndarray) -> np.ndarray:
    """For ``rows`` (positions): True where the row's figure is a shared one carried by another
    of ``rows`` (the earliest by date, then id: :func:`incidents.totals.group_carriers`)."""
    groups = arrays.group_codes[rows]
    out = groups >= 0
    grouped = np.flatnonzero(out)
    if len(grouped):
        at = rows[grouped]
        order = np.lexsort((arrays.id_rank[at], arrays.date_key[at], groups[grouped]))
        first = np.ones(len(order), dtype=bool)
        first[1:] = groups[grouped][order][1:] != groups[grouped][order][:-1]
        out[grouped[order[first]]] = False
    return out


def totals(arrays: FrameArrays, rows: np.ndarray, quiet: np.ndarray | None = None) -> Totals:
    """:func:`incidents.totals.casualty_totals` of ``rows``."""
    quiet = silent(arrays, rows) if quiet is None else quiet
    figures = {}
    for ours, _ in _MEASURES:
        best, low, high, known = (a[rows] for a in arrays.parts[ours])
        real = ~quiet
        k = known & real
        figures[ours] = Figure(
            int(best[k].sum()), int(low[k].sum()), int(high[k].sum()), int((real & ~known).sum())
        )
    groups = arrays.group_codes[rows]
    shared = len(np.unique(groups[groups >= 0]))
    return Totals(
        incidents=len(rows),
        killed=figures["killed"],
        injured=figures["injured"],
        shared_figures=shared,
    )


def grouped_count(arrays: FrameArrays, rows: np.ndarray) -> int:
    """How many of ``rows`` belong to a shared casualty figure."""
    return int((arrays.group_codes[rows] >= 0).sum())


def group_sizes(arrays: FrameArrays, rows: np.ndarray) -> dict[str, int]:
    """Rows per shared casualty figure among ``rows``."""
    groups = arrays.group_codes[rows]
    counts = np.bincount(groups[groups >= 0], minlength=len(arrays.group_names))
    return {str(arrays.group_names[g]): int(counts[g]) for g in np.flatnonzero(counts)}


def timeline(
    arrays: FrameArrays,
    rows: np.ndarray,
    quiet: np.ndarray | None = None,
    *,
    freq: Freq | None = None,
) -> Timeline:
    """:func:`dashboard.views.timeline` of ``rows`` (not empty)."""
    quiet = silent(arrays, rows) if quiet is None else quiet
    if freq is None:
        keys = arrays.date_key[rows]
        first, last = (
            arrays.dates.iloc[rows[np.argmin(keys)]],
            arrays.dates.iloc[rows[np.argmax(keys)]],
        )
        freq = timeline_freq(first, last)
    codes, starts = arrays.periods(freq)
    best = {name: np.where(quiet, 0.0, arrays.best[name][rows]) for name, _ in _MEASURES}
    return period_sums(starts, codes[rows], arrays.type_names, arrays.type_codes[rows], best, freq)


def cells(
    arrays: FrameArrays, rows: np.ndarray, times: RowTimes | None = None
) -> dict[int, pd.DataFrame]:
    """:func:`dashboard.maps.aggregate.aggregate_cells` of the placed ones of ``rows``.

    ``times``: the :func:`row_times` of the same ``rows``, when the caller has them. When
    every one of ``rows`` is placed, the map counts the same rows with the same carriers of
    shared figures as the time control, so its per-row sums are reused, not built again."""
    where = arrays.placed[rows]
    if times is not None and len(times.day) == len(rows) and bool(where.all()):
        return sum_cells(arrays.cell_index, rows, times.stats)
    placed = rows[where]
    quiet = silent(arrays, placed)  # as the map counts them: carriers among the placed rows
    parts = {ours: tuple(a[placed] for a in arrays.parts[ours]) for ours, _ in _MEASURES}
    return sum_cells(
        arrays.cell_index, placed, row_stats(parts, ~quiet, arrays.unconfirmed[placed])
    )


def row_times(arrays: FrameArrays, rows: np.ndarray, quiet: np.ndarray | None = None) -> RowTimes:
    """What the map's time control plays for ``rows`` (:func:`dashboard.maps.playback.row_times`
    of the selection, from the arrays): days, window sums with the selection's carriers of
    shared figures, and the revision's cell index."""
    quiet = silent(arrays, rows) if quiet is None else quiet
    parts = {ours: tuple(a[rows] for a in arrays.parts[ours]) for ours, _ in _MEASURES}
    stats = row_stats(parts, ~quiet, arrays.unconfirmed[rows])
    return RowTimes(arrays.day[rows], stats, arrays.cell_index, rows)


def map_frame(frame: pd.DataFrame, arrays: FrameArrays, rows: np.ndarray) -> pd.DataFrame:
    """What a hexagon map of ``rows`` needs besides its :func:`cells` (the plan, the view, the
    caption): coordinates, geo-precision and the shared-figure column (as a categorical: the
    group strings of a million rows are not copied)."""
    groups = pd.Categorical.from_codes(
        arrays.group_codes[rows], categories=pd.Index(arrays.group_names, dtype="object")
    )
    return pd.DataFrame(
        {
            "latitude": frame["latitude"].to_numpy(dtype=float, na_value=np.nan)[rows],
            "longitude": frame["longitude"].to_numpy(dtype=float, na_value=np.nan)[rows],
            "geo_precision": frame["geo_precision"].array[rows],
            "casualty_group": groups,
        }
    )


def newest(arrays: FrameArrays, rows: np.ndarray, limit: int) -> np.ndarray:
    """Positions (into ``rows``) of the ``limit`` newest of ``rows``: date, then id, descending."""
    dates = arrays.date_key[rows]
    if len(rows) > limit:
        kth = np.partition(dates, len(rows) - limit)[len(rows) - limit]
        candidates = np.flatnonzero(dates >= kth)
    else:
        candidates = np.arange(len(rows))
    order = np.lexsort((arrays.id_rank[rows[candidates]], dates[candidates]))[::-1]
    return candidates[order[:limit]]
