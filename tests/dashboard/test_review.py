"""The review page's pure helpers: highlighted evidence (escaped), form values <-> records."""

from __future__ import annotations

import datetime as dt

from dashboard.review import form_to_record, highlight, record_to_form
from incidents.draft import draft_report

TEXT = (
    "Une frappe de missile russe sur Dnipro a fait au moins trois morts mercredi. "
    "<b>Une</b> frappe & <img src=x onerror=alert(1)>"
)


def test_highlight_marks_the_evidence_and_escapes_everything_else():
    report = draft_report(TEXT, published=dt.date(2025, 7, 10))
    html = highlight(report.text, report.drafts)
    assert (
        '<mark style="background:#ffe08a" title="AFP-20250710-01: location">Dnipro</mark>' in html
    )
    assert "au moins trois morts</mark>" in html
    assert "<img" not in html and "<b>" not in html
    spans = {(e.start, e.end) for e in report.drafts[0].evidence.values() if e.end > e.start}
    assert 3 <= html.count("<mark") == html.count("</mark>") <= len(spans)  # overlaps: first wins
    assert "&lt;" in highlight("a <script> b", [])


def test_form_round_trip_and_a_changed_figure_resets_its_bounds():
    report = draft_report(TEXT, published=dt.date(2025, 7, 10))
    record = report.drafts[0].record
    values = record_to_form(record)
    assert values["event_date"] == dt.date(2025, 7, 9)
    assert (
        values["sub_event_type"] == "Explosions/Remote violence / Shelling/artillery/missile attack"
    )
    same = form_to_record(values, record)
    assert (same["fatalities"], same["fatalities_low"], same["fatalities_high"]) == (3, 3, None)
    values.update(fatalities=4, sub_event_type="Battles / Armed clash", claimed_by="x", notes="  ")
    new = form_to_record(values, record)
    assert (new["fatalities"], new["fatalities_low"], new["fatalities_high"]) == (4, 4, 4)
    assert (new["event_type"], new["disorder_type"]) == ("Battles", "Political violence")
    assert new["claimed_by"] is None  # confirmed: no claimant
    assert new["notes"] is None  # blank is empty, not "  "
    assert new["event_date"] == "2025-07-09" and new["sources"] == record["sources"]
