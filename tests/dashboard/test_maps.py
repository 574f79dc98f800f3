"""dashboard.maps: presentation rules, popup content, escaping, aggregation, modes, size, stability."""

from __future__ import annotations

import json
import re

import folium
import h3
import numpy as np
import pandas as pd
import pytest

import incidents
from dashboard.assets import asset_url
from dashboard.maps import (
    EVENT_TYPE_COLORS,
    OTHER_COLOR,
    POINT_LIMIT,
    base_map,
    build_map,
    map_summary,
    render_map,
    snap_bbox,
)
from dashboard.maps import aggregate as aggregate_module
from dashboard.maps.aggregate import HEX_RESOLUTIONS, aggregate_cells
from dashboard.maps.basemaps import BASEMAPS, basemap_url
from dashboard.maps.build import DEFAULT_BOUNDS
from dashboard.maps.layer import LAYER_SCRIPT
from dashboard.maps.popups import casualty_text, popup_records
from dashboard.maps.style import (
    CELL_CLASSES,
    MAX_RADIUS,
    REGION_RADIUS_M,
    UNKNOWN_RADIUS,
    ZERO_RADIUS,
    cell_color,
    legend_entries,
    marker_radius,
    marker_style,
    size_casualties,
)
from geodata.regions import find_region
from incidents.taxonomy import EVENT_TYPES
from tests.support.frames import synthetic_frame

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`;alert(1);//",
    "<!--<script>",
    "a\u2028b\u2029c",
    "\"'><svg onload=alert(1)>",
]


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    inc, groups = incidents.load_seed()
    return incidents.with_group_figures(inc, groups)


def with_near_town(frame: pd.DataFrame) -> pd.DataFrame:
    """The seed with Milove at precision 2 ("near the town"): the seed itself has no such
    incident since Milove is placed from the gazetteer."""
    out = frame.copy()
    out.loc[out["event_id"] == "AFP-20250703-05", "geo_precision"] = 2
    return out


def by_id(frame: pd.DataFrame, suffix: str) -> pd.Series:
    return frame[frame["event_id"].str.endswith(suffix)].iloc[0]


def render(frame: pd.DataFrame, **kwargs) -> str:
    return build_map(frame, **kwargs).get_root().render()


LAYER_CALL = re.compile(r"IncidentsMap\.layer\(\w+, (\{.*\})\);\n")


def payload(html: str) -> dict:
    match = LAYER_CALL.search(html)
    assert match, "no data payload in the page"
    return json.loads(match.group(1))


# --- colours and legend ------------------------------------------------------------------------


def test_one_distinct_colour_per_event_type():
    assert list(EVENT_TYPE_COLORS) == list(EVENT_TYPES)
    colours = list(EVENT_TYPE_COLORS.values())
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours)
    assert OTHER_COLOR not in colours


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_marker_colour_is_the_event_type_colour(event_type):
    assert marker_style(event_type, 3, 1, "confirmed")["fillColor"] == EVENT_TYPE_COLORS[event_type]


def test_unknown_event_type_gets_other_colour():
    assert marker_style("Not ACLED", 3, 1, "confirmed")["fillColor"] == OTHER_COLOR


def test_legend_lists_present_types_and_used_symbols(seed):
    entries = legend_entries(with_near_town(seed))
    labels = [e["label"] for e in entries]
    assert "Battles" in labels and "Explosions/Remote violence" in labels
    assert "Protests" not in labels  # not in the data
    battles = next(e for e in entries if e["label"] == "Battles")
    assert battles["swatch"]["background"] == EVENT_TYPE_COLORS["Battles"]
    text = " ".join(labels)
    for needle in ("killed unknown", "claimed, not confirmed", "near the town", "region-level"):
        assert needle in text
    assert "disputed" not in text.lower().replace("claimed or disputed", "")  # no disputed incident


def test_legend_without_claims_has_no_claim_key(seed):
    confirmed = seed[seed["claim_status"] == "confirmed"]
    assert not any("claimed" in e["label"] for e in legend_entries(confirmed))


def test_aggregated_legend_explains_hexagons(seed):
    labels = [e["label"] for e in legend_entries(seed, point_limit=2)]
    assert labels and all(label.startswith("Hexagon") for label in labels)
    assert len(labels) == len(CELL_CLASSES)


def test_legend_is_in_the_page(seed):
    html = render(seed)
    assert 'L.control({position: "bottomright"})' in LAYER_SCRIPT  # makeLegend, in the script
    assert payload(html)["legend"]["title"] == "Incidents"
    assert "Dashed outline: claimed, not confirmed" in html


# --- sizes and styles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "killed, radius",
    [
        (None, UNKNOWN_RADIUS),
        (pd.NA, UNKNOWN_RADIUS),
        (float("nan"), UNKNOWN_RADIUS),
        (0, ZERO_RADIUS),
        (1, 6.0),
        (8, 9.7),
        (100, 24.0),
        (100_000, MAX_RADIUS),
    ],
)
def test_marker_radius(killed, radius):
    assert marker_radius(killed) == radius


def test_radius_grows_with_killed():
    radii = [marker_radius(k) for k in (0, 1, 2, 5, 10, 50, 100)]
    assert radii == sorted(radii) and len(set(radii)) == len(radii)


@pytest.mark.parametrize(
    "killed, hollow",
    [(None, True), (pd.NA, True), (0, False), (8, False)],
)
def test_unknown_casualties_are_hollow_not_zero(killed, hollow):
    style = marker_style("Battles", killed, 1, "confirmed")
    assert (style["fillOpacity"] == 0) is hollow
    if hollow:
        assert style["weight"] >= 2 and style["color"] == EVENT_TYPE_COLORS["Battles"]


def test_unknown_and_zero_differ_in_look():
    assert marker_style("Battles", None, 1, "confirmed") != marker_style(
        "Battles", 0, 1, "confirmed"
    )


@pytest.mark.parametrize(
    "precision, kind, halo",
    [(1, "marker", False), (2, "marker", True), (3, "area", False), (None, "marker", False)],
)
def test_precision_styles(precision, kind, halo):
    style = marker_style("Battles", 1, precision, "confirmed")
    assert (style["kind"], style["halo"]) == (kind, halo)


def test_region_level_is_a_translucent_area_in_metres():
    style = marker_style("Battles", 5, 3, "confirmed")
    assert style["kind"] == "area" and style["radius"] == REGION_RADIUS_M
    assert 0 < style["fillOpacity"] < 0.3
    assert marker_style("Battles", None, 3, "confirmed")["fillOpacity"] == 0  # unknown: hollow area


@pytest.mark.parametrize(
    "status, dash",
    [("confirmed", None), ("claimed", "6 4"), ("disputed", "1 4"), (None, None)],
)
def test_claim_styles(status, dash):
    assert marker_style("Battles", 2, 1, status)["dashArray"] == dash
    assert marker_style("Battles", 2, 3, status)["dashArray"] == dash


def test_size_uses_group_figure(seed):
    sizes = dict(zip(seed["location"], size_casualties(seed)))
    assert sizes["Poltava"] == 8 and sizes["Odesa"] == 8  # the shared figure
    assert sizes["Lipetsk Oblast"] == 1
    assert sizes["Yelets"] == 0
    assert pd.isna(sizes["Milove"])


@pytest.mark.parametrize(
    "count, colour",
    [
        (1, CELL_CLASSES[0][1]),
        (9, CELL_CLASSES[0][1]),
        (10, CELL_CLASSES[1][1]),
        (999, CELL_CLASSES[2][1]),
        (10**6, CELL_CLASSES[-1][1]),
    ],
)
def test_cell_color(count, colour):
    assert cell_color(count) == colour


# --- popup text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((8, 8, 8), {"shared_across": 2}, "8 killed (shared figure across 2 incidents)"),
        ((8, 8, 12), {}, "8 killed (8–12)"),
        ((None, 8, 12), {}, "8–12 killed"),
        ((None, None, None), {}, "killed: unknown"),
        ((pd.NA, pd.NA, pd.NA), {"noun": "injured"}, "injured: unknown"),
        ((0, 0, 0), {}, "0 killed"),
        ((0, None, None), {}, "0 killed"),
        (
            (10, 8, 12),
            {"noun": "injured", "shared_across": 2},
            "10 injured (8–12; shared figure across 2 incidents)",
        ),
        ((1234, None, None), {}, "1,234 killed"),
        ((None, 3, None), {}, "3 killed"),
    ],
)
def test_casualty_text(args, kwargs, expected):
    assert casualty_text(*args, **kwargs) == expected


def test_popup_records_of_the_seed(seed):
    records = {r["id"]: r for r in popup_records(with_near_town(seed))}
    poltava = records["AFP-20250703-01"]
    assert poltava["killed"] == "8 killed (shared figure across 2 incidents)"
    assert poltava["injured"] == "10 injured (8–12; shared figure across 2 incidents)"
    assert poltava["place"] == "Poltava (Poltava, Ukraine)"
    assert poltava["title"] == "Explosions/Remote violence — Air/drone strike"
    assert poltava["date"] == "2025-07-03"
    assert poltava["status"] == "Confirmed"
    assert poltava["sources"][0][0] == "AFP" and poltava["sources"][0][1] is None
    milove = records["AFP-20250703-05"]
    assert (
        milove["status"] == "Claimed by Russian armed forces (Ministry of Defence); not confirmed"
    )
    assert milove["killed"] == "killed: unknown"
    assert milove["place_short"] == "near Milove"
    assert "near this place" in milove["precision"]
    lipetsk = records["AFP-20250703-03"]
    assert lipetsk["place_short"] == "Lipetsk Oblast (region-level)"
    assert lipetsk["precision"].startswith("region-level")
    assert lipetsk["killed"] == "1 killed"
    assert records["AFP-20250703-04"]["killed"] == "0 killed"


def test_popup_content_is_in_the_page(seed):
    data = payload(render(seed))
    cols = data["points"]["cols"]
    killed = cols["killed"]
    values = [killed["d"][i] for i in killed["i"]] if "d" in killed else killed["v"]
    assert "8 killed (shared figure across 2 incidents)" in values
    assert data["hex"] is None


@pytest.mark.parametrize(
    "status, by, expected",
    [
        ("disputed", "Ukrainian army", "Disputed; claimed by Ukrainian army"),
        ("claimed", None, "Claimed (claimant not recorded); not confirmed"),
    ],
)
def test_claim_text(seed, status, by, expected):
    row = seed.iloc[[4]].copy()
    row["claim_status"], row["claimed_by"] = status, by
    assert popup_records(row)[0]["status"] == expected


@pytest.mark.parametrize(
    "precision, words", [(2, "(date known within a week)"), (3, "(date known within a month)")]
)
def test_time_precision_in_words(seed, precision, words):
    row = seed.iloc[[0]].copy()
    row["time_precision"] = precision
    assert popup_records(row)[0]["date"] == "2025-07-03 " + words


@pytest.mark.parametrize(
    "url, linked",
    [
        ("https://example.org/a", True),
        ("http://example.org/a", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("ftp://example.org/", False),
        ("not a url", False),
    ],
)
def test_only_http_urls_become_links(seed, url, linked):
    row = seed.iloc[[0]].copy()
    row["sources"] = json.dumps([{"outlet": "Outlet", "url": url}])
    outlet, link, text, _meta, _quote = popup_records(row)[0]["sources"][0]
    assert outlet == "Outlet"
    assert (link == url) is linked
    assert (text == url) is (not linked)  # a refused URL is shown as text


def test_malformed_sources_do_not_break_popups(seed):
    rows = seed.iloc[[0, 1, 2]].copy()
    rows["sources"] = ["not json", json.dumps({"outlet": "single"}), json.dumps(["plain string"])]
    sources = [r["sources"] for r in popup_records(rows)]
    assert (
        sources[0][0][0] == "not json"
        and sources[1][0][0] == "single"
        and sources[2][0][0] == "plain string"
    )


def test_long_text_is_capped(seed):
    row = seed.iloc[[0]].copy()
    row["notes"] = "x" * 5000
    rec = popup_records(row, notes_cap=100)[0]
    assert len(rec["notes"]) == 100 and rec["notes"].endswith("…") and rec["shortened"]


# --- hostile records ---------------------------------------------------------------------------


def hostile_frame(seed: pd.DataFrame, text: str) -> pd.DataFrame:
    rows = seed.copy()
    for column in (
        "location",
        "notes",
        "actor1",
        "actor2",
        "admin1",
        "country",
        "claimed_by",
        "event_id",
        "sub_event_type",
    ):
        rows[column] = text
    rows["claim_status"] = "claimed"
    rows["sources"] = json.dumps(
        [
            {
                "outlet": text,
                "url": "javascript:alert(1)",
                "quote": text,
                "published": text,
                "language": text,
            },
            {"outlet": "ok", "url": "https://example.org/?q=" + text},
        ]
    )
    return rows


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("point_limit", [POINT_LIMIT, 2])
def test_hostile_text_never_reaches_the_page_raw(seed, text, point_limit):
    html = render(hostile_frame(seed, text), point_limit=point_limit)
    assert text not in html
    for raw in ("<img src=x onerror", "${alert", "`;alert", "<svg onload", "\u2028", "\u2029"):
        assert raw not in html
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert all("alert(1)</script" not in s for s in scripts)
    assert html.count("<script>alert(1)") == 0
    # The text is still there, as JSON data (decoded back exactly).
    if point_limit == POINT_LIMIT:
        data = payload(html)
        cols = data["points"]["cols"]["notes"]
        notes = [cols["d"][i] for i in cols["i"]] if "d" in cols else cols["v"]
        assert notes[0] == text


