"""Filters on the seed incidents, one case per row, and their URL form."""

from __future__ import annotations

import datetime as dt

import pytest

from incidents import FilterError, IncidentFilter, apply_filter, load_seed, with_group_figures

FRAME = with_group_figures(*load_seed())


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"Poltava", "Odesa", "Lipetsk Oblast", "Yelets", "Milove"}),
        ({"start": "2025-07-04"}, set()),
        ({"end": "2025-07-03"}, {"Poltava", "Odesa", "Lipetsk Oblast", "Yelets", "Milove"}),
        # Milove's casualties are unknown: kept by default, dropped on request.
        ({"min_killed": "1"}, {"Poltava", "Odesa", "Lipetsk Oblast", "Milove"}),
        ({"min_killed": "1", "unknown": "exclude"}, {"Poltava", "Odesa", "Lipetsk Oblast"}),
        # Poltava and Odesa compare with their shared figure (8 killed, 10 injured).
        ({"min_killed": "5", "unknown": "exclude"}, {"Poltava", "Odesa"}),
        ({"max_killed": "0", "unknown": "exclude"}, {"Yelets"}),
        ({"min_injured": "2", "max_injured": "2", "unknown": "exclude"}, {"Lipetsk Oblast"}),
        ({"unknown": "only"}, {"Milove"}),
        ({"event_type": ["Battles"]}, {"Milove"}),
        ({"event_type": ["Battles", "Protests"]}, {"Milove"}),
        ({"sub_event_type": "Air/drone strike", "country": "Russia"}, {"Lipetsk Oblast", "Yelets"}),
        ({"admin1": "Kharkiv"}, {"Milove"}),
        (
            {"actor": "Military Forces of Ukraine (2019-)"},
            {"Poltava", "Lipetsk Oblast", "Yelets", "Milove"},
        ),
        ({"claim": "claimed"}, {"Milove"}),
        ({"text": "recruitment"}, {"Poltava"}),
        ({"text": "YELETS"}, {"Yelets"}),
        ({"text": "no such words"}, set()),
    ],
)
def test_filters_keep_what_they_say(params, expected):
    flt = IncidentFilter.from_query_params(params)
    assert set(apply_filter(FRAME, flt)["location"]) == expected


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "03/07/2025"}, "start"),
        ({"min_killed": "-1"}, "min_killed"),
        ({"min_killed": "ten"}, "min_killed"),
        ({"start": "2025-07-05", "end": "2025-07-01"}, "after end"),
        ({"unknown": "maybe"}, "unknown"),
        ({"claim": "rumour"}, "claim status"),
    ],
)
def test_bad_parameters_name_themselves(params, message):
    with pytest.raises(FilterError, match=message):
        IncidentFilter.from_query_params(params)


def test_url_round_trip():
    flt = IncidentFilter(
        start=dt.date(2025, 7, 1),
        end=dt.date(2025, 7, 31),
        min_killed=1,
        unknown="exclude",
        event_types=("Battles", "Explosions/Remote violence"),
        countries=("Ukraine",),
        text="Odesa",
    )
    params = flt.to_query_params()
    assert params["event_type"] == ["Battles", "Explosions/Remote violence"]
    assert params["start"] == ["2025-07-01"]
    assert IncidentFilter.from_query_params(params) == flt
    assert IncidentFilter().to_query_params() == {}


def _spans():
    """Four incidents: one day, and three spans (event_date to event_date_end)."""
    import pandas as pd

    frame = with_group_figures(*load_seed()).head(4).copy()
    frame["event_id"] = ["DAY", "FEB-MAR", "MAR-APR", "JAN"]
    frame["event_date"] = pd.to_datetime(["2024-03-10", "2024-02-01", "2024-03-20", "2024-01-01"])
    frame["event_date_end"] = pd.to_datetime([None, "2024-03-31", "2024-04-15", "2024-01-31"])
    return frame


@pytest.mark.parametrize(
    "start, end, kept",
    [
        ("2024-03-01", "2024-03-15", {"DAY", "FEB-MAR"}),  # FEB-MAR began before the window
        ("2024-04-01", None, {"MAR-APR"}),  # began in March, ends in April
        (None, "2024-01-15", {"JAN"}),
        ("2024-03-16", "2024-03-19", {"FEB-MAR"}),  # inside the span, no day of another
        ("2024-02-01", "2024-02-01", {"FEB-MAR"}),  # its first day
        ("2024-03-31", "2024-03-31", {"FEB-MAR", "MAR-APR"}),  # last day of one, inside another
        ("2024-04-16", None, set()),  # after every span
        ("2024-03-11", "2024-03-11", {"FEB-MAR"}),  # the day after the one-day incident
        (None, None, {"DAY", "FEB-MAR", "MAR-APR", "JAN"}),
    ],
)
def test_a_date_window_keeps_the_spans_that_overlap_it(start, end, kept):
    flt = IncidentFilter(
        start=dt.date.fromisoformat(start) if start else None,
        end=dt.date.fromisoformat(end) if end else None,
    )
    assert set(apply_filter(_spans(), flt)["event_id"]) == kept


def test_a_frame_without_end_dates_filters_by_its_dates():
    frame = _spans().drop(columns=["event_date_end"])
    flt = IncidentFilter(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))
    assert set(apply_filter(frame, flt)["event_id"]) == {"DAY", "MAR-APR"}
