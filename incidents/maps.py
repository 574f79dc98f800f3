"""The incident map: one canvas data layer, hexagon aggregates at scale, a legend, base layers.

``build_map(frame)`` returns a :class:`folium.Map`; ``map_summary(frame)`` says what it draws
(the app shows it as a caption). The design, its limits and the numbers are in ``docs/map.md``.

* Up to :data:`POINT_LIMIT` incidents, each incident is one circle, drawn by a small script of
  ours on a Leaflet canvas from a compact, dictionary-encoded JSON payload: no folium marker
  per incident. Popups and tooltips are built on demand in the browser from the payload with
  ``textContent``, never from HTML strings.
* Above it, incidents are counted in H3 hexagons at resolutions 3 to 6, all embedded at once;
  the browser picks the resolution for the zoom level and draws only the cells in view. A cell's
  popup gives counts and casualty sums, with a shared figure counted once
  (:func:`incidents.totals.counted_casualties`). With ``bbox`` (the view the app last saw), the
  incidents inside it are drawn one by one when there are at most ``point_limit`` of them.
* Everything the browser receives from records goes through :func:`incidents.safe.js_json`.
* Identical input gives an identical page: element ids derive from a digest of the payload,
  so streamlit-folium does not remount the map on reruns that change nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

import folium
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.map import FitBounds, Layer
from jinja2 import Template

from .safe import js_json, safe_url
from .taxonomy import EVENT_TYPES
from .totals import counted_casualties

__all__ = [
    "BASEMAPS",
    "BaseMap",
    "CELL_CLASSES",
    "DEFAULT_BOUNDS",
    "EVENT_TYPE_COLORS",
    "HEX_RESOLUTIONS",
    "MapSummary",
    "POINT_LIMIT",
    "aggregate_cells",
    "basemap_url",
    "build_map",
    "casualty_text",
    "cell_color",
    "legend_entries",
    "map_summary",
    "marker_radius",
    "marker_style",
    "popup_records",
    "size_casualties",
    "snap_bbox",
]

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

#: Above this many incidents (in the frame, or in ``bbox`` when given) the map draws hexagons.
POINT_LIMIT = 5000

#: Okabe-Ito colours (safe for the common colour-vision deficiencies), one per ACLED event type.
EVENT_TYPE_COLORS: Mapping[str, str] = MappingProxyType(
    dict(
        zip(
            EVENT_TYPES,
            (
                "#D55E00",  # Battles: vermillion
                "#0072B2",  # Explosions/Remote violence: blue
                "#CC79A7",  # Violence against civilians: reddish purple
                "#009E73",  # Protests: bluish green
                "#E69F00",  # Riots: orange
                "#56B4E9",  # Strategic developments: sky blue
            ),
        )
    )
)
#: Colour of an event type outside ACLED's taxonomy (imported data).
OTHER_COLOR = "#777777"

#: ((south, west), (north, east)) of the default view: Ukraine and western Russia.
DEFAULT_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((44.0, 22.0), (56.5, 45.0))

#: H3 resolutions embedded in aggregated maps and the zoom level from which each is used.
HEX_RESOLUTIONS: tuple[int, ...] = (3, 4, 5, 6)
HEX_MIN_ZOOM: Mapping[int, int] = MappingProxyType({3: 0, 4: 6, 5: 8, 6: 9})
#: A resolution with more cells than this is not embedded (the coarser one is used instead).
CELL_LIMIT = 12000
#: Hexagon fill by incident count: (lowest count, colour), viridis (colour-blind safe).
CELL_CLASSES: tuple[tuple[int, str], ...] = (
    (1, "#fde725"),
    (10, "#5ec962"),
    (100, "#21918c"),
    (1000, "#3b528b"),
    (10000, "#440154"),
)

#: Radius in metres of the area drawn for a region-level incident (geo_precision 3).
REGION_RADIUS_M = 30000
UNKNOWN_RADIUS = 6.0
ZERO_RADIUS = 3.5
MAX_RADIUS = 28.0

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

_CLAIM_DASH = {"claimed": "6 4", "disputed": "1 4"}

# ---------------------------------------------------------------------------------------------
# Base maps
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseMap:
    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 19

    @property
    def env_var(self) -> str:
        """Environment variable overriding this base map's tile URL (``MAP_TILES_URL_...``)."""
        return "MAP_TILES_URL_" + re.sub(r"[^A-Z0-9]+", "_", self.name.upper()).strip("_")


_OSM = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
BASEMAPS: Mapping[str, BaseMap] = MappingProxyType(
    {
        "CartoDB Positron": BaseMap(
            "CartoDB Positron",
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            _OSM + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
            subdomains="abcd",
            max_zoom=20,
        ),
        "OpenStreetMap": BaseMap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM),
        "Esri World Imagery": BaseMap(
            "Esri World Imagery",
            "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
            "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community",
            max_zoom=19,
        ),
    }
)

_TILE_URL_OK = re.compile(r"^(https?://|/)[^\s<>\"'`\\]*$", re.IGNORECASE)


def basemap_url(name: str) -> str:
    """Tile URL template of base map ``name``, after the environment's overrides.

    ``MAP_TILES_URL_<NAME>`` (e.g. ``MAP_TILES_URL_CARTODB_POSITRON``) overrides one base map,
    ``MAP_TILES_URL`` all of them (self-hosted or offline tiles). An override must be an
    ``http(s)://`` or root-relative (``/tiles/{z}/{x}/{y}.png``) URL; others are ignored.
    """
    base = BASEMAPS[name]
    for var in (base.env_var, "MAP_TILES_URL"):
        value = (os.environ.get(var) or "").strip()
        if value and _TILE_URL_OK.match(value):
            return value
    return base.url


# ---------------------------------------------------------------------------------------------
# Pure presentation rules (tested table by table)
# ---------------------------------------------------------------------------------------------


