"""How incidents look: colours, symbol styles and sizes, hexagon classes, legend entries."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pandas as pd

from incidents.taxonomy import EVENT_TYPES

from ._common import is_na
from .plan import POINT_LIMIT, Plan, make_plan

__all__ = [
    "CELL_CLASSES",
    "EVENT_TYPE_COLORS",
    "MAX_RADIUS",
    "OTHER_COLOR",
    "REGION_RADIUS_M",
    "UNKNOWN_RADIUS",
    "ZERO_RADIUS",
    "cell_color",
    "legend_entries",
    "marker_radius",
    "marker_style",
    "plan_legend",
    "size_casualties",
]

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

_CLAIM_DASH = {"claimed": "6 4", "disputed": "1 4"}


def marker_radius(killed: Any) -> float:
    """Circle radius in pixels for ``killed`` people: area grows with the number; unknown is fixed."""
    if is_na(killed):
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
    * ``kind`` ``"area"``: region-level incident (geo_precision 3) drawn as its region's
      outline, filled (:mod:`.regions`), or when the region is unknown as a translucent area
      of :data:`REGION_RADIUS_M` metres around the regional capital; never as a town's dot;
      hollow if casualties are unknown;
    * ``halo``: geo_precision 2 ("near" the town) gets a thin ring around the circle;
    * claimed: dashed outline; disputed: dotted outline.
    """
    color = EVENT_TYPE_COLORS.get(event_type if isinstance(event_type, str) else "", OTHER_COLOR)
    unknown = is_na(killed)
    precision = None if is_na(geo_precision) else int(geo_precision)
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


def size_casualties(frame: pd.DataFrame) -> pd.Series:
    """Killed figure a symbol is sized by (Int64, NA = unknown): the incident's own, or for an
    incident of a casualty group the group's; best estimate, else low, else high."""
    grouped = frame["casualty_group"].notna()
    values = []
    for suffix in ("", "_low", "_high"):
        own = frame["fatalities" + suffix]
        name = "group_fatalities" + suffix
        values.append(own.where(~grouped, frame[name]) if name in frame.columns else own)
    out = values[0]
    for value in values[1:]:
        out = out.fillna(value)
    return out.astype("Int64")


def legend_entries(
    frame: pd.DataFrame, *, point_limit: int = POINT_LIMIT, bbox: Sequence[float] | None = None
) -> list[dict]:
    """Legend lines for what the map draws: ``{"label", "swatch": {css}}`` (event types present,
    then the symbol keys used: sizes, unknown, claimed, disputed, near, region-level; or hexagon
    classes)."""
    plan = make_plan(frame, point_limit, bbox)
    return plan_legend(frame, plan)


def _swatch(
    fill: str = "transparent",
    border: str = "1px solid #1a1a1a",
    size: int = 12,
    radius: str = "50%",
    opacity: float = 1.0,
    shadow: str = "",
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


def plan_legend(
    frame: pd.DataFrame,
    plan: Plan,
    points: pd.DataFrame | None = None,
    *,
    outlined: bool = False,
) -> list[dict]:
    """Legend lines of a plan (see :func:`legend_entries`); ``points``: the full rows of the
    plan's points when ``frame`` holds only coordinates (see :func:`render_map`);
    ``outlined``: some region-level incidents are drawn as their region's outline."""
    entries: list[dict] = []
    if plan.mode == "empty":
        return entries
    if plan.points.any():
        pts = frame[plan.points] if points is None else points
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
        entries.append(
            {
                "label": "Size: people killed (0, 1, 10, 50)",
                "swatch": None,
                "sizes": [2 * marker_radius(v) for v in (0, 1, 10, 50)],
            }
        )
        if killed.isna().any():
            entries.append(
                {
                    "label": "Hollow: killed unknown (not zero)",
                    "swatch": _swatch("transparent", "2.5px solid #555555"),
                }
            )
        if (status == "claimed").any():
            entries.append(
                {
                    "label": "Dashed outline: claimed, not confirmed",
                    "swatch": _swatch(grey, "2px dashed #1a1a1a"),
                }
            )
        if (status == "disputed").any():
            entries.append(
                {"label": "Dotted outline: disputed", "swatch": _swatch(grey, "2px dotted #1a1a1a")}
            )
        if (prec == 2).any():
            entries.append(
                {
                    "label": "Ring: near the town, not in it",
                    "swatch": _swatch(
                        grey, "1px solid #1a1a1a", shadow="0 0 0 3px #ffffff, 0 0 0 4px #555555"
                    ),
                }
            )
        if (prec == 3).any():
            entries.append(
                {
                    "label": (
                        "Shaded region: region-level, somewhere in it, not a town"
                        if outlined
                        else "Translucent area: region-level, not a town"
                    ),
                    "swatch": _swatch(grey, "1.5px solid #555555", size=16, opacity=0.6),
                }
            )
    if plan.aggregated.any():
        for i, (low, color) in enumerate(CELL_CLASSES):
            high = CELL_CLASSES[i + 1][0] - 1 if i + 1 < len(CELL_CLASSES) else None
            label = (
                f"{low:,}–{high:,} incidents"
                if high and high != low
                else (f"{low:,} incident" if high == low else f"{low:,}+ incidents")
            )
            if low == 1 and high:
                label = f"1–{high:,} incidents"
            entries.append(
                {
                    "label": "Hexagon: " + label,
                    "swatch": _swatch(color, "1px solid #555555", radius="2px", opacity=0.8),
                }
            )
        if plan.points.any():
            entries.append(
                {
                    "label": "Outlined area: incidents drawn one by one",
                    "swatch": _swatch("transparent", "2px dashed #333333", radius="0"),
                }
            )
    return entries
