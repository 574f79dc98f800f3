"""The timeline: incidents and casualties per period and event type, and the chart's axis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from incidents.totals import counted_casualties

from ..maps import EVENT_TYPE_COLORS, OTHER_COLOR

__all__ = [
    "AXIS_STEPS",
    "Freq",
    "Timeline",
    "event_type_colors",
    "padded_domain",
    "stacked",
    "timeline",
    "timeline_freq",
    "timeline_note",
]

Freq = Literal["D", "W", "M", "Y"]
_FREQ_LABELS: Mapping[str, str] = {"D": "day", "W": "week", "M": "month", "Y": "year"}


def timeline_freq(start: pd.Timestamp | dt.date | None, end: pd.Timestamp | dt.date | None) -> Freq:
    """Bar width for a date span: days up to 3 months, weeks up to 3 years, then months, years.

    The number of bars stays below about 400 whatever the span, so the chart stays small.
    """
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "D"
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days
    if days <= 92:
        return "D"
    if days <= 3 * 366:
        return "W"
    if days <= 30 * 366:
        return "M"
    return "Y"


@dataclass(frozen=True)
class Timeline:
    """Per period and event type: ``incidents``, ``killed``/``injured`` (NA when all unknown),
    and ``killed_unknown``/``injured_unknown`` (incidents whose figure is unknown)."""

    data: pd.DataFrame
    freq: Freq

    @property
    def unit(self) -> str:
        return _FREQ_LABELS[self.freq]

    @property
    def unknown_killed(self) -> int:
        return int(self.data["killed_unknown"].sum()) if len(self.data) else 0

    @property
    def unknown_injured(self) -> int:
        return int(self.data["injured_unknown"].sum()) if len(self.data) else 0


_TIMELINE_COLUMNS = (
    "period",
    "period_end",
    "event_type",
    "incidents",
    "killed",
    "injured",
    "killed_unknown",
    "injured_unknown",
)


def _period_start(dates: pd.Series, freq: Freq) -> pd.Series:
    if freq == "D":
        return dates.dt.normalize()
    if freq == "W":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    if freq == "M":
        return dates.dt.to_period("M").dt.start_time
    return dates.dt.to_period("Y").dt.start_time


def _period_end(starts: pd.Series, freq: Freq) -> pd.Series:
    if freq == "D":
        return starts + pd.Timedelta(days=1)
    if freq == "W":
        return starts + pd.Timedelta(days=7)
    if freq == "M":
        return starts + pd.offsets.MonthBegin(1)
    return starts + pd.offsets.YearBegin(1)


def timeline(
    frame: pd.DataFrame, counted: pd.DataFrame | None = None, *, freq: Freq | None = None
) -> Timeline:
    """Incidents and casualties per period (day/week/month/year by span) and event type.

    Casualties come from :func:`~incidents.totals.counted_casualties` (a shared figure counts
    once, on its first incident); a period whose incidents all have unknown figures gets NA,
    not 0, so the chart leaves it out rather than drawing a zero.
    """
    if freq is None:
        freq = timeline_freq(
            frame["event_date"].min() if len(frame) else None,
            frame["event_date"].max() if len(frame) else None,
        )
    if not len(frame):
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in _TIMELINE_COLUMNS})
        return Timeline(empty, freq)
    if counted is None:
        counted = counted_casualties(frame)
    # Vectorised: one integer key per (period, event type), sums by np.bincount.
    periods, period_codes = np.unique(
        _period_start(frame["event_date"], freq).to_numpy(), return_inverse=True
    )
    types = frame["event_type"].astype("string").fillna("(none)")
    type_codes, type_names = pd.factorize(types, sort=True)
    best = {
        name: counted[name].to_numpy(dtype="float64", na_value=np.nan)
        for name in ("killed", "injured")
    }
    return period_sums(
        periods,
        period_codes.reshape(-1),
        np.asarray(type_names, dtype=object),
        type_codes,
        best,
        freq,
    )


def period_sums(
    periods: np.ndarray,
    period_codes: np.ndarray,
    type_names: np.ndarray,
    type_codes: np.ndarray,
    best: dict[str, np.ndarray],
    freq: Freq,
) -> Timeline:
    """The :class:`Timeline` of rows given as codes: ``period_codes`` into the sorted ``periods``,
    ``type_codes`` into the sorted ``type_names``, and each row's counted ``best["killed"]`` and
    ``best["injured"]`` (float, NaN = unknown). Periods and types without rows are left out."""
    n_types = len(type_names)
    key = period_codes.astype("int64") * n_types + type_codes
    size = len(periods) * n_types
    incidents = np.bincount(key, minlength=size)
    present = np.flatnonzero(incidents)
    data = pd.DataFrame(
        {
            "period": periods[present // n_types],
            "event_type": pd.array(type_names[present % n_types], dtype="string"),
            "incidents": incidents[present].astype("int64"),
        }
    )
    for name in ("killed", "injured"):
        values = best[name]
        unknown = np.isnan(values)
        sums = np.bincount(key, weights=np.where(unknown, 0.0, values), minlength=size)[present]
        unknowns = np.bincount(key, weights=unknown, minlength=size)[present].astype("int64")
        known = data["incidents"].to_numpy() - unknowns  # every row is one or the other
        data[name] = pd.array(np.where(known > 0, np.round(sums), np.nan), dtype="Float64").astype(
            "Int64"
        )
        data[name + "_unknown"] = unknowns
    data["period_end"] = _period_end(data["period"], freq)
    return Timeline(data[list(_TIMELINE_COLUMNS)], freq)


#: Smallest tick step of the time axis per bar width (milliseconds), and the label format.
AXIS_STEPS: Mapping[str, tuple[int, str]] = {
    "D": (86_400_000, "%d %b %Y"),
    "W": (7 * 86_400_000, "%d %b %Y"),
    "M": (28 * 86_400_000, "%b %Y"),
    "Y": (365 * 86_400_000, "%Y"),
}


def stacked(data: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows of a :class:`Timeline` for one measure with stacking bounds ``y0``..``y1``.

    Event types stack in a fixed (sorted) order within each period; rows whose value is NA
    (every incident's figure unknown) are dropped, so nothing is drawn for them.
    """
    out = data[data[column].notna()].sort_values(["period", "event_type"]).copy()
    values = out[column].astype("float64")
    out["y1"] = values.groupby(out["period"]).cumsum()
    out["y0"] = out["y1"] - values
    return out.reset_index(drop=True)