def _is_na(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def marker_radius(killed: Any) -> float:
    """Circle radius in pixels for ``killed`` people: area grows with the number; unknown is fixed."""
    if _is_na(killed):
        return UNKNOWN_RADIUS
    k = max(int(killed), 0)
    if k == 0:
        return ZERO_RADIUS
    return round(min(4.0 + 2.0 * math.sqrt(k), MAX_RADIUS), 1)


def marker_style(event_type: Any, killed: Any, geo_precision: Any, claim_status: Any) -> dict:
    """Leaflet path options of one incident's symbol, plus ``kind`` and ``halo``.

    * colour: event type (:data:`EVENT_TYPE_COLORS`);
    * ``kind`` ``"marker"``: a circle whose radius (pixels) grows with ``killed``; unknown
      casualties: hollow circle with a thick outline in the type's colour (never mistaken
      for 0, which is a small filled dot);
    * ``kind`` ``"area"``: region-level incident (geo_precision 3) drawn as a translucent area
      of :data:`REGION_RADIUS_M` metres around the regional capital, not as a town's dot;
      hollow if casualties are unknown;
    * ``halo``: geo_precision 2 ("near" the town) gets a thin ring around the circle;
    * claimed: dashed outline; disputed: dotted outline.
    """
    color = EVENT_TYPE_COLORS.get(event_type if isinstance(event_type, str) else "", OTHER_COLOR)
    unknown = _is_na(killed)
    precision = None if _is_na(geo_precision) else int(geo_precision)
    dash = _CLAIM_DASH.get(claim_status if isinstance(claim_status, str) else "")
    if precision == 3:
        style = {
            "kind": "area",
            "radius": REGION_RADIUS_M,
            "color": color,
            "weight": 2.0 if dash else 1.5,
            "fillColor": color,
            "fillOpacity": 0.0 if unknown else 0.18,
            "dashArray": dash,
            "halo": False,
        }
        return style
    if unknown:
        return {
            "kind": "marker",
            "radius": marker_radius(None),
            "color": color,
            "weight": 2.5,
            "fillColor": color,
            "fillOpacity": 0.0,
            "dashArray": dash,
            "halo": precision == 2,
        }
    return {
        "kind": "marker",
        "radius": marker_radius(killed),
        "color": "#1a1a1a",
        "weight": 2.0 if dash else 1.0,
        "fillColor": color,
        "fillOpacity": 0.8,
        "dashArray": dash,
        "halo": precision == 2,
    }


def cell_color(count: int) -> str:
    """Fill colour of a hexagon holding ``count`` incidents (:data:`CELL_CLASSES`)."""
    color = CELL_CLASSES[0][1]
    for low, c in CELL_CLASSES:
        if count >= low:
            color = c
    return color


def _fmt(n: Any) -> str:
    return f"{int(n):,}"


def casualty_text(best: Any, low: Any = None, high: Any = None, *, noun: str = "killed", shared_across: int | None = None) -> str:
    """A casualty figure in words: ``"8 killed"``, ``"8–12 killed"``, ``"10 injured (8–12)"``,
    ``"killed: unknown"``; with ``shared_across`` the figure is a group's: ``"8 killed (shared
    figure across 2 incidents)"``. Zero is ``"0 killed"``, never confused with unknown."""
    has = [not _is_na(v) for v in (best, low, high)]
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


def size_casualties(frame: pd.DataFrame) -> pd.Series:
    """Killed figure a symbol is sized by (Int64, NA = unknown): the incident's own, or for an
    incident of a casualty group the group's; best estimate, else low, else high."""
    grouped = frame["casualty_group"].notna()
    out = None
    for suffix in ("", "_low", "_high"):
        own = frame["fatalities" + suffix]
        name = "group_fatalities" + suffix
        value = own.where(~grouped, frame[name]) if name in frame.columns else own
        out = value if out is None else out.fillna(value)
    return out.astype("Int64")


_PRECISION_WORDS = {
    1: "at this place (ACLED geo-precision 1)",
    2: "near this place, not in it (ACLED geo-precision 2)",
    3: "region-level: somewhere in the region, drawn around its capital, not at a town (ACLED geo-precision 3)",
}
_TIME_WORDS = {2: " (date known within a week)", 3: " (date known within a month)"}


def _text(value: Any) -> str:
    return "" if _is_na(value) else str(value)


def _cap(text: str, cap: int) -> tuple[str, bool]:
    if len(text) <= cap:
        return text, False
    return text[: max(cap - 1, 1)].rstrip() + "…", True


def _sources(
    raw: Any, quote_cap: int, max_sources: int, outlet_cap: int = OUTLET_CAP, url_cap: int = URL_CAP
) -> tuple[list[list], bool]:
    """Sources as ``[outlet, url or None, unlinked url text or None, "published · language", quote]``.

    Only :func:`incidents.safe.safe_url` URLs (http/https) of at most ``url_cap`` characters
    are links; others are kept as (shortened) text.
    """
    if _is_na(raw) or not str(raw).strip():
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
        quote, q_cut = _cap(_text(item.get("quote")), quote_cap) if quote_cap else ("", bool(_text(item.get("quote"))))
        cut |= q_cut
        meta = " · ".join(t for t in (_text(item.get("published")), _text(item.get("language"))) if t)
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
        group_sizes = frame["casualty_group"].value_counts().to_dict() if len(frame) else {}
    has_group_cols = "group_fatalities" in frame.columns
    records = []
    for row in frame.itertuples(index=False):
        r = row._asdict()
        group = r.get("casualty_group")
        grouped = not _is_na(group)
        shared = group_sizes.get(group, 1) if grouped else None
        src = "group_" if grouped and has_group_cols else ""
        killed = casualty_text(
            r.get(src + "fatalities"), r.get(src + "fatalities_low"), r.get(src + "fatalities_high"),
            noun="killed", shared_across=shared,
        )
        injured = casualty_text(
            r.get(src + "injured"), r.get(src + "injured_low"), r.get(src + "injured_high"),
            noun="injured", shared_across=shared,
        )
        precision = None if _is_na(r.get("geo_precision")) else int(r["geo_precision"])
        location = _text(r.get("location"))
        where = ", ".join(t for t in (_text(r.get("admin1")), _text(r.get("country"))) if t)
        place = f"{location} ({where})" if where else location
        if precision == 2:
            place_short = f"near {location}"
        elif precision == 3:
            place_short = f"{location} (region-level)"
        else:
            place_short = location
        date = r.get("event_date")
        date_text = "" if _is_na(date) else pd.Timestamp(date).strftime("%Y-%m-%d")
        tp = None if _is_na(r.get("time_precision")) else int(r["time_precision"])
        status = _text(r.get("claim_status"))
        by = _text(r.get("claimed_by"))
        if status == "claimed":
            status_text = f"Claimed by {by}; not confirmed" if by else "Claimed (claimant not recorded); not confirmed"
        elif status == "disputed":
            status_text = f"Disputed; claimed by {by}" if by else "Disputed"
        elif status == "confirmed":
            status_text = "Confirmed"
        else:
            status_text = status or "unknown"
        actors = " — ".join(t for t in (_text(r.get("actor1")), _text(r.get("actor2"))) if t)
        notes, notes_cut = _cap(_text(r.get("notes")), notes_cap)
        sources, sources_cut = _sources(r.get("sources"), quote_cap, max_sources, outlet_cap, url_cap)
        event_type = _text(r.get("event_type"))
        sub = _text(r.get("sub_event_type"))
        records.append(
            {
                "id": _text(r.get("event_id")),
                "title": f"{event_type} — {sub}" if sub else event_type,
                "event_type": event_type,
                "date": date_text + _TIME_WORDS.get(tp, ""),
                "place": place,
                "place_short": place_short,
                "precision": _PRECISION_WORDS.get(precision, "unknown precision"),
                "killed": killed,
                "injured": injured,
                "status": status_text,
                "actors": actors,
                "notes": notes,
                "sources": sources,
                "shortened": notes_cut or sources_cut,
            }
        )
    return records


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------


def _figure_parts(best: pd.Series, low: pd.Series, high: pd.Series, real: np.ndarray):
    """Per-row contributions to a summed figure, exactly as :func:`incidents.totals.casualty_totals`."""
    known = (best.notna() | low.notna() | high.notna()).to_numpy() & real
    best_v = best.fillna(low).fillna(0).to_numpy(dtype="int64")
    low_v = low.fillna(best).fillna(0).to_numpy(dtype="int64")
    high_v = high.fillna(best).fillna(low).fillna(0).to_numpy(dtype="int64")
    unknown = real & ~known
    return np.where(known, best_v, 0), np.where(known, low_v, 0), np.where(known, high_v, 0), unknown


def _row_cells(lat: np.ndarray, lon: np.ndarray, resolutions: Sequence[int]) -> dict[int, np.ndarray]:
    """H3 cell (uint64) of every row at each resolution; h3 runs once per distinct coordinate
    (1e-5 degree) at the finest resolution and once per distinct cell for the coarser ones."""
    lat_i = np.round(lat * 1e5).astype(np.int64)
    lon_i = np.round(lon * 1e5).astype(np.int64)
    key = (lat_i + 9_000_000) * (1 << 25) + (lon_i + 18_000_000)
    codes, uniq = pd.factorize(key)
    u_lat = ((uniq // (1 << 25)) - 9_000_000) / 1e5
    u_lon = ((uniq % (1 << 25)) - 18_000_000) / 1e5
    finest = max(resolutions)
    to_cell = h3i.latlng_to_cell
    fine = np.fromiter((to_cell(a, b, finest) for a, b in zip(u_lat.tolist(), u_lon.tolist())), dtype=np.uint64, count=len(uniq))
    out = {finest: fine[codes]}
    fine_codes, fine_uniq = pd.factorize(fine)
    for res in resolutions:
        if res == finest:
            continue
        parent = np.fromiter((h3i.cell_to_parent(int(c), res) for c in fine_uniq.tolist()), dtype=np.uint64, count=len(fine_uniq))
        out[res] = parent[fine_codes][codes]
    return out


_STAT_COLUMNS = (
    "incidents",
    "killed", "killed_low", "killed_high", "killed_unknown",
    "injured", "injured_low", "injured_high", "injured_unknown",
    "unconfirmed",
)


def aggregate_cells(frame: pd.DataFrame, resolutions: Sequence[int] = HEX_RESOLUTIONS) -> dict[int, pd.DataFrame]:
    """Incident counts and casualty sums per H3 cell, for each resolution.

    One row per cell holding incidents, sorted by cell id: ``cell`` (uint64), ``incidents``,
    ``killed``/``killed_low``/``killed_high`` and ``injured...`` summed as
    :func:`incidents.totals.casualty_totals` sums them (a shared figure counted once, in the
    cell of the incident that carries it), ``killed_unknown``/``injured_unknown`` (incidents
    with an unknown figure) and ``unconfirmed`` (claimed or disputed). The columns of each
    resolution add up to the frame's totals. Rows need finite coordinates.
    """
    n = len(frame)
    if n == 0:
        return {r: pd.DataFrame({"cell": np.array([], dtype=np.uint64), **{c: np.array([], dtype=np.int64) for c in _STAT_COLUMNS}}) for r in resolutions}
    counted = counted_casualties(frame)
    real = ~counted["in_group"].to_numpy(dtype=bool)
    stats: dict[str, np.ndarray] = {"incidents": np.ones(n, dtype=np.int64)}
    for ours in ("killed", "injured"):
        b, lo, hi, unk = _figure_parts(counted[ours], counted[ours + "_low"], counted[ours + "_high"], real)
        stats[ours], stats[ours + "_low"], stats[ours + "_high"] = b, lo, hi
        stats[ours + "_unknown"] = unk.astype(np.int64)
    stats["unconfirmed"] = frame["claim_status"].isin(["claimed", "disputed"]).fillna(False).to_numpy(dtype=np.int64)
    cells = _row_cells(frame["latitude"].to_numpy(dtype=float), frame["longitude"].to_numpy(dtype=float), resolutions)
    out = {}
    for res in resolutions:
        codes, found = pd.factorize(cells[res])  # hashing: faster than np.unique's sort of all rows
        order = np.argsort(found)
        rank = np.empty(len(found), dtype=np.int64)
        rank[order] = np.arange(len(found))
        uniq, inverse = np.asarray(found)[order], rank[codes]
        table = {"cell": uniq}
        for name in _STAT_COLUMNS:
            table[name] = np.bincount(inverse, weights=stats[name], minlength=len(uniq)).astype(np.int64)
        out[res] = pd.DataFrame(table)
    return out


def _cell_payload(table: pd.DataFrame, res: int) -> dict:
    """Compact columns of one resolution: centres and vertex offsets in 1e-4 degrees."""
    lat_c, lon_c, verts = [], [], []
    for cell in table["cell"].tolist():
        clat, clon = h3i.cell_to_latlng(cell)
        ilat, ilon = round(clat * 1e4), round(clon * 1e4)
        lat_c.append(ilat)
        lon_c.append(ilon)
        boundary = list(h3i.cell_to_boundary(cell))
        while len(boundary) < 6:  # pentagon: repeat a vertex so every cell has 6
            boundary.append(boundary[-1])
        for vlat, vlon in boundary[:6]:
            dlon = round(vlon * 1e4) - ilon
            if dlon > 1_800_000:
                dlon -= 3_600_000
            elif dlon < -1_800_000:
                dlon += 3_600_000
            verts.extend((round(vlat * 1e4) - ilat, dlon))
    payload = {"res": res, "minZoom": HEX_MIN_ZOOM.get(res, 0), "km": round(2 * math.sqrt(h3i.average_hexagon_area(res, "km^2") / 2.598), 1), "lat": lat_c, "lon": lon_c, "v": verts}
    for name in _STAT_COLUMNS:
        payload[name] = table[name].tolist()
    return payload


# ---------------------------------------------------------------------------------------------
# Planning: what a frame becomes on the map
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSummary:
    """What the map shows, for a caption under it."""

    mode: str  # "points", "aggregated" or "empty"
    incidents: int  # rows of the frame
    points: int  # incidents drawn one by one
    aggregated: int  # incidents counted in hexagons
    not_placed: int  # rows without usable coordinates (not drawn)
    point_limit: int
    resolutions: tuple[int, ...] = ()  # H3 resolutions embedded
    cells: Mapping[int, int] = field(default_factory=dict)  # cells per embedded resolution
    bbox: tuple[float, float, float, float] | None = None
    symbol: str = ""  # what one symbol stands for
    caption: str = ""  # one or two sentences for the app


def snap_bbox(bounds: Any) -> tuple[float, float, float, float] | None:
    """A map view's bounds, rounded outward to a coarse grid: ``(south, west, north, east)``.

    Accepts st_folium's ``{"_southWest": {"lat", "lng"}, "_northEast": {...}}``, a
    ``[[s, w], [n, e]]`` pair or a 4-tuple. Small pans and zooms give the same box, hence the
    same map page (no remount). None when the bounds are missing or not finite.
    """
    try:
        if isinstance(bounds, Mapping):
            sw, ne = bounds["_southWest"], bounds["_northEast"]
            s, w, n, e = float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"])
        elif len(bounds) == 2:
            (s, w), (n, e) = bounds
            s, w, n, e = float(s), float(w), float(n), float(e)
        else:
            s, w, n, e = (float(v) for v in bounds)
    except (TypeError, KeyError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (s, w, n, e)) or n < s:
        return None
    span = max(n - s, (e - w) % 360 or 360.0, 1e-6)
    step = 2.0 ** math.floor(math.log2(span / 4))
    s = max(math.floor(s / step) * step, -90.0)
    n = min(math.ceil(n / step) * step, 90.0)
    w = math.floor(w / step) * step
    e = math.ceil(e / step) * step
    return (s, w, n, e)


def _placed(frame: pd.DataFrame) -> np.ndarray:
    lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)
    lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)
    return np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)


