"""The map's own assets and the offline base map: no CDN, the data within budget and honest."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

import incidents
from dashboard import assets, maps
from dashboard.maps.basemaps import BASEMAPS
from dashboard.maps.offline import BASEMAP_ENV, OFFLINE, default_basemap

ROOT = Path(__file__).resolve().parents[2]
CDN = re.compile(r"cdn\.jsdelivr\.net|code\.jquery\.com|cdnjs|unpkg\.com|bootstrapcdn", re.I)


@pytest.fixture(scope="module")
def basemap_data() -> dict:
    return json.loads(gzip.decompress(assets.MAP_FILES["basemap.json"].path.read_bytes()))


def test_rendered_maps_name_no_cdn_and_only_our_assets():
    seed = incidents.with_group_figures(*incidents.load_seed())
    for m in (maps.base_map(), maps.build_map(seed)):
        page = m.get_root().render()
        assert not CDN.search(page)
        linked = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sorted(linked) == sorted(u for _, u in assets.map_js() + assets.map_css())
        # Only what the layer uses: Leaflet and our base map. No jQuery, Bootstrap, icon fonts.
        assert not re.search(r"jquery|bootstrap|awesome|glyphicon", " ".join(linked), re.I)


def test_no_cdn_url_in_served_code():
    served = [ROOT / "app.py", ROOT / "serve.py", *sorted((ROOT / "dashboard").rglob("*"))]
    hits = [
        str(p.relative_to(ROOT))
        for p in served
        if p.is_file()
        and p.suffix in {".py", ".js", ".css", ".html"}
        and CDN.search(p.read_text(encoding="utf-8"))
    ]
    assert hits == []


def test_offline_map_is_always_in_the_layer_control():
    m = maps.base_map()
    maps.layer_control().add_to(m)
    page = m.get_root().render()
    assert f'"{OFFLINE}"' in page
    # It stands in for every tile layer when they fail (fallback), and is not shown first.
    tiles = re.findall(r"var (tile_layer_\w+) = L\.tileLayer", page)
    assert len(tiles) == len(BASEMAPS)
    assert re.search(r"tiles: \[" + r", ".join(tiles) + r"\]", page)
    assert '"fallback":true' in page
    offline = re.search(r"var (offline_base_map_\w+) = L\.layerGroup", page).group(1)
    assert f"{offline}.addTo(" not in page


def test_offline_map_shown_first_when_asked(monkeypatch):
    monkeypatch.setenv(BASEMAP_ENV, "offline")
    assert default_basemap() == OFFLINE
    page = maps.base_map().get_root().render()
    offline = re.search(r"var (offline_base_map_\w+) = L\.layerGroup", page).group(1)
    assert f"{offline}.addTo(" in page
    assert not re.search(r"tile_layer_\w+\.addTo\(", page)
    monkeypatch.setenv(BASEMAP_ENV, "OpenStreetMap")
    assert default_basemap() == "OpenStreetMap"
    monkeypatch.setenv(BASEMAP_ENV, "no such map")
    assert default_basemap() == "CartoDB Positron"
    with pytest.raises(ValueError, match="Offline map"):
        maps.base_map(basemap="Google")


def test_basemap_data_within_budget(basemap_data):
    size = assets.MAP_FILES["basemap.json"].path.stat().st_size
    assert size < 2_000_000  # compressed, as sent
    assert {"countries", "regions", "rivers", "lakes", "cities"} <= set(basemap_data)
    assert len(basemap_data["regions"]["features"]) > 600
    assert len(basemap_data["rivers"]["features"]) > 50


def test_basemap_shows_crimea_in_ukraine(basemap_data):
    countries = {
        f["properties"]["iso_a2"]: shape(f["geometry"])
        for f in basemap_data["countries"]["features"]
    }
    simferopol, sevastopol, kerch = (
        shapely.Point(34.10, 44.95),
        shapely.Point(33.52, 44.60),
        shapely.Point(36.47, 45.36),
    )
    for point in (simferopol, sevastopol, kerch):
        assert countries["UA"].contains(point)
        assert not countries["RU"].contains(point)
    regions = {f["properties"]["iso_3166_2"] for f in basemap_data["regions"]["features"]}
    assert {"UA-43", "UA-40", "RU-LIP", "BY-HO", "MD-OC", "PL-LU", "RO-TL"} <= regions


def test_city_labels_thin_out_with_zoom(basemap_data):
    cities = basemap_data["cities"]
    names = {c[2]: c[3] for c in cities}
    assert names["Kyiv"] <= 4 and names["Moscow"] <= 4  # big cities from the first zooms
    assert names["Yelets"] >= 6  # a town of 100k only zoomed in
    zooms = [c[3] for c in cities]
    assert zooms == sorted(zooms)  # most important first: the browser keeps those on overlap
    # Each zoom level adds more, smaller places: about a hundred cities of a million at zoom 4.
    per_zoom = [sum(z == level for z in zooms) for level in range(4, 10)]
    assert per_zoom == sorted(per_zoom) and per_zoom[0] < 150 and len(zooms) > 5_000
