"""Abort every request that leaves the machine, and record it.

Used by the browser tests (conftest.py) and by ``benchmarks/bench_app.py``. The app must serve
every script, style and data file its page needs itself (``dashboard.assets``), so nothing is
answered on its behalf: each outside request is aborted, as a machine without internet would
see it, and recorded as ``("tile", url)`` for the online base maps' tiles (optional: the map
falls back to its offline base map) or ``("aborted", url)`` for anything else (a defect).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

#: Hosts of the online base maps' tiles (dashboard.maps.BASEMAPS): optional requests.
TILE_HOSTS = ("basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com")


def route_handler(outside: list[tuple[str, str]]) -> Callable:
    """A Playwright route handler: aborts the request; appends ``(kind, url)`` to ``outside``."""

    def handle(route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
            return
        outside.append(("tile" if host.endswith(TILE_HOSTS) else "aborted", url))
        route.abort("internetdisconnected")

    return handle


#: Every URL except the app's own (http://127.0.0.1 or localhost): matched by the browser
#: driver, so the app's many static files never make a round trip through Python.
OUTSIDE = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost)[:/])")


def install_routes(context, outside: list[tuple[str, str]]) -> None:
    """Route every outside request of a Playwright ``context`` through :func:`route_handler`."""
    context.route(OUTSIDE, route_handler(outside))