def _in_bbox(frame: pd.DataFrame, bbox: Sequence[float]) -> np.ndarray:
    s, w, n, e = (float(v) for v in bbox)
    lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)
    lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)
    inside = (lat >= s) & (lat <= n)
    if e - w >= 360:
        return inside
    w = (w + 180) % 360 - 180
    e = (e + 180) % 360 - 180
    if w <= e:
        return inside & (lon >= w) & (lon <= e)
    return inside & ((lon >= w) | (lon <= e))


@dataclass(frozen=True)
class _Plan:
    mode: str
    points: np.ndarray  # bool mask over frame rows
    aggregated: np.ndarray
    not_placed: int
    bbox: tuple[float, float, float, float] | None


def _plan(frame: pd.DataFrame, point_limit: int, bbox: Sequence[float] | None) -> _Plan:
    n = len(frame)
    placed = _placed(frame) if n else np.zeros(0, dtype=bool)
    box = tuple(float(v) for v in bbox) if bbox is not None else None
    none = np.zeros(n, dtype=bool)
    count = int(placed.sum())
    if count == 0:
        return _Plan("empty", none, none, n - count, box)
    if count <= point_limit:
        return _Plan("points", placed, none, n - count, box)
    if box is not None:
        inside = placed & _in_bbox(frame, box)
        if 0 < inside.sum() <= point_limit:
            return _Plan("aggregated", inside, placed & ~inside, n - count, box)
    return _Plan("aggregated", none, placed, n - count, None)


