from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from incidents import Store, StoreError, load_frame, load_seed, validate_frame


def test_a_new_store_is_created_and_seeded(store):
    assert store.count() == 5
    assert store.revision == 1
    assert list(store.groups()["group_id"]) == ["afp-20250703-ru-strikes"]


def test_store_location_comes_from_INCIDENTS_DB(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENTS_DB", f"sqlite:///{tmp_path / 'env.sqlite'}")
    Store.open()
    assert (tmp_path / "env.sqlite").exists()


def test_a_bad_url_is_a_clear_error():
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url at all")


def test_every_write_changes_the_revision(store):
    incidents, _ = load_seed()
    before = store.revision
    result = store.insert(incidents.assign(event_id=incidents["event_id"] + "-copy"))
    assert result.inserted == 5
    assert store.revision == before + 1


def test_known_ids_are_rejected_skipped_or_replaced(store):
    incidents, _ = load_seed()
    changed = incidents.assign(notes="new text")
    rejected = store.insert(changed)
    assert rejected.inserted == 0 and len(rejected.errors) == 5
    assert "already in the store" in rejected.errors[0].message
    assert store.frame()["notes"].str.startswith("Russian strike").any()
    skipped = store.insert(changed, on_conflict="skip")
    assert skipped.skipped == 5 and skipped.inserted == 0
    replaced = store.insert(changed, on_conflict="replace")
    assert replaced.replaced == 5
    assert set(store.frame()["notes"]) == {"new text"}
    assert store.count() == 5


def test_an_unknown_casualty_group_is_rejected_with_its_line(empty_store):
    incidents, _ = load_seed()
    result = empty_store.insert(incidents, lines=pd.Series(range(2, 7)))
    assert [e.line for e in result.errors] == [2, 3]
    assert result.errors[0].field == "casualty_group"
    assert result.inserted == 3


def test_a_write_that_fails_midway_leaves_the_store_as_it_was(store, monkeypatch):
    incidents, _ = load_seed()
    many = pd.concat(
        [incidents.assign(event_id=incidents["event_id"] + f"-{i}") for i in range(10)]
    )
    real = Store._bulk_insert
    calls = {"n": 0}

    def failing(self, conn, table, frame, names):
        real(self, conn, table, frame.iloc[:2], names)  # some rows really reach the database
        calls["n"] += 1
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Store, "_bulk_insert", failing)
    revision = store.revision
    with pytest.raises(StoreError, match="nothing was changed"):
        store.insert(many)
    assert calls["n"] == 1
    monkeypatch.undo()
    assert store.count() == 5
    assert store.revision == revision


def test_frame_round_trips_types(store):
    frame = store.frame()
    incidents, _ = load_seed()
    pd.testing.assert_frame_equal(
        frame.sort_values("event_id").reset_index(drop=True),
        incidents.sort_values("event_id").reset_index(drop=True),
        check_dtype=False,
    )
    assert str(frame["fatalities"].dtype) == "Int64"


def test_snapshot_follows_the_revision(store, tmp_path):
    first = load_frame(store, cache_dir=tmp_path)
    again = load_frame(store, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    incidents, _ = load_seed()
    store.insert(validate_frame(incidents.head(1).assign(event_id="NEW-1")).valid)
    after = load_frame(store, cache_dir=tmp_path)
    assert len(after) == 6
    assert len(list(tmp_path.glob("incidents-*.arrow"))) == 1


def test_a_snapshot_of_the_older_format_is_removed_with_the_old_revision(store, tmp_path):
    old = tmp_path / f"incidents-{store.cache_key}.parquet"
    load_frame(store, use_snapshot=False).to_parquet(old)
    stranger = tmp_path / "incidents-0123456789abcdef-1-r1.parquet"  # another store's: kept
    stranger.write_bytes(b"")
    incidents, _ = load_seed()
    store.insert(validate_frame(incidents.head(1).assign(event_id="NEW-1")).valid)
    assert len(load_frame(store, cache_dir=tmp_path)) == 6
    assert not old.exists() and stranger.exists()
    assert len(list(tmp_path.glob("incidents-*.arrow"))) == 1


def test_a_column_empty_in_every_row_is_stored_null_and_dates_as_days(empty_store):
    # A column missing in every row of a batch is left out of the insert (SQLite stores
    # NULL without a value bound per row); dates are written as YYYY-MM-DD in one call.
    incidents, _ = load_seed()
    rows = incidents.assign(
        event_id=[f"E{n}" for n in range(5)],
        admin2=None,
        casualty_group=None,
        event_date=pd.to_datetime(
            ["1969-12-31", "1999-01-01", "2024-02-29", "2025-07-01", "2025-12-31"]
        ),
    )
    assert empty_store.insert(rows).errors == []
    with empty_store.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT event_id, event_date, admin2 IS NULL, casualty_group IS NULL, notes"
            " FROM incidents ORDER BY event_id"
        ).all()
    assert [(r[0], r[1], bool(r[2]), bool(r[3])) for r in stored] == [
        ("E0", "1969-12-31", True, True),
        ("E1", "1999-01-01", True, True),
        ("E2", "2024-02-29", True, True),
        ("E3", "2025-07-01", True, True),
        ("E4", "2025-12-31", True, True),
    ]
    assert [r[4] for r in stored] == incidents["notes"].tolist()
    assert empty_store.frame()["admin2"].isna().all()
