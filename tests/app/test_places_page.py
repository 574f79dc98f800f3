"""The "Our places" page (pages/4_Places.py), driven headless with AppTest on a temporary
store: add, list, use at once, remove; writing refused until the write gate passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.places import parse_aliases, write_gate
from geodata.places import PlaceStore

PAGE = Path(__file__).resolve().parents[2] / "pages" / "4_Places.py"


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'places.sqlite'}"
    monkeypatch.setenv("INCIDENTS_DB", url)
    return url


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_parse_aliases_and_gate() -> None:
    assert parse_aliases("Крупец, Krupec;\nKroupets\n\n") == ["Крупец", "Krupec", "Kroupets"]
    assert write_gate("  ") is not None and write_gate("desk") is None


def test_add_use_and_remove_a_place(db: str) -> None:
    at = _run(AppTest.from_file(str(PAGE), default_timeout=120))
    assert _button(at, "Add place").disabled  # no author yet: the gate refuses
    at.text_input(key="author").input("desk")
    at.text_input(key="name").input("Krupets")
    at.text_area(key="aliases").input("Крупец\nKroupets")
    at.number_input(key="lat").set_value(51.39)
    at.number_input(key="lon").set_value(34.93)
    at.text_input(key="country").input("RU")
    at.text_input(key="region").input("Kursk")
    at.text_input(key="provenance").input("Sentinel-2, 2025-08-10")
    _run(at)
    _button(at, "Add place").click()
    _run(at)
    assert any("Added #1 Krupets" in s.value for s in at.success)
    (place,) = PlaceStore.open(db).all()
    assert place.aliases == ("Крупец", "Kroupets") and place.author.startswith("desk")
    assert (place.latitude, place.longitude, place.country) == (51.39, 34.93, "RU")

    at.text_input(key="try").input("Крупец")
    _run(at)
    assert any("source: places" in m.value for m in at.markdown)

    _button(at, "Remove").click()
    _run(at)
    assert PlaceStore.open(db).all() == []


def test_bad_point_is_a_clear_error_and_stores_nothing(db: str) -> None:
    at = _run(AppTest.from_file(str(PAGE), default_timeout=120))
    at.text_input(key="author").input("desk")
    at.text_input(key="name").input("Somewhere")
    at.text_input(key="provenance").input("a report")
    _run(at)
    _button(at, "Add place").click()
    _run(at)
    assert any("point" in e.value for e in at.error)
    assert PlaceStore.open(db).all() == []
