"""The map: :func:`render_map` (a :class:`folium.Map` and what it draws, :class:`MapResult`),
:func:`build_map` (the map alone) and :func:`map_summary` (what it draws, without the map)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import folium
import numpy as np
import pandas as pd
from folium.map import FitBounds

from ..safe import js_json
from .aggregate import CELL_LIMIT, embedded_cells
from .basemaps import BASEMAPS, basemap_url
from .layer import IncidentsLayer, IncidentsStyle
from .payload import cell_payload, points_payload
from .plan import POINT_LIMIT, Plan, make_plan
from .popups import group_counts
from .style import CELL_CLASSES, plan_legend

__all__ = [
    "DEFAULT_BOUNDS",
    "MapResult",
    "MapSummary",
    "base_map",
    "build_map",
    "layer_control",
    "map_summary",
    "render_map",
]

#: ((south, west), (north, east)) of the default view: Ukraine and western Russia.
DEFAULT_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((44.0, 22.0), (56.5, 45.0))


@dataclass(frozen=True)
class MapSummary:
    """What the map shows, for a caption under it."""

    mode: str  # "points", "aggregated" or "empty"
    incidents: int  # rows of the frame
    points: int  # incidents drawn one by one
    aggregated: int  # incidents counted in hexagons
    not_placed: int  # rows without usable coordinates or known only by country (not drawn)
    point_limit: int
    resolutions: tuple[int, ...] = ()  # H3 resolutions embedded
    cells: Mapping[int, int] = field(default_factory=dict)  # cells per embedded resolution
    bbox: tuple[float, float, float, float] | None = None
    symbol: str = ""  # what one symbol stands for
    caption: str = ""  # one or two sentences for the app


def _hex_note(point_limit: int, zoom_to_points: bool, any_shared: bool) -> str:
    note = f"Individual incidents are drawn when at most {point_limit:,} are selected" + (
        " or in view: zoom in or narrow the filters to see them."
        if zoom_to_points
        else ": narrow the filters (dates, types, region) to see them."
    )
    if any_shared:
        note += " A casualty figure shared by several incidents is counted once, in the hexagon of one of them."
    return note


def _texts(
    plan: Plan, point_limit: int, zoom_to_points: bool, cells: Mapping[int, int]
) -> tuple[str, str]:
    points, agg = int(plan.points.sum()), int(plan.aggregated.sum())
    circle = "one circle per incident: colour = event type, size = people killed (hollow = unknown), dashed outline = claimed, not confirmed"
    if plan.mode == "empty":
        return "", "No incidents to map."
    if plan.mode == "points":
        caption = f"{points:,} incident{'s' if points != 1 else ''} on the map, {circle}."
        symbol = (
            circle[0].upper()
            + circle[1:]
            + "; dotted = disputed; ring = near a town; translucent area = region-level location."
        )
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
        caption += f" {plan.not_placed:,} incident{'s' if plan.not_placed != 1 else ''} without usable coordinates or known only by country not shown."
    return symbol, caption


def map_summary(
    frame: pd.DataFrame,
    *,
    point_limit: int = POINT_LIMIT,
    bbox: Sequence[float] | None = None,
    zoom_to_points: bool = False,
) -> MapSummary:
    """What :func:`build_map` draws for the same arguments (mode, counts, symbol meaning, caption).

    Cheap in points and empty modes; in aggregated mode it computes the cells (as build_map does).
    To get the map and its summary, call :func:`render_map`: it computes the cells once.
    """
    plan = make_plan(frame, point_limit, bbox)
    cells = (
        {res: len(t) for res, t in embedded_cells(frame, plan).items()}
        if plan.mode == "aggregated" and plan.aggregated.any()
        else {}
    )
    return _summary(frame, plan, point_limit, zoom_to_points, cells)


def _summary(
    frame: pd.DataFrame,
    plan: Plan,
    point_limit: int,
    zoom_to_points: bool,
    cells: Mapping[int, int],
) -> MapSummary:
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


@dataclass(frozen=True)
class MapResult:
    """What :func:`render_map` computed: the data layer, what it draws, and the base map's
    options. ``layer`` is None when nothing is drawn (``summary.mode == "empty"``).

    ``map`` is a complete, self-contained :class:`folium.Map` (base map, layer, layer control);
    a page that keeps one map and swaps its data takes :func:`base_map`, ``layer`` and
    :func:`layer_control` apart (the app: ``st_folium(base_map(), feature_group_to_add=layer,
    layer_control=layer_control())``). The layer is shared: hand out copies
    (:meth:`layer_copy`), as folium and streamlit-folium rename what they render.
    """

    layer: IncidentsLayer | None
    summary: MapSummary
    basemap: str = "CartoDB Positron"
    height: str | int = "100%"

    def layer_copy(self) -> IncidentsLayer | None:
        return copy.deepcopy(self.layer)

    @property
    def map(self) -> folium.Map:
        m = base_map(basemap=self.basemap, height=self.height)
        layer = self.layer_copy()
        if layer is not None:
            layer.add_to(m)
        layer_control().add_to(m)
        return m


def _ident(role: str) -> str:
    return hashlib.sha256(f"incidents-map:{role}".encode()).hexdigest()[:32]


def base_map(*, basemap: str = "CartoDB Positron", height: str | int = "100%") -> folium.Map:
    """The map without incidents: every base layer of :data:`BASEMAPS` (``basemap`` shown
    first), the scale, the incidents' style sheet, and the default view (:data:`DEFAULT_BOUNDS`).

    Identical for every selection (fixed element ids), so streamlit-folium keeps the one
    already in the browser and only swaps the data layer.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    (s, w), (n, e) = DEFAULT_BOUNDS
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=5,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        height=height,
    )
    m._id = _ident("map")
    for name, base in BASEMAPS.items():
        layer = folium.TileLayer(
            tiles=basemap_url(name),
            attr=base.attribution,
            name=name,
            max_zoom=base.max_zoom,
            subdomains=base.subdomains,
            overlay=False,
            control=True,
            show=name == basemap,
        )
        layer._id = _ident("tiles:" + name)
        layer.add_to(m)
    style = IncidentsStyle()
    style._id = _ident("style")
    style.add_to(m)
    fit = FitBounds(
        [list(DEFAULT_BOUNDS[0]), list(DEFAULT_BOUNDS[1])], padding=(24, 24), max_zoom=10
    )
    fit._id = _ident("fit")
    fit.add_to(m)
    return m