def _hex_note(point_limit: int, zoom_to_points: bool, any_shared: bool) -> str:
    note = (
        f"Individual incidents are drawn when at most {point_limit:,} are selected"
        + (" or in view: zoom in or narrow the filters to see them." if zoom_to_points else ": narrow the filters (dates, types, region) to see them.")
    )
    if any_shared:
        note += " A casualty figure shared by several incidents is counted once, in the hexagon of one of them."
    return note


def _texts(plan: _Plan, point_limit: int, zoom_to_points: bool, cells: Mapping[int, int]) -> tuple[str, str]:
    points, agg = int(plan.points.sum()), int(plan.aggregated.sum())
    circle = "one circle per incident: colour = event type, size = people killed (hollow = unknown), dashed outline = claimed, not confirmed"
    if plan.mode == "empty":
        return "", "No incidents to map."
    if plan.mode == "points":
        caption = f"{points:,} incident{'s' if points != 1 else ''} on the map, {circle}."
        symbol = circle[0].upper() + circle[1:] + "; dotted = disputed; ring = near a town; translucent area = region-level location."
    else:
        hexes = "each hexagon counts the incidents inside it (darker = more); click one for its casualty totals"
        symbol = hexes[0].upper() + hexes[1:] + "."
        how = "zoom in or narrow the filters" if zoom_to_points else "narrow the filters"
        caption = f"{agg + points:,} incidents, more than the {point_limit:,} drawn one by one: {hexes}. To see individual incidents, {how}."
        if points:
            caption = (
                f"{points:,} incidents inside the outlined area drawn one by one ({circle}); "
                f"{agg:,} incidents outside it counted in hexagons (click one for its totals)."
            )
            symbol = "Inside the outlined area: " + circle + ". Outside: " + hexes + "."
    if plan.not_placed:
        caption += f" {plan.not_placed:,} incident{'s' if plan.not_placed != 1 else ''} without usable coordinates not shown."
    return symbol, caption


