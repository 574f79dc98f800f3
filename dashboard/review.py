"""What the review and edit pages compute: the report with evidence highlighted, form values
to records and back. No Streamlit here, so it is tested like any library code."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import folium

from incidents.draft import Draft
from incidents.schema import COLUMN_NAMES
from incidents.taxonomy import SUB_EVENT_TYPES, default_disorder_type

from .maps import add_base_layers
from .safe import escape_html, escape_js_template

__all__ = [
    "FORM_FIELDS",
    "SUB_EVENT_CHOICES",
    "form_to_record",
    "highlight",
    "place_map",
    "record_to_form",
]

#: The fields a person corrects in the form, in order: (name, kind).
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("event_date", "date"),
    ("time_precision", "int"),
    ("sub_event_type", "sub_event"),
    ("actor1", "text"),
    ("actor2", "text"),
    ("location", "text"),
    ("admin1", "text"),
    ("country", "text"),
    ("latitude", "float"),
    ("longitude", "float"),
    ("geo_precision", "int"),
    ("fatalities", "count"),
    ("injured", "count"),
    ("claim_status", "claim"),
    ("claimed_by", "text"),
    ("notes", "text"),
)
#: "Event type / sub-event type" choices, ACLED's, for one select box.
SUB_EVENT_CHOICES: tuple[str, ...] = tuple(
    f"{event} / {sub}" for event, subs in SUB_EVENT_TYPES.items() for sub in subs
)
_COLOURS = ("#ffe08a", "#b5e3ff", "#c9f2c7", "#ffc9de", "#e2d1ff")


def highlight(text: str, drafts: list[Draft]) -> str:
    """The report as HTML (everything escaped) with each draft's evidence marked, one colour per
    draft; a ``title`` on each mark names the draft and field."""
    spans: list[tuple[int, int, str, str]] = []
    for i, d in enumerate(drafts):
        colour = _COLOURS[i % len(_COLOURS)]
        for name, ev in d.evidence.items():
            if ev.end > ev.start:
                spans.append((ev.start, ev.end, colour, f"{d.record['event_id']}: {name}"))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[str] = []
    pos = 0
    for start, end, colour, title in spans:
        if start < pos:  # overlapping evidence: the first mark wins
            continue
        out.append(escape_html(text[pos:start]))
        out.append(
            f'<mark style="background:{colour}" title="{escape_html(title)}">'
            f"{escape_html(text[start:end])}</mark>"
        )
        pos = end
    out.append(escape_html(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def record_to_form(record: dict[str, Any]) -> dict[str, Any]:
    """Form values for a record (dates as dates, event type and sub-event type in one choice)."""
    values: dict[str, Any] = {}
    for name, kind in FORM_FIELDS:
        value = record.get(name)
        if kind == "date":
            value = dt.date.fromisoformat(str(value)[:10]) if value else None
        elif kind == "sub_event":
            value = f"{record.get('event_type')} / {value}" if value else None
        elif kind == "claim":
            value = value or "confirmed"
        elif kind in ("int", "count") and value is not None:
            value = int(value)
        values[name] = value
    return values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def form_to_record(values: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A record from the form's values over ``base`` (the draft or stored incident): the event
    type and disorder type follow the sub-event type; a changed figure resets its bounds."""
    record = {k: base.get(k) for k in COLUMN_NAMES}
    for name, kind in FORM_FIELDS:
        value: Any = values.get(name)
        if kind == "date":
            record[name] = value.isoformat() if value else None
        elif kind == "sub_event":
            event, _, sub = (value or "").partition(" / ")
            record["event_type"], record["sub_event_type"] = event or None, sub or None
            record["disorder_type"] = default_disorder_type(sub) if sub else None
        elif kind == "count":
            new = None if _blank(value) else int(value)
            if new != base.get(name):
                record[name] = new
                record[f"{name}_low"] = record[f"{name}_high"] = new
        elif kind in ("int", "float"):
            record[name] = (
                None if _blank(value) else (int(value) if kind == "int" else float(value))
            )
        else:
            record[name] = None if _blank(value) else str(value).strip()
    if record.get("claim_status") == "confirmed":
        record["claimed_by"] = None
    if isinstance(record.get("sources"), list):
        record["sources"] = json.loads(json.dumps(record["sources"]))
    return record


def place_map(
    candidates: list[dict[str, Any]], point: tuple[float | None, float | None]
) -> folium.Map:
    """A small map of a draft's place: the gazetteer's candidates (blue) and the current point
    (red). A click on it sets the point by hand (the page reads ``last_clicked``)."""
    lat, lon = point
    centre = (
        (lat, lon)
        if lat is not None and lon is not None
        else ((candidates[0]["lat"], candidates[0]["lon"]) if candidates else (49.0, 32.0))
    )
    m = folium.Map(
        location=centre, zoom_start=7 if candidates or lat is not None else 5, tiles=None
    )
    add_base_layers(m)  # the app's own Leaflet and offline base map: no CDN, works offline
    for c in candidates:
        label = f"{c['name']} ({c.get('country') or '?'}, {c.get('admin1') or '?'})"
        folium.CircleMarker(
            (c["lat"], c["lon"]), radius=6, color="#1f77b4", fill=True,
            tooltip=escape_js_template(label),
        ).add_to(m)  # fmt: skip
    if lat is not None and lon is not None:
        folium.CircleMarker(
            (lat, lon), radius=8, color="#d62728", fill=True, tooltip="current point"
        ).add_to(m)
    return m
