"""The map's time playback: frames and counts match the data, a shared figure counts once per
frame, and the payload (every mode) follows static/payload.schema.json."""

from __future__ import annotations

import datetime as dt
import json
import re

import h3
import jsonschema
import numpy as np
import pandas as pd
import pytest

import incidents
from dashboard.maps import POINT_LIMIT, render_map
from dashboard.maps import playback as playback_module
from dashboard.maps.aggregate import STAT_COLUMNS, cell_stats
from dashboard.maps.layer import payload_schema
from dashboard.views import Selection, columnar
from incidents import IncidentFilter
from incidents.totals import casualty_totals, counted_casualties
from tests.support.frames import synthetic_frame

LAYER_CALL = re.compile(r"IncidentsMap\.layer\(\w+, (\{.*\})\);\n")


def payload_of(result) -> dict:
    return json.loads(LAYER_CALL.search(result.map.get_root().render()).group(1))


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    inc, groups = incidents.load_seed()
    return incidents.with_group_figures(inc, groups)


def spread_over_days(n: int) -> pd.DataFrame:
    """n incidents over 120 days, shared figures whose incidents fall on different days."""
    f = synthetic_frame(n, seed=21)
    rng = np.random.default_rng(2)
    f["event_date"] = (
        pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 120, len(f)), unit="D")
    ).astype("datetime64[us]")
    return f


@pytest.fixture(scope="module")
def spread() -> pd.DataFrame:
    return spread_over_days(4000)


# --- a small decoder of the "time" object, as incidents_layer.js reads it ---------------------


def window_sums(time: dict, first: int, last: int) -> dict[str, int]:
    s = time["sums"]
    days = np.array(s["day"])
    inside = (days >= first) & (days <= last)
    out = {}
    for name in STAT_COLUMNS:
        values = s[name] if s[name] is not None else s[name.rsplit("_", 1)[0]]
        out[name] = int(np.array(values)[inside].sum())
    return out


def decoded_cells(time: dict) -> list[dict[int, int]]:
    """Per cell of the playback level: {period: incidents}."""
    c = time["cells"]
    t_iter, c_iter = iter(c["t"]), iter(c["c"])
    out = []
    for n in c["n"]:
        entries: dict[int, int] = {}
        if n > 0:
            t = 0
            for k in range(n):
                t = next(t_iter) if k == 0 else t + next(t_iter)
                entries[t] = next(c_iter)
        elif n < 0:
            first = next(t_iter)
            for k in range(-n):
                count = next(c_iter)
                if count:
                    entries[first + k] = count
        out.append(entries)
    assert next(t_iter, None) is None and next(c_iter, None) is None
    return out


def day_of(frame: pd.DataFrame, start: str) -> np.ndarray:
    d0 = np.datetime64(start, "D")
    return (frame["event_date"].to_numpy().astype("datetime64[D]") - d0).astype(int)


