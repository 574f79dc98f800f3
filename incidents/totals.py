"""Casualty totals that count a shared figure once and keep "unknown" apart from zero.

The single rule, used by KPIs, charts and exports alike: a figure shared by several incidents
(a *casualty group*) is carried by one incident of the current selection (the earliest by date,
then id) and contributes nothing on the others. :func:`counted_casualties` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

__all__ = [
    "Figure",
    "Totals",
    "carried_figure",
    "casualty_totals",
    "counted_casualties",
    "figure_parts",
    "group_carriers",
]


@dataclass(frozen=True)
class Figure:
    """A summed casualty figure: ``best`` with ``low``..``high`` and how many incidents are unknown."""

    best: int
    low: int
    high: int
    unknown: int

    def describe(self) -> str:
        text = f"{self.best:,}"
        if self.low != self.best or self.high != self.best:
            text += f" ({self.low:,}–{self.high:,})"
        if self.unknown:
            text += f"; unknown for {self.unknown:,} incident{'s' if self.unknown != 1 else ''}"
        return text


@dataclass(frozen=True)
class Totals:
    incidents: int
    killed: Figure
    injured: Figure
    shared_figures: int


def group_carriers(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask: True on the one row of each casualty group that carries its figure."""
    grouped = frame["casualty_group"].notna().to_numpy()
    if not grouped.any():
        return np.zeros(len(frame), dtype=bool)
    order = frame.assign(_pos=np.arange(len(frame)))[grouped].sort_values(
        ["event_date", "event_id"]
    )
    first = order.drop_duplicates("casualty_group", keep="first")["_pos"].to_numpy()
    mask = np.zeros(len(frame), dtype=bool)
    mask[first] = True
    return mask


def counted_casualties(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-row figures that add up without double counting.

    Columns ``killed``, ``killed_low``, ``killed_high``, ``injured``, ``injured_low``,
    ``injured_high`` (Int64, NA = unknown) and ``in_group`` (the row's figure is part of a
    shared one carried elsewhere). ``frame`` needs the ``group_*`` columns of
    :func:`incidents.frame.with_group_figures`.
    """
    carrier = group_carriers(frame)
    grouped = frame["casualty_group"].notna().to_numpy()
    silent = grouped & ~carrier  # part of a figure carried by another row: contributes 0
    out = pd.DataFrame(index=frame.index)
    for ours, col in (("killed", "fatalities"), ("injured", "injured")):
        for suffix in ("", "_low", "_high"):
            value = carried_figure(frame, col + suffix)
            if silent.any():
                value[np.flatnonzero(silent)] = 0
            out[ours + suffix] = value
    out["in_group"] = silent
    return out


def carried_figure(frame: pd.DataFrame, column: str) -> pd.arrays.IntegerArray:
    """``column`` (e.g. ``fatalities_low``) of every row, the shared figure's (``group_`` +
    column) for a row of a casualty group; a new array (Int64, NA = unknown)."""
    value = cast(pd.arrays.IntegerArray, frame[column].astype("Int64").array.copy())
    rows = np.flatnonzero(frame["casualty_group"].notna().to_numpy())  # few: only these differ
    if len(rows):
        value[rows] = frame["group_" + column].astype("Int64").array[rows]
    return value


def _values(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A nullable integer column as (int64 values with 0 for NA, NA mask), without pandas'
    masked ``fillna``/``where`` (which copy the data several times over)."""
    return column.to_numpy(dtype="int64", na_value=0), column.isna().to_numpy()


def figure_parts(
    best: pd.Series, low: pd.Series, high: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-row contributions to a summed figure: ``best``, ``low``, ``high`` (int64; a missing
    bound falls back on the others: best <- low; low <- best; high <- best, then low) and
    ``known`` (bool: any of the three given). Unknown rows contribute 0 and are counted apart."""
    (b, b_na), (lo, lo_na), (hi, hi_na) = _values(best), _values(low), _values(high)
    known = ~(b_na & lo_na & hi_na)
    best_v = np.where(b_na, lo, b)
    return best_v, np.where(lo_na, b, lo), np.where(hi_na, best_v, hi), known


def _figure(best: pd.Series, low: pd.Series, high: pd.Series) -> Figure:
    best_v, low_v, high_v, known = figure_parts(best, low, high)
    return Figure(
        best=int(best_v[known].sum()),
        low=int(low_v[known].sum()),
        high=int(high_v[known].sum()),
        unknown=int((~known).sum()),
    )


def casualty_totals(frame: pd.DataFrame) -> Totals:
    """KPIs of a selection: incident count, killed and injured with ranges and unknowns."""
    counted = counted_casualties(frame)
    real = ~counted["in_group"]
    return Totals(
        incidents=len(frame),
        killed=_figure(
            counted["killed"][real], counted["killed_low"][real], counted["killed_high"][real]
        ),
        injured=_figure(
            counted["injured"][real], counted["injured_low"][real], counted["injured_high"][real]
        ),
        shared_figures=int(frame["casualty_group"].nunique()),
    )
