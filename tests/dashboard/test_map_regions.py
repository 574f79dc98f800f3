"""Region-level incidents are drawn as their region's outline (dashboard.maps.regions)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

import incidents
from dashboard.maps import render_map
from dashboard.maps.regions import region_outlines
from geodata.regions import find_region

LAYER_CALL = re.compile(r"IncidentsMap\.layer\(\w+, (\{.*\})\);\n")
LIPETSK_REGION = "AFP-20250703-03"


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    inc, groups = incidents.load_seed()
    return incidents.with_group_figures(inc, groups)


def payload_of(frame: pd.DataFrame, **kwargs) -> dict:
    return json.loads(LAYER_CALL.search(render_map(frame, **kwargs).map.get_root().render())[1])


def ids_of(points: dict) -> list[str]:
    c = points["cols"]["id"]
    return [c["d"][i] for i in c["i"]] if "d" in c else c["v"]


def outline_shape(region: dict):
    """The outline as the browser draws it: rings of deltas, even-odd filled."""
    shapes = []
    for ring in region["rings"]:
        pts = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0) / region["scale"]
        shapes.append(Polygon([(lon, lat) for lat, lon in pts.tolist()]))
    outer = unary_union(shapes[:1] + [s for s in shapes[1:] if not s.within(shapes[0])])
    holes = [s for s in shapes[1:] if s.within(shapes[0])]
    return outer.difference(unary_union(holes)) if holes else outer


def test_the_seed_lipetsk_region_incident_is_drawn_as_the_lipetsk_oblast(seed):
    points = payload_of(seed)["points"]
    ids = ids_of(points)
    k = ids.index(LIPETSK_REGION)
    assert points["styles"][points["style"][k]]["kind"] == "area"
    region = points["regions"][points["region"][k]]
    assert region["code"] == "RU-LIP" and region["name"] == "Lipetsk"
    drawn = outline_shape(region)
    truth = find_region("RU-LIP").geometry
    # The simplified outline is the oblast: within a few per cent of its area.
    assert drawn.symmetric_difference(truth).area / truth.area < 0.03
    assert drawn.contains(Point(39.60, 52.61)) and drawn.contains(
        Point(38.50, 52.62)
    )  # Lipetsk, Yelets
    assert not drawn.contains(Point(39.18, 51.67))  # Voronezh, the next oblast
    # Only the region-level incident is a region; the others stay circles at their towns.
    assert [r for i, r in enumerate(points["region"]) if i != k] == [-1] * 4
    # Small enough to send: about a hundred vertices.
    assert len(json.dumps(region)) < 4_000


def test_its_popup_says_the_shaded_region_and_the_legend_too(seed):
    data = payload_of(seed)
    precision = data["points"]["cols"]["precision"]
    values = [precision["d"][i] for i in precision["i"]] if "d" in precision else precision["v"]
    k = ids_of(data["points"]).index(LIPETSK_REGION)
    assert "shaded region" in values[k] and "capital" not in values[k]
    labels = [e["label"] for e in data["legend"]["entries"]]
    assert any(label.startswith("Shaded region: region-level") for label in labels)


@pytest.mark.parametrize(
    "admin1, lat, lon, expected",
    [
        ("Lipetsk", 52.6, 39.6, "RU-LIP"),
        ("Липецкая область", 52.6, 39.6, "RU-LIP"),  # the name in Russian
        ("RU-LIP", 52.6, 39.6, "RU-LIP"),  # an ISO 3166-2 code
        (None, 51.67, 39.18, "RU-VOR"),  # no admin1: the polygon holding its point
        ("Nowhere Oblast", 51.67, 39.18, "RU-VOR"),  # an unknown name: its point decides
        ("Nowhere Oblast", 40.0, 170.0, None),  # neither: a circle, no guess
    ],
)
def test_the_region_comes_from_admin1_else_from_its_point(seed, admin1, lat, lon, expected):
    row = seed[seed["event_id"] == LIPETSK_REGION].copy()
    row["admin1"], row["latitude"], row["longitude"] = admin1, lat, lon
    if expected is None:
        row["country"], row["iso"] = "Fiji", pd.NA
    outline = region_outlines(row)[0]
    assert (outline["code"] if outline else None) == expected


def test_a_region_of_another_country_is_not_taken_from_the_point(seed):
    row = seed[seed["event_id"] == LIPETSK_REGION].copy()
    row["admin1"], row["latitude"], row["longitude"] = None, 50.45, 30.52  # Kyiv, Ukraine
    assert region_outlines(row)[0] is None  # the record says Russia


def test_an_unknown_region_keeps_the_circle(seed):
    frame = seed.copy()
    rows = frame["event_id"] == LIPETSK_REGION
    frame.loc[rows, ["admin1", "latitude", "longitude"]] = ["Nowhere", 40.0, 170.0]
    frame.loc[rows, "country"] = "Fiji"
    frame.loc[rows, "iso"] = pd.NA
    points = payload_of(frame)["points"]
    k = ids_of(points).index(LIPETSK_REGION)
    assert points["region"][k] == -1 and points["regions"] == []
    labels = [e["label"] for e in payload_of(frame)["legend"]["entries"]]
    assert "Translucent area: region-level, not a town" in labels


def test_hexagons_are_unchanged_by_regions(seed):
    data = payload_of(seed, point_limit=2)
    assert data["points"] is None and sum(data["hex"]["levels"][0]["incidents"]) == 5
