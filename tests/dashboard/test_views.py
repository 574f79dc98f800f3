"""The dashboard's pure functions (dashboard.views), one case per row, mostly on the seed."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import views
from dashboard.maps import EVENT_TYPE_COLORS, POINT_LIMIT, map_summary, snap_bbox
from dashboard.maps import aggregate as aggregate_module
from incidents import (
    Figure,
    IncidentFilter,
    apply_filter,
    casualty_totals,
    load_seed,
    with_group_figures,
)
from tests.support.frames import synthetic_frame

FRAME = with_group_figures(*load_seed())
D = dt.date


def _select(**params) -> pd.DataFrame:
    return apply_filter(FRAME, IncidentFilter.from_query_params(params))


# -- KPIs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, incidents, killed, killed_note, injured, injured_note, shared",
    [
        ({}, "5", "9", "unknown for 1 incident", "12 (10–14)", "unknown for 1 incident", True),
        # Poltava and Odesa share one figure: it counts once, not twice.
        ({"admin1": ["Poltava", "Odesa"]}, "2", "8", None, "10 (8–12)", None, True),
        ({"admin1": "Poltava"}, "1", "8", None, "10 (8–12)", None, True),
        ({"location": "x", "text": "Yelets"}, "1", "0", None, "0", None, False),
        # Only Milove: unknown, never 0.
        (
            {"event_type": "Battles"},
            "1",
            "unknown",
            "unknown for 1 incident",
            "unknown",
            "unknown for 1 incident",
            False,
        ),
        ({"text": "nowhere at all"}, "0", "0", None, "0", None, False),
    ],
)
def test_kpis(params, incidents, killed, killed_note, injured, injured_note, shared):
    params.pop("location", None)
    rows = _select(**params)
    k = views.kpis(casualty_totals(rows), rows)
    assert (k.incidents, k.killed, k.killed_note, k.injured, k.injured_note) == (
        incidents,
        killed,
        killed_note,
        injured,
        injured_note,
    )
    assert (k.shared_note is not None) == shared
    if params == {}:
        assert k.shared_note.startswith(
            "2 incidents of this view are covered by 1 shared casualty figure "
        )
    if params == {"admin1": "Poltava"}:
        assert k.shared_note.startswith(
            "1 incident of this view is covered by 1 shared casualty figure "
        )


@pytest.mark.parametrize(
    "figure, carriers, expected",
    [
        (Figure(9, 9, 9, 1), 4, "9"),
        (Figure(12, 10, 14, 0), 3, "12 (10–14)"),
        (Figure(1234567, 1234567, 1234567, 0), 9, "1,234,567"),
        (Figure(0, 0, 0, 2), 2, "unknown"),
        (Figure(0, 0, 0, 1), 2, "0"),
        (Figure(0, 0, 0, 0), 0, "0"),
    ],
)
def test_figure_value(figure, carriers, expected):
    assert views.figure_value(figure, carriers=carriers) == expected


# -- timeline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, freq",
    [
        ("2025-07-03", "2025-07-03", "D"),
        ("2025-01-01", "2025-03-31", "D"),
        ("2025-01-01", "2025-06-30", "W"),
        ("2022-02-24", "2025-02-01", "W"),
        ("2015-01-01", "2025-07-03", "M"),
        ("1950-01-01", "2025-07-03", "Y"),
        (None, None, "D"),
    ],
)
def test_timeline_freq_by_span(start, end, freq):
    assert views.timeline_freq(start and pd.Timestamp(start), end and pd.Timestamp(end)) == freq


def test_timeline_seed_counts_shared_figure_once_and_leaves_unknown_out():
    tl = views.timeline(FRAME)
    assert tl.freq == "D" and tl.unit == "day"
    rows = {r.event_type: r for r in tl.data.itertuples()}
    strikes, battles = rows["Explosions/Remote violence"], rows["Battles"]
    assert strikes.incidents == 4 and strikes.killed == 9 and strikes.injured == 12
    # Milove's figures are unknown: NA (not drawn), not 0.
    assert battles.incidents == 1 and pd.isna(battles.killed) and pd.isna(battles.injured)
    assert battles.killed_unknown == 1
    assert tl.unknown_killed == 1 and tl.unknown_injured == 1
    assert (tl.data["period_end"] - tl.data["period"] == pd.Timedelta(days=1)).all()


def _synthetic(dates: list[str], killed: list[int | None]) -> pd.DataFrame:
    n = len(dates)
    base = FRAME.iloc[[3] * n].reset_index(drop=True).copy()  # Yelets: no shared figure
    base["event_id"] = [f"S-{i}" for i in range(n)]
    base["event_date"] = pd.to_datetime(dates)
    for suffix in ("", "_low", "_high"):
        base["fatalities" + suffix] = pd.array(killed, dtype="Int64")
    return base


@pytest.mark.parametrize(
    "dates, killed, freq, expected",
    [
        # Weeks start on Monday: 2025-07-07 is a Monday.
        (
            ["2025-07-06", "2025-07-07", "2025-07-13", "2025-12-01"],
            [1, 2, 3, 4],
            "W",
            {"2025-06-30": 1, "2025-07-07": 5, "2025-12-01": 4},
        ),
        (["2025-07-06", "2025-07-07"], [None, None], "W", {"2025-06-30": None, "2025-07-07": None}),
        (["2025-07-06", "2025-07-06"], [None, 3], "D", {"2025-07-06": 3}),
        (
            ["2020-01-31", "2020-02-01", "2025-02-28"],
            [1, 1, 1],
            "M",
            {"2020-01-01": 1, "2020-02-01": 1, "2025-02-01": 1},
        ),
    ],
)
def test_timeline_periods(dates, killed, freq, expected):
    tl = views.timeline(_synthetic(dates, killed), freq=freq)
    got = {
        p.date().isoformat(): (None if pd.isna(k) else int(k))
        for p, k in zip(tl.data["period"], tl.data["killed"])
    }
    assert got == expected


def test_timeline_is_bounded_for_long_spans():
    dates = pd.date_range("1990-01-01", "2025-01-01", periods=5000).strftime("%Y-%m-%d").tolist()
    tl = views.timeline(_synthetic(dates, [1] * 5000))
    assert tl.freq == "Y" and len(tl.data) <= 40


def test_timeline_empty():
    tl = views.timeline(FRAME.iloc[0:0])
    assert len(tl.data) == 0 and tl.unknown_killed == 0


# -- table -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "best, low, high, text",
    [
        (8, 8, 8, "8"),
        (10, 8, 12, "10 (8–12)"),
        (None, None, None, "unknown"),
        (24, 24, None, "≥ 24"),
        (24, 20, None, "24 (≥ 20)"),
        (None, 0, 5, "0–5"),
        (None, 3, None, "≥ 3"),
        (None, None, 5, "≤ 5"),
        (0, 0, 0, "0"),
        (1500, 1000, 2000, "1,500 (1,000–2,000)"),
        (pd.NA, pd.NA, pd.NA, "unknown"),
    ],
)
def test_casualty_cell(best, low, high, text):
    assert views.casualty_cell(best, low, high) == text


@pytest.mark.parametrize(
    "sources, link",
    [
        (None, None),
        ("not json", None),
        ('{"url": "https://example.org"}', None),
        (json.dumps([{"outlet": "AFP"}]), None),
        (
            json.dumps(
                [
                    {"outlet": "A", "url": "javascript:alert(1)"},
                    {"outlet": "B", "url": "https://b.example/x"},
                ]
            ),
            "https://b.example/x",
        ),
        (json.dumps([{"outlet": "A", "url": "http://a.example/?q=1"}]), "http://a.example/?q=1"),
        (json.dumps([{"outlet": "A", "url": "data:text/html,<script>alert(1)</script>"}]), None),
        (json.dumps([{"outlet": "A", "url": "https://user@evil.example/"}]), None),
        (json.dumps([{"outlet": "A", "url": " JAVASCRIPT:alert(1)"}]), None),
    ],
)
def test_first_link_only_http(sources, link):
    assert views.first_link(sources) == link


def test_table_of_the_seed():
    table = views.table_view(FRAME)
    assert (table.shown, table.total, table.truncated) == (5, 5, False)
    assert list(table.rows.columns) == list(views.TABLE_COLUMNS)
    by_place = table.rows.set_index("Location")
    assert by_place.loc["Poltava", "Killed"] == "8"
    assert by_place.loc["Poltava", "Injured"] == "10 (8–12)"
    assert "counted once" in by_place.loc["Odesa", "Shared figure"]
    assert by_place.loc["Milove", "Killed"] == "unknown"
    assert by_place.loc["Milove", "Claim"] == "claimed"
    assert table.rows["Until"].isna().all()  # no spans in the seed
    assert by_place.loc["Milove", "Claimed by"].startswith("Russian armed forces")
    assert by_place.loc["Yelets", "Shared figure"] == ""
    assert by_place["Link"].isna().all()  # the seed's sources carry no URL
    # Newest first, then by id descending (all seed incidents are of the same day).
    assert table.rows["ID"].tolist() == sorted(FRAME["event_id"], reverse=True)


def test_the_table_shows_the_last_day_of_a_span():
    frame = FRAME.copy()
    frame["event_date_end"] = frame["event_date_end"].astype("datetime64[us]")
    frame.loc[frame.index[0], "event_date_end"] = frame["event_date"].iat[0] + pd.Timedelta(days=30)
    rows = views.table_view(frame).rows.set_index("ID")
    first = frame["event_id"].iat[0]
    assert rows.loc[first, "Until"] == (frame["event_date"].iat[0] + pd.Timedelta(days=30)).date()
    assert rows.drop(index=first)["Until"].isna().all()


def test_table_is_bounded_and_newest_first():
    dates = pd.date_range("2020-01-01", periods=3000, freq="D").strftime("%Y-%m-%d").tolist()
    frame = _synthetic(dates, [1] * 3000).sample(frac=1, random_state=1)
    frame.loc[frame.index[0], "notes"] = "x" * 5000
    table = views.table_view(frame, limit=100, text_limit=50)
    assert (table.shown, table.total, table.truncated) == (100, 3000, True)
    assert table.rows["Date"].iloc[0] == dt.date.fromisoformat(dates[-1])
    assert list(table.rows["Date"]) == sorted(table.rows["Date"], reverse=True)
    assert table.rows["Notes"].str.len().max() <= 50
    assert "newest 100 of 3,000" in table.caption()


def test_table_ties_at_the_limit_are_cut_by_id():
    frame = _synthetic(["2025-07-03"] * 10 + ["2025-07-01"] * 5, [1] * 15)
    table = views.table_view(frame, limit=4)
    assert table.rows["ID"].tolist() == ["S-9", "S-8", "S-7", "S-6"]


# -- options and widgets ---------------------------------------------------------------------


def test_filter_options_of_the_seed():
    o = views.filter_options(FRAME)
    assert (o.min_date, o.max_date) == (D(2025, 7, 3), D(2025, 7, 3))
    assert o.event_types == ("Battles", "Explosions/Remote violence")
    assert o.sub_event_types["Battles"] == ("Non-state actor overtakes territory",)
    assert o.countries == ("Russia", "Ukraine")
    assert o.admin1["Ukraine"] == ("Kharkiv", "Odesa", "Poltava")
    assert o.actors == ("Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)")
    assert not o.actors_truncated
    assert views.filter_options(FRAME, actor_limit=1).actors_truncated


@pytest.mark.parametrize(
    "actor1, actor2, limit, expected, truncated",
    [
        # Counted over both actor columns; missing actors are not an option.
        (["A", "B", "B", None], [None, "C", None, None], 2, ("A", "B"), True),
        # Ties at the limit go by name, whatever the order of the rows.
        (["Z", "Y", "X"], [None, None, None], 2, ("X", "Y"), True),
        (["X", "Y", "Z"], [None, None, None], 2, ("X", "Y"), True),
        (["Z", "Z", "Y", "X"], ["X", None, None, None], 2, ("X", "Z"), True),
        (["A", "B"], ["B", "A"], 2, ("A", "B"), False),
        ([None, None], [None, None], 5, (), False),
    ],
)
def test_the_most_frequent_actors_are_offered(actor1, actor2, limit, expected, truncated):
    frame = FRAME.head(1).loc[[0] * len(actor1)].reset_index(drop=True)
    frame = frame.assign(
        actor1=pd.array(actor1, dtype="string"), actor2=pd.array(actor2, dtype="string")
    )
    o = views.filter_options(frame, actor_limit=limit)
    assert (o.actors, o.actors_truncated) == (expected, truncated)


def test_filter_options_pair_each_parent_with_its_own_children_only():
    frame = FRAME.head(1).loc[[0, 0, 0, 0]].reset_index(drop=True)
    frame = frame.assign(
        country=pd.array(["Ukraine", "Ukraine", "Russia", None], dtype="string"),
        admin1=pd.array(["Odesa", None, "Kursk", "Kursk"], dtype="string"),
    )
    o = views.filter_options(frame)
    assert o.countries == ("Russia", "Ukraine")
    assert dict(o.admin1) == {"Russia": ("Kursk",), "Ukraine": ("Odesa",)}


def test_filter_options_of_an_empty_store():
    o = views.filter_options(FRAME.iloc[0:0], today=D(2026, 1, 1))
    assert o.min_date == o.max_date == D(2026, 1, 1) and o.event_types == ()


@pytest.mark.parametrize(
    "parents, selected, expected",
    [
        ((), (), ["Kharkiv", "Lipetsk", "Odesa", "Poltava"]),
        (("Russia",), (), ["Lipetsk"]),
        (("Russia", "Ukraine"), (), ["Kharkiv", "Lipetsk", "Odesa", "Poltava"]),
        (("Atlantis",), (), []),
        # A value from a shared URL that the data does not know stays visible.
        (("Russia",), ("Crimea",), ["Crimea", "Lipetsk"]),
        # A known value of another parent is kept visible while it is selected.
        (("Russia",), ("Odesa",), ["Lipetsk", "Odesa"]),
        ((), ("Crimea",), ["Crimea", "Kharkiv", "Lipetsk", "Odesa", "Poltava"]),
    ],
)
def test_dependent_options(parents, selected, expected):
    o = views.filter_options(FRAME)
    assert views.dependent_options(o.admin1, parents, selected) == expected


OPTIONS = views.filter_options(FRAME)


@pytest.mark.parametrize(
    "flt",
    [
        IncidentFilter(),
        IncidentFilter(min_killed=1, unknown="exclude"),
        IncidentFilter(start=D(2025, 7, 1), end=D(2025, 7, 2)),
        IncidentFilter(
            event_types=("Battles",), countries=("Ukraine",), admin1=("Kharkiv",), text="Milove"
        ),
        IncidentFilter(
            min_injured=2, max_injured=5, actors=("X",), claim_statuses=("claimed", "disputed")
        ),
        IncidentFilter(unknown="only", sub_event_types=("Air/drone strike",)),
    ],
)
def test_widgets_round_trip(flt):
    values = views.widget_values(flt, OPTIONS)
    assert views.filter_from_widgets(vars(values), OPTIONS) == flt


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"dates": (D(2025, 7, 3), D(2025, 7, 3))}, IncidentFilter()),
        ({"dates": (D(2025, 7, 1),)}, IncidentFilter(start=D(2025, 7, 1))),  # range half picked
        ({"dates": ()}, IncidentFilter()),
        (
            {"dates": (D(2025, 7, 4), D(2025, 7, 9))},
            IncidentFilter(start=D(2025, 7, 4), end=D(2025, 7, 9)),
        ),
        ({"dates": (D(2025, 7, 1), D(2025, 7, 3))}, IncidentFilter(start=D(2025, 7, 1))),
        ({"min_killed": 5, "max_killed": 2}, IncidentFilter(min_killed=2, max_killed=5)),
        ({"min_killed": 3.0}, IncidentFilter(min_killed=3)),
        ({"unknown": "bogus"}, IncidentFilter()),
        ({"claim_statuses": ["claimed", "rumour"]}, IncidentFilter(claim_statuses=("claimed",))),
        ({"text": "  Odesa  "}, IncidentFilter(text="Odesa")),
        ({"event_types": ["Battles", "Battles"]}, IncidentFilter(event_types=("Battles",))),
    ],
)
def test_filter_from_widgets(values, expected):
    assert views.filter_from_widgets(values, OPTIONS) == expected


def test_widget_values_open_bounds_show_the_data_span():
    values = views.widget_values(IncidentFilter(start=D(2025, 8, 1)), OPTIONS)
    assert values.dates == (D(2025, 8, 1), D(2025, 8, 1))
    assert values.date_bounds == (D(2025, 7, 3), D(2025, 8, 1))


@pytest.mark.parametrize(
    "params, expected, warned",
    [
        ({}, IncidentFilter(), []),
        (
            {"event_type": ["Battles", "Protests"]},
            IncidentFilter(event_types=("Battles", "Protests")),
            [],
        ),
        (
            {"min_killed": "1", "unknown": "exclude"},
            IncidentFilter(min_killed=1, unknown="exclude"),
            [],
        ),
        (
            {"min_killed": "ten", "country": "Ukraine"},
            IncidentFilter(countries=("Ukraine",)),
            ["min_killed"],
        ),
        ({"start": "03/07/2025"}, IncidentFilter(), ["start"]),
        (
            {"start": "2025-08-01", "end": "2025-07-01", "min_injured": "2"},
            IncidentFilter(min_injured=2),
            ["start"],
        ),
        ({"unknown": "maybe"}, IncidentFilter(), ["unknown"]),
        ({"claim": ["rumour"]}, IncidentFilter(), ["claim"]),
        ({"min_kiled": "1"}, IncidentFilter(), ["min_kiled"]),
        (
            {"min_killed": "-1", "max_killed": "9999999999"},
            IncidentFilter(),
            ["min_killed", "max_killed"],
        ),
    ],
)
def test_parse_query_params(params, expected, warned):
    flt, warnings = views.parse_query_params(params)
    assert flt == expected
    assert len(warnings) == len(warned)
    for name, text in zip(warned, warnings):
        assert name in text


def test_parse_query_params_round_trips_every_filter():
    flt = IncidentFilter(
        start=D(2025, 7, 1), end=D(2025, 7, 31), min_killed=1, max_killed=9, min_injured=0, max_injured=3,
        unknown="exclude", event_types=("Battles",), sub_event_types=("Armed clash",), countries=("Ukraine",),
        admin1=("Kharkiv",), actors=("A", "B"), claim_statuses=("claimed",), text="Odesa",
    )  # fmt: skip
    assert views.parse_query_params(flt.to_query_params()) == (flt, [])


@pytest.mark.parametrize(
    "a, b, same",
    [
        ({}, {}, True),
        ({"event_type": ["A"]}, {"event_type": "A"}, True),
        ({"event_type": ["A", "B"]}, {"event_type": ["B", "A"]}, False),
        ({"min_killed": ["1"]}, {}, False),
        ({"text": []}, {}, True),
    ],
)
def test_same_params(a, b, same):
    assert views.same_params(a, b) is same


# -- text safety -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "![x](https://evil.example/x.png)",
        ":red[alarm] $x^2$ **bold** `code` ~~gone~~ <b>b</b> &amp;",
        "line\nbreak\n# heading\n- item\n1. item",
        "\\[not a link](x)",
    ],
)
def test_escape_markdown(text):
    out = views.escape_markdown(text)
    # Every ASCII punctuation sign is escaped: Markdown, HTML and Streamlit directives stay text.
    assert re.search(r"(?<!\\)[\[\]()<>`*_$:~#&!|-]", out.replace("\\\\", "")) is None
    assert "\n" not in out
    # Nothing is lost: removing the escapes gives the text back (on one line).
    assert out.replace("\\", "") == " ".join(text.replace("\\", "").split())


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        (None, 10, None),
        (pd.NA, 10, None),
        ("short", 10, "short"),
        ("0123456789abc", 10, "012345678…"),
    ],
)
def test_clip(text, limit, expected):
    assert views.clip(text, limit) == expected


@pytest.mark.parametrize(
    "flt, expected",
    [
        (IncidentFilter(), "all incidents"),
        (
            IncidentFilter(min_killed=1, unknown="exclude"),
            "≥ 1 killed; unknown casualties excluded",
        ),
        (IncidentFilter(start=D(2025, 7, 1)), "2025-07-01 to …"),
        (IncidentFilter(event_types=("A", "B", "C", "D")), "A, B, C +1"),
        (IncidentFilter(min_injured=1, max_injured=3, text="x"), "1–3 injured; text “x”"),
    ],
)
def test_filter_summary(flt, expected):
    assert views.filter_summary(flt) == expected


@pytest.mark.parametrize(
    "bbox, inside",
    [
        ((49.0, 34.0, 50.0, 35.0), [True, False, False, False]),
        ((-90.0, -180.0, 90.0, 180.0), [True, True, True, False]),
        ((40.0, 170.0, 60.0, 190.0), [False, True, True, False]),  # across the antimeridian
        ((40.0, -200.0, 60.0, 200.0), [True, True, True, False]),  # wider than the world
        ((49.5, 34.5, 49.5, 34.5), [True, False, False, False]),  # edges included
    ],
)
def test_in_bbox(bbox, inside):
    lat = np.array([49.5, 50.0, 50.0, np.nan])
    lon = np.array([34.5, 179.5, -179.5, 30.0])
    assert views.in_bbox(lat, lon, bbox).tolist() == inside


def test_table_takes_full_rows_only_for_what_it_shows():
    slim = FRAME[["event_id", "event_date", "casualty_group"]]
    asked = []

    def rows_of(positions):
        asked.append(list(positions))
        return FRAME.iloc[positions]

    table = views.table_view(slim, limit=2, rows_of=rows_of)
    assert len(asked) == 1 and len(asked[0]) == 2
    assert table.rows["ID"].tolist() == ["AFP-20250703-05", "AFP-20250703-04"]
    assert (table.shown, table.total) == (2, 5)


@pytest.mark.parametrize("column", ["incidents", "killed", "injured"])
def test_stacked_bars_leave_unknown_out(column):
    data = views.stacked(views.timeline(FRAME).data, column)
    if column == "incidents":
        assert data["y1"].max() == 5 and len(data) == 2
    else:  # Milove (Battles) has unknown figures: no bar at all, not a zero bar
        assert data["event_type"].tolist() == ["Explosions/Remote violence"]
    assert (data["y1"] >= data["y0"]).all()


# -- selection (what app.py caches per filter) -----------------------------------------------


def test_selection_of_the_whole_seed():
    sel = views.Selection(FRAME, IncidentFilter())
    assert sel.positions is None and sel.count == 5
    assert sel.rows(FRAME) is FRAME
    assert sel.kpis == views.kpis(casualty_totals(FRAME), FRAME)
    assert sel.timeline is not None and sel.timeline.data.equals(views.timeline(FRAME).data)
    assert sel.table.rows.equals(views.table_view(FRAME).rows)
    assert sel.map is not None and sel.map_summary == map_summary(FRAME, zoom_to_points=True)


def test_selection_of_a_filter():
    flt = IncidentFilter.from_query_params({"event_type": ["Battles"]})
    sel = views.Selection(FRAME, flt)
    assert sel.positions.tolist() == [4] and sel.count == 1
    assert sel.rows(FRAME)["event_id"].tolist() == ["AFP-20250703-05"]
    assert sel.table.rows["ID"].tolist() == ["AFP-20250703-05"]
    assert sel.map_summary.mode == "points" and sel.map_summary.points == 1


def test_selection_matching_nothing():
    sel = views.Selection(FRAME, IncidentFilter.from_query_params({"text": "nowhere at all"}))
    assert sel.count == 0 and sel.positions.tolist() == []
    assert sel.timeline is None and sel.map is None and sel.map_summary is None
    assert sel.kpis.incidents == "0" and sel.table.total == 0


def test_selection_of_a_big_frame_aggregates_once_and_zooms(monkeypatch):
    frame = synthetic_frame(POINT_LIMIT + 2000, seed=6)
    real = aggregate_module.aggregate_cells
    calls = []
    monkeypatch.setattr(
        aggregate_module, "aggregate_cells", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    sel = views.Selection(frame, IncidentFilter())
    assert len(calls) == 1
    assert sel.map_summary.mode == "aggregated" and sel.map_summary.aggregated == len(frame)
    box = (50.0, 30.0, 51.0, 31.2)
    rows = sel.zoomed_rows(frame, box)
    inside = frame["latitude"].between(50.0, 51.0) & frame["longitude"].between(30.0, 31.2)
    assert len(rows) == len(frame) and 0 < inside.sum() <= POINT_LIMIT
    zoomed = sel.zoomed_map(frame, box)
    assert zoomed.summary == map_summary(rows, bbox=box, zoom_to_points=True)
    assert zoomed.summary.points == inside.sum()
    assert sel.zoomed_map(frame, (-90.0, -180.0, 90.0, 180.0)) is None  # too many inside
    assert sel.zoomed_map(frame, (0.0, 0.0, 1.0, 1.0)) is None  # none inside


@pytest.mark.parametrize(
    "flt", [IncidentFilter(), IncidentFilter(event_types=("Battles",), min_killed=2, text="Odesa")]
)
def test_filter_key_round_trip(flt):
    key = views.filter_key(flt)
    assert views.filter_from_key(key) == flt
    assert key == json.dumps(flt.to_query_params(), sort_keys=True)


def test_map_box():
    bounds = {"_southWest": {"lat": 49.1, "lng": 30.2}, "_northEast": {"lat": 50.9, "lng": 32.7}}
    assert views.map_box({}, None) is None
    assert views.map_box({"bounds": bounds}, None) == snap_bbox(bounds)
    active = ((48.0, 29.0, 52.0, 34.0), 9)
    assert (
        views.map_box({"bounds": bounds, "center": {"lat": 50.0, "lng": 31.0}}, active) == active[0]
    )
    assert views.map_box(
        {"bounds": bounds, "center": {"lat": 55.0, "lng": 31.0}}, active
    ) == snap_bbox(bounds)


def test_timeline_note_and_colors():
    tl = views.timeline(FRAME)
    assert views.timeline_note(tl, "incidents") == f"Per {tl.unit}, by event type."
    killed = views.timeline_note(tl, "killed")
    assert (
        tl.unknown_killed == 1
        and " 1 incident with an unknown figure is not drawn (not counted as 0). " in killed
    )
    assert killed.endswith("A figure shared by several incidents counts once, on the first.")
    types, colors = views.event_type_colors(tl)
    assert types == ["Battles", "Explosions/Remote violence"]
    assert colors == [EVENT_TYPE_COLORS["Battles"], EVENT_TYPE_COLORS["Explosions/Remote violence"]]


@pytest.mark.parametrize(
    "url, label",
    [
        (
            "postgresql://user:secret@db.example/incidents",
            "postgresql://user:***@db.example/incidents",
        ),
        ("sqlite:///data/incidents.sqlite", "sqlite:///data/incidents.sqlite"),
        ("not a url", "(not a database URL)"),
    ],
)
def test_store_label(url, label):
    assert views.store_label(url) == label
