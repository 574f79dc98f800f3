"""The map with no internet: every request leaving 127.0.0.1 is aborted (conftest.py), tiles too.

The page must still show the incidents on the offline base map, with borders drawn, having
asked the outside world for nothing but (optional) map tiles. A screenshot of the map is kept
in ``artifacts/screenshots/offline-map.png``.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import numpy as np
import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dashboard import MAP_FRAME, map_frame, map_layers, metric, open_app
from tests.support.assets_routes import TILE_HOSTS

pytestmark = pytest.mark.browser

BASEMAP_STATE = """() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  let offline = null, tilesShown = 0;
  map.eachLayer(l => {
    if (l._imBasemapReady) offline = l;
    if (l instanceof L.TileLayer) tilesShown++;
  });
  if (!offline) return null;
  let shapes = 0;
  offline.eachLayer(l => { if (l.getLayers) shapes += l.getLayers().length; });
  return {tilesShown, shapes, labels: document.querySelectorAll('.im-bm-label').length,
          background: getComputedStyle(map.getContainer()).backgroundColor,
          resources: performance.getEntriesByType('resource').map(e => e.name)};
}"""


def count_colour(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int) -> int:
    """Pixels (an H x W x 3 array) within ``tolerance`` of ``colour`` on every channel."""
    return int((np.abs(pixels.astype(int) - colour) <= tolerance).all(axis=-1).sum())


def test_map_without_internet_shows_incidents_on_the_offline_base_map(page, seed_app, outside):
    from PIL import Image

    open_app(page, seed_app)
    assert metric(page, "Incidents") == "5"
    assert map_layers(page)["points"] == 5
    frame = map_frame(page)
    # The tiles fail (aborted), so the offline base map replaces them.
    frame.wait_for_function(BASEMAP_STATE, timeout=30_000, polling=200)
    state = frame.evaluate(BASEMAP_STATE)
    assert state["tilesShown"] == 0
    assert state["shapes"] > 500  # countries, regions, rivers, lakes
    assert state["labels"] > 10  # country, region and city names in view
    assert state["background"] == "rgb(205, 223, 238)"  # the sea
    # Leaflet and the base map came from the app itself.
    app_files = [r for r in state["resources"] if r.startswith(seed_app)]
    assert any("/assets/leaflet-1.9.3/leaflet.js" in r for r in app_files)
    assert any(r.endswith("/basemap.json") for r in app_files)
    others = [r for r in state["resources"] if not r.startswith(seed_app)]
    assert [r for r in others if not (urlsplit(r).hostname or "").endswith(TILE_HOSTS)] == []

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = page.locator(MAP_FRAME).screenshot(path=str(SCREENSHOTS / "offline-map.png"))
    # Borders visibly drawn: count pixels of the country border colour (labels hidden first,
    # as the country names share it).
    frame.evaluate(
        "() => document.querySelectorAll('.leaflet-imBasemapLabels-pane')"
        ".forEach(p => { p.style.display = 'none'; })"
    )
    png = page.locator(MAP_FRAME).screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    total = pixels.shape[0] * pixels.shape[1]
    border = count_colour(pixels, (109, 98, 89), 30)
    land = count_colour(pixels, (243, 241, 234), 4)
    sea = count_colour(pixels, (205, 223, 238), 4)
    assert border > 1_000, border
    assert land > total * 0.4 and sea > total * 0.01, (land, sea, total)
    # Nothing but tiles was asked of the outside world.
    assert {kind for kind, _ in outside} <= {"tile"}, outside[:5]
