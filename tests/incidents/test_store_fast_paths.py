"""The store's fast paths give what the plain ones give, on SQLite and PostgreSQL: the
snapshot an import into an empty store writes from the rows it kept aside (no read back of
the store) reads exactly as a fresh read of the store; a whole store exported to CSV in Arrow
(from the snapshot, or on PostgreSQL from ``COPY``) is byte for byte the export of its frame."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

import incidents.store
from incidents import Store, load_frame
from incidents.export import export_incidents, to_csv_bytes
from incidents.importer import import_file
from incidents.snapshot import verify_snapshot

REAL = Path(__file__).parent / "fixtures" / "real"
#: Small enough to cut every fixture into several parts.
TINY = 200
HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,"
    "location,latitude,longitude,geo_precision,source,notes,fatalities\n"
)


def _row(event_id: str, date: str, *, notes: str = "Shelling.", point: str = "50.0,36.2") -> str:
    return (
        f"{event_id},{date},{date[:4]},Explosions/Remote violence,"
        "Shelling/artillery/missile attack,Military Forces of Russia (2022-),,Ukraine,"
        f'Kharkiv,{point},1,Src,"{notes}",2\n'
    )


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _import_without_reading_back(store: Store, path: Path, monkeypatch, **options):
    """Import ``path``; fails if the snapshot is written by reading the store back."""

    def not_read(conn, chunksize):
        raise AssertionError("the store was read back for the snapshot")
        yield

    with monkeypatch.context() as patch:
        patch.setattr(incidents.store, "_iter_frames", not_read)
        return import_file(store, path, **options)


def _same_as_the_store(store: Store) -> pd.DataFrame:
    assert verify_snapshot(store) is None
    snapshot = load_frame(store)
    pd.testing.assert_frame_equal(snapshot, load_frame(store, use_snapshot=False))
    return snapshot


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("chunk", [10**9, TINY], ids=["whole", "parts"])
@pytest.mark.parametrize(
    "name", ["ucdp_ged191.csv", "acled_api.json", "ucdp_ged231.geojson", "acled_2015_upper.csv"]
)
def test_the_snapshot_of_an_import_into_an_empty_store_is_written_from_its_rows(
    new_store_url, tmp_path, monkeypatch, cache, name, chunk
):
    store = Store.open(new_store_url(), seed=False)
    path = shutil.copy(REAL / name, tmp_path / name)
    report = _import_without_reading_back(store, path, monkeypatch, chunk_bytes=chunk)
    assert report.inserted >= 2
    _same_as_the_store(store)
    assert not list(cache.glob("*.tmp*"))  # the rows kept aside are gone
    store.engine.dispose()


def test_the_snapshot_keeps_what_each_backend_keeps(
    new_store_url, store_backend, tmp_path, monkeypatch, cache
):
    """SQLite's REAL has no -0.0 (it gives back 0.0), PostgreSQL keeps it; texts with quotes,
    line breaks, backslashes and other scripts, and empty fields, come back unchanged."""
    store = Store.open(new_store_url(), seed=False)
    rows = [_row(f"UKR{n}", f"2024-02-{n % 28 + 1:02d}") for n in range(12)]
    rows[3] = _row("UKR3", "2024-02-04", point="-0.0,-0.0")
    rows[5] = _row("UKR5", "2024-02-06", notes='He said ""no"", then\nleft \\N \\. Харків 🙂')
    _import_without_reading_back(store, _write(tmp_path / "z.csv", rows), monkeypatch)
    snapshot = _same_as_the_store(store).set_index("event_id")
    zero = "0.0" if store_backend == "sqlite" else "-0.0"
    assert str(snapshot.at["UKR3", "latitude"]) == zero
    assert str(snapshot.at["UKR3", "longitude"]) == zero
    assert snapshot.at["UKR5", "notes"] == 'He said "no", then\nleft \\N \\. Харків 🙂'
    store.engine.dispose()


def test_ids_in_a_language_collation_are_read_back_in_the_stores_order(
    pg_server, tmp_path, monkeypatch, cache
):
    """Arrow and SQLite order ids byte by byte; a PostgreSQL column in a language's collation
    orders them otherwise ('a' before 'B'): the snapshot is then read from the store."""
    store = Store.open(pg_server.create_schema_store(), seed=False)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            'ALTER TABLE incidents ALTER COLUMN event_id TYPE text COLLATE "und-x-icu"'
        )
    rows = [_row(i, "2024-02-16") for i in ("UKRb", "UKRB", "UKRa", "UKRA")]
    import_file(store, _write(tmp_path / "c.csv", rows))
    snapshot = _same_as_the_store(store)
    assert snapshot["event_id"].tolist() != sorted(snapshot["event_id"].tolist())
    store.engine.dispose()


def test_a_whole_store_exports_as_its_frame_does(new_store_url, tmp_path, cache):
    """Shared figures on their first incident across chunks, formulas neutralised, empty
    counts, -0.0 and texts with quotes and line breaks: from the database, then from the
    snapshot, the bytes are those of the frame's export."""
    store = Store.open(new_store_url())  # seeded: a figure shared by several incidents
    rows = [_row(f"UKR{n}", f"2025-07-{n % 5 + 1:02d}") for n in range(9)]
    rows[1] = _row("UKR1", "2025-07-02", notes="=HYPERLINK(1)")
    rows[2] = _row("UKR2", "2025-07-03", notes="-2 dead", point="-0.0,-0.0")
    rows[3] = _row("UKR3", "2025-07-03", notes='say ""x"",\nthen @y')
    import_file(store, _write(tmp_path / "e.csv", rows), refresh_snapshot=False)
    assert verify_snapshot(store) == ""  # none: the first exports read the database
    frame = load_frame(store, use_snapshot=False)
    assert frame["casualty_group"].notna().sum() >= 2
    for excel in (False, True):
        from_db = io.BytesIO()
        assert export_incidents(store, from_db, chunksize=2, excel=excel) == len(frame)
        assert from_db.getvalue() == to_csv_bytes(frame, excel=excel)
    load_frame(store)  # writes the snapshot
    assert verify_snapshot(store) is None
    from_snapshot = io.BytesIO()
    export_incidents(store, from_snapshot, chunksize=2)
    assert from_snapshot.getvalue() == to_csv_bytes(frame)
    assert b"'=HYPERLINK(1)" in from_snapshot.getvalue()
    store.engine.dispose()