@pytest.mark.parametrize("text", ["{% if x %}", "{{ 7 * 7 }}", "{# note"])
def test_template_markup_in_records_stays_text(seed, text):
    """Record text is data, never a template: folium would compile the layer's script (the
    whole payload) as Jinja, where ``{%`` broke the map and ``{{ 7 * 7 }}`` became 49."""
    frame = hostile_frame(seed, text)
    notes = payload(render(frame))["points"]["cols"]["notes"]
    assert text in (notes.get("d") or notes["v"])
    # The page's path: streamlit-folium renders the layer alone, to swap it on the map.
    from streamlit_folium import _get_feature_group_string

    layer = render_map(frame).layer_copy()
    script = _get_feature_group_string(layer, map=base_map())
    assert json.dumps(text, ensure_ascii=False) in script


def test_hostile_urls_are_not_links_in_the_payload(seed):
    data = payload(render(hostile_frame(seed, "x")))
    for sources in data["points"]["cols"]["sources"]["v"]:
        assert sources[0][1] is None and sources[0][2] == "javascript:alert(1)"
        assert sources[1][1].startswith("https://example.org/")


def test_browser_code_builds_text_nodes_not_html(seed):
    html = render(seed)
    assert "innerHTML" not in html.split("var map_")[-1] and "innerHTML" not in LAYER_SCRIPT
    assert "textContent" in LAYER_SCRIPT and "createTextNode" in LAYER_SCRIPT
    # scheme checked again in JS
    assert 'p.protocol === "http:" || p.protocol === "https:"' in LAYER_SCRIPT
    assert asset_url("incidents_layer.js") in html  # the page loads it from the app


