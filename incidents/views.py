"""What the dashboard page shows, as pure functions over the typed incident frame.

``app.py`` only lays these results out with Streamlit widgets; everything that can be
computed and tested without a browser lives here: KPI texts, the timeline aggregation, the
table of incidents, the filter options found in the data, and the mapping between an
:class:`~incidents.filters.IncidentFilter` and the sidebar's widget values. ``streamlit`` is
never imported here.

Honesty rules (the same as :mod:`incidents.totals`): a casualty figure shared by several
incidents counts once; an unknown figure is never shown or drawn as zero.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .filters import FilterError, IncidentFilter
from .safe import safe_url
from .schema import CLAIM_STATUSES
from .totals import Figure, Totals, counted_casualties

__all__ = [
    "TABLE_LIMIT",
    "TEXT_LIMIT",
    "ACTOR_LIMIT",
    "UNKNOWN_LABELS",
    "Kpis",
    "kpis",
    "figure_value",
    "Timeline",
    "timeline",
    "timeline_freq",
    "stacked",
    "in_bbox",
    "padded_domain",
    "TableView",
    "table_view",
    "casualty_cell",
    "first_link",
    "FilterOptions",
    "filter_options",
    "dependent_options",
    "WidgetValues",
    "widget_values",
    "filter_from_widgets",
    "parse_query_params",
    "same_params",
    "escape_markdown",
    "clip",
    "filter_summary",
]

#: Rows of the incident table sent to the browser; bigger selections show the newest rows.
TABLE_LIMIT = 1_000
#: Longest text of one table cell (characters); longer text is cut with an ellipsis.
TEXT_LIMIT = 400
#: Most frequent actors offered in the actor filter (the URL may name any actor).
ACTOR_LIMIT = 500

UNKNOWN_LABELS: Mapping[str, str] = {
    "include": "Include",
    "exclude": "Exclude",
    "only": "Only unknown",
}

# -- text helpers ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")
_SPACES = re.compile(r"\s+")


def escape_markdown(text: Any) -> str:
    """``text`` as literal Markdown: every ASCII punctuation sign backslash-escaped, one line.

    Streamlit renders Markdown in captions, warnings and labels (links, images, HTML-ish
    tags, ``:color[...]`` directives, ``$...$`` math); record and URL text shown there must
    go through this first.
    """
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", str(text)).strip())


def clip(text: Any, limit: int = TEXT_LIMIT) -> str | None:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut); None stays None."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- KPIs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    """Texts of the three metrics and the notes shown under them."""

    incidents: str
    killed: str
    killed_note: str | None
    injured: str
    injured_note: str | None
    shared_note: str | None


def figure_value(fig: Figure, *, carriers: int) -> str:
    """The metric value of a summed figure: ``"12 (10–14)"``, ``"9"`` or ``"unknown"``.

    ``carriers`` is the number of incidents whose figure counts (a shared figure counts on
    one of its incidents only); when every one of them is unknown the value is ``unknown``,
    never 0.
    """
    if carriers and fig.unknown >= carriers:
        return "unknown"
    text = f"{fig.best:,}"
    if fig.low != fig.best or fig.high != fig.best:
        text += f" ({fig.low:,}–{fig.high:,})"
    return text


def _unknown_note(fig: Figure) -> str | None:
    if not fig.unknown:
        return None
    return f"unknown for {fig.unknown:,} incident{'s' if fig.unknown != 1 else ''}"


def kpis(totals: Totals, frame: pd.DataFrame) -> Kpis:
    """KPI texts of a selection (``frame``) and its :func:`~incidents.totals.casualty_totals`."""
    groups = frame["casualty_group"]
    grouped = int(groups.notna().sum())
    carriers = totals.incidents - grouped + totals.shared_figures
    shared = None
    if totals.shared_figures:
        n = totals.shared_figures
        figures = f"{n:,} shared casualty figure{'s' if n != 1 else ''}"
        shared = (
            f"{grouped:,} incident{'s' if grouped != 1 else ''} of this view {'are' if grouped != 1 else 'is'} "
            f"covered by {figures} (one figure reported for several incidents); each figure counts once."
        )
    return Kpis(
        incidents=f"{totals.incidents:,}",
        killed=figure_value(totals.killed, carriers=carriers),
        killed_note=_unknown_note(totals.killed),
        injured=figure_value(totals.injured, carriers=carriers),
        injured_note=_unknown_note(totals.injured),
        shared_note=shared,
    )


# -- timeline ---------------------------------------------------------------------------------

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


_TIMELINE_COLUMNS = ("period", "period_end", "event_type", "incidents", "killed", "injured", "killed_unknown", "injured_unknown")


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


def timeline(frame: pd.DataFrame, counted: pd.DataFrame | None = None, *, freq: Freq | None = None) -> Timeline:
    """Incidents and casualties per period (day/week/month/year by span) and event type.

    Casualties come from :func:`~incidents.totals.counted_casualties` (a shared figure counts
    once, on its first incident); a period whose incidents all have unknown figures gets NA,
    not 0, so the chart leaves it out rather than drawing a zero.
    """
    if freq is None:
        freq = timeline_freq(frame["event_date"].min() if len(frame) else None, frame["event_date"].max() if len(frame) else None)
    if not len(frame):
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in _TIMELINE_COLUMNS})
        return Timeline(empty, freq)
    if counted is None:
        counted = counted_casualties(frame)
    # Vectorised: one integer key per (period, event type), sums by np.bincount.
    periods, period_codes = np.unique(_period_start(frame["event_date"], freq).to_numpy(), return_inverse=True)
    types = frame["event_type"].astype("string").fillna("(none)")
    type_codes, type_names = pd.factorize(types, sort=True)
    n_types = len(type_names)
    key = period_codes.astype("int64") * n_types + type_codes
    size = len(periods) * n_types
    incidents = np.bincount(key, minlength=size)
    present = np.flatnonzero(incidents)
    data = pd.DataFrame(
        {
            "period": periods[present // n_types],
            "event_type": pd.array(np.asarray(type_names, dtype=object)[present % n_types], dtype="string"),
            "incidents": incidents[present].astype("int64"),
        }
    )
    for name in ("killed", "injured"):
        values = counted[name].to_numpy(dtype="float64", na_value=np.nan)
        unknown = np.isnan(values)
        sums = np.bincount(key, weights=np.where(unknown, 0.0, values), minlength=size)[present]
        known = np.bincount(key, weights=~unknown, minlength=size)[present]
        data[name] = pd.array(np.where(known > 0, np.round(sums), np.nan), dtype="Float64").astype("Int64")
        data[name + "_unknown"] = np.bincount(key, weights=unknown, minlength=size)[present].astype("int64")
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
    step = {"D": pd.Timedelta(days=1), "W": pd.Timedelta(days=7), "M": pd.DateOffset(months=1), "Y": pd.DateOffset(years=1)}[freq]
    return first - step, last + step


# -- map view -------------------------------------------------------------------------------


def in_bbox(lat: np.ndarray, lon: np.ndarray, bbox: Sequence[float]) -> np.ndarray:
    """Mask of the points inside ``bbox`` = ``(south, west, north, east)``, edges included.

    A box wider than 360° holds every longitude; a box crossing the antimeridian (west > east
    once wrapped to -180..180) is handled. NaN coordinates are outside.
    """
    s, w, n, e = (float(v) for v in bbox)
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    inside = (lat >= s) & (lat <= n)
    if e - w >= 360:
        return inside & np.isfinite(lon)
    w = (w + 180) % 360 - 180
    e = (e + 180) % 360 - 180
    if w <= e:
        return inside & (lon >= w) & (lon <= e)
    return inside & ((lon >= w) | (lon <= e))


# -- table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableView:
    """The rows shown in the table: the newest ``shown`` of ``total`` incidents."""

    rows: pd.DataFrame
    shown: int
    total: int

    @property
    def truncated(self) -> bool:
        return self.shown < self.total

    def caption(self) -> str:
        if not self.truncated:
            return f"{self.total:,} incident{'s' if self.total != 1 else ''}, newest first."
        return (
            f"Showing the newest {self.shown:,} of {self.total:,} incidents (sorted by date, newest first). "
            "Narrow the filters to see others, or download the full selection below."
        )


def _newest_positions(frame: pd.DataFrame, limit: int) -> np.ndarray:
    """Positions of the ``limit`` newest rows (date then id, descending), without a full sort."""
    n = len(frame)
    dates = frame["event_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    if n > limit:
        kth = np.partition(dates, n - limit)[n - limit]
        candidates = np.flatnonzero(dates >= kth)
    else:
        candidates = np.arange(n)
    sub = pd.DataFrame(
        {
            "d": dates[candidates],
            "id": frame["event_id"].to_numpy()[candidates],
            "pos": candidates,
        }
    )
    sub = sub.sort_values(["d", "id"], ascending=False, kind="stable").head(limit)
    return sub["pos"].to_numpy()


def casualty_cell(best: Any, low: Any, high: Any) -> str:
    """One figure as text with its uncertainty: ``"8"``, ``"10 (8–12)"``, ``"≥ 24"``, ``"unknown"``."""
    best, low, high = (None if v is None or pd.isna(v) else int(v) for v in (best, low, high))
    if best is None and low is None and high is None:
        return "unknown"
    if best is None:
        if high is None:
            return f"≥ {low:,}"
        if low is None:
            return f"≤ {high:,}"
        return f"{low:,}–{high:,}"
    low = best if low is None else low
    if high is None:
        return f"≥ {best:,}" if low == best else f"{best:,} (≥ {low:,})"
    if low == best and high == best:
        return f"{best:,}"
    return f"{best:,} ({low:,}–{high:,})"


def first_link(sources_json: Any) -> str | None:
    """The first http(s) URL of a record's ``sources`` JSON list, or None."""
    if sources_json is None or sources_json is pd.NA or not isinstance(sources_json, str):
        return None
    try:
        items = json.loads(sources_json)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict):
            url = safe_url(item.get("url"))
            if url:
                return url
    return None


