"""Schema migrations (Alembic): a store made by the released version upgrades in place, with
its data; the migrations and the code that creates a new store make the same schema."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from incidents import Store, StoreError
from incidents.cli import main
from incidents.history import history
from incidents.migrate import current_version, head_version, upgrade
from incidents.store import SCHEMA_VERSION, metadata

#: A store written by the released version (``Store.open`` before migrations; the seed),
#: dumped with sqlite3's ``iterdump``.
RELEASE_DUMP = Path(__file__).parent / "fixtures" / "release-store.sql"


def release_store(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.executescript(RELEASE_DUMP.read_text(encoding="utf-8"))
    conn.close()
    return f"sqlite:///{path}"


def release_rows() -> dict[str, list[dict]]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(RELEASE_DUMP.read_text(encoding="utf-8"))
    conn.row_factory = sqlite3.Row
    rows = {
        table: [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]
        for table in ("incidents", "casualty_groups", "meta")
    }
    conn.close()
    return rows


def test_the_code_writes_the_newest_migration():
    assert head_version() == SCHEMA_VERSION


def assert_release_rows(frame: pd.DataFrame) -> None:
    """``frame`` holds exactly the release's incidents, the columns added since empty."""
    rows = {r["event_id"]: r for r in release_rows()["incidents"]}
    assert sorted(frame["event_id"]) == sorted(rows)
    for record in frame.to_dict("records"):
        old = rows[record["event_id"]]
        for name, value in old.items():
            got = record[name]
            if value is None:
                assert pd.isna(got), (name, got)
            elif name in ("event_date",):
                assert got.strftime("%Y-%m-%d") == value
            else:
                assert got == value, (name, got, value)
        for name in set(record) - set(old):
            assert pd.isna(record[name]), (name, record[name])


def test_an_embedded_store_of_the_release_is_upgraded_when_opened(tmp_path):
    url = release_store(tmp_path / "old.sqlite")
    store = Store.open(url)
    with store.engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
    assert_release_rows(store.frame())
    assert store.revision == 1 and len(store.groups()) == 1
    assert len(store.store_id) == 32
    assert history(store).empty  # the history table came with the upgrade


def test_a_postgresql_store_of_the_release_schema_upgrades_with_the_migrate_command(
    pg_server, capsys
):
    url = pg_server.create_database()
    upgrade(url, "0001")
    engine = sa.create_engine(url)
    reflected = sa.MetaData()
    reflected.reflect(engine)
    with engine.begin() as conn:
        conn.execute(reflected.tables["meta"].delete())
        for table, rows in release_rows().items():
            conn.execute(reflected.tables[table].insert(), rows)
    engine.dispose()
    with pytest.raises(StoreError, match="python -m incidents migrate"):
        Store.open(url)
    assert main(["--db", url, "migrate"]) == 0
    assert f"version {SCHEMA_VERSION}" in capsys.readouterr().out
    store = Store.open(url)
    assert store.count() == len(release_rows()["incidents"]) == 5
    assert store.revision == 1
    assert_release_rows(store.frame())
    assert history(store).empty
    if pg_server.has_postgis():
        with store.engine.connect() as conn:
            placed = conn.exec_driver_sql(
                "SELECT count(*) FROM incidents WHERE ST_X(geom) = longitude"
            ).scalar_one()
        assert placed == 5
    store.engine.dispose()


#: PostGIS's own table and the geometry column (PostgreSQL DDL of its own); the team's places
#: (made by the migrations for geodata, which makes it itself in a new store).
_ASIDE = ("spatial_ref_sys", "geom", "ix_incidents_geom", "places")


def test_the_migrations_make_the_schema_a_new_store_has(new_store_url):
    url = new_store_url()
    assert upgrade(url) == SCHEMA_VERSION
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": lambda obj, name, *_: name not in _ASIDE}
        )
        with warnings.catch_warnings():  # "geometry" is a type SQLAlchemy does not know
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []
    store = Store.open(url)  # a store made by the migrations is not new: not seeded
    assert store.count() == 0 and store.revision == 0
    assert len(store.store_id) == 32


def test_migrate_on_a_current_store_changes_nothing(store):
    key = store.cache_key
    assert upgrade(store.url) == SCHEMA_VERSION
    assert store.cache_key == key and store.count() == 5


def test_a_store_of_a_newer_version_is_refused_not_downgraded(store):
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this version"):
        Store.open(store.url)
    assert store.count() == 5
