"""The map's browser code under node: `node --test tests/js` (decoder, styles, playback).

Python builds payloads in every mode and writes them with the answers the data gives (frame
sums from the rows, hexagon counts from h3, coordinates, region bounds); the node tests decode
them with incidents_layer.js and must find the same. Skipped with a message without node.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

import incidents
from dashboard.maps import render_map
from dashboard.maps.aggregate import STAT_COLUMNS, cell_stats
from geodata.regions import find_region
from incidents.totals import counted_casualties
from tests.support.frames import synthetic_frame

ROOT = Path(__file__).resolve().parents[2]
LAYER_CALL = re.compile(r"IncidentsMap\.layer\(\w+, (\{.*\})\);\n")
NODE = shutil.which("node")


def payload_of(frame: pd.DataFrame, **kwargs) -> dict:
    return json.loads(LAYER_CALL.search(render_map(frame, **kwargs).map.get_root().render())[1])


def days_of(frame: pd.DataFrame, start: str) -> np.ndarray:
    return (
        frame["event_date"].to_numpy().astype("datetime64[D]") - np.datetime64(start, "D")
    ).astype(int)


def frame_answers(frame: pd.DataFrame, time: dict) -> list:
    """[step, frame, cumulative, first day, last day, sums] of some frames, from the rows."""
    stats = cell_stats(counted_casualties(frame), frame["claim_status"])
    days = days_of(frame, time["start"])
    offset = dt.date.fromisoformat(time["start"]).weekday()
    out = []
    n_weeks = (time["days"] + offset + 6) // 7
    for step, k, cumulative in (
        (1, 0, False),
        (1, time["days"] // 2, False),
        (1, time["days"] - 1, True),
        (7, 0, False),
        (7, n_weeks // 2, False),
        (7, n_weeks // 2, True),
        (7, n_weeks - 1, False),
    ):
        first, last = (k, k) if step == 1 else (k * 7 - offset, k * 7 - offset + 6)
        first = 0 if cumulative else max(first, 0)
        last = min(last, time["days"] - 1)
        inside = (days >= first) & (days <= last)
        sums = [int(np.asarray(stats[name])[inside].sum()) for name in STAT_COLUMNS]
        out.append([step, k, cumulative, first, last, sums])
    return out


def cell_answers(frame: pd.DataFrame, data: dict) -> list:
    """[cell, first day, last day, incidents] of some hexagons and windows, from h3."""
    time = data["time"]
    level = data["hex"]["levels"][time["cells"]["level"]]
    res = level["res"]
    ids = np.array(
        [
            h3.str_to_int(h3.latlng_to_cell(a, b, res))
            for a, b in frame[["latitude", "longitude"]].itertuples(index=False)
        ],
        dtype=np.uint64,
    )
    cells = np.unique(ids)
    days = days_of(frame, time["start"])
    out = []
    for j in range(0, len(cells), max(1, len(cells) // 12)):
        for first, last in ((0, time["days"] - 1), (0, 6), (10, 10), (30, 43)):
            count = int(((ids == cells[j]) & (days >= first) & (days <= last)).sum())
            out.append([j, first, last, count])
    return out


def samples() -> dict[str, dict]:
    inc, groups = incidents.load_seed()
    seed = incidents.with_group_figures(inc, groups)
    spread = synthetic_frame(3000, seed=31)
    rng = np.random.default_rng(4)
    spread["event_date"] = (
        pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 90, len(spread)), unit="D")
    ).astype("datetime64[us]")
    out = {}
    data = payload_of(seed)
    ids = data["points"]["cols"]["id"]
    id_list = [ids["d"][i] for i in ids["i"]] if "d" in ids else ids["v"]
    k = id_list.index("AFP-20250703-03")
    west, south, east, north = find_region("RU-LIP").geometry.bounds
    row = seed.set_index("event_id").loc[id_list[0]]
    out["seed"] = {
        "payload": data,
        "expect": {
            "points": [[0, float(row["latitude"]), float(row["longitude"])]],
            "regions": [[k, "RU-LIP", [south, west, north, east]]],
            "frames": frame_answers(seed, data["time"]),
        },
    }
    data = payload_of(spread)
    out["points"] = {"payload": data, "expect": {"frames": frame_answers(spread, data["time"])}}
    data = payload_of(spread, point_limit=300)
    level = data["hex"]["levels"][0]
    centres = np.cumsum(level["lat"]), np.cumsum(level["lon"])
    out["hexagons"] = {
        "payload": data,
        "expect": {
            "frames": frame_answers(spread, data["time"]),
            "cells": cell_answers(spread, data),
            "centres": [[0, j, centres[0][j] / 1e4, centres[1][j] / 1e4] for j in (0, 3)],
        },
    }
    data = payload_of(spread, point_limit=300, bbox=(50.0, 30.0, 51.0, 31.2), zoom_to_points=True)
    assert data["points"] is not None and data["hex"] is not None
    out["box"] = {"payload": data, "expect": {"frames": frame_answers(spread, data["time"])}}
    return out


def test_browser_code_under_node(tmp_path):
    if NODE is None:
        pytest.skip("the JavaScript unit tests need node (apt-get install nodejs)")
    for name, sample in samples().items():
        (tmp_path / f"{name}.json").write_text(json.dumps(sample), encoding="utf-8")
    env = dict(os.environ, INCIDENTS_MAP_SAMPLES=str(tmp_path))
    done = subprocess.run(
        [NODE, "--test", "tests/js/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert re.search(r"^# fail 0$", done.stdout, re.M), report
    assert re.search(r"^# skipped 0$", done.stdout, re.M), report  # the samples were read