# --- aggregation -------------------------------------------------------------------------------


@pytest.mark.parametrize("frame_kind", ["seed", "synthetic"])
def test_cell_sums_equal_casualty_totals(seed, frame_kind):
    frame = seed if frame_kind == "seed" else synthetic_frame(20_000, seed=3)
    totals = incidents.casualty_totals(frame)
    tables = aggregate_cells(frame)
    assert sorted(tables) == list(HEX_RESOLUTIONS)
    for table in tables.values():
        assert table["incidents"].sum() == len(frame)
        assert (table["killed"].sum(), table["killed_low"].sum(), table["killed_high"].sum()) == (
            totals.killed.best,
            totals.killed.low,
            totals.killed.high,
        )
        assert table["killed_unknown"].sum() == totals.killed.unknown
        assert (
            table["injured"].sum(),
            table["injured_low"].sum(),
            table["injured_high"].sum(),
        ) == (totals.injured.best, totals.injured.low, totals.injured.high)
        assert table["injured_unknown"].sum() == totals.injured.unknown
        assert (
            table["unconfirmed"].sum() == frame["claim_status"].isin(["claimed", "disputed"]).sum()
        )
        assert table["cell"].is_monotonic_increasing and table["cell"].is_unique


def test_shared_figure_counted_once_in_cells(seed):
    grouped = seed[seed["casualty_group"].notna()]  # Poltava and Odesa share 8 killed
    for table in aggregate_cells(grouped).values():
        assert table["killed"].sum() == 8
        assert table["incidents"].sum() == 2


