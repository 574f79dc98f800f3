"""The columnar path of a big selection gives the row-wise path's figures, exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.maps import POINT_LIMIT
from dashboard.maps.aggregate import aggregate_cells
from dashboard.views import Selection, columnar, timeline
from incidents import IncidentFilter
from incidents.totals import casualty_totals, counted_casualties
from tests.support.frames import synthetic_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    f = synthetic_frame(3 * POINT_LIMIT, seed=11)
    rng = np.random.default_rng(5)
    unplaced = rng.random(len(f)) < 0.02
    f.loc[unplaced, "latitude"] = np.nan  # not on the map, still counted
    # A group whose earliest incident has no coordinates: the map's carrier is another one.
    grouped = f.index[f["casualty_group"].notna()]
    g = f.loc[grouped[0], "casualty_group"]
    members = f.index[f["casualty_group"] == g]
    f.loc[members, "event_date"] = pd.Timestamp("2023-01-01")
    f.loc[members[0], "latitude"] = np.nan
    f.loc[rng.random(len(f)) < 0.01, "event_type"] = pd.NA
    return f


@pytest.fixture(scope="module")
def arrays(frame) -> columnar.FrameArrays:
    return columnar.frame_arrays(frame)


def subsets(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {
        "all": np.arange(n),
        "random half": np.flatnonzero(rng.random(n) < 0.5),  # splits shared figures
        "every 7th": np.arange(0, n, 7),
        "one row": np.array([n // 2]),
    }


@pytest.mark.parametrize("name", list(subsets(10)))
def test_totals_timeline_and_cells_equal_the_row_wise_ones(frame, arrays, name):
    rows = subsets(len(frame))[name]
    sub = frame.iloc[rows]
    assert columnar.totals(arrays, rows) == casualty_totals(sub)
    fast, slow = columnar.timeline(arrays, rows), timeline(sub, counted_casualties(sub))
    assert fast.freq == slow.freq
    pd.testing.assert_frame_equal(
        fast.data.reset_index(drop=True), slow.data.reset_index(drop=True)
    )
    placed = sub[np.isfinite(sub["latitude"].to_numpy(dtype=float))]
    expected = aggregate_cells(placed)
    got = columnar.cells(arrays, rows)
    assert set(got) == set(expected)
    for res in expected:
        pd.testing.assert_frame_equal(got[res], expected[res], check_dtype=False)
    # The same cells when the time control's per-row sums of these rows are handed in (reused
    # when every row is placed, rebuilt for the placed ones otherwise).
    with_times = columnar.cells(arrays, rows, columnar.row_times(arrays, rows))
    assert set(with_times) == set(expected)
    for res in expected:
        pd.testing.assert_frame_equal(with_times[res], expected[res], check_dtype=False)
    assert columnar.grouped_count(arrays, rows) == int(sub["casualty_group"].notna().sum())
    assert columnar.group_sizes(arrays, rows) == sub["casualty_group"].value_counts().to_dict()


def test_newest_is_date_then_id_descending(frame, arrays):
    rows = np.arange(len(frame))
    order = rows[columnar.newest(arrays, rows, 1000)]
    expected = (
        frame.assign(_pos=rows)
        .sort_values(["event_date", "event_id"], ascending=False)
        .head(1000)["_pos"]
        .to_numpy()
    )
    assert (order == expected).all()


@pytest.mark.parametrize("order", ["date, then id (as a store reads it)", "shuffled"])
def test_rows_of_one_date_are_ordered_by_id_whatever_the_frame_order(frame, order):
    sorted_frame = frame.sort_values(["event_date", "event_id"], ignore_index=True)
    f = (
        sorted_frame
        if order.startswith("date")
        else sorted_frame.sample(frac=1, random_state=7, ignore_index=True)
    )
    arrays = columnar.frame_arrays(f)
    ranked = np.lexsort((arrays.id_rank, arrays.date_key))
    expected = f.assign(_pos=np.arange(len(f))).sort_values(["event_date", "event_id"])["_pos"]
    assert (ranked == expected.to_numpy()).all()


@pytest.mark.parametrize(
    "flt",
    [
        IncidentFilter(),
        IncidentFilter(min_killed=1),
        IncidentFilter(min_killed=1, unknown="exclude"),
        IncidentFilter(event_types=("Battles", "Explosions/Remote violence")),
        IncidentFilter(
            start=pd.Timestamp("2023-01-01").date(), end=pd.Timestamp("2023-03-31").date()
        ),  # below the point limit
    ],
)
def test_selection_is_the_same_either_way(frame, arrays, flt):
    fast, slow = Selection(frame, flt, arrays), Selection(frame, flt)
    assert fast.count == slow.count
    assert fast.kpis == slow.kpis
    pd.testing.assert_frame_equal(
        fast.timeline.data.reset_index(drop=True), slow.timeline.data.reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(fast.table.rows, slow.table.rows)
    assert (fast.table.shown, fast.table.total) == (slow.table.shown, slow.table.total)
    assert fast.map_summary == slow.map_summary
    assert fast.map.layer.payload == slow.map.layer.payload
    if fast.map_summary.mode == "aggregated":  # the hexagons hold every placed incident
        assert set(fast.map_summary.cells) == {3, 4, 5, 6}
        assert fast.map_summary.aggregated == int(
            np.isfinite(
                frame["latitude"].to_numpy(dtype=float)[
                    fast.positions if fast.positions is not None else slice(None)
                ]
            ).sum()
        )


@pytest.mark.parametrize(
    "positions", [[], [0], [5, 3, 3, 0], list(range(0, 300, 7)), [299, 150, 0, 151]]
)
def test_take_rows_equals_iloc_on_chunked_arrow_columns(positions):
    import pyarrow as pa

    from incidents.frame import take_rows

    n = 300
    text = pa.chunked_array(
        [
            pa.array([f"row {i}" if i % 11 else None for i in range(k, k + 100)])
            for k in (0, 100, 200)
        ]
    )
    frame = pd.DataFrame(
        {
            "event_id": pd.array(text, dtype="string"),
            "killed": pd.array([i if i % 3 else None for i in range(n)], dtype="Int64"),
            "latitude": np.linspace(44, 56, n),
            "event_date": pd.date_range("2024-01-01", periods=n, freq="D").astype("datetime64[us]"),
        },
        index=np.arange(1000, 1000 + n),
    )
    assert frame["event_id"].array.__arrow_array__().num_chunks == 3
    pos = np.array(positions, dtype=np.int64)
    pd.testing.assert_frame_equal(take_rows(frame, pos), frame.iloc[pos])


@pytest.mark.parametrize(
    "box",
    [
        (50.0, 30.0, 51.0, 31.2),
        (49.0, 32.0, 49.6, 33.5),
        (40.0, 10.0, 41.0, 11.0),
        (44.0, 22.0, 57.0, 45.0),
    ],
)
def test_zoomed_map_is_the_same_either_way(frame, arrays, box):
    selection = Selection(frame, IncidentFilter(), arrays)
    fast, slow = selection.zoomed_map(frame, box, arrays), selection.zoomed_map(frame, box)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert fast.summary == slow.summary and fast.summary.points > 0
        assert fast.layer.payload == slow.layer.payload


def test_big_selection_with_few_coordinates_draws_them_with_full_popups(frame):
    few = frame.copy()
    few.loc[few.index[POINT_LIMIT // 2 :], "latitude"] = np.nan  # most rows are not on the map
    arrays = columnar.frame_arrays(few)
    fast, slow = Selection(few, IncidentFilter(), arrays), Selection(few, IncidentFilter())
    for sel in (fast, slow):
        assert sel.count > POINT_LIMIT and sel.map_summary.mode == "points"
        assert sel.map_summary.points == int(
            np.isfinite(few["latitude"].to_numpy(dtype=float)).sum()
        )
        # Popups come from full rows: the notes and actors a slim copy lacks are there.
        drawn = few[np.isfinite(few["latitude"].to_numpy(dtype=float))].iloc[0]
        assert (
            drawn["notes"] in sel.map.layer.payload
            and "Military Forces of Russia" in sel.map.layer.payload
        )
    assert fast.map.layer.payload == slow.map.layer.payload


def test_cells_of_rows_all_placed_reuse_the_time_controls_sums_with_the_same_result(frame, arrays):
    rows = np.flatnonzero(arrays.placed)  # a selection whose every row is on the map
    assert len(rows) < len(frame)  # ... that leaves out some members of shared figures
    expected = aggregate_cells(frame.iloc[rows])
    got = columnar.cells(arrays, rows, columnar.row_times(arrays, rows))
    assert set(got) == set(expected)
    for res in expected:
        pd.testing.assert_frame_equal(got[res], expected[res], check_dtype=False)


@pytest.mark.parametrize("freq", ["D", "W", "M", "Y"])
@pytest.mark.parametrize("clock", [False, True], ids=["dates", "dates with times of day"])
def test_timeline_of_every_period_length_equals_the_row_wise_one(frame, freq, clock):
    f = frame.copy()
    if clock:  # a period depends on the day alone, whatever the time
        hours = np.random.default_rng(8).integers(0, 24, len(f))
        f["event_date"] = f["event_date"] + pd.to_timedelta(hours, unit="h")
    arrays = columnar.frame_arrays(f)
    rows = subsets(len(f))["random half"]
    sub = f.iloc[rows]
    fast = columnar.timeline(arrays, rows, freq=freq)
    slow = timeline(sub, counted_casualties(sub), freq=freq)
    pd.testing.assert_frame_equal(
        fast.data.reset_index(drop=True), slow.data.reset_index(drop=True)
    )
