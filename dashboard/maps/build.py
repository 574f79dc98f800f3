"""The map: :func:`render_map` (a :class:`folium.Map` and what it draws, :class:`MapResult`),
:func:`build_map` (the map alone) and :func:`map_summary` (what it draws, without the map)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import folium
import numpy as np
import pandas as pd
from folium.map import FitBounds

from ..assets import map_css, map_js
from ..safe import js_json
from .aggregate import CELL_LIMIT, CellIndex, cell_index, embedded_cells
from .basemaps import BASEMAPS, basemap_url
from .layer import IncidentsLayer
from .offline import OFFLINE, OfflineBaseMap, default_basemap
from .payload import CELL_SCALE, CELL_VERTICES, cell_payload, draw_order, points_payload
from .plan import POINT_LIMIT, Plan, make_plan
from .playback import RowTimes, level_codes, row_times, time_payload
from .popups import group_counts
from .regions import outline_bounds, region_outlines
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

#: Version of the layer's payload format (``static/payload.schema.json``).
PAYLOAD_VERSION = 2
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


def _check_basemap(basemap: str | None) -> str:
    if basemap is None:
        return default_basemap()
    if basemap != OFFLINE and basemap not in BASEMAPS:
        choices = ", ".join((*BASEMAPS, OFFLINE))
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {choices}")
    return basemap


def _ident(role: str) -> str:
    return hashlib.sha256(f"incidents-map:{role}".encode()).hexdigest()[:32]


def add_base_layers(m: folium.Map, *, basemap: str | None = None) -> folium.Map:
    """Give ``m`` the dashboard's own scripts and styles (:mod:`dashboard.assets`: Leaflet and
    the offline base map, no CDN), every base layer of :data:`BASEMAPS` and the offline base
    map, ``basemap`` shown first (default :func:`default_basemap`). Returns ``m``."""
    basemap = _check_basemap(basemap)
    m.default_js = map_js()
    m.default_css = map_css()
    tiles = []
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
        tiles.append(layer.get_name())
    offline = OfflineBaseMap(tiles=tiles, show=basemap == OFFLINE)
    offline._id = _ident("offline")
    offline.add_to(m)
    return m


def base_map(*, basemap: str | None = None, height: str | int = "100%") -> folium.Map:
    """The map without incidents: every base layer of :data:`BASEMAPS` and the offline base
    map (``basemap`` shown first; default :func:`default_basemap`, i.e. ``MAP_BASEMAP`` or
    "CartoDB Positron"), the scale, the incidents' style sheet, and the default view
    (:data:`DEFAULT_BOUNDS`). Its scripts and styles are the dashboard's own
    (:mod:`dashboard.assets`): Leaflet and the offline base map, no CDN.

    Identical for every selection (fixed element ids), so streamlit-folium keeps the one
    already in the browser and only swaps the data layer.
    """
    basemap = _check_basemap(basemap)
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
    add_base_layers(m, basemap=basemap)
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
    basemap: str | None = None,
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
    Russia. ``basemap`` is the base layer shown first (all of :data:`BASEMAPS` and the offline
    map are offered; default :func:`default_basemap`).

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
    basemap: str | None = None,
    point_limit: int = POINT_LIMIT,
    bbox: Sequence[float] | None = None,
    zoom_to_points: bool = False,
    height: str | int = "100%",
    cells: Mapping[int, pd.DataFrame] | None = None,
    points: pd.DataFrame | None = None,
    times: RowTimes | None = None,
) -> MapResult:
    """The map of :func:`build_map` and the :func:`map_summary` of the same arguments, from one
    computation: in aggregated mode the H3 cells are computed once, not once per function.

    For big frames the caller may hand in what it already has (the dashboard does, from
    :mod:`dashboard.views.columnar`): ``cells``, the :func:`aggregate_cells` of the rows the map
    counts in hexagons (the placed rows, or with ``bbox`` those outside it), and ``points``, the
    full rows of the incidents drawn one by one, in ``frame``'s order; ``frame`` itself then
    needs only ``latitude``, ``longitude``, ``geo_precision`` and ``casualty_group``, and
    ``times`` (:class:`~dashboard.maps.playback.RowTimes` of ``frame``'s rows) gives what the
    time control plays; without it, it is computed from ``frame`` when it has the columns
    (none: no time control)."""
    basemap = _check_basemap(basemap)
    plan = make_plan(frame, point_limit, bbox)
    summary_cells: dict[int, int] = {}
    layer = None
    if plan.mode != "empty":
        if points is not None and len(points) != int(plan.points.sum()):
            raise ValueError(
                f"points holds {len(points)} rows; the map draws {int(plan.points.sum())} one by one"
            )
        payload, summary_cells = _payload(
            frame, plan, point_limit, zoom_to_points, cells, points, times
        )
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
    times: RowTimes | None = None,
) -> tuple[dict, dict[int, int]]:
    """The layer's JSON payload (``static/payload.schema.json``) and the number of cells per
    embedded resolution."""
    any_shared = bool(frame["casualty_group"].notna().any()) if len(frame) else False
    payload: dict = {
        "version": PAYLOAD_VERSION,
        "points": None,
        "hex": None,
        "box": None,
        "legend": None,
        "fit": None,
        "reportView": False,
        "time": None,
    }
    cells: dict[int, int] = {}
    point_rows: np.ndarray | None = None
    outlines: list[Mapping[str, Any] | None] = []
    if plan.points.any():
        group_sizes = group_counts(frame)
        rows = frame[plan.points] if points is None else points
        order = draw_order(rows)
        point_rows = np.flatnonzero(plan.points)[order]
        drawn = rows.iloc[order]
        outlines = region_outlines(drawn)
        payload["points"] = points_payload(drawn, group_sizes, regions=outlines)
    cell_rows: np.ndarray | None = None
    codes: list[np.ndarray] = []
    counts: list[int] = []
    index: CellIndex | None = None
    index_rows: np.ndarray | None = None
    if plan.aggregated.any():
        cell_rows = np.flatnonzero(plan.aggregated)
        if given is None:
            index = cell_index(
                frame["latitude"].to_numpy(dtype=float)[cell_rows],
                frame["longitude"].to_numpy(dtype=float)[cell_rows],
            )
            index_rows = np.arange(len(cell_rows))
            tables = embedded_cells(frame, plan, index)
        else:
            tables = {r: t for r, t in given.items() if len(t) <= CELL_LIMIT}
            index = times.cells if times is not None else None
            index_rows = (
                times.cell_rows[cell_rows]
                if times is not None and times.cell_rows is not None
                else None
            )
        cells = {res: len(t) for res, t in tables.items()}
        payload["hex"] = {
            "scale": CELL_SCALE,
            "vertices": CELL_VERTICES,
            "levels": [cell_payload(t, res) for res, t in sorted(tables.items())],
            "classes": [list(c) for c in CELL_CLASSES],
            "note": _hex_note(point_limit, zoom_to_points, any_shared),
        }
        if index is not None and index_rows is not None:
            for res, t in sorted(tables.items()):
                codes.append(level_codes(index, index_rows, res, t["cell"].to_numpy()))
                counts.append(len(t))
    if plan.mode == "aggregated" and plan.points.any() and plan.bbox is not None:
        payload["box"] = list(plan.bbox)
    payload["reportView"] = plan.mode == "aggregated" and zoom_to_points  # the page redraws on zoom
    payload["legend"] = {
        "title": "Incidents" if plan.mode == "points" else "Incident counts",
        "entries": plan_legend(frame, plan, points, outlined=any(o is not None for o in outlines)),
        "note": "Click a symbol for details."
        if plan.mode == "points"
        else "Click a hexagon for its totals.",
    }
    if times is None:
        times = row_times(frame)
    if times is not None:
        payload["time"] = time_payload(
            times,
            point_rows=point_rows,
            cell_codes=codes,
            cell_counts=counts,
            cell_rows=cell_rows if codes else None,
            any_shared=any_shared,
        )
    # The view: a selection's layer fits its incidents the first time its key is shown on a map
    # (shown again, e.g. after zooming out of a box, it keeps the analyst's view). A box's layer
    # is drawn where the analyst already looks: its fit is "soft", used only on a map no layer
    # has fitted yet (a stand-alone page).
    if payload["box"] is None:
        mask = plan.points | plan.aggregated
        precision = frame["geo_precision"].to_numpy(dtype=float, na_value=np.nan)[mask]
        bounds, soft = _bounds(frame, mask, bool((precision == 3).any())), False
        for outline in {id(o): o for o in outlines if o is not None}.values():
            s, w, n, e = outline_bounds(outline)
            bounds = [
                [min(bounds[0][0], s), min(bounds[0][1], w)],
                [max(bounds[1][0], n), max(bounds[1][1], e)],
            ]
    else:
        s, w, n, e = payload["box"]
        bounds, soft = [[s, w], [n, e]], True
    key = hashlib.sha256(js_json(payload).encode()).hexdigest()[:16]
    payload["fit"] = {"key": key, "bounds": bounds, "soft": soft}
    return payload, cells