def _agg_cells(frame: pd.DataFrame, plan: _Plan) -> dict[int, pd.DataFrame]:
    tables = aggregate_cells(frame[plan.aggregated])
    return {res: t for res, t in tables.items() if len(t) <= CELL_LIMIT}


def map_summary(
    frame: pd.DataFrame, *, point_limit: int = POINT_LIMIT, bbox: Sequence[float] | None = None, zoom_to_points: bool = False
) -> MapSummary:
    """What :func:`build_map` draws for the same arguments (mode, counts, symbol meaning, caption).

    Cheap in points and empty modes; in aggregated mode it computes the cells (as build_map does).
    """
    plan = _plan(frame, point_limit, bbox)
    cells = {res: len(t) for res, t in _agg_cells(frame, plan).items()} if plan.mode == "aggregated" and plan.aggregated.any() else {}
    symbol, caption = _texts(plan, point_limit, zoom_to_points, cells)
    return MapSummary(
        mode=plan.mode,
        incidents=len(frame),
        points=int(plan.points.sum()),
        aggregated=int(plan.aggregated.sum()),
        not_placed=plan.not_placed,
        point_limit=point_limit,
        resolutions=tuple(sorted(cells)),
        cells=MappingProxyType(dict(sorted(cells.items()))),
        bbox=plan.bbox,
        symbol=symbol,
        caption=caption,
    )


# ---------------------------------------------------------------------------------------------
# Payload
# ---------------------------------------------------------------------------------------------


def _encode(values: list) -> dict:
    """A column as ``{"v": values}`` or, when values repeat, ``{"d": distinct, "i": codes}``."""
    index: dict = {}
    codes = [index.setdefault(v, len(index)) for v in values]
    if len(index) * 2 <= len(values):
        return {"d": list(index), "i": codes}
    return {"v": values}


_STYLE_KEYS = ("kind", "radius", "color", "weight", "fillColor", "fillOpacity", "dashArray", "halo")


def _points_payload(frame: pd.DataFrame, group_sizes: Mapping[str, int]) -> dict:
    """Coordinates, a style table, and dictionary-encoded popup columns of ``frame``'s rows."""
    killed = size_casualties(frame)

    def plain(series: pd.Series) -> list:
        return [None if _is_na(v) else v for v in series.astype(object).tolist()]

    combos: dict[tuple, int] = {}
    keys = zip(plain(frame["event_type"]), plain(killed), plain(frame["geo_precision"]), plain(frame["claim_status"]))
    style_codes = np.array([combos.setdefault(k, len(combos)) for k in keys], dtype=np.int64)
    styles = [marker_style(*combo) for combo in combos]
    # Draw order: areas first, then big circles under small ones; ties keep the frame's order.
    kind_rank = np.array([0 if s["kind"] == "area" else 1 for s in styles])[style_codes]
    radius = np.array([s["radius"] if s["kind"] == "marker" else 0 for s in styles], dtype=float)[style_codes]
    order = np.lexsort((np.arange(len(frame)), -radius, kind_rank))
    frame = frame.iloc[order]
    style_codes = style_codes[order]
    lat = np.round(frame["latitude"].to_numpy(dtype=float) * 1e5).astype(np.int64).tolist()
    lon = np.round(frame["longitude"].to_numpy(dtype=float) * 1e5).astype(np.int64).tolist()

    def build(notes_cap: int, quote_cap: int, outlet_cap: int, url_cap: int, max_sources: int) -> dict:
        records = popup_records(
            frame, notes_cap=notes_cap, quote_cap=quote_cap, max_sources=max_sources,
            outlet_cap=outlet_cap, url_cap=url_cap, group_sizes=group_sizes,
        )
        cols = {}
        for name in ("id", "title", "event_type", "date", "place", "place_short", "precision", "killed", "injured", "status", "actors", "notes"):
            cols[name] = _encode([r[name] for r in records])
        cols["sources"] = {"v": [r["sources"] for r in records]}
        cols["shortened"] = _encode([1 if r["shortened"] else 0 for r in records])
        return {
            "lat": lat,
            "lon": lon,
            "style": style_codes.tolist(),
            "styles": [[s[k] for k in _STYLE_KEYS] for s in styles],
            "cols": cols,
        }

    for caps in TEXT_CAPS:
        payload = build(*caps)
        if len(js_json(payload).encode()) <= POINT_PAYLOAD_BUDGET:
            break
    return payload


def legend_entries(frame: pd.DataFrame, *, point_limit: int = POINT_LIMIT, bbox: Sequence[float] | None = None) -> list[dict]:
    """Legend lines for what the map draws: ``{"label", "swatch": {css}}`` (event types present,
    then the symbol keys used: sizes, unknown, claimed, disputed, near, region-level; or hexagon
    classes)."""
    plan = _plan(frame, point_limit, bbox)
    return _legend(frame, plan)


def _swatch(
    fill: str = "transparent", border: str = "1px solid #1a1a1a", size: int = 12, radius: str = "50%", opacity: float = 1.0, shadow: str = ""
) -> dict:
    css = {
        "background": fill,
        "border": border,
        "width": f"{size}px",
        "height": f"{size}px",
        "borderRadius": radius,
        "opacity": str(opacity),
    }
    if shadow:
        css["boxShadow"] = shadow
    return css


