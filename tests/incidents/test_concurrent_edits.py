"""Several analysts on one store: a save over someone else's change is refused, never silent;
writers that overlap wait for each other and both land (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from incidents import Store
from incidents.history import (
    StaleEditError,
    delete_incident,
    edit_incident,
    get_versioned,
    history,
    revert,
)
from incidents.store import _column_names, _lock_for_write, meta_table
from incidents.validate import validate_frame

ID = "AFP-20250703-03"


def test_the_second_of_two_editors_is_refused_with_what_changed(store):
    _, version_a = get_versioned(store, ID)
    seen_b, version_b = get_versioned(store, ID)
    assert version_a == version_b
    edit_incident(
        store, ID, {"location": "Lipetsk"}, why="AFP update", who="amira", version=version_a
    )
    with pytest.raises(StaleEditError) as caught:
        edit_incident(
            store,
            ID,
            {"notes": "B's wording"},
            why="tidy",
            who="ben",
            version=version_b,
            seen=seen_b,
        )
    err = caught.value
    assert [(c.field, c.seen, c.now, c.who) for c in err.changes] == [
        ("location", "Lipetsk Oblast", "Lipetsk", "amira")
    ]
    assert err.changes[0].at  # when, from the history
    message = str(err)
    assert "location: you saw 'Lipetsk Oblast', now 'Lipetsk' (by amira," in message
    assert "nothing was written" in message
    stored, version = get_versioned(store, ID)
    assert stored["notes"] == seen_b["notes"] and stored["location"] == "Lipetsk"
    assert version == err.current != version_b
    assert list(history(store, ID)["who"]) == ["amira"]  # ben's save left no trace
    # Reloaded, ben's change goes through.
    edit_incident(store, ID, {"notes": "B's wording"}, who="ben", version=version, seen=stored)
    assert get_versioned(store, ID)[0]["notes"] == "B's wording"


def test_without_the_seen_record_the_history_says_what_the_editor_saw(store):
    _, loaded = get_versioned(store, ID)
    edit_incident(store, ID, {"notes": "first"}, who="amira")
    edit_incident(store, ID, {"notes": "second"}, who="chen")
    with pytest.raises(StaleEditError) as caught:
        edit_incident(store, ID, {"admin2": "Lipetsk"}, version=loaded)
    (change,) = caught.value.changes
    assert change.field == "notes" and change.now == "second" and change.who == "chen"
    assert change.seen == get_versioned_notes_before(store)


def get_versioned_notes_before(store) -> str:
    """The notes as the seed stored them (the oldest recorded value)."""
    return history(store, ID).iloc[-1]["old"]


def test_a_save_at_the_current_version_goes_through_and_moves_it(store):
    _, version = get_versioned(store, ID)
    assert edit_incident(store, ID, {"admin2": "Lipetsk"}, version=version) == 1
    _, after = get_versioned(store, ID)
    assert after == store.revision and after != version
    with pytest.raises(StaleEditError):  # the same loaded version a second time: stale
        edit_incident(store, ID, {"admin2": "Gryazi"}, version=version)


def test_a_stale_delete_or_revert_changes_nothing(store):
    seen, version = get_versioned(store, ID)
    edit_incident(store, ID, {"location": "Lipetsk"}, who="amira")
    change = int(history(store, ID)["change_id"].iloc[0])
    before = store.revision
    with pytest.raises(StaleEditError, match="location"):
        delete_incident(store, ID, why="duplicate", version=version, seen=seen)
    with pytest.raises(StaleEditError, match="location"):
        revert(store, change, version=version)
    assert store.revision == before and get_versioned(store, ID)[0]["location"] == "Lipetsk"
    _, current = get_versioned(store, ID)
    revert(store, change, version=current)
    assert get_versioned(store, ID)[0]["location"] == "Lipetsk Oblast"


def _replace_whole(store: Store, frame: pd.DataFrame):
    return store.insert(frame, on_conflict="replace")


def _replace_in_parts(store: Store, frame: pd.DataFrame):
    with store.writer(on_conflict="replace") as parts:
        parts.add(frame)
    return parts.result


@pytest.mark.parametrize("load", [_replace_whole, _replace_in_parts], ids=["whole", "in-parts"])
def test_an_import_that_replaces_the_row_makes_the_editor_reload(store, load):
    seen, version = get_versioned(store, ID)
    record = {k: v for k, v in seen.items() if v is not None}
    record["notes"] = "replaced by an import"
    record["event_date"] = str(record["event_date"])[:10]
    frame = validate_frame(pd.DataFrame([record])).valid
    result = load(store, frame)
    assert result.replaced == 1
    with pytest.raises(StaleEditError) as caught:
        edit_incident(store, ID, {"admin2": "Lipetsk"}, version=version, seen=seen)
    assert [c.field for c in caught.value.changes] == ["notes"]
    assert caught.value.changes[0].now == "replaced by an import"


def test_overlapping_writers_wait_for_each_other_and_both_land(store):
    """One writer holds the write lock for a while; an edit meanwhile waits, then lands."""
    held = threading.Event()

    def slow_writer() -> None:
        with store.engine.begin() as conn:
            _lock_for_write(conn)
            conn.execute(meta_table.insert(), [{"key": "slow-writer", "value": "done"}])
            held.set()
            time.sleep(1.5)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert held.wait(30)
    start = time.monotonic()
    edit_incident(store, ID, {"admin2": "Lipetsk"}, who="amira")
    waited = time.monotonic() - start
    thread.join()
    assert waited > 0.5  # it waited for the other writer instead of failing
    assert store.note("slow-writer") == "done"
    assert get_versioned(store, ID)[0]["admin2"] == "Lipetsk"


def test_an_embedded_store_uses_wal_and_a_busy_timeout(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 30_000


def test_a_new_row_version_is_in_the_schema_on_both_backends(store):
    with store.engine.connect() as conn:
        columns = _column_names(sa.inspect(conn), "incidents")
    assert "row_version" in columns
    assert "row_version" not in store.frame().columns  # not a field of the data model
