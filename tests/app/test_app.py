"""The page, driven headless with streamlit.testing (AppTest) on temporary stores."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from incidents import Store
from tests.support.records import XSS_ACTOR, XSS_LOCATION, add_incidents, incident, xss_records

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory) -> str:
    """One seeded store for the tests that only read: the page's caches, keyed on the store's
    revision, serve the later tests as they serve a second visitor of a running app."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.sqlite'}"
    Store.open(url)  # created and seeded
    return url


@pytest.fixture
def db(seed_url, monkeypatch) -> str:
    monkeypatch.setenv("INCIDENTS_DB", seed_url)
    return seed_url


@pytest.fixture
def own_db(tmp_path, monkeypatch) -> str:
    """A store of the test's own, for a test that writes."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("INCIDENTS_DB", url)
    return url


def run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def incidents_shown(at: AppTest) -> str:
    return metric(at, "Incidents").value


def table_ids(at: AppTest) -> list[str]:
    assert len(at.dataframe) == 1
    return at.dataframe[0].value["ID"].tolist()


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return [value] if isinstance(value, str) else list(value)


def active(text: str, syntax: str) -> bool:
    """True when ``syntax`` occurs in Markdown ``text`` without a backslash escape before it."""
    return re.search(r"(?<!\\)" + re.escape(syntax), text) is not None


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page renders as Markdown (where HTML-ish or link syntax could act)."""
    out = []
    for kind in (
        "markdown",
        "caption",
        "warning",
        "info",
        "error",
        "success",
        "title",
        "header",
        "subheader",
    ):
        out.extend(str(e.value) for e in getattr(at, kind))
    return out


def test_seed_view(db):
    at = run()
    assert incidents_shown(at) == "5"
    killed, injured = metric(at, "Killed"), metric(at, "Injured")
    assert killed.value == "9" and killed.delta == "unknown for 1 incident"
    assert injured.value == "12 (10–14)" and injured.delta == "unknown for 1 incident"
    assert any("covered by 1 shared casualty figure" in unescape(c.value) for c in at.caption)
    assert sorted(table_ids(at)) == [f"AFP-20250703-0{i}" for i in range(1, 6)]
    rows = at.dataframe[0].value.set_index("Location")
    assert rows.loc["Odesa", "Injured"] == "10 (8–12)" and rows.loc["Milove", "Killed"] == "unknown"
    assert rows.loc["Milove", "Claim"] == "claimed"
    assert not at.warning and not at.error
    assert dict(at.query_params) == {}


@pytest.mark.parametrize(
    "params, count, ids",
    [
        ({"event_type": "Battles"}, "1", ["AFP-20250703-05"]),
        (
            {"min_killed": "1"},
            "4",
            ["AFP-20250703-01", "AFP-20250703-02", "AFP-20250703-03", "AFP-20250703-05"],
        ),
        (
            {"min_killed": "1", "unknown": "exclude"},
            "3",
            ["AFP-20250703-01", "AFP-20250703-02", "AFP-20250703-03"],
        ),
        ({"unknown": "only"}, "1", ["AFP-20250703-05"]),
        ({"country": "Russia"}, "2", ["AFP-20250703-03", "AFP-20250703-04"]),
        ({"admin1": "Kharkiv", "claim": "claimed"}, "1", ["AFP-20250703-05"]),
        (
            {
                "actor": "Military Forces of Ukraine (2019-)",
                "event_type": "Explosions/Remote violence",
            },
            "3",
            ["AFP-20250703-01", "AFP-20250703-03", "AFP-20250703-04"],
        ),
        ({"text": "recruitment"}, "1", ["AFP-20250703-01"]),
        ({"start": "2025-07-03", "end": "2025-07-03"}, "5", None),
        ({"max_injured": "2", "unknown": "exclude"}, "2", ["AFP-20250703-03", "AFP-20250703-04"]),
    ],
)
def test_url_opens_the_view(db, params, count, ids):
    at = run(params)
    assert incidents_shown(at) == count
    if ids is not None:
        assert sorted(table_ids(at)) == ids
    assert not at.warning


def test_url_with_shared_figure_counts_it_once(db):
    at = run({"admin1": ["Poltava", "Odesa"]})
    assert incidents_shown(at) == "2"
    assert metric(at, "Killed").value == "8"  # not 16
    assert metric(at, "Injured").value == "10 (8–12)"
    assert not metric(at, "Killed").delta


def test_only_unknown_says_unknown_not_zero(db):
    at = run({"event_type": "Battles"})
    assert metric(at, "Killed").value == "unknown"
    assert metric(at, "Injured").value == "unknown"


@pytest.mark.parametrize(
    "params, bad, count",
    [
        ({"min_killed": "ten"}, "min_killed", "5"),
        ({"min_killed": "-3", "event_type": "Battles"}, "min_killed", "1"),
        ({"start": "03/07/2025"}, "start", "5"),
        ({"start": "2025-08-01", "end": "2025-07-01"}, "start", "5"),
        ({"unknown": "perhaps", "min_killed": "1"}, "unknown", "4"),
        ({"claim": "rumour"}, "claim", "5"),
        ({"min_kiled": "1"}, "min_kiled", "5"),
    ],
)
def test_bad_url_values_warn_and_fall_back(db, params, bad, count):
    at = run(params)
    warnings = [unescape(w.value) for w in at.warning]
    assert len(warnings) >= 1 and any(bad in w for w in warnings), warnings
    assert incidents_shown(at) == count
    assert bad not in at.query_params  # the shared URL is cleaned


def test_hostile_url_text_is_shown_as_text(db):
    at = run(
        {"text": "<img src=x onerror=alert(1)> [x](javascript:alert(1))", "min_killed": "<script>"}
    )
    assert incidents_shown(at) == "0"
    for text in markdown_texts(at):
        for bad in ("<img", "<script", "[x]", "](javascript"):
            assert not active(text, bad), text


