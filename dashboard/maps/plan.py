"""Planning: what a frame becomes on the map (points, hexagons, or both around a view box)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["POINT_LIMIT", "Plan", "make_plan", "snap_bbox"]

#: Above this many incidents (in the frame, or in ``bbox`` when given) the map draws hexagons.
POINT_LIMIT = 5000


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


def placed_mask(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Rows with usable coordinates (finite, on the globe): the rows a map can show."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    return np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)


#: geo_precision of incidents known only by their country or a sea area: not drawn as a place.
COUNTRY_PRECISION = 4


def _placed(frame: pd.DataFrame) -> np.ndarray:
    """Rows the map can show: usable coordinates that stand for a place (not a whole country)."""
    placed = placed_mask(
        frame["latitude"].to_numpy(dtype=float, na_value=np.nan),
        frame["longitude"].to_numpy(dtype=float, na_value=np.nan),
    )
    if "geo_precision" in frame.columns:
        precision = frame["geo_precision"].to_numpy(dtype=float, na_value=np.nan)
        placed &= precision != COUNTRY_PRECISION
    return placed


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
class Plan:
    """Which rows of a frame are drawn one by one and which are counted in hexagons."""

    mode: str  # "points", "aggregated" or "empty"
    points: np.ndarray  # bool mask over frame rows
    aggregated: np.ndarray
    not_placed: int
    bbox: tuple[float, float, float, float] | None


def make_plan(frame: pd.DataFrame, point_limit: int, bbox: Sequence[float] | None) -> Plan:
    """What ``frame`` becomes on the map for ``point_limit`` and the view box ``bbox``."""
    n = len(frame)
    placed = _placed(frame) if n else np.zeros(0, dtype=bool)
    box: tuple[float, float, float, float] | None = None
    if bbox is not None:
        s, w, north, e = (float(v) for v in bbox)
        box = (s, w, north, e)
    none = np.zeros(n, dtype=bool)
    count = int(placed.sum())
    if count == 0:
        return Plan("empty", none, none, n - count, box)
    if count <= point_limit:
        return Plan("points", placed, none, n - count, box)
    if box is not None:
        inside = placed & _in_bbox(frame, box)
        if 0 < inside.sum() <= point_limit:
            return Plan("aggregated", inside, placed & ~inside, n - count, box)
    return Plan("aggregated", none, placed, n - count, None)