#: Table columns in display order.
TABLE_COLUMNS: tuple[str, ...] = (
    "Date",
    "Location",
    "Admin1",
    "Country",
    "Event type",
    "Sub-type",
    "Killed",
    "Injured",
    "Shared figure",
    "Claim",
    "Claimed by",
    "Actor 1",
    "Actor 2",
    "Sources",
    "Link",
    "Notes",
    "ID",
)


def _figure_column(rows: pd.DataFrame, column: str) -> list[str]:
    """Each row's figure as text: its own, or for a row of a shared figure the group's."""
    grouped = rows["casualty_group"].notna().to_numpy()
    shared = "group_" + column
    values = []
    for suffix in ("", "_low", "_high"):
        own = rows[column + suffix].astype("object").tolist()
        group = rows[shared + suffix].astype("object").tolist() if shared + suffix in rows.columns else own
        values.append([g if is_grouped else o for o, g, is_grouped in zip(own, group, grouped)])
    return [casualty_cell(b, lo, hi) for b, lo, hi in zip(*values)]


def table_view(
    frame: pd.DataFrame,
    *,
    limit: int = TABLE_LIMIT,
    text_limit: int = TEXT_LIMIT,
    rows_of: Callable[[np.ndarray], pd.DataFrame] | None = None,
) -> TableView:
    """The table of a selection: at most ``limit`` rows, newest first, display-ready columns.

    Casualties are text with their uncertainty (``"10 (8–12)"``, ``"unknown"``); an incident
    whose figure is shared with others shows the shared figure and names it in
    ``Shared figure`` (totals count it once). ``Link`` holds the first http(s) source URL
    only; every text cell is cut to ``text_limit`` characters so the page stays small.

    ``frame`` needs only ``event_date``, ``event_id`` and ``casualty_group`` when ``rows_of``
    is given: it returns the full rows at the given positions of ``frame`` (so a big
    selection never has to be copied whole to show its newest rows).
    """
    total = len(frame)
    positions = _newest_positions(frame, limit) if total else np.arange(0)
    rows = (rows_of or frame.iloc.__getitem__)(positions) if total else frame
    grouped = rows["casualty_group"]
    if len(rows):
        sizes = frame["casualty_group"].value_counts() if grouped.notna().any() else pd.Series(dtype="int64")
    shared = []
    for g in grouped.tolist() if len(rows) else []:
        if g is None or g is pd.NA:
            shared.append(None)
        else:
            n = int(sizes.get(g, 1))
            shared.append(clip(f"{g} (one figure for {n} incident{'s' if n != 1 else ''} here; counted once)", text_limit))

    def text(name: str, limit: int = text_limit) -> list[str | None]:
        return [clip(v, limit) for v in rows[name].tolist()]

    claimed_by = text("claimed_by")
    out = pd.DataFrame(
        {
            "Date": rows["event_date"].dt.date.to_numpy() if len(rows) else [],
            "Location": text("location"),
            "Admin1": text("admin1"),
            "Country": text("country"),
            "Event type": text("event_type"),
            "Sub-type": text("sub_event_type"),
            "Killed": _figure_column(rows, "fatalities"),
            "Injured": _figure_column(rows, "injured"),
            "Shared figure": shared,
            "Claim": text("claim_status"),
            "Claimed by": claimed_by,
            "Actor 1": text("actor1"),
            "Actor 2": text("actor2"),
            "Sources": text("source"),
            "Link": [first_link(v) for v in rows["sources"].tolist()],
            "Notes": text("notes"),
            "ID": text("event_id"),
        },
        columns=list(TABLE_COLUMNS),
    )
    for name in TABLE_COLUMNS:
        if name not in ("Date", "Link"):
            # Empty, not "None": the table would show a missing text as the word None.
            out[name] = out[name].astype("object").where(out[name].notna(), "")
    return TableView(out.reset_index(drop=True), shown=len(out), total=total)


