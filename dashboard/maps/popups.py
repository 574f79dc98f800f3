"""What an incident's popup and tooltip say, as plain text: casualty figures, place, status, sources."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..safe import safe_url
from ._common import is_na

__all__ = [
    "MAX_SOURCES",
    "NOTES_CAP",
    "OUTLET_CAP",
    "POINT_PAYLOAD_BUDGET",
    "QUOTE_CAP",
    "TEXT_CAPS",
    "URL_CAP",
    "casualty_text",
    "popup_records",
]

#: UTF-8 bytes allowed for the per-incident payload; long texts are shortened to fit, trying
#: each level of :data:`TEXT_CAPS` in turn (notes, quote, outlet, link URL, sources per incident).
POINT_PAYLOAD_BUDGET = 2_600_000
TEXT_CAPS: tuple[tuple[int, int, int, int, int], ...] = (
    (1000, 300, 200, 2048, 5),
    (400, 150, 100, 500, 3),
    (160, 60, 60, 300, 2),
    (60, 0, 40, 200, 1),
)
NOTES_CAP, QUOTE_CAP, OUTLET_CAP, URL_CAP, MAX_SOURCES = TEXT_CAPS[0]


def _fmt(n: Any) -> str:
    return f"{int(n):,}"


def casualty_text(
    best: Any,
    low: Any = None,
    high: Any = None,
    *,
    noun: str = "killed",
    shared_across: int | None = None,
) -> str:
    """A casualty figure in words: ``"8 killed"``, ``"8–12 killed"``, ``"10 injured (8–12)"``,
    ``"killed: unknown"``; with ``shared_across`` the figure is a group's: ``"8 killed (shared
    figure across 2 incidents)"``. Zero is ``"0 killed"``, never confused with unknown."""
    has = [not is_na(v) for v in (best, low, high)]
    notes: list[str] = []
    if not any(has):
        text = f"{noun}: unknown"
    elif has[0]:
        text = f"{_fmt(best)} {noun}"
        lo = int(low) if has[1] else int(best)
        hi = int(high) if has[2] else int(best)
        if lo != int(best) or hi != int(best):
            notes.append(f"{_fmt(lo)}–{_fmt(hi)}")
    else:
        lo = int(low) if has[1] else int(high)
        hi = int(high) if has[2] else int(low)
        text = f"{_fmt(lo)} {noun}" if lo == hi else f"{_fmt(lo)}–{_fmt(hi)} {noun}"
    if shared_across is not None:
        incidents = "incident" if shared_across == 1 else "incidents"
        notes.append(f"shared figure across {shared_across:,} {incidents}")
    if notes:
        text += f" ({'; '.join(notes)})"
    return text


_PRECISION_WORDS: dict[int | None, str] = {
    1: "at this place (ACLED geo-precision 1)",
    2: "near this place, not in it (ACLED geo-precision 2)",
    3: "region-level: somewhere in the region, drawn around its capital, not at a town (ACLED geo-precision 3)",
}
_TIME_WORDS: dict[int | None, str] = {
    2: " (date known within a week)",
    3: " (date known within a month)",
    4: " (date known only within a span of more than a month)",
}


def _text(value: Any) -> str:
    return "" if is_na(value) else str(value)


def _cap(text: str, cap: int) -> tuple[str, bool]:
    if len(text) <= cap:
        return text, False
    return text[: max(cap - 1, 1)].rstrip() + "…", True


def _sources(
    raw: Any, quote_cap: int, max_sources: int, outlet_cap: int = OUTLET_CAP, url_cap: int = URL_CAP
) -> tuple[list[list], bool]:
    """Sources as ``[outlet, url or None, unlinked url text or None, "published · language", quote]``.

    Only :func:`dashboard.safe.safe_url` URLs (http/https) of at most ``url_cap`` characters
    are links; others are kept as (shortened) text.
    """
    if is_na(raw) or not str(raw).strip():
        return [], False
    try:
        items = json.loads(raw)
    except (TypeError, ValueError):
        return [[_cap(str(raw), outlet_cap)[0], None, None, "", ""]], False
    if not isinstance(items, list):
        items = [items]
    out: list[list] = []
    cut = len(items) > max_sources
    for item in items[:max_sources]:
        if not isinstance(item, dict):
            out.append([_cap(str(item), outlet_cap)[0], None, None, "", ""])
            continue
        url_raw = _text(item.get("url")).strip()
        url = safe_url(url_raw)
        if url and len(url) > url_cap:
            url, cut = None, True
        quote, q_cut = (
            _cap(_text(item.get("quote")), quote_cap)
            if quote_cap
            else ("", bool(_text(item.get("quote"))))
        )
        cut |= q_cut
        meta = " · ".join(
            t for t in (_text(item.get("published")), _text(item.get("language"))) if t
        )
        out.append(
            [
                _cap(_text(item.get("outlet")), outlet_cap)[0],
                url,
                None if url or not url_raw else _cap(url_raw, min(url_cap, 200))[0],
                meta,
                quote,
            ]
        )
    return out, cut


