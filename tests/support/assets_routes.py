"""Answer the map's CDN requests with npm copies; blank tiles; abort everything else.

Used by the browser tests (conftest.py) and by ``benchmarks/bench_app.py``. The copies come
from ``tests/browser/install-assets.sh`` (npm registry). Nothing leaves the machine: every
request that is not for the app under test is fulfilled locally or aborted, and recorded.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ASSETS = Path(__file__).resolve().parents[1] / "browser" / "assets" / "node_modules"

#: CDN URL prefix -> file or folder of an npm package (same version as the URL names).
CDN_ASSETS: dict[str, Path] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/": ASSETS / "leaflet" / "dist",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/": ASSETS / "bootstrap" / "dist",
    "https://code.jquery.com/jquery-3.7.1.min.js": ASSETS / "jquery" / "dist" / "jquery.min.js",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/": ASSETS
    / "@fortawesome"
    / "fontawesome-free",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/": ASSETS
    / "leaflet.markercluster"
    / "dist",
    "https://unpkg.com/leaflet.markercluster@1.1.0/dist/": ASSETS
    / "leaflet.markercluster"
    / "dist",
}
#: Assets folium always links but the incident map never uses (icon markers, glyph fonts): no
#: npm copy of these exact versions exists, so they are answered empty.
CDN_UNUSED: tuple[str, ...] = (
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
)
#: A 1x1 transparent PNG for map tiles.
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
_TILE_HOSTS = ("basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com")
_CONTENT_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}


def assets_installed() -> bool:
    """True when install-assets.sh has put the npm copies in place."""
    needed = (
        ASSETS / "leaflet" / "dist" / "leaflet.js",
        ASSETS / "jquery" / "dist" / "jquery.min.js",
        ASSETS / "bootstrap" / "dist" / "js" / "bootstrap.bundle.min.js",
        ASSETS / "@fortawesome" / "fontawesome-free" / "css" / "all.min.css",
    )
    return all(p.is_file() for p in needed)


def local_file(url: str) -> Path | None:
    for prefix, target in CDN_ASSETS.items():
        if url.startswith(prefix):
            if target.is_file():
                return target
            rest = urlsplit(url[len(prefix) :]).path
            path = (target / rest).resolve()
            if target.resolve() in path.parents and path.is_file():
                return path
            return None
    return None


def route_handler(outside: list[tuple[str, str]]) -> Callable:
    """A Playwright route handler; appends ``(what, url)`` for every non-local request."""

    def handle(route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
            return
        path = local_file(url)
        if path is not None:
            outside.append(("asset", url))
            route.fulfill(path=str(path), content_type=_CONTENT_TYPES.get(path.suffix))
        elif url.startswith(CDN_UNUSED):
            outside.append(("unused", url))
            route.fulfill(
                status=200,
                body="",
                content_type="text/css" if url.endswith(".css") else "application/javascript",
            )
        elif host.endswith(_TILE_HOSTS):
            outside.append(("tile", url))
            route.fulfill(status=200, body=BLANK_PNG, content_type="image/png")
        else:
            outside.append(("aborted", url))
            route.abort()

    return handle


#: Every URL except the app's own (http://127.0.0.1 or localhost): matched by the browser
#: driver, so the app's many static files never make a round trip through Python.
OUTSIDE = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost)[:/])")


def install_routes(context, outside: list[tuple[str, str]]) -> None:
    """Route every outside request of a Playwright ``context`` through :func:`route_handler`."""
    context.route(OUTSIDE, route_handler(outside))
