"""Region-level incidents drawn as their region: outlines from :mod:`geodata.regions`.

An incident located only to a region (ACLED geo-precision 3) is drawn as the outline of that
region (a filled area), not as a circle around the regional capital, whenever the region is
known: by the record's ``admin1`` within its country (a name in any language, an ISO 3166-2
or GeoNames code), else by the polygon holding its point (the regional capital lies in its
region). When neither gives a region (a country whose regions we do not hold, an ambiguous
name) it keeps the circle.

Outlines are simplified to about 1 km for the map (a region's few hundred vertices become
about a hundred) and encoded once per region and process as the payload's ``region`` object
(``static/payload.schema.json``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon

from geodata.regions import Region, Regions
from incidents.countries import find_country

from ._common import is_na

__all__ = [
    "OUTLINE_TOLERANCE",
    "REGION_SCALE",
    "outline_bounds",
    "region_outlines",
    "region_payload",
]

#: Degrees an outline may move when simplified for the map (about 1 km).
OUTLINE_TOLERANCE = 0.01
#: Outline coordinates are integers: degrees x scale.
REGION_SCALE = 10_000


def _ring(coords: Any) -> list[int]:
    """A closed ring as [lat, lon] pairs in 1/:data:`REGION_SCALE` degrees, as deltas."""
    flat: list[int] = []
    for lon, lat in coords:
        flat.extend((round(lat * REGION_SCALE), round(lon * REGION_SCALE)))
    return flat[:2] + [flat[i] - flat[i - 2] for i in range(2, len(flat))]


@functools.cache
def region_payload(region: Region) -> Mapping[str, Any]:
    """The payload ``region`` object of ``region``: name, ISO 3166-2 code, simplified rings."""
    geom = region.geometry.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    rings: list[list[int]] = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty:
            continue
        rings.append(_ring(polygon.exterior.coords))
        rings.extend(_ring(hole.coords) for hole in polygon.interiors)
    return {
        "name": region.name_en or region.name,
        "code": region.iso_3166_2,
        "scale": REGION_SCALE,
        "rings": rings,
    }


def outline_bounds(outline: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a :func:`region_payload` outline, in degrees."""
    lats: list[int] = []
    lons: list[int] = []
    for ring in outline["rings"]:
        values = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
        lats.extend((int(values[:, 0].min()), int(values[:, 0].max())))
        lons.extend((int(values[:, 1].min()), int(values[:, 1].max())))
    scale = outline["scale"]
    return min(lats) / scale, min(lons) / scale, max(lats) / scale, max(lons) / scale


def _country_code(name: Any, iso: Any) -> str | None:
    for value in (iso, name):
        if is_na(value):
            continue
        country = find_country(int(value) if not isinstance(value, str) else value)
        if country is not None:
            return country.iso2
    return None


def region_outlines(
    frame: pd.DataFrame, regions: Regions | None = None
) -> list[Mapping[str, Any] | None]:
    """Per row of ``frame``: the outline (:func:`region_payload`) to draw a region-level
    incident as, or None (not region-level, or its region unknown)."""
    precision = frame["geo_precision"].to_numpy(dtype=float, na_value=np.nan)
    out: list[Mapping[str, Any] | None] = [None] * len(frame)
    rows = np.flatnonzero(precision == 3)
    if not len(rows):
        return out
    regions = Regions.default() if regions is None else regions
    admin1 = frame["admin1"].astype(object).to_numpy() if "admin1" in frame else None
    country = frame["country"].astype(object).to_numpy() if "country" in frame else None
    iso = frame["iso"].astype(object).to_numpy() if "iso" in frame else None
    lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)
    lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)
    by_point = regions.codes_of(lat[rows], lon[rows])
    found: dict[tuple, Region | None] = {}
    for k, i in enumerate(rows.tolist()):
        cc = _country_code(None if country is None else country[i], None if iso is None else iso[i])
        name = None if admin1 is None or is_na(admin1[i]) else str(admin1[i])
        key = (name, cc, int(by_point[k]))
        if key not in found:
            region = regions.find(name, country=cc) if name and len(name) <= 200 else None
            if region is None and by_point[k] >= 0:
                candidate = regions.regions[int(by_point[k])]
                region = candidate if cc is None or candidate.country == cc else None
            found[key] = region
        region = found[key]
        out[i] = region_payload(region) if region is not None else None
    return out
