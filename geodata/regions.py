"""First-level region polygons: which region a point lies in, and a region's outline.

The polygons are Natural Earth 10m admin-1 (public domain) for Ukraine, Russia, Belarus,
Moldova, Poland, Romania and their neighbours (Lithuania, Latvia, Estonia, Slovakia, Hungary,
Bulgaria, Georgia, Finland, Kazakhstan, Azerbaijan, Armenia, Turkey), committed as
``data/regions.geojson.gz`` by ``tools/build_basemap.py`` (simplified to about 500 m, shared
borders simplified together so neighbours keep one common edge). Crimea (``UA-43``) and
Sevastopol (``UA-40``) are regions of Ukraine: internationally recognised borders.

>>> region_of(52.61, 39.60).iso_3166_2          # Lipetsk
'RU-LIP'
>>> find_region("Липецкая область").iso_3166_2
'RU-LIP'
>>> region_outline("RU-LIP")["type"]
'MultiPolygon'

* :func:`region_of` answers from the polygon that contains the point, not from the nearest
  place, so a village a kilometre from a border gets its own region. A point within
  ``max_km`` (default 2 km) of a region but inside none (the simplified coast, a river
  border) gets the nearest one; a point farther out (the sea, a country not covered) None.
* :func:`find_region` / :func:`region_outline` accept an ISO 3166-2 code (``"RU-LIP"``), a
  GeoNames admin1 code (``"RU.43"``), or a name in any language :func:`geodata.resolve_admin1`
  reads (``"Lipetsk"``, ``"Липецкая область"``, ``"région de Lipetsk"``), else Natural Earth's
  English, Ukrainian or Russian name. An ambiguous or unknown name gives None: never a guess.

The polygons are loaded once per process (:meth:`Regions.default`, about 0.3 s).
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import nearest_points

from geodata.admin1 import resolve_admin1, split_region_marker
from geodata.exc import InvalidQuery
from geodata.normalize import raw_key

__all__ = [
    "REGIONS_FILE",
    "REGION_COUNTRIES",
    "Region",
    "Regions",
    "find_region",
    "region_of",
    "region_outline",
]

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.geojson.gz"
#: ISO 3166-1 alpha-2 codes of the countries whose regions are held.
REGION_COUNTRIES: tuple[str, ...] = (
    "AM", "AZ", "BG", "BY", "EE", "FI", "GE", "HU", "KZ", "LT", "LV", "MD", "PL", "RO", "RU",
    "SK", "TR", "UA",
)  # fmt: skip
_KM_PER_DEGREE = 111.195
_MAX_QUERY = 200


@dataclass(frozen=True)
class Region:
    """One first-level region (oblast, federal subject, voivodeship, judeţ, ...)."""

    iso_3166_2: str  #: "RU-LIP"
    country: str  #: ISO 3166-1 alpha-2 ("UA" for Crimea and Sevastopol)
    name: str  #: Natural Earth's name ("Lipetsk", "Kiev City")
    name_en: str | None  #: English ("Lipetsk")
    name_uk: str | None  #: Ukrainian ("Липецька область")
    name_ru: str | None  #: Russian ("Липецкая область")
    geonames_code: str | None  #: GeoNames admin1 code ("RU.43"), as ``Admin1.key``
    label: tuple[float, float]  #: (lat, lon) where a label goes
    geometry: Any = field(repr=False, compare=False)  #: shapely (Multi)Polygon, EPSG:4326

    def outline(self) -> dict[str, Any]:
        """The region's GeoJSON geometry (``{"type": "MultiPolygon", "coordinates": ...}``)."""
        return dict(mapping(self.geometry))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.name_en, self.name_uk, self.name_ru) if n)


def _coordinates(lat: Any, lon: Any) -> tuple[float, float]:
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise InvalidQuery(f"coordinates must be numbers: {lat!r}, {lon!r}") from exc
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)) or not (
        -90 <= lat_f <= 90 and -180 <= lon_f <= 180
    ):
        raise InvalidQuery(f"coordinates out of range: {lat!r}, {lon!r}")
    return lat_f, lon_f