def test_aggregated_payload_holds_the_cells(seed):
    data = payload(render(seed, point_limit=2))
    assert data["points"] is None
    levels = data["hex"]["levels"]
    assert [lv["res"] for lv in levels] == list(HEX_RESOLUTIONS)
    for lv in levels:
        assert sum(lv["incidents"]) == 5 and sum(lv["killed"]) == 9  # 8 shared once + 1 + 0
        assert len(lv["v"]) == 12 * len(lv["lat"])
    assert "narrow the filters" in data["hex"]["note"]
    assert "counted once" in data["hex"]["note"]


def decoded_level(lv: dict) -> dict:
    """A hexagon level as the browser reads it (incidents_layer.js undoes the compaction)."""
    out = dict(lv)
    out["lat"], out["lon"] = np.cumsum(lv["lat"]).tolist(), np.cumsum(lv["lon"]).tolist()
    v = np.array(lv["v"], dtype=np.int64).reshape(-1, 12)
    out["v"] = np.cumsum(v, axis=0).reshape(-1).tolist()
    for name in ("killed", "injured"):
        for suffix in ("_low", "_high"):
            out[name + suffix] = lv[name + suffix] or lv[name]
    return out


def test_hexagon_payload_decodes_to_the_h3_cells():
    frame = synthetic_frame(POINT_LIMIT + 3000, seed=8)
    frame.loc[frame.index[:50], "fatalities_high"] = 99  # a range in some cells
    tables = aggregate_cells(frame)
    data = payload(render(frame))
    for lv in data["hex"]["levels"]:
        got = decoded_level(lv)
        table = tables[lv["res"]]
        for cell in table["cell"].tolist()[:: max(1, len(table) // 50)]:
            k = table.index[table["cell"] == cell][0]
            clat, clon = h3.cell_to_latlng(h3.int_to_str(cell))
            assert (got["lat"][k], got["lon"][k]) == (round(clat * 1e4), round(clon * 1e4))
            boundary = h3.cell_to_boundary(h3.int_to_str(cell))
            for m, (vlat, vlon) in enumerate(boundary[:6]):
                assert got["lat"][k] + got["v"][12 * k + 2 * m] == round(vlat * 1e4)
                assert got["lon"][k] + got["v"][12 * k + 2 * m + 1] == round(vlon * 1e4)
        for name in ("killed_low", "killed_high", "injured_low", "injured_high"):
            assert got[name] == table[name].tolist()
    assert any(
        lv["killed_high"] is not None for lv in data["hex"]["levels"]
    )  # sent when it differs
    assert all(
        lv["injured_low"] is None for lv in data["hex"]["levels"]
    )  # not sent when it does not


# --- modes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, limit, mode",
    [(5, 5, "points"), (5, 4, "aggregated"), (5, POINT_LIMIT, "points"), (0, POINT_LIMIT, "empty")],
)
def test_mode_switch_at_point_limit(seed, rows, limit, mode):
    frame = seed.iloc[:rows]
    summary = map_summary(frame, point_limit=limit)
    assert summary.mode == mode
    assert summary.incidents == rows
    if mode == "points":
        assert (
            summary.points == rows
            and summary.aggregated == 0
            and "one circle per incident" in summary.caption
        )
    if mode == "aggregated":
        assert summary.aggregated == rows and summary.points == 0 and "hexagon" in summary.caption
        assert "narrow the filters" in summary.caption and summary.resolutions == HEX_RESOLUTIONS


def test_default_point_limit_switch_on_synthetic():
    frame = synthetic_frame(POINT_LIMIT + 1, seed=2)
    assert map_summary(frame).mode == "aggregated"
    assert map_summary(frame.iloc[:POINT_LIMIT]).mode == "points"


def test_bbox_with_few_incidents_shows_them_one_by_one():
    frame = synthetic_frame(20_000, seed=4)
    box = (50.0, 30.0, 51.0, 31.2)  # around Kyiv
    inside = frame["latitude"].between(50.0, 51.0) & frame["longitude"].between(30.0, 31.2)
    summary = map_summary(frame, point_limit=3000, bbox=box, zoom_to_points=True)
    assert summary.mode == "aggregated"
    assert summary.points == inside.sum() > 0 and summary.aggregated == len(frame) - inside.sum()
    assert summary.bbox == box and "outlined area" in summary.caption
    data = payload(render(frame, point_limit=3000, bbox=box, zoom_to_points=True))
    assert len(data["points"]["lat"]) == inside.sum()
    assert data["box"] == list(box)
    assert sum(data["hex"]["levels"][0]["incidents"]) == len(frame) - inside.sum()
    assert "zoom in" in data["hex"]["note"]


@pytest.mark.parametrize(
    "case, kwargs",
    [
        ("seed", {}),
        ("empty", {}),
        ("aggregated", {"zoom_to_points": True}),
        (
            "aggregated",
            {"point_limit": 3000, "bbox": (50.0, 30.0, 51.0, 31.2), "zoom_to_points": True},
        ),
    ],
)
def test_render_map_aggregates_once_and_matches_build_map_and_summary(
    seed, monkeypatch, case, kwargs
):
    frame = {
        "seed": seed,
        "empty": seed.iloc[:0],
        "aggregated": synthetic_frame(POINT_LIMIT + 2000, seed=6),
    }[case]
    real = aggregate_module.aggregate_cells
    calls = []

    def counting(*args, **kw):
        calls.append(len(args[0]))
        return real(*args, **kw)

    monkeypatch.setattr(aggregate_module, "aggregate_cells", counting)
    result = render_map(frame, **kwargs)
    assert len(calls) == (1 if case == "aggregated" else 0)
    assert isinstance(result.map, folium.Map)
    assert result.summary == map_summary(frame, **kwargs)
    assert result.summary.mode == (
        "aggregated" if case == "aggregated" else "points" if case == "seed" else "empty"
    )
    assert result.map.get_root().render() == build_map(frame, **kwargs).get_root().render()


def test_bbox_with_too_many_incidents_stays_aggregated():
    frame = synthetic_frame(20_000, seed=4)
    summary = map_summary(frame, point_limit=100, bbox=(44, 22, 57, 45))
    assert summary.points == 0 and summary.bbox is None


def test_empty_frame_has_no_data_layer_and_default_view(seed):
    m = build_map(seed.iloc[:0])
    html = m.get_root().render()
    assert not LAYER_CALL.search(html)
    assert json.dumps([list(DEFAULT_BOUNDS[0]), list(DEFAULT_BOUNDS[1])]).replace(
        " ", ""
    ) in html.replace(" ", "")


def test_rows_without_coordinates_are_counted_not_drawn(seed):
    frame = seed.copy()
    frame.loc[frame.index[0], "latitude"] = np.nan
    summary = map_summary(frame)
    assert summary.not_placed == 1 and summary.points == 4
    assert "without usable coordinates" in summary.caption
    assert len(payload(render(frame))["points"]["lat"]) == 4


def test_fit_bounds_to_the_incidents(seed):
    fit = payload(render(seed.iloc[[0, 1]]))["fit"]  # Poltava and Odesa
    (s, w), (n, e) = fit["bounds"]
    assert (s, w, n, e) == (46.48572, 30.74383, 49.58925, 34.55367)
    assert fit["soft"] is False
    # A region-level incident is drawn as its region: the view holds the whole region.
    (s, w), (n, e) = payload(render(seed[seed["geo_precision"] == 3]))["fit"]["bounds"]
    west, south, east, north = find_region("RU-LIP").geometry.bounds
    assert (s, w, n, e) == pytest.approx((south, west, north, east), abs=0.02)
    # Without a known region it is a ~30 km area around its point: the view is padded for it.
    unknown = seed[seed["geo_precision"] == 3].copy()
    unknown["admin1"], unknown["latitude"], unknown["longitude"] = "Nowhere", 40.0, 170.0
    (s, w), (n, e) = payload(render(unknown))["fit"]["bounds"]
    assert (s, w, n, e) == pytest.approx((39.7, 169.7, 40.3, 170.3))


def test_fit_key_follows_the_selection_and_a_box_fits_softly(seed):
    assert payload(render(seed))["fit"]["key"] == payload(render(seed.copy()))["fit"]["key"]
    assert payload(render(seed))["fit"]["key"] != payload(render(seed.iloc[:4]))["fit"]["key"]
    frame = synthetic_frame(20_000, seed=4)
    box = (50.0, 30.0, 51.0, 31.2)
    fit = payload(render(frame, point_limit=3000, bbox=box, zoom_to_points=True))["fit"]
    assert fit["soft"] is True and fit["bounds"] == [[50.0, 30.0], [51.0, 31.2]]


def test_base_map_is_the_same_for_every_selection(seed):
    pages = [
        render_map(f).map.get_root().render()
        for f in (seed, seed.iloc[:2], synthetic_frame(POINT_LIMIT + 10, seed=3))
    ]
    bases = [base_map().get_root().render() for _ in range(2)]
    assert bases[0] == bases[1] and not LAYER_CALL.search(bases[0])
    for page in pages:  # the whole map: the base map's elements plus one data layer
        assert len(LAYER_CALL.findall(page)) == 1 and "L.control.layers(" in page
    layer = render_map(seed).layer
    assert isinstance(layer, folium.FeatureGroup) and render_map(seed.iloc[:0]).layer is None


# --- scale -------------------------------------------------------------------------------------


def test_no_folium_marker_per_incident(seed):
    small = render(seed)
    large = render(synthetic_frame(3000, seed=5))
    assert small.count("L.circleMarker(") == large.count("L.circleMarker(")
    assert "circle_marker_" not in large


@pytest.mark.slow
def test_page_stays_small_at_100k():
    html = render(synthetic_frame(100_000, seed=6))
    assert len(html.encode()) < 5_000_000


@pytest.mark.slow
def test_page_stays_small_at_the_point_limit_with_long_texts():
    frame = synthetic_frame(POINT_LIMIT, seed=7)
    frame["notes"] = "Ж" * 3000
    frame["sources"] = json.dumps(
        [{"outlet": "o" * 100, "url": "https://example.org/" + "a" * 500, "quote": "q" * 2000}] * 8
    )
    html = render(frame)
    assert len(html.encode()) < 5_000_000
    assert payload(html)["points"]["cols"][
        "shortened"
    ]  # texts were shortened, and the popup says so


# --- stability, base maps ----------------------------------------------------------------------


def test_identical_input_gives_identical_page(seed):
    assert render(seed) == render(seed.copy())
    assert render(seed, point_limit=2) == render(seed.copy(), point_limit=2)
    assert render(seed) != render(seed.iloc[:4])


def test_layer_control_offers_every_basemap(seed):
    html = render(seed, basemap="OpenStreetMap")
    assert "L.control.layers(" in html
    for name, base in BASEMAPS.items():
        assert f'"{name}"' in html and base.url in html
    assert '"Incidents"' in html


def test_unknown_basemap_is_refused(seed):
    with pytest.raises(ValueError, match="CartoDB Positron"):
        build_map(seed, basemap="Nope")


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, BASEMAPS["OpenStreetMap"].url),
        (
            {"MAP_TILES_URL": "http://tiles.local/{z}/{x}/{y}.png"},
            "http://tiles.local/{z}/{x}/{y}.png",
        ),
        ({"MAP_TILES_URL": "/tiles/{z}/{x}/{y}.png"}, "/tiles/{z}/{x}/{y}.png"),
        (
            {
                "MAP_TILES_URL_OPENSTREETMAP": "https://a.example/{z}/{x}/{y}.png",
                "MAP_TILES_URL": "/t/{z}/{x}/{y}.png",
            },
            "https://a.example/{z}/{x}/{y}.png",
        ),
        ({"MAP_TILES_URL": "javascript:alert(1)"}, BASEMAPS["OpenStreetMap"].url),
        ({"MAP_TILES_URL": 'https://x/"><script>'}, BASEMAPS["OpenStreetMap"].url),
    ],
)
def test_tile_url_override(monkeypatch, env, expected):
    for var in ("MAP_TILES_URL", "MAP_TILES_URL_OPENSTREETMAP"):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert basemap_url("OpenStreetMap") == expected