def row_stats(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each row's part of the sums, with the selection's carriers of shared figures."""
    stats = cell_stats(counted_casualties(frame), frame["claim_status"])
    return {name: np.asarray(stats[name]) for name in STAT_COLUMNS}


def expected_window(stats: dict[str, np.ndarray], days: np.ndarray, first: int, last: int) -> dict:
    """The window's sums from the rows' parts."""
    inside = (days >= first) & (days <= last)
    return {name: int(values[inside].sum()) for name, values in stats.items()}


# --- frames and counts match the data ---------------------------------------------------------


def test_every_day_window_matches_the_rows(spread):
    shown = spread.iloc[:POINT_LIMIT]
    time = payload_of(render_map(shown))["time"]
    days = day_of(shown, time["start"])
    assert time["start"] == str(spread["event_date"].min().date())
    assert time["days"] == int(days.max()) + 1
    stats = row_stats(shown)
    for first in range(time["days"]):
        assert window_sums(time, first, first) == expected_window(stats, days, first, first)


def test_cumulative_frames_equal_the_kpis_of_the_rows_up_to_that_day(spread):
    """The shared-figure rule per frame: everything up to day t counts as the KPIs of exactly
    those incidents would (a figure carried by the earliest incident of the selection)."""
    time = payload_of(render_map(spread))["time"]
    days = day_of(spread, time["start"])
    for last in (0, 5, 17, 60, time["days"] - 1):
        totals = casualty_totals(spread[days <= last])
        got = window_sums(time, 0, last)
        assert got["incidents"] == totals.incidents
        assert (got["killed"], got["killed_low"], got["killed_high"], got["killed_unknown"]) == (
            totals.killed.best,
            totals.killed.low,
            totals.killed.high,
            totals.killed.unknown,
        )
        assert (got["injured"], got["injured_unknown"]) == (
            totals.injured.best,
            totals.injured.unknown,
        )


def test_weekly_windows_add_up_to_the_selection(spread):
    time = payload_of(render_map(spread))["time"]
    start = dt.date.fromisoformat(time["start"])
    offset = start.weekday()  # days from the Monday of week 0
    weeks = [(max(k * 7 - offset, 0), k * 7 - offset + 6) for k in range(0, 20)]
    total = {name: 0 for name in STAT_COLUMNS}
    for first, last in weeks:
        for name, value in window_sums(time, first, last).items():
            total[name] += value
    kpis = casualty_totals(spread)
    assert total["incidents"] == kpis.incidents == len(spread)
    assert total["killed"] == kpis.killed.best and total["injured"] == kpis.injured.best
    assert total["killed_unknown"] == kpis.killed.unknown


def test_a_shared_figure_counts_once_in_the_window_of_its_earliest_incident(seed):
    two_days = seed.copy()
    odesa = two_days["event_id"] == "AFP-20250703-02"  # shares 8 killed with Poltava
    two_days.loc[odesa, "event_date"] = pd.Timestamp("2025-07-05")
    time = payload_of(render_map(two_days))["time"]
    assert time["days"] == 3
    first_day, third_day = window_sums(time, 0, 0), window_sums(time, 2, 2)
    assert first_day["incidents"] == 4 and third_day["incidents"] == 1
    assert first_day["killed"] == 9  # Poltava carries the shared 8, plus Lipetsk's 1
    assert third_day["killed"] == 0 and third_day["killed_unknown"] == 0  # not unknown either
    assert window_sums(time, 0, 2)["killed"] == casualty_totals(two_days).killed.best == 9
    # Without its earliest incident the selection's carrier is the later one.
    time = payload_of(render_map(two_days[~(two_days["event_id"] == "AFP-20250703-01")]))["time"]
    assert window_sums(time, 2, 2)["killed"] == 8 and window_sums(time, 0, 0)["killed"] == 1
    assert "counted once" in time["note"]


def test_points_carry_their_day_in_drawing_order(spread):
    frame = spread.iloc[:300]
    data = payload_of(render_map(frame))
    ids = data["points"]["cols"]["id"]
    id_list = [ids["d"][i] for i in ids["i"]] if "d" in ids else ids["v"]
    by_id = dict(zip(frame["event_id"], day_of(frame, data["time"]["start"]).tolist(), strict=True))
    assert data["time"]["pointDay"] == [by_id[i] for i in id_list]


def test_hexagon_frames_count_the_rows_of_each_cell_and_day(spread):
    data = payload_of(render_map(spread, point_limit=500))
    time, hexes = data["time"], data["hex"]
    cells = time["cells"]
    assert cells is not None and cells["step"] == 1
    level = hexes["levels"][cells["level"]]
    ids = sorted(
        {
            h3.str_to_int(h3.latlng_to_cell(a, b, level["res"]))
            for a, b in spread[["latitude", "longitude"]].itertuples(index=False)
        }
    )
    days = day_of(spread, time["start"])
    expected: list[dict[int, int]] = [{} for _ in ids]
    position = {c: j for j, c in enumerate(ids)}
    for (a, b), d in zip(
        spread[["latitude", "longitude"]].itertuples(index=False), days, strict=True
    ):
        j = position[h3.str_to_int(h3.latlng_to_cell(a, b, level["res"]))]
        expected[j][int(d)] = expected[j].get(int(d), 0) + 1
    got = decoded_cells(time)
    assert got == expected
    # Over all days each cell holds what its static hexagon says.
    assert [sum(c.values()) for c in got] == level["incidents"]


def test_hexagon_frames_fall_back_to_weeks_then_to_none(spread, monkeypatch):
    daily = payload_of(render_map(spread, point_limit=500))["time"]["cells"]
    entries = sum(abs(n) for n in daily["n"])
    monkeypatch.setattr(playback_module, "PAIR_BUDGET", entries // 3)
    weekly = payload_of(render_map(spread, point_limit=500))["time"]["cells"]
    assert weekly["step"] == 7
    start = dt.date.fromisoformat(payload_of(render_map(spread.iloc[:1]))["time"]["start"])
    assert start == spread.iloc[:1]["event_date"].iloc[0].date()
    # Weekly counts sum the daily ones per week (weeks from the Monday on or before day 0).
    offset = dt.date.fromisoformat(
        payload_of(render_map(spread, point_limit=500))["time"]["start"]
    ).weekday()
    if weekly["level"] == daily["level"]:
        time_daily = {"cells": daily}
        time_weekly = {"cells": weekly}
        for d_cell, w_cell in zip(
            decoded_cells(time_daily), decoded_cells(time_weekly), strict=True
        ):
            folded: dict[int, int] = {}
            for day, count in d_cell.items():
                folded[(day + offset) // 7] = folded.get((day + offset) // 7, 0) + count
            assert folded == w_cell
    monkeypatch.setattr(playback_module, "PAIR_BUDGET", 3)
    assert payload_of(render_map(spread, point_limit=500))["time"]["cells"] is None


def test_the_columnar_path_plays_the_same_frames():
    """Above POINT_LIMIT the page takes the columnar path: it plays what the frame path does."""
    frame = spread_over_days(POINT_LIMIT + 1500)
    frame.loc[frame.index[:40], "latitude"] = np.nan  # not on the map, still in the KPIs
    arrays = columnar.frame_arrays(frame)
    for flt in (IncidentFilter(), IncidentFilter(start=dt.date(2025, 3, 10))):
        fast = Selection(frame, flt, arrays)
        slow = Selection(frame, flt)
        assert fast.count == slow.count > POINT_LIMIT  # else both take the same path
        assert fast.map.layer.payload == slow.map.layer.payload
        time = json.loads(fast.map.layer.payload)["time"]
        assert window_sums(time, 0, time["days"])["incidents"] == fast.count


def test_undated_rows_are_counted_apart(seed):
    frame = seed.copy()
    frame["event_date"] = frame["event_date"].astype("datetime64[us]")
    frame.loc[frame.index[1], "event_date"] = pd.NaT
    time = payload_of(render_map(frame))["time"]
    assert time["undated"] == 1 and "without a date" in time["note"]
    assert window_sums(time, 0, time["days"])["incidents"] == 4
    assert -1 in time["pointDay"]


# --- the payload follows its schema in every mode ----------------------------------------------


@pytest.mark.parametrize("mode", ["points", "aggregated", "box"])
def test_payload_follows_the_schema(seed, spread, mode):
    kwargs = {
        "points": {},
        "aggregated": {"point_limit": 500},
        "box": {"point_limit": 500, "bbox": (50.0, 30.0, 51.0, 31.2), "zoom_to_points": True},
    }[mode]
    frame = seed if mode == "points" else spread
    data = payload_of(render_map(frame, **kwargs))
    jsonschema.Draft202012Validator(payload_schema()).validate(data)
    assert (data["points"] is not None) == (mode != "aggregated")
    assert (data["hex"] is not None) == (mode != "points")


def test_schema_rejects_a_wrong_payload(seed):
    data = payload_of(render_map(seed))
    validator = jsonschema.Draft202012Validator(payload_schema())
    broken = json.loads(json.dumps(data))
    broken["points"]["scale"] = 1e4  # the browser would put every incident 10x off
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(data))
    del broken["time"]["sums"]["killed_unknown"]
    assert not validator.is_valid(broken)


def test_the_schema_is_itself_valid():
    jsonschema.Draft202012Validator.check_schema(payload_schema())


def test_no_time_control_without_dates(seed):
    assert payload_of(render_map(seed.drop(columns=["event_date"])))["time"] is None
