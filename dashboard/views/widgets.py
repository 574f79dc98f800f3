"""The sidebar: filter options found in the data, widget values of a filter and back, URL parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents.filters import FilterError, IncidentFilter
from incidents.schema import CLAIM_STATUSES

__all__ = [
    "ACTOR_LIMIT",
    "QUERY_KEYS",
    "UNKNOWN_LABELS",
    "FilterOptions",
    "WidgetValues",
    "dependent_options",
    "filter_from_widgets",
    "filter_options",
    "parse_query_params",
    "same_params",
    "widget_values",
    "with_values",
]

#: Most frequent actors offered in the actor filter (the URL may name any actor).
ACTOR_LIMIT = 500

UNKNOWN_LABELS: Mapping[str, str] = {
    "include": "Include",
    "exclude": "Exclude",
    "only": "Only unknown",
}


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


def _arrow(column: pd.Series) -> pa.ChunkedArray:
    """A frame column as Arrow strings (the store's frames hold them so: no copy)."""
    values = pa.array(column.array, from_pandas=True)  # Arrow-backed strings: their own chunks
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    return values if values.type == pa.large_string() else values.cast(pa.large_string())


def _distinct(values: pa.ChunkedArray) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in pc.unique(values).drop_null().to_pylist()))


def _children(frame: pd.DataFrame, parent: str, child: str) -> dict[str, tuple[str, ...]]:
    """Each ``parent`` value with the ``child`` values found beside it (sorted)."""
    pairs = (
        pa.table({"p": _arrow(frame[parent]), "c": _arrow(frame[child])})
        .group_by(["p", "c"])
        .aggregate([])
        .drop_null()
    )
    out: dict[str, list[str]] = {}
    for key, value in zip(pairs["p"].to_pylist(), pairs["c"].to_pylist(), strict=True):
        out.setdefault(key, []).append(value)
    return {key: tuple(sorted(out[key])) for key in sorted(out)}


def _most_frequent(values: pa.ChunkedArray, limit: int) -> tuple[tuple[str, ...], bool]:
    """The ``limit`` most frequent values (ties: by name), sorted by name; and whether there
    were more."""
    counts = pc.value_counts(values.drop_null())
    names, freq = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    ranked = sorted(zip(freq, names, strict=True), key=lambda fn: (-fn[0], fn[1]))
    return tuple(sorted(name for _, name in ranked[:limit])), len(names) > limit


def filter_options(
    frame: pd.DataFrame, *, actor_limit: int = ACTOR_LIMIT, today: dt.date | None = None
) -> FilterOptions:
    """Sidebar options of a frame: date bounds, event types with their sub-types, countries
    with their admin1 regions, the most frequent actors, claim statuses.

    Counted by Arrow on the frame's own string buffers: at a million incidents this is a
    fraction of a second and allocates no copy of the columns."""
    if len(frame):
        min_date = frame["event_date"].min().date()
        max_date = frame["event_date"].max().date()
    else:
        min_date = max_date = today or dt.date.today()
    actors = pa.chunked_array(_arrow(frame["actor1"]).chunks + _arrow(frame["actor2"]).chunks)
    top, truncated = _most_frequent(actors, actor_limit)
    return FilterOptions(
        min_date=min_date,
        max_date=max_date,
        event_types=_distinct(_arrow(frame["event_type"])),
        sub_event_types=_children(frame, "event_type", "sub_event_type"),
        countries=_distinct(_arrow(frame["country"])),
        admin1=_children(frame, "country", "admin1"),
        actors=top,
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
    kwargs["claim_statuses"] = tuple(
        v for v in values.get("claim_statuses") or () if v in CLAIM_STATUSES
    )
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


def parse_query_params(
    params: Mapping[str, str | Sequence[str]],
) -> tuple[IncidentFilter, list[str]]:
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
        return {
            k: [v] if isinstance(v, str) else list(v)
            for k, v in m.items()
            if v not in ((), [], "", None)
        }

    return norm(a) == norm(b)