def _legend(frame: pd.DataFrame, plan: _Plan) -> list[dict]:
    entries: list[dict] = []
    if plan.mode == "empty":
        return entries
    if plan.points.any():
        pts = frame[plan.points]
        present = set(pts["event_type"].dropna().unique().tolist())
        for name, color in EVENT_TYPE_COLORS.items():
            if name in present:
                entries.append({"label": name, "swatch": _swatch(color)})
        if present - set(EVENT_TYPE_COLORS):
            entries.append({"label": "Other event type", "swatch": _swatch(OTHER_COLOR)})
        killed = size_casualties(pts)
        prec = pts["geo_precision"]
        status = pts["claim_status"]
        grey = "#bbbbbb"
        entries.append({"label": "Size: people killed (0, 1, 10, 50)", "swatch": None, "sizes": [2 * marker_radius(v) for v in (0, 1, 10, 50)]})
        if killed.isna().any():
            entries.append({"label": "Hollow: killed unknown (not zero)", "swatch": _swatch("transparent", "2.5px solid #555555")})
        if (status == "claimed").any():
            entries.append({"label": "Dashed outline: claimed, not confirmed", "swatch": _swatch(grey, "2px dashed #1a1a1a")})
        if (status == "disputed").any():
            entries.append({"label": "Dotted outline: disputed", "swatch": _swatch(grey, "2px dotted #1a1a1a")})
        if (prec == 2).any():
            entries.append({"label": "Ring: near the town, not in it", "swatch": _swatch(grey, "1px solid #1a1a1a", shadow="0 0 0 3px #ffffff, 0 0 0 4px #555555")})
        if (prec == 3).any():
            entries.append({"label": "Translucent area: region-level, not a town", "swatch": _swatch(grey, "1.5px solid #555555", size=16, opacity=0.6)})
    if plan.aggregated.any():
        for i, (low, color) in enumerate(CELL_CLASSES):
            high = CELL_CLASSES[i + 1][0] - 1 if i + 1 < len(CELL_CLASSES) else None
            label = f"{low:,}–{high:,} incidents" if high and high != low else (f"{low:,} incident" if high == low else f"{low:,}+ incidents")
            if low == 1 and high:
                label = f"1–{high:,} incidents"
            entries.append({"label": "Hexagon: " + label, "swatch": _swatch(color, "1px solid #555555", radius="2px", opacity=0.8)})
        if plan.points.any():
            entries.append({"label": "Outlined area: incidents drawn one by one", "swatch": _swatch("transparent", "2px dashed #333333", radius="0")})
    return entries


# ---------------------------------------------------------------------------------------------
# Browser side
# ---------------------------------------------------------------------------------------------