def padded_domain(data: pd.DataFrame, freq: Freq) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Time-axis domain: the charted periods with one empty period on each side."""
    first, last = data["period"].min(), data["period_end"].max()
    step = {
        "D": pd.Timedelta(days=1),
        "W": pd.Timedelta(days=7),
        "M": pd.DateOffset(months=1),
        "Y": pd.DateOffset(years=1),
    }[freq]
    return first - step, last + step


def event_type_colors(timeline: Timeline) -> tuple[list[str], list[str]]:
    """The chart's colour scale: the event types charted (sorted) and their map colours."""
    types = sorted(timeline.data["event_type"].unique())
    return types, [EVENT_TYPE_COLORS.get(t, OTHER_COLOR) for t in types]


def timeline_note(timeline: Timeline, column: str) -> str:
    """The caption under the chart of one measure (``incidents``, ``killed`` or ``injured``):
    the bar width, and what is not drawn (unknown figures) or counted once (shared figures)."""
    note = f"Per {timeline.unit}, by event type."
    unknown = (
        timeline.unknown_killed
        if column == "killed"
        else timeline.unknown_injured
        if column == "injured"
        else 0
    )
    if unknown:
        note += f" {unknown:,} incident{'s' if unknown != 1 else ''} with an unknown figure {'are' if unknown != 1 else 'is'} not drawn (not counted as 0)."
    if column != "incidents":
        note += " A figure shared by several incidents counts once, on the first."
    return note
