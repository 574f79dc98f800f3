"""Region polygons: reverse lookup by polygon near borders, lookup by code and name."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from geodata import InvalidQuery
from geodata.regions import REGION_COUNTRIES, Regions, find_region, region_of, region_outline


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.default()


# Towns a few kilometres from a border, each with the region it belongs to. Nearest-place
# lookup gets several of these wrong; the polygons must not.
NEAR_BORDERS = [
    ("Vovchansk", 50.29, 36.94, "UA-63"),  # Kharkiv, 5 km from Belgorod oblast
    ("Shebekino", 50.41, 36.90, "RU-BEL"),
    ("Sudzha", 51.19, 35.27, "RU-KRS"),
    ("Bilopillia", 51.15, 34.31, "UA-59"),
    ("Hlukhiv", 51.68, 33.91, "UA-59"),
    ("Rylsk", 51.57, 34.68, "RU-KRS"),
    ("Kupiansk", 49.71, 37.61, "UA-63"),
    ("Valuyki", 50.21, 38.10, "RU-BEL"),
    ("Mohyliv-Podilskyi", 48.445, 27.795, "UA-05"),  # across the Dniester from Otaci
    ("Otaci", 48.431, 27.789, "MD-OC"),
    ("Chop", 48.43, 22.20, "UA-21"),  # 3 km from Záhony, Hungary
    ("Záhony", 48.41, 22.18, "HU-SZ"),
    ("Brest", 52.10, 23.69, "BY-BR"),  # across the Bug from Terespol
    ("Terespol", 52.08, 23.62, "PL-LU"),
    ("Izmail", 45.35, 28.84, "UA-51"),  # across the Danube from Tulcea county
    ("Tulcea", 45.18, 28.80, "RO-TL"),
    ("Reni", 45.46, 28.29, "UA-51"),
    ("Galați", 45.43, 28.05, "RO-GL"),
    ("Armiansk", 46.11, 33.69, "UA-43"),  # Crimea, in Ukraine
    ("Chaplynka", 46.36, 33.54, "UA-65"),
    ("Henichesk", 46.17, 34.82, "UA-65"),
    ("Kerch", 45.36, 36.47, "UA-43"),
    ("Inkerman", 44.61, 33.61, "UA-40"),  # Sevastopol, in Ukraine
    ("Bakhchysarai", 44.75, 33.86, "UA-43"),
    ("Kyiv centre", 50.45, 30.52, "UA-30"),
    ("Brovary", 50.51, 30.79, "UA-32"),
    ("Chornobyl", 51.27, 30.22, "UA-32"),
    ("Khoiniki", 51.89, 29.96, "BY-HO"),
    ("Siversk", 48.87, 38.10, "UA-14"),  # Donetsk, 10 km from Luhansk oblast
    ("Lysychansk", 48.90, 38.43, "UA-09"),
    ("Nikopol", 47.57, 34.39, "UA-12"),  # across the Kakhovka reservoir from Enerhodar
    ("Enerhodar", 47.50, 34.65, "UA-23"),
    ("Novoazovsk", 47.11, 38.08, "UA-14"),
    ("Taganrog", 47.22, 38.90, "RU-ROS"),
    ("Yelets", 52.62, 38.50, "RU-LIP"),
    ("Voronezh", 51.67, 39.18, "RU-VOR"),
    ("Odesa, by the port", 46.50, 30.75, "UA-51"),  # on the simplified coast
]


@pytest.mark.parametrize("place, lat, lon, iso", NEAR_BORDERS, ids=[r[0] for r in NEAR_BORDERS])
def test_region_of_points_near_borders(regions, place, lat, lon, iso):
    assert regions.region_of(lat, lon).iso_3166_2 == iso


def test_crimea_and_sevastopol_are_in_ukraine(regions):
    assert region_of(45.0, 34.1).country == "UA"  # Simferopol area
    assert find_region("Sevastopol").country == "UA"
    assert {r.iso_3166_2 for r in regions if r.country == "UA"} >= {"UA-43", "UA-40"}
    assert not any(r.iso_3166_2.startswith("UA-") and r.country != "UA" for r in regions)


@pytest.mark.parametrize(
    "lat, lon",
    [(43.5, 34.0), (46.0, 36.5), (48.85, 2.35), (40.7, -74.0)],
    ids=["Black Sea", "Sea of Azov", "Paris (not covered)", "New York"],
)
def test_region_of_sea_and_uncovered_is_none(regions, lat, lon):
    assert regions.region_of(lat, lon) is None


def test_max_km_reaches_the_coast_only_when_asked(regions):
    # 5 km off Odesa's coast: at sea, hence no region, unless a wider reach is asked for.
    lat, lon = 46.47, 30.83
    assert regions.region_of(lat, lon) is None
    assert regions.region_of(lat, lon, max_km=10).iso_3166_2 == "UA-51"


def test_codes_of_matches_region_of(regions):
    lat = np.array([r[1] for r in NEAR_BORDERS] + [43.5, math.nan])
    lon = np.array([r[2] for r in NEAR_BORDERS] + [34.0, 30.0])
    codes = regions.codes_of(lat, lon)
    got = [regions.regions[c].iso_3166_2 if c >= 0 else None for c in codes]
    assert got == [r[3] for r in NEAR_BORDERS] + [None, None]


def test_a_point_on_a_shared_border_gets_one_of_its_regions(regions):
    lipetsk, voronezh = find_region("RU-LIP"), find_region("RU-VOR")
    border = lipetsk.geometry.intersection(voronezh.geometry)
    assert not border.is_empty  # neighbours share an edge after simplification
    point = shapely.line_interpolate_point(shapely.get_geometry(border, 0), 0.5, normalized=True)
    assert regions.region_of(point.y, point.x).iso_3166_2 in {"RU-LIP", "RU-VOR"}


@pytest.mark.parametrize(
    "bad", [("x", 30), (None, 30), (91, 30), (50, 181), (math.nan, 30), (math.inf, 30)]
)
def test_region_of_rejects_bad_coordinates(bad):
    with pytest.raises(InvalidQuery):
        region_of(*bad)


@pytest.mark.parametrize(
    "query, iso",
    [
        ("RU-LIP", "RU-LIP"),
        ("ru-lip", "RU-LIP"),
        ("RU.43", "RU-LIP"),
        ("Lipetsk", "RU-LIP"),
        ("Липецкая область", "RU-LIP"),
        ("Липецька область", "RU-LIP"),
        ("région de Lipetsk", "RU-LIP"),
        ("Lipetsk Oblast", "RU-LIP"),
        ("Харківська область", "UA-63"),
        ("Kharkov", "UA-63"),
        ("UA-43", "UA-43"),
        ("Crimea", "UA-43"),
        ("Autonomous Republic of Crimea", "UA-43"),
        ("Kiev City", "UA-30"),
        ("Gomel", "BY-HO"),
        ("Galati", "RO-GL"),
    ],
)
def test_find_region_by_code_or_name(query, iso):
    assert find_region(query).iso_3166_2 == iso


@pytest.mark.parametrize("query", ["Atlantis", "", "   ", "FR-75", "Minsk"])
def test_find_region_unknown_or_ambiguous_is_none(query):
    # "Minsk" is both the city region (BY-HM) and the oblast around it (BY-MI): no guess.
    assert find_region(query) is None


def test_find_region_country_narrows_a_shared_name():
    assert find_region("Minsk", country="BY") is None  # still two Belarusian regions
    assert find_region("Brest", country="BY").iso_3166_2 == "BY-BR"
    assert find_region("RU-LIP", country="UA") is None


def test_find_region_rejects_non_text():
    with pytest.raises(InvalidQuery):
        find_region(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery):
        find_region("x" * 500)


def test_region_outline_is_the_region_polygon():
    outline = region_outline("Липецкая область")
    assert outline["type"] in {"Polygon", "MultiPolygon"}
    geom = shapely.geometry.shape(outline)
    assert geom.contains(shapely.Point(39.60, 52.61))  # Lipetsk city
    assert not geom.contains(shapely.Point(39.18, 51.67))  # Voronezh
    west, south, east, north = geom.bounds
    # Lipetsk oblast spans about 37.7-40.7 E, 51.9-53.6 N.
    assert 37.5 < west < 37.9 and 51.7 < south < 52.0 and 40.4 < east < 40.9 and 53.4 < north < 53.8
    assert region_outline("Atlantis") is None


def test_every_country_has_regions_and_codes_are_unique(regions):
    assert {r.country for r in regions} == set(REGION_COUNTRIES)
    isos = [r.iso_3166_2 for r in regions]
    assert len(isos) == len(set(isos))
    assert len([r for r in regions if r.country == "UA"]) == 27
    assert len([r for r in regions if r.country == "RU"]) >= 80