def layer_control() -> folium.LayerControl:
    """The layer control (base maps, the incidents on or off); add it after the layers."""
    control = folium.LayerControl(collapsed=True)
    control._id = _ident("layers")
    return control


def _bounds(frame: pd.DataFrame, mask: np.ndarray, areas: bool) -> list[list[float]]:
    lat = frame["latitude"].to_numpy(dtype=float)[mask]
    lon = frame["longitude"].to_numpy(dtype=float)[mask]
    pad = 0.3 if areas else 0.0  # region areas are ~30 km around their point
    return [
        [float(lat.min()) - pad, float(lon.min()) - pad],
        [float(lat.max()) + pad, float(lon.max()) + pad],
    ]


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

    The map of :func:`render_map`, which also returns its :class:`MapSummary`.
    """
    return render_map(
        frame,
        basemap=basemap,
        point_limit=point_limit,
        bbox=bbox,
        zoom_to_points=zoom_to_points,
        height=height,
    ).map


def render_map(
    frame: pd.DataFrame,
    *,
    basemap: str = "CartoDB Positron",
    point_limit: int = POINT_LIMIT,
    bbox: Sequence[float] | None = None,
    zoom_to_points: bool = False,
    height: str | int = "100%",
    cells: Mapping[int, pd.DataFrame] | None = None,
    points: pd.DataFrame | None = None,
) -> MapResult:
    """The map of :func:`build_map` and the :func:`map_summary` of the same arguments, from one
    computation: in aggregated mode the H3 cells are computed once, not once per function.

    For big frames the caller may hand in what it already has (the dashboard does, from
    :mod:`dashboard.views.columnar`): ``cells``, the :func:`aggregate_cells` of the rows the map
    counts in hexagons (the placed rows, or with ``bbox`` those outside it), and ``points``, the
    full rows of the incidents drawn one by one, in ``frame``'s order; ``frame`` itself then
    needs only ``latitude``, ``longitude``, ``geo_precision`` and ``casualty_group``."""
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    plan = make_plan(frame, point_limit, bbox)
    summary_cells: dict[int, int] = {}
    layer = None
    if plan.mode != "empty":
        if points is not None and len(points) != int(plan.points.sum()):
            raise ValueError(
                f"points holds {len(points)} rows; the map draws {int(plan.points.sum())} one by one"
            )
        payload, summary_cells = _payload(frame, plan, point_limit, zoom_to_points, cells, points)
        layer = IncidentsLayer(
            payload, name="Incidents" if plan.mode == "points" else "Incidents (hexagon counts)"
        )
        layer._id = hashlib.sha256(layer.payload.encode()).hexdigest()[:32]  # same data, same page
    return MapResult(
        layer, _summary(frame, plan, point_limit, zoom_to_points, summary_cells), basemap, height
    )


def _payload(
    frame: pd.DataFrame,
    plan: Plan,
    point_limit: int,
    zoom_to_points: bool,
    given: Mapping[int, pd.DataFrame] | None = None,
    points: pd.DataFrame | None = None,
) -> tuple[dict, dict[int, int]]:
    """The layer's JSON payload and the number of cells per embedded resolution."""
    any_shared = bool(frame["casualty_group"].notna().any()) if len(frame) else False
    payload: dict = {
        "points": None,
        "hex": None,
        "box": None,
        "legend": None,
        "fit": None,
        "reportView": False,
    }
    cells: dict[int, int] = {}
    if plan.points.any():
        group_sizes = group_counts(frame)
        payload["points"] = points_payload(
            frame[plan.points] if points is None else points, group_sizes
        )
    if plan.aggregated.any():
        tables = (
            embedded_cells(frame, plan)
            if given is None
            else {r: t for r, t in given.items() if len(t) <= CELL_LIMIT}
        )
        cells = {res: len(t) for res, t in tables.items()}
        payload["hex"] = {
            "levels": [cell_payload(t, res) for res, t in sorted(tables.items())],
            "classes": [list(c) for c in CELL_CLASSES],
            "note": _hex_note(point_limit, zoom_to_points, any_shared),
        }
    if plan.mode == "aggregated" and plan.points.any() and plan.bbox is not None:
        payload["box"] = list(plan.bbox)
    payload["reportView"] = plan.mode == "aggregated" and zoom_to_points  # the page redraws on zoom
    payload["legend"] = {
        "title": "Incidents" if plan.mode == "points" else "Incident counts",
        "entries": plan_legend(frame, plan, points),
        "note": "Click a symbol for details."
        if plan.mode == "points"
        else "Click a hexagon for its totals.",
    }
    # The view: a selection's layer fits its incidents the first time its key is shown on a map
    # (shown again, e.g. after zooming out of a box, it keeps the analyst's view). A box's layer
    # is drawn where the analyst already looks: its fit is "soft", used only on a map no layer
    # has fitted yet (a stand-alone page).
    if payload["box"] is None:
        mask = plan.points | plan.aggregated
        precision = frame["geo_precision"].to_numpy(dtype=float, na_value=np.nan)[mask]
        bounds, soft = _bounds(frame, mask, bool((precision == 3).any())), False
    else:
        s, w, n, e = payload["box"]
        bounds, soft = [[s, w], [n, e]], True
    key = hashlib.sha256(js_json(payload).encode()).hexdigest()[:16]
    payload["fit"] = {"key": key, "bounds": bounds, "soft": soft}
    return payload, cells
