"""A damaged store says exactly what is wrong and how to repair it; it never restarts silently."""

from __future__ import annotations

import sqlite3

import pytest

from incidents import Store, StoreError


def _damage(store: Store, *statements: str) -> None:
    path = store.engine.url.database
    store.engine.dispose()
    with sqlite3.connect(path) as conn:
        for sql in statements:
            conn.execute(sql)


@pytest.mark.parametrize(
    "statements, words",
    [
        (["DELETE FROM meta"], "table meta holds no revision"),
        (["UPDATE meta SET value = 'x' WHERE key = 'revision'"], "revision 'x' is not a number"),
        (["DROP TABLE meta"], "table meta is missing"),
        (["DROP TABLE casualty_groups"], "table casualty_groups is missing"),
        (["ALTER TABLE incidents DROP COLUMN notes"], "table incidents lacks column(s) notes"),
    ],
)
def test_a_damaged_store_names_the_damage_and_the_repair(store, statements, words):
    url = store.url
    _damage(store, *statements)
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert words in message
    assert "Store.repair" in message


def test_repair_restores_what_it_can_and_the_revision_moves_on(store):
    url, revision = store.url, store.revision
    _damage(
        store,
        "DROP TABLE meta",
        "DROP TABLE casualty_groups",
        "ALTER TABLE incidents DROP COLUMN notes",
    )
    done = Store.repair(url)
    assert any("meta" in step for step in done) and any("notes" in step for step in done)
    repaired = Store.open(url)
    assert repaired.count() == 5
    assert repaired.revision > revision  # caches keyed on an old revision are never reused
    assert repaired.frame()["notes"].isna().all()
    assert len(repaired.groups()) == 0


def test_a_required_column_cannot_be_repaired_and_says_so(store):
    url = store.url
    _damage(store, "ALTER TABLE incidents DROP COLUMN location")
    with pytest.raises(StoreError, match="location"):
        Store.repair(url)
    with pytest.raises(StoreError, match="backup"):
        Store.open(url)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"not a database at all, " * 100)
    with pytest.raises(StoreError, match="not a database"):
        Store.open(f"sqlite:///{path}")