def test_tile_url_override_reaches_the_page(seed, monkeypatch):
    monkeypatch.setenv("MAP_TILES_URL", "/tiles/{z}/{x}/{y}.png")
    html = render(seed)
    assert "/tiles/{z}/{x}/{y}.png" in html and BASEMAPS["OpenStreetMap"].url not in html


@pytest.mark.parametrize(
    "bounds",
    [
        {"_southWest": {"lat": 48.01, "lng": 35.02}, "_northEast": {"lat": 49.02, "lng": 37.01}},
        [[48.01, 35.02], [49.02, 37.01]],
        (48.01, 35.02, 49.02, 37.01),
    ],
)
def test_snap_bbox_forms_and_outward_rounding(bounds):
    s, w, n, e = snap_bbox(bounds)
    assert s <= 48.01 and w <= 35.02 and n >= 49.02 and e >= 37.01
    assert snap_bbox(
        {"_southWest": {"lat": 48.02, "lng": 35.03}, "_northEast": {"lat": 49.03, "lng": 37.02}}
    ) == (s, w, n, e)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        [1, 2, 3],
        {"_southWest": {"lat": "x", "lng": 1}, "_northEast": {"lat": 1, "lng": 1}},
        (50, 0, 40, 1),
    ],
)
def test_snap_bbox_refuses_bad_bounds(bad):
    assert snap_bbox(bad) is None