# -- filter options and widget state ----------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers, found in the data (sorted)."""

    min_date: dt.date
    max_date: dt.date
    event_types: tuple[str, ...] = ()
    sub_event_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    countries: tuple[str, ...] = ()
    admin1: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    actors: tuple[str, ...] = ()
    #: True when only the :data:`ACTOR_LIMIT` most frequent actors are offered.
    actors_truncated: bool = False
    claim_statuses: tuple[str, ...] = CLAIM_STATUSES


def _children(frame: pd.DataFrame, parent: str, child: str) -> dict[str, tuple[str, ...]]:
    pairs = frame[[parent, child]].dropna().drop_duplicates()
    out: dict[str, tuple[str, ...]] = {}
    for key, values in pairs.groupby(parent, sort=True, observed=True)[child]:
        out[str(key)] = tuple(sorted(str(v) for v in values))
    return out


def filter_options(frame: pd.DataFrame, *, actor_limit: int = ACTOR_LIMIT, today: dt.date | None = None) -> FilterOptions:
    """Sidebar options of a frame: date bounds, event types with their sub-types, countries
    with their admin1 regions, the most frequent actors, claim statuses."""
    if len(frame):
        min_date = frame["event_date"].min().date()
        max_date = frame["event_date"].max().date()
    else:
        min_date = max_date = today or dt.date.today()
    actor_counts = pd.concat([frame["actor1"], frame["actor2"]], ignore_index=True).dropna().value_counts()
    truncated = len(actor_counts) > actor_limit
    actors = tuple(sorted(str(a) for a in actor_counts.index[:actor_limit]))
    return FilterOptions(
        min_date=min_date,
        max_date=max_date,
        event_types=tuple(sorted(str(v) for v in frame["event_type"].dropna().unique())),
        sub_event_types=_children(frame, "event_type", "sub_event_type"),
        countries=tuple(sorted(str(v) for v in frame["country"].dropna().unique())),
        admin1=_children(frame, "country", "admin1"),
        actors=actors,
        actors_truncated=truncated,
    )


