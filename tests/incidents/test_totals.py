"""Totals count a shared figure once and keep unknown apart from zero."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents import (
    IncidentFilter,
    apply_filter,
    casualty_totals,
    counted_casualties,
    load_seed,
    with_group_figures,
)

FRAME = with_group_figures(*load_seed())


@pytest.mark.parametrize(
    "params, killed, injured",
    [
        # (best, low, high, unknown)
        ({}, (9, 9, 9, 1), (12, 10, 14, 1)),
        ({"text": "Poltava"}, (8, 8, 8, 0), (10, 8, 12, 0)),  # the shared figure, once
        ({"text": "Odesa"}, (8, 8, 8, 0), (10, 8, 12, 0)),
        ({"country": "Russia"}, (1, 1, 1, 0), (2, 2, 2, 0)),
        ({"event_type": "Battles"}, (0, 0, 0, 1), (0, 0, 0, 1)),  # unknown is not zero
        ({"start": "2026-01-01"}, (0, 0, 0, 0), (0, 0, 0, 0)),
    ],
)
def test_totals(params, killed, injured):
    totals = casualty_totals(apply_filter(FRAME, IncidentFilter.from_query_params(params)))
    k, i = totals.killed, totals.injured
    assert (k.best, k.low, k.high, k.unknown) == killed
    assert (i.best, i.low, i.high, i.unknown) == injured


def test_the_carrier_is_the_earliest_incident_of_the_group_in_the_selection():
    frame = FRAME.copy()
    frame.loc[frame["location"] == "Poltava", "event_date"] = pd.Timestamp("2025-07-04")
    counted = counted_casualties(frame)
    carriers = frame.loc[counted["killed"].fillna(0) == 8, "location"].tolist()
    assert carriers == ["Odesa"]
    assert counted["in_group"].sum() == 1


@pytest.mark.parametrize(
    "best, low, high, unknown, text",
    [
        (9, 9, 9, 0, "9"),
        (12, 10, 14, 1, "12 (10–14); unknown for 1 incident"),
        (1200, 1200, 1200, 3, "1,200; unknown for 3 incidents"),
    ],
)
def test_figure_describes_itself(best, low, high, unknown, text):
    from incidents import Figure

    assert Figure(best, low, high, unknown).describe() == text
