"""The data model's rules, one case per row."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from incidents import validate_frame

GOOD = {
    "event_id": "T-1",
    "event_date": "2025-07-03",
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Air/drone strike",
    "country": "Ukraine",
    "location": "Poltava",
    "latitude": "49.58925",
    "longitude": "34.55367",
    "geo_precision": "1",
}


def check(**changes):
    report = validate_frame(pd.DataFrame([{**GOOD, **changes}]), today=dt.date(2026, 1, 1))
    return report


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"event_date": "2025-13-01"}, "event_date", "is not a date"),
        ({"event_date": "yesterday"}, "event_date", "is not a date"),
        ({"event_date": "2031-01-01"}, "event_date", "in the future"),
        ({"event_date": "1850-01-01"}, "event_date", "before 1900"),
        ({"event_date": ""}, "event_date", "is required"),
        ({"event_type": "Airstrike"}, "event_type", "not an ACLED event type"),
        ({"sub_event_type": "Armed clash"}, "sub_event_type", "not a sub-event type of"),
        ({"disorder_type": "War"}, "disorder_type", "not an ACLED disorder type"),
        ({"latitude": "91"}, "latitude", "outside -90..90"),
        ({"longitude": "-180.5"}, "longitude", "outside -180..180"),
        ({"latitude": "north"}, "latitude", "is not a number"),
        ({"latitude": "inf"}, "latitude", "outside"),
        ({"geo_precision": "5"}, "geo_precision", "is not one of"),
        ({"time_precision": "0"}, "time_precision", "is not one of"),
        ({"fatalities": "-1"}, "fatalities", "is negative"),
        ({"injured": "2.5"}, "injured", "not a whole number"),
        ({"injured": "many"}, "injured", "is not a number"),
        ({"fatalities": "5", "fatalities_low": "6"}, "fatalities_low", "greater than fatalities"),
        ({"fatalities": "5", "fatalities_high": "4"}, "fatalities_high", "less than fatalities"),
        ({"injured_low": "9", "injured_high": "4"}, "injured_high", "less than injured_low"),
        ({"claim_status": "rumour"}, "claim_status", "is not one of"),
        ({"claim_status": "claimed"}, "claimed_by", "must say who claims it"),
        ({"sources": "not json"}, "sources", "not valid JSON"),
        ({"sources": '[{"url": "https://x.org"}]'}, "sources", "has no outlet"),
        (
            {"sources": '[{"outlet": "X", "url": "javascript:alert(1)"}]'},
            "sources",
            "only http(s) URLs",
        ),
        ({"location": "x" * 100_001}, "location", "longer than"),
        ({"location": "   "}, "location", "is required"),
    ],
)
def test_a_broken_rule_rejects_the_row_and_names_the_field(changes, field, message):
    report = check(**changes)
    assert report.valid.empty
    assert len(report.errors) == 1
    assert report.errors[0].field == field
    assert message in report.errors[0].message
    assert report.errors[0].event_id == "T-1"


@pytest.mark.parametrize(
    "changes, column, expected",
    [
        ({}, "fatalities", pd.NA),  # unknown stays unknown, never 0
        ({"fatalities": "0"}, "fatalities", 0),
        ({"event_date": "03 July 2025"}, "event_date", pd.Timestamp("2025-07-03")),
        ({}, "disorder_type", "Political violence"),  # derived from the sub-event type
        (
            {"sub_event_type": "Peaceful protest", "event_type": "Protests"},
            "disorder_type",
            "Demonstrations",
        ),
        ({}, "claim_status", "confirmed"),
        ({"claim_status": "Claimed", "claimed_by": "RU MoD"}, "claim_status", "claimed"),
        ({}, "time_precision", 1),
        ({"location": "  Poltava "}, "location", "Poltava"),
        # a byte order mark is no text: removed wherever it stands
        ({"location": "\ufeffPoltava"}, "location", "Poltava"),
        ({"actor2": "Civilians (Ukraine)\ufeff"}, "actor2", "Civilians (Ukraine)"),
        ({"notes": "Two \ufeffdrones"}, "notes", "Two drones"),
        ({"fatalities": "\ufeff3"}, "fatalities", 3),
    ],
)
def test_valid_rows_get_canonical_values(changes, column, expected):
    report = check(**changes)
    assert report.errors == []
    value = report.valid[column].iat[0]
    if expected is pd.NA:
        assert value is pd.NA
    else:
        assert value == expected


def test_errors_carry_line_numbers_and_good_rows_survive():
    rows = pd.DataFrame(
        [GOOD, {**GOOD, "event_id": "T-2", "latitude": "999"}, {**GOOD, "event_id": "T-3"}]
    )
    report = validate_frame(rows, lines=[2, 3, 4])
    assert list(report.valid["event_id"]) == ["T-1", "T-3"]
    assert [e.line for e in report.errors] == [3]
    assert list(report.lines) == [2, 4]


def test_duplicate_ids_in_one_input_keep_the_first():
    report = validate_frame(pd.DataFrame([GOOD, GOOD]))
    assert len(report.valid) == 1
    assert report.errors[0].line == 2 and "more than once" in report.errors[0].message