class Regions:
    """The region polygons with a spatial index (:class:`shapely.STRtree`) and a name index."""

    def __init__(self, regions: Sequence[Region]) -> None:
        self.regions: tuple[Region, ...] = tuple(regions)
        self._geoms = np.array([r.geometry for r in self.regions], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._by_code: dict[str, Region] = {}
        names: dict[str, set[int]] = {}
        for i, region in enumerate(self.regions):
            self._by_code[region.iso_3166_2.upper()] = region
            if region.geonames_code:
                self._by_code.setdefault(region.geonames_code.upper(), region)
            for name in region.names:
                for key in {raw_key(name), raw_key(split_region_marker(name)[0])}:
                    names.setdefault(key, set()).add(i)
        self._by_name = {k: tuple(sorted(v)) for k, v in names.items()}

    @classmethod
    def load(cls, path: str | Path = REGIONS_FILE) -> Regions:
        """Read a GeoJSON FeatureCollection (gzipped when the name ends in ``.gz``)."""
        raw = Path(path).read_bytes()
        if str(path).endswith(".gz"):
            raw = gzip.decompress(raw)
        data = json.loads(raw)
        regions = []
        for feature in data["features"]:
            p = feature["properties"]
            lon, lat = p["label"]
            regions.append(
                Region(
                    iso_3166_2=p["iso_3166_2"],
                    country=p["country"],
                    name=p["name"],
                    name_en=p.get("name_en"),
                    name_uk=p.get("name_uk"),
                    name_ru=p.get("name_ru"),
                    geonames_code=p.get("gn_a1_code"),
                    label=(lat, lon),
                    geometry=shape(feature["geometry"]),
                )
            )
        return cls(regions)

    @classmethod
    @functools.cache
    def default(cls) -> Regions:
        """The committed polygons, loaded once per process."""
        return cls.load()

    def __len__(self) -> int:
        return len(self.regions)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions)

    # -- points -> regions ---------------------------------------------------------------------
    def region_of(self, lat: float, lon: float, *, max_km: float = 2.0) -> Region | None:
        """The region holding (``lat``, ``lon``), else the nearest within ``max_km``, else None."""
        lat_f, lon_f = _coordinates(lat, lon)
        code = self.codes_of(np.array([lat_f]), np.array([lon_f]), max_km=max_km)[0]
        return self.regions[code] if code >= 0 else None

    def codes_of(self, lat: np.ndarray, lon: np.ndarray, *, max_km: float = 2.0) -> np.ndarray:
        """For many points at once: the index into :attr:`regions` of each point's region
        (-1 for none, and for non-finite coordinates), by the rules of :meth:`region_of`."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        out = np.full(lat.shape, -1, dtype=np.int64)
        ok = np.isfinite(lat) & np.isfinite(lon)
        where = np.flatnonzero(ok)
        points = shapely.points(lon[where], lat[where])
        hit_point, hit_region = self._tree.query(points, predicate="within")
        # A point on a shared border is within neither polygon (within excludes the boundary):
        # it falls to the nearest-region step below, at distance 0.
        out[where[hit_point]] = hit_region
        left = np.flatnonzero(out[where] < 0)
        if len(left) and max_km > 0:
            # Degrees of longitude shrink with latitude: search wide enough, then check in km.
            reach = max_km / (
                _KM_PER_DEGREE
                * max(0.05, float(np.cos(np.radians(np.abs(lat[where[left]]).max()))))
            )
            pts, regs = self._tree.query_nearest(
                points[left], max_distance=reach, return_distance=False, all_matches=False
            )
            for p, r in zip(pts.tolist(), regs.tolist(), strict=True):
                i = where[left[p]]
                if _distance_km(self.regions[r].geometry, lat[i], lon[i]) <= max_km:
                    out[i] = r
        return out

    # -- names and codes -> regions ------------------------------------------------------------
    def find(self, query: str, *, country: str | None = None) -> Region | None:
        """The region ``query`` names (ISO 3166-2 code, GeoNames code or name), or None.

        ``country`` (ISO alpha-2) narrows names shared across countries. Raises
        :class:`~geodata.exc.InvalidQuery` for a non-string or over-long query."""
        if not isinstance(query, str):
            raise InvalidQuery(f"region query must be a string, got {type(query).__name__}")
        if len(query) > _MAX_QUERY:
            raise InvalidQuery(f"region query longer than {_MAX_QUERY} characters")
        text = query.strip()
        if not text:
            return None
        cc = country.strip().upper() if country else None
        found = self._by_code.get(text.upper())
        if found is not None and (cc is None or found.country == cc):
            return found
        admin1 = resolve_admin1(text, country=cc)
        if admin1 is not None:
            found = self._by_code.get(admin1.key.upper())
            if found is None and admin1.iso3166_2:
                found = self._by_code.get(admin1.iso3166_2.upper())
            if found is not None:
                return found
        for key in (raw_key(text), raw_key(split_region_marker(text)[0])):
            hits = [
                self.regions[i]
                for i in self._by_name.get(key, ())
                if cc is None or self.regions[i].country == cc
            ]
            if len(hits) == 1:
                return hits[0]
            if hits:
                return None  # ambiguous ("Kyiv": the city or the oblast): no guess
        return None

    def outline(self, query: str, *, country: str | None = None) -> dict[str, Any] | None:
        """The GeoJSON geometry of the region ``query`` names (see :meth:`find`), or None."""
        region = self.find(query, country=country)
        return region.outline() if region is not None else None


def _distance_km(geom: Any, lat: float, lon: float) -> float:
    """Distance from a point to a geometry, in km (equirectangular around the point)."""
    scale = math.cos(math.radians(lat))
    nearest = nearest_points(geom, shapely.Point(lon, lat))[0]
    dx = (nearest.x - lon) * scale
    dy = nearest.y - lat
    return math.hypot(dx, dy) * _KM_PER_DEGREE


def region_of(lat: float, lon: float, *, max_km: float = 2.0) -> Region | None:
    """The region of a point (:meth:`Regions.region_of` on the committed polygons)."""
    return Regions.default().region_of(lat, lon, max_km=max_km)


def find_region(query: str, *, country: str | None = None) -> Region | None:
    """The region a code or name designates (:meth:`Regions.find` on the committed polygons)."""
    return Regions.default().find(query, country=country)


def region_outline(query: str, *, country: str | None = None) -> dict[str, Any] | None:
    """The GeoJSON geometry of a region named by code or name, or None (:meth:`Regions.outline`)."""
    return Regions.default().outline(query, country=country)
