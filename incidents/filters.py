"""The dashboard's and the CLI's filters: one definition, vectorised, round-tripped through URLs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from .exc import FilterError
from .schema import CLAIM_STATUSES

__all__ = [
    "UNKNOWN_CHOICES",
    "FilterError",
    "IncidentFilter",
    "apply_filter",
    "filter_mask",
    "last_day",
]

Unknown = Literal["include", "exclude", "only"]
UNKNOWN_CHOICES: tuple[str, ...] = ("include", "exclude", "only")


@dataclass(frozen=True)
class IncidentFilter:
    """What to keep. Empty fields keep everything.

    ``start`` and ``end`` keep the incidents whose days overlap the window: an incident
    known only as a span (``event_date`` to ``event_date_end``) is kept when any day of the
    span falls in it, not only its first day (:func:`last_day`).

    Casualty bounds compare the incident's own figure, or for an incident whose figure is
    shared with others (a casualty group) the group's figure. ``unknown`` says what happens to
    incidents whose figure is unknown when a bound is set: ``include`` keeps them,
    ``exclude`` drops them; ``only`` keeps just the incidents with unknown killed or injured.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    min_killed: int | None = None
    max_killed: int | None = None
    min_injured: int | None = None
    max_injured: int | None = None
    unknown: Unknown = "include"
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    claim_statuses: tuple[str, ...] = ()
    text: str = ""

    def __post_init__(self) -> None:
        for name in ("min_killed", "max_killed", "min_injured", "max_injured"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise FilterError(f"{name} must not be negative, got {value}")
        if self.start and self.end and self.start > self.end:
            raise FilterError(f"start {self.start} is after end {self.end}")
        if self.unknown not in UNKNOWN_CHOICES:
            raise FilterError(f"unknown must be one of {UNKNOWN_CHOICES}, got {self.unknown!r}")
        bad = [s for s in self.claim_statuses if s not in CLAIM_STATUSES]
        if bad:
            raise FilterError(f"claim status {bad[0]!r} is not one of {CLAIM_STATUSES}")

    @property
    def is_empty(self) -> bool:
        return self == IncidentFilter()

    # -- URL query strings ---------------------------------------------------------------
    _LISTS: ClassVar[dict[str, str]] = {
        "event_types": "event_type",
        "sub_event_types": "sub_event_type",
        "countries": "country",
        "admin1": "admin1",
        "actors": "actor",
        "claim_statuses": "claim",
    }

    def to_query_params(self) -> dict[str, list[str]]:
        """The filter as URL parameters (``start``, ``end``, ``min_killed``, repeatable ``event_type``...)."""
        params: dict[str, list[str]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", ()) or (f.name == "unknown" and value == "include"):
                continue
            key = self._LISTS.get(f.name, f.name)
            if isinstance(value, tuple):
                params[key] = list(value)
            elif isinstance(value, dt.date):
                params[key] = [value.isoformat()]
            else:
                params[key] = [str(value)]
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Iterable[str]]) -> IncidentFilter:
        """Parse URL parameters; raises :class:`FilterError` naming the bad parameter."""

        def values(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            items = [raw] if isinstance(raw, str) else list(raw)
            return [v.strip() for v in items if v and v.strip()]

        def one(key: str) -> str | None:
            items = values(key)
            return items[-1] if items else None

        kwargs: dict = {}
        for key in ("start", "end"):
            text = one(key)
            if text is not None:
                try:
                    kwargs[key] = dt.date.fromisoformat(text)
                except ValueError:
                    raise FilterError(f"{key}: {text[:40]!r} is not a date (YYYY-MM-DD)") from None
        for key in ("min_killed", "max_killed", "min_injured", "max_injured"):
            text = one(key)
            if text is not None:
                if not text.isdigit() or len(text) > 9:
                    raise FilterError(f"{key}: {text[:40]!r} is not a whole number >= 0")
                kwargs[key] = int(text)
        unknown = one("unknown")
        if unknown is not None:
            kwargs["unknown"] = unknown
        for name, key in cls._LISTS.items():
            items = values(key)
            if items:
                kwargs[name] = tuple(dict.fromkeys(items))
        text = one("text")
        if text:
            kwargs["text"] = text[:200]
        return cls(**kwargs)

    def with_(self, **changes) -> IncidentFilter:
        return replace(self, **changes)


def _casualty(frame: pd.DataFrame, column: str) -> pd.Series:
    own = frame[column]
    shared_name = "group_" + column
    if shared_name in frame.columns:
        return own.where(frame["casualty_group"].isna(), frame[shared_name])
    return own


def _bound_mask(
    values: pd.Series, low: int | None, high: int | None, unknown: Unknown
) -> np.ndarray:
    mask = np.ones(len(values), dtype=bool)
    if low is None and high is None:
        return mask
    known = values.notna().to_numpy()
    numbers = values.fillna(0).to_numpy(dtype="int64")
    if low is not None:
        mask &= numbers >= low
    if high is not None:
        mask &= numbers <= high
    return np.where(known, mask, unknown == "include")


def last_day(frame: pd.DataFrame) -> pd.Series:
    """The last day of each incident: ``event_date_end`` for a span (UCDP's ``date_end``,
    an event known only within a month or more), else ``event_date``."""
    if "event_date_end" not in frame.columns:
        return frame["event_date"]
    end = frame["event_date_end"]
    return end.where(end.notna(), frame["event_date"])


def filter_mask(frame: pd.DataFrame, flt: IncidentFilter) -> np.ndarray:
    """Boolean mask of the rows ``flt`` keeps; vectorised over the columns."""
    mask = np.ones(len(frame), dtype=bool)
    if flt.start is not None:
        mask &= (last_day(frame) >= pd.Timestamp(flt.start)).to_numpy()
    if flt.end is not None:
        mask &= (frame["event_date"] <= pd.Timestamp(flt.end)).to_numpy()
    killed = _casualty(frame, "fatalities")
    injured = _casualty(frame, "injured")
    mask &= _bound_mask(killed, flt.min_killed, flt.max_killed, flt.unknown)
    mask &= _bound_mask(injured, flt.min_injured, flt.max_injured, flt.unknown)
    if flt.unknown == "only":
        mask &= (killed.isna() | injured.isna()).to_numpy()
    for column, wanted in (
        ("event_type", flt.event_types),
        ("sub_event_type", flt.sub_event_types),
        ("country", flt.countries),
        ("admin1", flt.admin1),
        ("claim_status", flt.claim_statuses),
    ):
        if wanted:
            mask &= frame[column].isin(wanted).fillna(False).to_numpy(dtype=bool)
    if flt.actors:
        mask &= (
            (frame["actor1"].isin(flt.actors) | frame["actor2"].isin(flt.actors))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
    if flt.text:
        hit = np.zeros(len(frame), dtype=bool)
        for column in ("location", "notes", "admin1"):
            hit |= (
                frame[column]
                .str.contains(flt.text, case=False, regex=False)
                .fillna(False)
                .to_numpy(dtype=bool)
            )
        mask &= hit
    return mask


def apply_filter(frame: pd.DataFrame, flt: IncidentFilter) -> pd.DataFrame:
    """The rows of ``frame`` that ``flt`` keeps."""
    if flt.is_empty:
        return frame
    return frame[filter_mask(frame, flt)]