_LAYER_JS = r"""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (map) {
  "use strict";
  var D = {{ this.payload }};
  var group = L.featureGroup();
  var renderer = L.canvas({padding: 0.5});
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function safeUrl(u) {
    if (typeof u !== "string") { return null; }
    try {
      var p = new URL(u);
      if ((p.protocol === "http:" || p.protocol === "https:") && p.hostname) { return p.href; }
    } catch (err) {}
    return null;
  }
  function row(box, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var r = el("div", null, "im-row");
    r.appendChild(el("b", label + ": "));
    r.appendChild(document.createTextNode(String(value)));
    box.appendChild(r);
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function popupAt(latlng, node) {
    L.popup({maxWidth: 360, maxHeight: 340, autoPanPadding: [16, 16]})
      .setLatLng(latlng).setContent(node).openOn(map);
  }
  function tipNode(parts) {
    var t = el("div", null, "im-tip");
    parts.forEach(function (p) { if (p) { t.appendChild(el("div", p)); } });
    return t;
  }

  /* ---- incidents drawn one by one ---- */
  var P = D.points;
  function col(name, i) {
    var c = P.cols[name];
    if (!c) { return null; }
    return c.d ? c.d[c.i[i]] : c.v[i];
  }
  function incidentPopup(i) {
    var box = el("div", null, "im-popup");
    box.appendChild(el("div", col("title", i), "im-title"));
    row(box, "Date", col("date", i));
    row(box, "Place", col("place", i));
    row(box, "Location", col("precision", i));
    box.appendChild(el("b", "Casualties:"));
    var cas = el("ul", null, "im-list");
    cas.appendChild(el("li", col("killed", i)));
    cas.appendChild(el("li", col("injured", i)));
    box.appendChild(cas);
    row(box, "Status", col("status", i));
    row(box, "Actors", col("actors", i));
    var src = col("sources", i) || [];
    if (src.length) {
      box.appendChild(el("b", "Sources:"));
      var ul = el("ul", null, "im-list im-sources");
      src.forEach(function (s) {
        var li = el("li");
        var href = safeUrl(s[1]);
        var label = s[0] || (href ? new URL(href).hostname : "source");
        if (href) {
          var a = el("a", label);
          a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer nofollow";
          li.appendChild(a);
        } else {
          li.appendChild(document.createTextNode(label));
          if (s[2]) { li.appendChild(document.createTextNode(" (" + s[2] + ")")); }
        }
        if (s[3]) { li.appendChild(document.createTextNode(" · " + s[3])); }
        if (s[4]) { li.appendChild(el("q", s[4])); }
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    var notes = col("notes", i);
    if (notes) { box.appendChild(el("p", notes, "im-notes")); }
    if (col("shortened", i)) { box.appendChild(el("div", "Text shortened on the map; the table and exports have it in full.", "im-small")); }
    box.appendChild(el("div", "Event " + col("id", i), "im-small"));
    return box;
  }
  if (P) {
    var pointsGroup = L.featureGroup();
    var S = P.styles.map(function (s) {
      return {kind: s[0], radius: s[1], color: s[2], weight: s[3], fillColor: s[4],
              fillOpacity: s[5], dashArray: s[6], halo: s[7]};
    });
    for (var i = 0; i < P.lat.length; i++) {
      var s = S[P.style[i]];
      var ll = L.latLng(P.lat[i] / 1e5, P.lon[i] / 1e5);
      var opts = {renderer: renderer, color: s.color, weight: s.weight, fillColor: s.fillColor,
                  fillOpacity: s.fillOpacity, fill: true, dashArray: s.dashArray, radius: s.radius};
      if (s.halo) {
        pointsGroup.addLayer(L.circleMarker(ll, {renderer: renderer, radius: s.radius + 4, weight: 1,
          color: "#555555", opacity: 0.8, fill: false, interactive: false}));
      }
      var m = s.kind === "area" ? L.circle(ll, opts) : L.circleMarker(ll, opts);
      m._imIndex = i;
      pointsGroup.addLayer(m);
    }
    pointsGroup.on("click", function (e) {
      var i = e.layer._imIndex;
      if (i === undefined) { return; }
      popupAt(e.layer.getLatLng(), incidentPopup(i));
    });
    pointsGroup.on("mouseover", function (e) {
      var m = e.layer, i = m._imIndex;
      if (i === undefined || m.getTooltip()) { return; }
      m.bindTooltip(tipNode([col("date", i), col("place_short", i), col("event_type", i)]), {sticky: true});
      m.openTooltip(e.latlng);
    });
    group.addLayer(pointsGroup);
  }
  if (D.box) {
    group.addLayer(L.rectangle([[D.box[0], D.box[1]], [D.box[2], D.box[3]]],
      {renderer: renderer, color: "#333333", weight: 2, dashArray: "8 6", fill: false, interactive: false}));
  }

  /* ---- hexagon aggregates ---- */
  var H = D.hex;
  if (H && H.levels.length) {
    var cellsGroup = L.featureGroup();
    var cache = {};
    function classColor(n) {
      var c = H.classes[0][1];
      H.classes.forEach(function (k) { if (n >= k[0]) { c = k[1]; } });
      return c;
    }
    function figure(lv, j, name) {
      var best = lv[name][j], lo = lv[name + "_low"][j], hi = lv[name + "_high"][j], unk = lv[name + "_unknown"][j];
      var t = fmt(best);
      if (lo !== best || hi !== best) { t += " (" + fmt(lo) + "–" + fmt(hi) + ")"; }
      if (unk) { t += "; unknown for " + fmt(unk) + " incident" + (unk === 1 ? "" : "s"); }
      return t;
    }
    function cellPopup(lv, j) {
      var box = el("div", null, "im-popup");
      var n = lv.incidents[j];
      box.appendChild(el("div", fmt(n) + " incident" + (n === 1 ? "" : "s") + " in this hexagon", "im-title"));
      row(box, "Killed", figure(lv, j, "killed"));
      row(box, "Injured", figure(lv, j, "injured"));
      row(box, "Claimed or disputed, not confirmed", fmt(lv.unconfirmed[j]));
      box.appendChild(el("p", H.note, "im-notes"));
      box.appendChild(el("div", "Hexagon about " + lv.km + " km across (H3 resolution " + lv.res + ").", "im-small"));
      return box;
    }
    function cell(li, j) {
      var key = li + ":" + j;
      if (cache[key]) { return cache[key]; }
      var lv = H.levels[li], clat = lv.lat[j], clon = lv.lon[j], pts = [];
      for (var k = 0; k < 6; k++) {
        pts.push([(clat + lv.v[j * 12 + 2 * k]) / 1e4, (clon + lv.v[j * 12 + 2 * k + 1]) / 1e4]);
      }
      var p = L.polygon(pts, {renderer: renderer, color: "#555555", weight: 0.6, opacity: 0.9,
                              fillColor: classColor(lv.incidents[j]), fillOpacity: 0.65});
      p._imCell = [li, j];
      cache[key] = p;
      return p;
    }
    function levelFor(z) {
      var best = 0;
      H.levels.forEach(function (lv, li) { if (z >= lv.minZoom) { best = li; } });
      return best;
    }
    function update() {
      var li = levelFor(map.getZoom()), lv = H.levels[li];
      var b = map.getBounds().pad(0.5);
      var s = b.getSouth(), n = b.getNorth(), w = b.getWest(), e = b.getEast();
      cellsGroup.clearLayers();
      for (var j = 0; j < lv.lat.length; j++) {
        var la = lv.lat[j] / 1e4, lo = lv.lon[j] / 1e4;
        if (la >= s && la <= n && lo >= w && lo <= e) { cellsGroup.addLayer(cell(li, j)); }
      }
    }
    cellsGroup.on("click", function (e) {
      var c = e.layer._imCell;
      if (!c) { return; }
      popupAt(e.latlng, cellPopup(H.levels[c[0]], c[1]));
    });
    cellsGroup.on("mouseover", function (e) {
      var p = e.layer, c = p._imCell;
      if (!c || p.getTooltip()) { return; }
      var lv = H.levels[c[0]], n = lv.incidents[c[1]];
      p.bindTooltip(tipNode([fmt(n) + " incident" + (n === 1 ? "" : "s"), fmt(lv.killed[c[1]]) + " killed (known figures)"]), {sticky: true});
      p.openTooltip(e.latlng);
    });
    map.on("zoomend moveend", update);
    map.whenReady(update);
    group.addLayer(cellsGroup);
    cellsGroup.bringToBack();
  }
  return group;
})({{ this._parent.get_name() }});
{% endmacro %}
"""

_STYLE_CSS = """
{% macro header(this, kwargs) %}
<style>
.im-popup { font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 340px; }
.im-popup .im-title { font-weight: 600; margin-bottom: 4px; }
.im-popup .im-row { margin: 1px 0; }
.im-popup .im-list { margin: 2px 0 4px 16px; padding: 0; }
.im-popup .im-sources q { display: block; font-style: italic; color: #444; }
.im-popup .im-notes { margin: 4px 0; }
.im-popup .im-small, .im-legend .im-small { color: #666; font-size: 11px; }
.im-tip { font: 12px/1.3 system-ui, sans-serif; }
.im-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 system-ui, sans-serif; max-width: 260px; }
.im-legend summary { font-weight: 600; cursor: pointer; }
.im-legend .im-item { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.im-legend .im-sw { flex: 0 0 auto; box-sizing: border-box; display: inline-block; }
.im-legend .im-sizes { display: flex; align-items: center; gap: 3px; }
</style>
{% endmacro %}
"""