def dependent_options(
    children: Mapping[str, Sequence[str]], parents: Sequence[str], selected: Sequence[str] = ()
) -> list[str]:
    """Options of a child filter (sub-types, admin1) given the chosen parents.

    The children of the chosen parents (of all parents when none is chosen), plus every
    ``selected`` value (e.g. from a shared URL), so the widget can always show what the
    filter holds.
    """
    chosen = [p for p in parents if p in children] if parents else list(children)
    values: set[str] = set(selected)
    for p in chosen:
        values.update(children[p])
    return sorted(values)


def with_values(options: Sequence[str], values: Iterable[str]) -> list[str]:
    """``options`` plus the ``values`` missing from them (sorted), so a widget can show them."""
    out = list(options)
    have = set(out)
    extra = sorted(v for v in values if v not in have)
    return out + extra


@dataclass(frozen=True)
class WidgetValues:
    """Initial values of the sidebar widgets for a filter."""

    dates: tuple[dt.date, dt.date]
    date_bounds: tuple[dt.date, dt.date]
    min_killed: int | None
    max_killed: int | None
    min_injured: int | None
    max_injured: int | None
    unknown: str
    event_types: list[str]
    sub_event_types: list[str]
    countries: list[str]
    admin1: list[str]
    actors: list[str]
    claim_statuses: list[str]
    text: str


def widget_values(flt: IncidentFilter, options: FilterOptions) -> WidgetValues:
    """The widget values that show ``flt``; an open date bound shows the data's first/last day."""
    start = flt.start or options.min_date
    end = flt.end or options.max_date
    if start > end:  # e.g. start after the last incident: show the chosen day only
        end = start
    bounds = (min(options.min_date, start), max(options.max_date, end))
    return WidgetValues(
        dates=(start, end),
        date_bounds=bounds,
        min_killed=flt.min_killed,
        max_killed=flt.max_killed,
        min_injured=flt.min_injured,
        max_injured=flt.max_injured,
        unknown=flt.unknown,
        event_types=list(flt.event_types),
        sub_event_types=list(flt.sub_event_types),
        countries=list(flt.countries),
        admin1=list(flt.admin1),
        actors=list(flt.actors),
        claim_statuses=list(flt.claim_statuses),
        text=flt.text,
    )


