"""The incident map: one canvas data layer, hexagon aggregates at scale, a legend, base layers.

``build_map(frame)`` returns a :class:`folium.Map`; ``map_summary(frame)`` says what it draws
(the app shows it as a caption); ``render_map(frame)`` returns both (:class:`MapResult`) from one
computation, with the data layer apart from the map (``base_map()``, the same for every
selection), so a page can keep one map and swap its layer. The design, its limits and the
numbers are in ``docs/map.md``.

* Up to :data:`POINT_LIMIT` incidents, each incident is one circle, drawn by a small script of
  ours on a Leaflet canvas from a compact, dictionary-encoded JSON payload: no folium marker
  per incident. Popups and tooltips are built on demand in the browser from the payload with
  ``textContent``, never from HTML strings.
* Above it, incidents are counted in H3 hexagons at resolutions 3 to 6, all embedded at once;
  the browser picks the resolution for the zoom level and draws only the cells in view. A cell's
  popup gives counts and casualty sums, with a shared figure counted once
  (:func:`incidents.totals.counted_casualties`). With ``bbox`` (the view the app last saw), the
  incidents inside it are drawn one by one when there are at most ``point_limit`` of them.
* Everything the browser receives from records goes through :func:`dashboard.safe.js_json`.
* Identical input gives an identical page: the base map's element ids are fixed and the
  layer's derive from a digest of its payload, so streamlit-folium keeps the map in the browser
  and re-evaluates the layer only when the data change.

Modules: :mod:`.basemaps` (base layers, tile URL overrides), :mod:`.style` (colours, symbol
styles and sizes, hexagon classes, legend entries), :mod:`.popups` (popup and tooltip texts),
:mod:`.aggregate` (H3 cells), :mod:`.plan` (points or hexagons, view boxes), :mod:`.payload`
(the JSON the browser receives), :mod:`.layer` (the Leaflet layer and legend; their
JavaScript and CSS are package data in ``static/``) and :mod:`.build` (the map and its summary).
"""

from __future__ import annotations

# The names the page (app.py, dashboard.views) and the benchmarks use; the rest lives in the
# modules above (tests import it from there).
from .build import (
    MapResult,
    MapSummary,
    add_base_layers,
    base_map,
    build_map,
    layer_control,
    map_summary,
    render_map,
)
from .plan import POINT_LIMIT, snap_bbox
from .style import EVENT_TYPE_COLORS, OTHER_COLOR

__all__ = [
    "EVENT_TYPE_COLORS",
    "OTHER_COLOR",
    "POINT_LIMIT",
    "MapResult",
    "MapSummary",
    "add_base_layers",
    "base_map",
    "build_map",
    "layer_control",
    "map_summary",
    "render_map",
    "snap_bbox",
]
