"""``edit``, ``delete`` and ``revert`` on the command line with ``--version``: optimistic
concurrency like the edit page, on both store backends (both run by default: the row
version is the store's own business)."""

from __future__ import annotations

import re

import pytest

from incidents import Store
from incidents.cli import main
from incidents.history import edit_incident, get_versioned, history

EVENT = "AFP-20250703-02"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        url = request.getfixturevalue("pg_server").create_schema_store()
    opened = Store.open(url)
    yield opened
    opened.engine.dispose()


def _version(capsys, store, event_id: str = EVENT) -> int:
    assert main(["--db", store.url, "show", event_id]) == 0
    out = capsys.readouterr().out
    assert f"event_id: {event_id}" in out
    return int(re.search(r"^row version: (\d+)$", out, re.M).group(1))


def test_show_gives_the_version_an_edit_then_moves(store, capsys):
    loaded = _version(capsys, store)
    assert loaded == get_versioned(store, EVENT)[1]
    db = ["--db", store.url]
    assert main([*db, "edit", EVENT, "notes=checked", "--version", str(loaded)]) == 0
    out = capsys.readouterr().out
    now = get_versioned(store, EVENT)[1]
    assert now > loaded and f"(row version {now})" in out
    assert get_versioned(store, EVENT)[0]["notes"] == "checked"
    assert _version(capsys, store) == now


def test_a_stale_edit_is_refused_naming_what_changed(store, capsys):
    loaded = _version(capsys, store)
    edit_incident(store, EVENT, {"notes": "by the desk"}, who="desk")
    before = store.revision
    db = ["--db", store.url]
    assert main([*db, "edit", EVENT, "notes=mine", "--version", str(loaded)]) == 3
    err = capsys.readouterr().err
    assert "changed by someone else" in err and "notes" in err and "by the desk" in err
    assert "desk" in err and f"show {EVENT}" in err
    assert store.revision == before
    assert get_versioned(store, EVENT)[0]["notes"] == "by the desk"
    # Without --version the edit acts on the row as stored, as before.
    assert main([*db, "edit", EVENT, "notes=mine"]) == 0
    assert get_versioned(store, EVENT)[0]["notes"] == "mine"


def test_a_stale_delete_is_refused_and_a_current_one_lands(store, capsys):
    loaded = _version(capsys, store)
    edit_incident(store, EVENT, {"notes": "moved on"}, who="desk")
    db = ["--db", store.url]
    assert main([*db, "delete", EVENT, "--why", "dup", "--version", str(loaded)]) == 3
    assert "refused" in capsys.readouterr().err
    assert store.count() == 5
    assert (
        main([*db, "delete", EVENT, "--why", "dup", "--version", str(_version(capsys, store))]) == 0
    )
    assert store.count() == 4


def test_a_stale_revert_is_refused(store, capsys):
    edit_incident(store, EVENT, {"notes": "wrong"}, why="typo")
    change = int(history(store, EVENT)["change_id"].iloc[0])
    loaded = _version(capsys, store)
    edit_incident(store, EVENT, {"fatalities_high": 9}, who="desk")
    db = ["--db", store.url]
    assert main([*db, "revert", str(change), "--version", str(loaded)]) == 3
    assert "fatalities_high" in capsys.readouterr().err
    assert get_versioned(store, EVENT)[0]["notes"] == "wrong"
    assert main([*db, "revert", str(change), "--version", str(_version(capsys, store))]) == 0
    assert get_versioned(store, EVENT)[0]["notes"] != "wrong"


@pytest.mark.parametrize("value", ["-1", "x"])
def test_a_version_that_is_no_number_is_a_usage_error(store, capsys, value):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", store.url, "edit", EVENT, "notes=x", "--version", value])
    assert exit_.value.code == 2
    assert "whole number" in capsys.readouterr().err