def _int_or_none(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return max(0, int(value))


def filter_from_widgets(values: Mapping[str, Any], options: FilterOptions) -> IncidentFilter:
    """The filter the sidebar's widget values describe.

    ``values`` has the :class:`WidgetValues` field names. A date range equal to the data's
    first/last day is an open bound (so a shared URL keeps working as data is added); a
    half-picked range (one date) bounds the start only. A minimum above its maximum swaps
    them rather than failing.
    """
    dates = values.get("dates") or ()
    if isinstance(dates, dt.date):
        dates = (dates,)
    dates = tuple(d for d in dates if d is not None)
    start = dates[0] if dates else None
    end = dates[1] if len(dates) > 1 else None
    if start == options.min_date:
        start = None
    if end == options.max_date:
        end = None
    kwargs: dict[str, Any] = {"start": start, "end": end}
    for low, high in (("min_killed", "max_killed"), ("min_injured", "max_injured")):
        lo, hi = _int_or_none(values.get(low)), _int_or_none(values.get(high))
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        kwargs[low], kwargs[high] = lo, hi
    unknown = values.get("unknown") or "include"
    kwargs["unknown"] = unknown if unknown in UNKNOWN_LABELS else "include"
    for name in ("event_types", "sub_event_types", "countries", "admin1", "actors"):
        kwargs[name] = tuple(dict.fromkeys(str(v) for v in values.get(name) or ()))
    kwargs["claim_statuses"] = tuple(v for v in values.get("claim_statuses") or () if v in CLAIM_STATUSES)
    kwargs["text"] = str(values.get("text") or "").strip()[:200]
    return IncidentFilter(**kwargs)


#: URL parameters the page understands (those of :meth:`IncidentFilter.to_query_params`).
QUERY_KEYS: tuple[str, ...] = (
    "start",
    "end",
    "min_killed",
    "max_killed",
    "min_injured",
    "max_injured",
    "unknown",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "actor",
    "claim",
    "text",
)


def parse_query_params(params: Mapping[str, str | Sequence[str]]) -> tuple[IncidentFilter, list[str]]:
    """The filter of a URL and one warning per parameter that had to be dropped.

    Each parameter is parsed on its own; a bad one (``min_killed=ten``, ``start=03/07/2025``)
    is dropped with a warning naming it, the others still apply. A start after the end
    drops both dates. Unknown parameters are ignored with a warning. Never raises.
    """
    warnings: list[str] = []
    good: dict[str, list[str]] = {}
    for key in params:
        raw = params[key]
        items = [raw] if isinstance(raw, str) else list(raw)
        if key not in QUERY_KEYS:
            warnings.append(f"Unknown URL parameter “{key[:40]}” ignored.")
            continue
        try:
            IncidentFilter.from_query_params({key: items})
        except (FilterError, ValueError, TypeError) as err:
            warnings.append(f"URL parameter “{key}” ignored ({err}); no filter on it.")
            continue
        good[key] = items
    try:
        return IncidentFilter.from_query_params(good), warnings
    except (FilterError, ValueError, TypeError) as err:
        warnings.append(f"URL parameters “start” and “end” ignored ({err}); no date filter.")
        good.pop("start", None)
        good.pop("end", None)
        return IncidentFilter.from_query_params(good), warnings


def same_params(a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]]) -> bool:
    """True when two query-parameter mappings (values as lists) say the same thing."""

    def norm(m: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        return {k: [v] if isinstance(v, str) else list(v) for k, v in m.items() if v not in ((), [], "", None)}

    return norm(a) == norm(b)


def filter_summary(flt: IncidentFilter) -> str:
    """A short plain-text description of the active filters (for captions: escape before Markdown)."""
    if flt.is_empty:
        return "all incidents"
    parts: list[str] = []
    if flt.start or flt.end:
        parts.append(f"{flt.start or '…'} to {flt.end or '…'}")
    for name, label in (("killed", "killed"), ("injured", "injured")):
        lo, hi = getattr(flt, f"min_{name}"), getattr(flt, f"max_{name}")
        if lo is not None and hi is not None:
            parts.append(f"{lo}–{hi} {label}")
        elif lo is not None:
            parts.append(f"≥ {lo} {label}")
        elif hi is not None:
            parts.append(f"≤ {hi} {label}")
    if flt.unknown != "include":
        parts.append({"exclude": "unknown casualties excluded", "only": "unknown casualties only"}[flt.unknown])
    for name in ("event_types", "sub_event_types", "countries", "admin1", "actors", "claim_statuses"):
        values = getattr(flt, name)
        if values:
            shown = ", ".join(values[:3]) + (f" +{len(values) - 3}" if len(values) > 3 else "")
            parts.append(shown)
    if flt.text:
        parts.append(f"text “{flt.text}”")
    return "; ".join(parts)
