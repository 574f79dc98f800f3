"""The map's view box: which points a view holds, which box the page draws one by one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..maps import snap_bbox

__all__ = ["in_bbox", "map_box"]


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


def map_box(
    view: Mapping[str, Any], active: tuple | None
) -> tuple[float, float, float, float] | None:
    """The box whose incidents are drawn one by one, for the last view the map reported.

    ``view`` is what st_folium returns (``bounds``, ``zoom``, ``center``); ``active`` is
    ``(box, zoom)`` of the box in use, or None. The box in use is kept while the view's centre
    stays inside it: a replaced map reports its initial view before it moves to the analyst's
    (without this rule the page would flip between two maps), and zooming out over an area
    keeps its incidents drawn. Otherwise the view snapped outward to a coarse grid
    (:func:`dashboard.maps.snap_bbox`), so small pans change nothing.
    """
    if not view.get("bounds"):
        return None
    center = view.get("center") or {}
    if active and "lat" in center and "lng" in center:
        box = active[0]
        if in_bbox(np.array([center["lat"]]), np.array([center["lng"]]), box)[0]:
            return box
    return snap_bbox(view["bounds"])
