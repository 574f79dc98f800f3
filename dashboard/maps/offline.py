"""The offline base map as a folium base layer, and which base layer a map shows first.

:class:`OfflineBaseMap` is a Leaflet layer group filled by ``static/offline_basemap.js`` from
``static/basemap/basemap.json.gz`` (Natural Earth countries, regions, rivers and lakes; GeoNames
cities; built by ``tools/build_basemap.py``), both served by the dashboard itself
(:mod:`dashboard.assets`). It is always in the layer control. With ``fallback=True`` (the
default) it replaces the online tiles when they cannot be reached, so a machine without
internet shows borders and places instead of a grey square.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from folium.map import Layer
from jinja2 import Template

from ..assets import asset_url
from ..safe import js_json
from .basemaps import BASEMAPS

__all__ = ["BASEMAP_ENV", "OFFLINE", "OFFLINE_ATTRIBUTION", "OfflineBaseMap", "default_basemap"]

#: Name of the offline base map in the layer control (and for ``basemap=``).
OFFLINE = "Offline map"
#: Environment variable naming the base layer shown first (``Offline map`` or a BASEMAPS key).
BASEMAP_ENV = "MAP_BASEMAP"
OFFLINE_ATTRIBUTION = "Natural Earth (public domain) &middot; GeoNames (CC BY 4.0)"


def default_basemap() -> str:
    """The base layer shown first: ``MAP_BASEMAP`` when it names one, else "CartoDB Positron"
    (which falls back to the offline map when its tiles cannot be reached)."""
    wanted = (os.environ.get(BASEMAP_ENV) or "").strip()
    for name in (OFFLINE, *BASEMAPS):
        if wanted.casefold() == name.casefold() or (
            name == OFFLINE and wanted.casefold() == "offline"
        ):
            return name
    return "CartoDB Positron"


class OfflineBaseMap(Layer):
    """A base layer drawn in the browser from the dashboard's own base-map file.

    ``tiles``: the map's tile layers (element names) it stands in for when they fail;
    ``fallback``: whether to do so; ``timeout_ms``: how long to wait for a first tile.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup();
            window.imOfflineBasemap.attach({{ this._parent.get_name() }}, {{ this.get_name() }},
                Object.assign({{ this.options_js }}, {tiles: [{{ this.tile_names|join(", ") }}]}));
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        tiles: Sequence[str] = (),
        show: bool = False,
        fallback: bool = True,
        timeout_ms: int = 8000,
    ) -> None:
        super().__init__(name=OFFLINE, overlay=False, control=True, show=show)
        self._name = "OfflineBaseMap"
        self.tile_names = list(tiles)
        self.options_js = js_json(
            {
                "url": asset_url("basemap.json"),
                "fallback": fallback,
                "timeout": timeout_ms,
                "errors": 3,
                "attribution": OFFLINE_ATTRIBUTION,
            }
        )