class IncidentsLayer(Layer):
    """The incidents as one Leaflet feature group built in the browser from a JSON payload."""

    _template = Template(_LAYER_JS + _STYLE_CSS)

    def __init__(self, payload: dict, name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentsLayer"
        self.payload = js_json(payload)


class MapLegend(MacroElement):
    """A collapsible legend control (bottom right) built with textContent from a JSON spec."""

    _template = Template(
        r"""
{% macro script(this, kwargs) %}
(function (map) {
  "use strict";
  var spec = {{ this.spec }};
  var ctl = L.control({position: "bottomright"});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "im-legend");
    var det = document.createElement("details");
    det.open = true;
    var sum = document.createElement("summary");
    sum.textContent = spec.title;
    det.appendChild(sum);
    spec.entries.forEach(function (e) {
      var item = document.createElement("div");
      item.className = "im-item";
      if (e.sizes) {
        var sizes = document.createElement("span");
        sizes.className = "im-sizes";
        e.sizes.forEach(function (d) {
          var c = document.createElement("span");
          c.className = "im-sw";
          Object.assign(c.style, {width: d + "px", height: d + "px", borderRadius: "50%",
                                  background: "#bbbbbb", border: "1px solid #1a1a1a"});
          sizes.appendChild(c);
        });
        item.appendChild(sizes);
      } else if (e.swatch) {
        var sw = document.createElement("span");
        sw.className = "im-sw";
        Object.keys(e.swatch).forEach(function (k) { sw.style[k] = e.swatch[k]; });
        item.appendChild(sw);
      }
      var label = document.createElement("span");
      label.textContent = e.label;
      item.appendChild(label);
      det.appendChild(item);
    });
    if (spec.note) {
      var note = document.createElement("div");
      note.className = "im-small";
      note.textContent = spec.note;
      det.appendChild(note);
    }
    div.appendChild(det);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, title: str, entries: list[dict], note: str = ""):
        super().__init__()
        self._name = "MapLegend"
        self.spec = js_json({"title": title, "entries": entries, "note": note})


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


def _bounds(frame: pd.DataFrame, mask: np.ndarray, areas: bool) -> list[list[float]]:
    lat = frame["latitude"].to_numpy(dtype=float)[mask]
    lon = frame["longitude"].to_numpy(dtype=float)[mask]
    pad = 0.3 if areas else 0.0  # region areas are ~30 km around their point
    return [[float(lat.min()) - pad, float(lon.min()) - pad], [float(lat.max()) + pad, float(lon.max()) + pad]]


def build_map(
    frame: pd.DataFrame,
    *,
    basemap: str = "CartoDB Positron",
    point_limit: int = POINT_LIMIT,
    bbox: Sequence[float] | None = None,
    zoom_to_points: bool = False,
    height: str | int = "100%",
) -> folium.Map:
    """The incidents of ``frame`` (a typed incidents frame with ``group_*`` columns) on a map.

    Up to ``point_limit`` incidents: one circle each (see :func:`marker_style`), popups on
    click, tooltips on hover. More: H3 hexagon counts; if ``bbox`` = ``(south, west, north,
    east)`` (e.g. :func:`snap_bbox` of st_folium's last ``bounds``) holds at most
    ``point_limit`` incidents, those are drawn one by one inside an outlined box and the rest
    counted in hexagons. ``zoom_to_points`` says the app re-renders with ``bbox`` on zoom, so
    popups may say "zoom in". Empty frame: no data layer, default view of Ukraine and western
    Russia. ``basemap`` is the base layer shown first (all of :data:`BASEMAPS` are offered).
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    plan = _plan(frame, point_limit, bbox)
    any_shared = bool(frame["casualty_group"].notna().any()) if len(frame) else False
    payload: dict = {"points": None, "hex": None, "box": None}
    cells: dict[int, int] = {}
    if plan.points.any():
        group_sizes = frame["casualty_group"].value_counts().to_dict()
        payload["points"] = _points_payload(frame[plan.points], group_sizes)
    if plan.aggregated.any():
        tables = _agg_cells(frame, plan)
        cells = {res: len(t) for res, t in tables.items()}
        payload["hex"] = {
            "levels": [_cell_payload(t, res) for res, t in sorted(tables.items())],
            "classes": [list(c) for c in CELL_CLASSES],
            "note": _hex_note(point_limit, zoom_to_points, any_shared),
        }
    if plan.mode == "aggregated" and plan.points.any() and plan.bbox is not None:
        payload["box"] = list(plan.bbox)

    if plan.mode == "empty":
        fit = [list(DEFAULT_BOUNDS[0]), list(DEFAULT_BOUNDS[1])]
    elif payload["box"]:
        s, w, n, e = payload["box"]
        fit = [[s, w], [n, e]]
    else:
        mask = plan.points | plan.aggregated
        fit = _bounds(frame, mask, bool((frame["geo_precision"].to_numpy(dtype=float, na_value=np.nan)[mask] == 3).any()))
    symbol, caption = _texts(plan, point_limit, zoom_to_points, cells)
    legend = _legend(frame, plan)
    tiles = {name: basemap_url(name) for name in BASEMAPS}

    digest = hashlib.sha256(
        js_json({"payload": payload, "fit": fit, "legend": legend, "basemap": basemap, "tiles": tiles, "height": str(height)}).encode()
    ).hexdigest()

    def ident(role: str) -> str:
        return hashlib.sha256(f"{digest}:{role}".encode()).hexdigest()[:32]

    center = [(fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=5, tiles=None, prefer_canvas=True, control_scale=True, height=height)
    m._id = ident("map")
    for name, base in BASEMAPS.items():
        layer = folium.TileLayer(
            tiles=tiles[name],
            attr=base.attribution,
            name=name,
            max_zoom=base.max_zoom,
            subdomains=base.subdomains,
            overlay=False,
            control=True,
            show=name == basemap,
        )
        layer._id = ident("tiles:" + name)
        layer.add_to(m)
    if plan.mode != "empty":
        layer = IncidentsLayer(payload, name="Incidents" if plan.mode == "points" else "Incidents (hexagon counts)")
        layer._id = ident("incidents")
        layer.add_to(m)
        title = "Incidents" if plan.mode == "points" else "Incident counts"
        note = "Click a symbol for details." if plan.mode == "points" else "Click a hexagon for its totals."
        legend_el = MapLegend(title, legend, note)
        legend_el._id = ident("legend")
        legend_el.add_to(m)
    control = folium.LayerControl(collapsed=True)
    control._id = ident("layers")
    control.add_to(m)
    fb = FitBounds(fit, padding=(24, 24), max_zoom=10)
    fb._id = ident("fit")
    fb.add_to(m)
    return m