def test_widgets_filter_and_write_the_url(db):
    at = run()
    at.multiselect(key="event_types-0").set_value(["Explosions/Remote violence"]).run()
    assert incidents_shown(at) == "4"
    assert qp(at, "event_type") == ["Explosions/Remote violence"]
    at.number_input(key="min_killed-0").set_value(1).run()
    assert incidents_shown(at) == "3"  # Poltava and Odesa (shared 8), Lipetsk (1); not Yelets (0)
    at.number_input(key="min_killed-0").set_value(2).run()
    assert incidents_shown(at) == "2"
    assert metric(at, "Killed").value == "8"
    assert qp(at, "min_killed") == ["2"]


def test_unknown_choice_and_text_search(db):
    at = run()
    at.number_input(key="min_injured-0").set_value(1).run()
    assert incidents_shown(at) == "4"  # Milove (unknown) is kept by default
    at.radio(key="unknown-0").set_value("exclude").run()
    assert incidents_shown(at) == "3"
    assert qp(at, "unknown") == ["exclude"]
    at.text_input(key="text-0").input("black sea").run()
    assert incidents_shown(at) == "1"
    assert table_ids(at) == ["AFP-20250703-02"]


def test_dependent_options(db):
    at = run()
    assert at.multiselect(key="admin1-0").options == ["Kharkiv", "Lipetsk", "Odesa", "Poltava"]
    at.multiselect(key="countries-0").set_value(["Russia"]).run()
    assert at.multiselect(key="admin1-0").options == ["Lipetsk"]
    at.multiselect(key="event_types-0").set_value(["Battles"]).run()
    assert at.multiselect(key="sub_event_types-0").options == [
        "Non-state actor overtakes territory"
    ]
    assert incidents_shown(at) == "0"


def test_empty_state(db):
    at = run()
    at.text_input(key="text-0").input("no such place").run()
    assert incidents_shown(at) == "0"
    assert any("No incident matches" in i.value for i in at.info)
    assert not at.dataframe
    assert not [b for b in at.get("download_button")]
    assert qp(at, "text") == ["no such place"]


def test_dates_from_the_url_outside_the_data(db):
    at = run({"start": "2025-07-04"})
    assert incidents_shown(at) == "0"
    assert at.date_input(key="dates-0").value == (dt.date(2025, 7, 4), dt.date(2025, 7, 4))
    assert any("No incident matches" in i.value for i in at.info)


def test_reset(db):
    at = run({"event_type": "Battles", "min_killed": "ten"})
    assert incidents_shown(at) == "1" and at.warning
    at.button(key="reset").click().run()
    assert incidents_shown(at) == "5"
    assert not at.warning
    assert dict(at.query_params) == {}
    assert at.multiselect(key="event_types-1").value == []


def test_url_values_unknown_to_the_data_stay_visible(db):
    at = run({"country": "Atlantis", "admin1": "Crimea"})
    assert incidents_shown(at) == "0"
    assert "Atlantis" in at.multiselect(key="countries-0").options
    assert at.multiselect(key="countries-0").value == ["Atlantis"]
    assert at.multiselect(key="admin1-0").value == ["Crimea"]


def test_downloads_are_offered(db):
    at = run({"event_type": "Battles"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels) and any(
        "GeoJSON" in label for label in labels
    ), labels
    assert any("GeoPackage" in label for label in labels), labels


def test_big_selection_shows_the_newest_rows_and_says_so(own_db):
    store = Store.open(own_db)
    start = dt.date(2020, 1, 1)
    add_incidents(
        store,
        [
            incident(
                event_id=f"BULK-{i:05d}", event_date=(start + dt.timedelta(days=i)).isoformat()
            )
            for i in range(1_010)
        ],
    )
    at = run()
    assert incidents_shown(at) == "1,015"
    rows = at.dataframe[0].value
    assert len(rows) == 1_000
    # Newest first: the seed (2025-07-03), then the bulk from 2022-10-06 back; the 15 oldest are cut.
    assert rows["ID"].iloc[5] == "BULK-01009" and rows["ID"].iloc[-1] == "BULK-00015"
    assert any("newest 1,000 of 1,015" in unescape(c.value) for c in at.caption)


def test_record_text_never_reaches_markdown(own_db):
    add_incidents(Store.open(own_db), xss_records())
    at = run()
    assert incidents_shown(at) == "7"
    rows = at.dataframe[0].value.set_index("ID")
    assert rows.loc["XSS-1", "Location"] == XSS_LOCATION  # shown as text by the table
    assert rows.loc["XSS-1", "Actor 1"] == XSS_ACTOR
    assert rows.loc["XSS-1", "Link"] == "https://news.example/a?x=<script>"
    for text in markdown_texts(at):
        for bad in ("<img", "<svg", "<script", "](javascript", "${"):
            assert not active(text, bad), text
    at.multiselect(key="actors-0").set_value([XSS_ACTOR]).run()
    assert incidents_shown(at) == "1"
    for text in markdown_texts(at):
        for bad in ("<b", ":red[", "**Bold"):
            assert not active(text, bad), text


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a database url", "Cannot open the incident store"),
        ("nosuchdialect://user:secret@host/db", "Cannot open the incident store"),
        ("sqlite:////proc/no/such/dir/x.sqlite", "Cannot open the incident store"),
    ],
)
def test_store_errors_are_clear(monkeypatch, url, message):
    monkeypatch.setenv("INCIDENTS_DB", url)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    errors = [unescape(e.value) for e in at.error]
    assert errors and message in errors[0], errors
    assert "secret" not in " ".join(errors)
    assert not at.metric
