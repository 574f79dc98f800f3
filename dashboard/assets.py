"""Every script, style and data file the map loads, served by the dashboard's own server.

Nothing comes from a CDN: Leaflet is the PyPI package ``XStatic-Leaflet`` (folium's own
Leaflet 1.9.3, installed by ``make run`` with the other requirements), our base-map script
and the offline base map's data are package files of :mod:`dashboard.maps`. ``serve.py``
mounts :func:`routes` on the Streamlit app (``st.App(routes=...)``); the map points
folium and streamlit-folium at :func:`map_js` and :func:`map_css`.

Every URL names a version or a content digest (``/assets/leaflet-1.9.3/leaflet.js``,
``/assets/map/3f2a.../basemap.json``), so responses carry
``Cache-Control: public, max-age=31536000, immutable``: a browser downloads each file once.
The base map's data is committed gzipped and sent as is (``Content-Encoding: gzip``); the
scripts are compressed once by :class:`dashboard.static_gzip.CachedGzipMiddleware`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import xstatic.pkg.leaflet as xleaflet
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = [
    "CACHE_FOREVER",
    "LEAFLET_VERSION",
    "MAP_FILES",
    "PREFIX",
    "asset_url",
    "map_css",
    "map_js",
    "routes",
]

PREFIX = "/assets"
LEAFLET_VERSION: str = xleaflet.VERSION
LEAFLET_DIR = Path(xleaflet.BASE_DIR)
STATIC_DIR = Path(__file__).resolve().parent / "maps" / "static"
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class MapFile:
    """One file of ours the map loads: where it is, and what it is served as."""

    path: Path
    media_type: str
    gzipped: bool = False  #: stored gzipped on disk, served with ``Content-Encoding: gzip``


#: Served name -> file. The URL holds a digest of the content (:func:`asset_url`).
MAP_FILES: Mapping[str, MapFile] = MappingProxyType(
    {
        "offline_basemap.js": MapFile(STATIC_DIR / "offline_basemap.js", "application/javascript"),
        "offline_basemap.css": MapFile(STATIC_DIR / "offline_basemap.css", "text/css"),
        "incidents_layer.js": MapFile(STATIC_DIR / "incidents_layer.js", "application/javascript"),
        "incidents_layer.css": MapFile(STATIC_DIR / "incidents_layer.css", "text/css"),
        "basemap.json": MapFile(
            STATIC_DIR / "basemap" / "basemap.json.gz", "application/json", gzipped=True
        ),
    }
)


@functools.cache
def _digest(name: str) -> str:
    return hashlib.sha256(MAP_FILES[name].path.read_bytes()).hexdigest()[:16]


def asset_url(name: str) -> str:
    """Root-relative URL of one of :data:`MAP_FILES` (``/assets/map/<digest>/<name>``)."""
    return f"{PREFIX}/map/{_digest(name)}/{name}"


def _leaflet(name: str) -> str:
    return f"{PREFIX}/leaflet-{LEAFLET_VERSION}/{name}"


def map_js() -> list[tuple[str, str]]:
    """The map's scripts, as folium's ``default_js``: Leaflet, our base-map script and the
    incidents layer's script (``IncidentsMap``) only
    (folium's defaults add jQuery, Bootstrap and awesome-markers, which the map never uses)."""
    return [
        ("leaflet", _leaflet("leaflet.js")),
        ("offline_basemap", asset_url("offline_basemap.js")),
        ("incidents_layer", asset_url("incidents_layer.js")),
    ]


def map_css() -> list[tuple[str, str]]:
    """The map's style sheets, as folium's ``default_css`` (no Bootstrap, Font Awesome or
    glyphicons: the map has no icon markers)."""
    return [
        ("leaflet_css", _leaflet("leaflet.css")),
        ("offline_basemap_css", asset_url("offline_basemap.css")),
        ("incidents_layer_css", asset_url("incidents_layer.css")),
    ]


class _ImmutableFiles(StaticFiles):
    """Static files whose URL changes with their version: cached by browsers for a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_FOREVER
        return response


@functools.cache
def _body(name: str) -> bytes:
    return MAP_FILES[name].path.read_bytes()


async def _map_file(request: Request) -> Response:
    name = request.path_params["name"]
    item = MAP_FILES.get(name)
    if item is None:
        return Response("not found", status_code=404, media_type="text/plain")
    current = request.path_params["digest"] == _digest(name)
    headers = {"Cache-Control": CACHE_FOREVER if current else "no-cache"}
    body = _body(name)
    if item.gzipped:
        headers["Vary"] = "Accept-Encoding"
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(body)
    return Response(body, media_type=item.media_type, headers=headers)


def routes() -> list[BaseRoute]:
    """Starlette routes serving Leaflet and :data:`MAP_FILES` under :data:`PREFIX`."""
    return [
        Mount(
            f"{PREFIX}/leaflet-{LEAFLET_VERSION}",
            app=_ImmutableFiles(directory=LEAFLET_DIR),
            name="leaflet",
        ),
        Route(f"{PREFIX}/map/{{digest}}/{{name}}", _map_file, methods=["GET", "HEAD"]),
    ]
