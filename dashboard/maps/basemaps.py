"""Base layers of the map and the environment's tile URL overrides (``MAP_TILES_URL...``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["BASEMAPS", "BaseMap", "basemap_url"]


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
        "OpenStreetMap": BaseMap(
            "OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM
        ),
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