def _casualty_texts(
    r: Mapping[str, Any], group_sizes: Mapping[str, int], has_group_cols: bool
) -> tuple[str, str]:
    """Killed and injured in words; an incident of a casualty group shows the group's figure,
    saying how many incidents share it."""
    group = r.get("casualty_group")
    grouped = not is_na(group)
    shared = group_sizes.get(str(group), 1) if grouped else None
    src = "group_" if grouped and has_group_cols else ""

    def figure(column: str, noun: str) -> str:
        values = (r.get(src + column + suffix) for suffix in ("", "_low", "_high"))
        return casualty_text(*values, noun=noun, shared_across=shared)

    return figure("fatalities", "killed"), figure("injured", "injured")


def _place_texts(r: Mapping[str, Any], precision: int | None) -> tuple[str, str]:
    """The popup's place ("Kupiansk (Kharkiv, Ukraine)") and the tooltip's, which says when
    the incident is only near the place or anywhere in the region."""
    location = _text(r.get("location"))
    where = ", ".join(t for t in (_text(r.get("admin1")), _text(r.get("country"))) if t)
    place = f"{location} ({where})" if where else location
    if precision == 2:
        return place, f"near {location}"
    if precision == 3:
        return place, f"{location} (region-level)"
    return place, location


def _date_text(r: Mapping[str, Any]) -> str:
    """The date, with how precise it is when it is not the exact day."""
    date: Any = r.get("event_date")
    text = "" if is_na(date) else pd.Timestamp(date).strftime("%Y-%m-%d")
    end: Any = r.get("event_date_end")  # a span (UCDP date_end)
    if text and not is_na(end):
        text += " to " + pd.Timestamp(end).strftime("%Y-%m-%d")
    precision = None if is_na(r.get("time_precision")) else int(r["time_precision"])
    return text + _TIME_WORDS.get(precision, "")


def _status_text(status: str, by: str) -> str:
    """The claim status in words: a claim is never shown as a confirmed fact."""
    if status == "claimed":
        return (
            f"Claimed by {by}; not confirmed"
            if by
            else "Claimed (claimant not recorded); not confirmed"
        )
    if status == "disputed":
        return f"Disputed; claimed by {by}" if by else "Disputed"
    if status == "confirmed":
        return "Confirmed"
    return status or "unknown"


def group_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many incidents of ``frame`` each casualty group has."""
    counts = frame["casualty_group"].value_counts()
    return {str(group): int(n) for group, n in counts.items()}


def popup_records(
    frame: pd.DataFrame,
    *,
    notes_cap: int = NOTES_CAP,
    quote_cap: int = QUOTE_CAP,
    max_sources: int = MAX_SOURCES,
    outlet_cap: int = OUTLET_CAP,
    url_cap: int = URL_CAP,
    group_sizes: Mapping[str, int] | None = None,
) -> list[dict]:
    """What each incident's popup and tooltip say, as plain text (one dict per row).

    Keys: ``id``, ``title`` (type — sub-type), ``event_type``, ``date``, ``place``,
    ``place_short`` (tooltip), ``precision`` (in words), ``killed``, ``injured`` (with
    uncertainty and shared figures, :func:`casualty_text`), ``status`` (claim), ``actors``,
    ``notes``, ``sources`` (see :func:`_sources`: only http(s) URLs are kept as links) and
    ``shortened`` (notes or sources were cut to keep the page small). ``group_sizes`` counts
    the incidents of each casualty group (default: within ``frame``).
    """
    if group_sizes is None:
        group_sizes = group_counts(frame)
    has_group_cols = "group_fatalities" in frame.columns
    records = []
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        r = dict(zip(columns, values, strict=True))
        killed, injured = _casualty_texts(r, group_sizes, has_group_cols)
        precision = None if is_na(r.get("geo_precision")) else int(r["geo_precision"])
        place, place_short = _place_texts(r, precision)
        actors = " — ".join(t for t in (_text(r.get("actor1")), _text(r.get("actor2"))) if t)
        notes, notes_cut = _cap(_text(r.get("notes")), notes_cap)
        sources, sources_cut = _sources(
            r.get("sources"), quote_cap, max_sources, outlet_cap, url_cap
        )
        event_type = _text(r.get("event_type"))
        sub = _text(r.get("sub_event_type"))
        records.append(
            {
                "id": _text(r.get("event_id")),
                "title": f"{event_type} — {sub}" if sub else event_type,
                "event_type": event_type,
                "date": _date_text(r),
                "place": place,
                "place_short": place_short,
                "precision": _PRECISION_WORDS.get(precision, "unknown precision"),
                "killed": killed,
                "injured": injured,
                "status": _status_text(_text(r.get("claim_status")), _text(r.get("claimed_by"))),
                "actors": actors,
                "notes": notes,
                "sources": sources,
                "shortened": notes_cut or sources_cut,
            }
        )
    return records
