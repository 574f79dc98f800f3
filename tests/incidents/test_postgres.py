"""What only the PostgreSQL store does: COPY round trips, PostGIS points, roles without rights."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from incidents import Store, StoreError, load_seed, validate_frame


@pytest.fixture
def pg_store(pg_server) -> Store:
    opened = Store.open(pg_server.create_database())
    yield opened
    opened.engine.dispose()


def test_plain_postgresql_urls_use_psycopg(pg_server):
    url = pg_server.create_database().replace("postgresql+psycopg://", "postgresql://")
    store = Store.open(url)
    assert store.engine.dialect.driver == "psycopg"
    assert store.count() == 5
    store.engine.dispose()


def test_copy_keeps_quotes_commas_newlines_backslashes_and_empty_text(pg_store):
    incidents, _ = load_seed()
    tricky = [
        'He said "no", then left',
        "line one\nline two\r\nline three",
        "back\\slash \\N and \\. alone",
        "",  # an empty text stays empty, not NULL
        "Ελληνικά, русский, 中文, 🙂",
    ]
    rows = pd.concat(
        [
            incidents.head(1).assign(event_id=f"Q-{i}", notes=text, casualty_group=pd.NA)
            for i, text in enumerate(tricky)
        ],
        ignore_index=True,
    )
    valid = validate_frame(rows).valid
    result = pg_store.insert(valid)
    assert result.inserted == len(tricky) and not result.errors
    stored = pg_store.frame().set_index("event_id")
    expected = valid.set_index("event_id")["notes"]
    for event_id, text in expected.items():
        got = stored.at[event_id, "notes"]
        assert (pd.isna(got) and pd.isna(text)) or got == text, event_id
    # Absent values stay NULL after COPY (unknown casualties are not zero).
    with pg_store.engine.connect() as conn:
        nulls = conn.execute(
            sa.text("SELECT count(*) FROM incidents WHERE event_id LIKE 'Q-%' AND injured IS NULL")
        ).scalar_one()
    assert nulls == valid["injured"].isna().sum() > 0


def test_points_are_a_postgis_geometry_with_a_gist_index(pg_server, pg_store):
    if not pg_server.has_postgis():
        pytest.skip("the postgis extension is not installed on this server")
    with pg_store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT ST_SRID(geom), ST_X(geom) - longitude, ST_Y(geom) - latitude FROM incidents"
        ).all()
        method = conn.exec_driver_sql(
            "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'ix_incidents_geom'"
        ).scalar_one()
    assert len(rows) == 5 and all(r == (4326, 0.0, 0.0) for r in rows)
    assert method == "gist"


def test_an_edited_point_moves_its_geometry(pg_server, pg_store):
    if not pg_server.has_postgis():
        pytest.skip("the postgis extension is not installed on this server")
    with pg_store.engine.begin() as conn:
        event_id = conn.exec_driver_sql("SELECT min(event_id) FROM incidents").scalar_one()
        conn.exec_driver_sql(
            "UPDATE incidents SET longitude = 10.5, latitude = 20.25 WHERE event_id = %s",
            (event_id,),
        )
    box = pg_store.in_box(10, 20, 11, 21)
    assert list(box["event_id"]) == [event_id]


def test_a_role_that_may_not_create_postgis_gets_a_store_without_geometry(pg_server):
    admin = sa.create_engine(pg_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS analyst")
        conn.exec_driver_sql("CREATE ROLE analyst LOGIN")
        conn.exec_driver_sql("CREATE DATABASE analysts OWNER analyst")
    admin.dispose()
    url = f"postgresql+psycopg://analyst@127.0.0.1:{pg_server.port}/analysts"
    store = Store.open(url)
    with store.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("incidents")}
    assert "geom" not in columns
    assert store.count() == 5
    assert len(store.in_box(-180, -90, 180, 90)) == 5
    store.engine.dispose()


def test_an_unreachable_server_is_a_clear_error(pg_server):
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open(f"postgresql+psycopg://nobody@127.0.0.1:{pg_server.port}/no_such_db")


def test_the_team_places_live_in_a_migrated_postgresql_store(pg_server):
    """The migrations make the places table, so the app's role never creates one; a plain
    postgresql:// URL reaches it through psycopg 3 like the store."""
    from geodata.places import PlaceStore
    from incidents.migrate import upgrade

    url = pg_server.create_database()
    upgrade(url)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    places = PlaceStore.open(plain, create=False)
    assert places.exists() and places.all() == []
    places.add("Milove", 49.37, 40.12, author="desk", provenance="OCHA UA6308003017")
    assert [p.name for p in PlaceStore.open(plain, create=False).all()] == ["Milove"]
    places.engine.dispose()
