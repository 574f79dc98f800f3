"""Big CSV files are read in parts (incidents.formats.stream): same result as a whole read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from incidents import ImportRejected, Store
from incidents.formats import ColumnMapping
from incidents.formats.stream import open_stream, record_parts
from incidents.importer import import_file
from incidents.snapshot import load_frame, verify_snapshot

REAL = Path(__file__).parent / "fixtures" / "real"
#: Small enough to cut every fixture into several parts.
TINY = 200

HEADER = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,"
    "location,latitude,longitude,geo_precision,source,notes,fatalities\n"
)


def _acled_row(n: int, date: str, year: int, notes: str = "Shelling.", actor2: str = "") -> str:
    return (
        f"UKR{n},{date},{year},Explosions/Remote violence,Shelling/artillery/missile attack,"
        f"Military Forces of Russia (2022-),{actor2},Ukraine,Kharkiv,50.0,36.2,1,Src,"
        f'"{notes}",{n % 4}\n'
    )


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _stored(store: Store) -> pd.DataFrame:
    return store.frame().sort_values("event_id").reset_index(drop=True)


def _pair(new_store_url, source: Path, **options):
    """(report, rows) of a whole read and of a read in parts of the same file."""
    out = []
    for chunk in (10**9, TINY):
        store = Store.open(new_store_url(), seed=False)
        report = import_file(store, source, refresh_snapshot=False, chunk_bytes=chunk, **options)
        out.append((report, _stored(store)))
    return out


CSV_FIXTURES = [
    "acled_2020_semicolon_cp1252.csv",
    "acled_hdx_hxl.csv",
    "acled_monthfirst_bom_index.csv",
    "acled_overlapping_downloads.csv",
    "no_ids_upper.csv",
    "ucdp_ged191.csv",
]


@pytest.mark.parametrize("name", CSV_FIXTURES)
def test_a_file_read_in_parts_imports_as_a_whole_read(tmp_path, new_store_url, name):
    assert open_stream(REAL / name, chunk_bytes=TINY) is not None  # really read in parts
    (whole, whole_rows), (parts, part_rows) = _pair(new_store_url, REAL / name)
    pd.testing.assert_frame_equal(whole_rows, part_rows)
    assert [(e.line, e.field) for e in whole.errors] == [(e.line, e.field) for e in parts.errors]
    assert parts.conventions == whole.conventions
    assert (parts.inserted, parts.rows, parts.valid) == (whole.inserted, whole.rows, whole.valid)
    assert parts.stored_ids == whole.stored_ids != []


def test_parts_end_outside_quotes(tmp_path, new_store_url):
    notes = 'line one\nline two, with a comma\n\nand a ""quote""'
    path = _write(
        tmp_path / "multi.csv", [_acled_row(n, "2024-03-01", 2024, notes) for n in range(10)]
    )
    parts = list(record_parts(path, 150))
    assert len(parts) > 5
    assert b"".join(parts) == path.read_bytes()
    assert all(p.count(b'"') % 2 == 0 and p.endswith(b"\n") for p in parts)
    (_, whole_rows), (inparts, part_rows) = _pair(new_store_url, path)
    assert len(part_rows) == 10 and inparts.errors == []
    pd.testing.assert_frame_equal(whole_rows, part_rows)
    assert part_rows["notes"].iat[0] == notes.replace('""', '"')


def test_a_bad_row_in_a_later_part_is_named_by_its_line(tmp_path, new_store_url):
    rows = [_acled_row(n, "2024-03-01", 2024) for n in range(20)]
    rows[13] = _acled_row(13, "2024-03-01", 2024).replace(",50.0,", ",95.0,")  # latitude
    rows[17] = _acled_row(17, "2024-13-45", 2024)
    path = _write(tmp_path / "bad.csv", rows)
    (whole, _), (parts, part_rows) = _pair(new_store_url, path)
    assert [(e.line, e.field) for e in parts.errors] == [(15, "latitude"), (19, "event_date")]
    assert [str(e) for e in parts.errors] == [str(e) for e in whole.errors]
    assert len(part_rows) == 18


def test_the_date_order_is_decided_on_the_whole_column(tmp_path, new_store_url):
    """Only the last part proves day-first: the first part's 05/02 dates are read day-first
    too (a part deciding alone would reject them as ambiguous)."""
    rows = [_acled_row(n, "05/02/2024", 2024) for n in range(10)]
    rows.append(_acled_row(99, "25/02/2024", 2024))
    path = _write(tmp_path / "dmy.csv", rows)
    (whole, whole_rows), (parts, part_rows) = _pair(new_store_url, path)
    assert parts.errors == [] and len(part_rows) == 11
    assert (part_rows["event_date"] == pd.Timestamp("2024-02-05")).sum() == 10
    assert parts.conventions["event_date"].startswith("day-first (DD/MM/YYYY: 1 dates")
    assert parts.conventions == whole.conventions
    pd.testing.assert_frame_equal(whole_rows, part_rows)


def test_an_undecided_column_rejects_its_ambiguous_rows_in_every_part(tmp_path, new_store_url):
    rows = [_acled_row(n, "05/02/2024" if n % 2 else "03/03/2024", 2024) for n in range(10)]
    path = _write(tmp_path / "undecided.csv", rows)
    (whole, _), (parts, part_rows) = _pair(new_store_url, path)
    assert [e.line for e in parts.errors] == [e.line for e in whole.errors]
    assert len(parts.errors) == 5 and "ambiguous" in parts.errors[0].message
    assert len(part_rows) == 5


def test_ids_repeated_across_parts(tmp_path, new_store_url):
    rows = [_acled_row(n, "2024-03-01", 2024) for n in range(12)]
    rows.append(_acled_row(3, "2024-03-01", 2024))  # an identical copy of line 5
    rows.append(_acled_row(4, "2024-03-01", 2024, notes="Other notes."))  # differs from line 6
    rows.append(_acled_row(5, "2024-03-01", 2024, actor2="Civilians (Ukraine)"))  # actors only
    path = _write(tmp_path / "repeats.csv", rows)
    _, (parts, part_rows) = _pair(new_store_url, path)
    assert len(part_rows) == 12
    assert [(e.line, e.field, e.event_id) for e in parts.errors] == [
        (15, "notes", "UKR4"),
        (16, "actor2", "UKR5"),
    ]
    assert "same event_id as line 6 (kept) but notes differs" in parts.errors[0].message
    assert "line 7 (kept) but actor2 differs (rows of one id this far" in parts.errors[1].message
    assert parts.conventions["repeated ids"].startswith("1 identical copies dropped")


def test_strict_import_of_parts_writes_nothing(tmp_path, new_store_url):
    store = Store.open(new_store_url())
    before, revision = _stored(store), store.revision
    rows = [_acled_row(n, "2024-03-01", 2024) for n in range(20)]
    rows[15] = _acled_row(15, "not a date", 2024)
    path = _write(tmp_path / "late-error.csv", rows)
    with pytest.raises(ImportRejected) as caught:
        import_file(store, path, strict=True, chunk_bytes=TINY)
    assert [e.line for e in caught.value.errors] == [17]
    pd.testing.assert_frame_equal(_stored(store), before)
    assert store.revision == revision


def test_a_failing_part_leaves_the_store_as_it_was(tmp_path, new_store_url):
    """A part that cannot be read at all (a NUL byte late in the file) undoes the parts
    already written in the same transaction."""
    store = Store.open(new_store_url())
    before = _stored(store)
    rows = [_acled_row(n, "2024-03-01", 2024) for n in range(20)]
    rows[18] = rows[18].replace("Shelling.", "Shel\x00ling.")
    path = _write(tmp_path / "nul.csv", rows)
    from incidents.exc import ImportFormatError

    with pytest.raises(ImportFormatError, match=r"nul.csv: .*NUL byte on line 20"):
        import_file(store, path, chunk_bytes=TINY)
    pd.testing.assert_frame_equal(_stored(store), before)


def test_progress_counts_rows_and_ends_at_the_total(tmp_path, new_store_url):
    path = _write(tmp_path / "p.csv", [_acled_row(n, "2024-03-01", 2024) for n in range(16)])
    store = Store.open(new_store_url(), seed=False)
    calls: list[tuple[int, int]] = []
    import_file(
        store,
        path,
        chunk_bytes=TINY,
        progress=lambda d, t: calls.append((d, t)),
        refresh_snapshot=False,
    )
    done = [d for d, _ in calls]
    assert len(calls) > 5 and done == sorted(done)
    assert calls[-1] == (16, 16)
    assert all(d <= t for d, t in calls)


def test_the_snapshot_written_in_row_groups_reads_as_the_store(
    tmp_path, new_store_url, monkeypatch
):
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    store = Store.open(new_store_url())
    path = shutil.copy(REAL / "ucdp_ged191.csv", tmp_path / "u.csv")
    import_file(store, path, chunk_bytes=TINY)
    assert verify_snapshot(store) is None
    from_snapshot = load_frame(store)
    from_store = load_frame(store, use_snapshot=False)
    pd.testing.assert_frame_equal(from_snapshot, from_store)


@pytest.mark.parametrize("chunk", [10**9, TINY], ids=["whole", "parts"])
@pytest.mark.parametrize(
    "name", [*CSV_FIXTURES, "acled_2015_upper.csv", "acled_api.json", "ucdp_ged231.geojson"]
)
def test_a_snapshot_written_from_the_rows_imported_reads_as_the_store(
    tmp_path, monkeypatch, name, chunk
):
    """Into an empty SQLite store the snapshot is written from the rows the import kept aside,
    not read back from the store: it must still read exactly as the store."""
    import incidents.store

    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    store = Store.open(f"sqlite:///{tmp_path / 'fresh.sqlite'}", seed=False)
    path = shutil.copy(REAL / name, tmp_path / name)

    def not_read(conn, chunksize):
        raise AssertionError("the store was read back for the snapshot")
        yield

    monkeypatch.setattr(incidents.store, "_iter_frames", not_read)
    report = import_file(store, path, chunk_bytes=chunk)
    assert report.inserted >= 2
    monkeypatch.undo()
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    assert verify_snapshot(store) is None
    pd.testing.assert_frame_equal(load_frame(store), load_frame(store, use_snapshot=False))
    assert not list((tmp_path / "cache").glob("*.tmp*"))  # the rows kept aside are gone


def test_a_snapshot_from_the_rows_imported_holds_what_sqlite_holds(tmp_path, monkeypatch):
    """SQLite stores -0.0 as 0.0 and keeps the day of a date: the snapshot written from the
    rows imported says the same as one read back from the store."""
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    store = Store.open(f"sqlite:///{tmp_path / 'fresh.sqlite'}", seed=False)
    rows = [_acled_row(n, f"2024-02-{n % 28 + 1:02d}", 2024) for n in range(12)]
    rows[3] = rows[3].replace(",50.0,36.2,", ",-0.0,-0.0,")
    import_file(store, _write(tmp_path / "z.csv", rows), chunk_bytes=TINY)
    snapshot = load_frame(store)
    row = snapshot[snapshot["event_id"] == "UKR3"].iloc[0]
    assert str(row["latitude"]) == "0.0" and str(row["longitude"]) == "0.0"
    pd.testing.assert_frame_equal(snapshot, load_frame(store, use_snapshot=False))


def test_a_second_import_reads_the_store_back_for_the_snapshot(tmp_path, monkeypatch):
    """Rows kept aside are the whole store only when it was empty: a second import reads it."""
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    store = Store.open(f"sqlite:///{tmp_path / 'fresh.sqlite'}", seed=False)
    first = _write(tmp_path / "a.csv", [_acled_row(n, "2024-02-16", 2024) for n in range(10)])
    second = _write(tmp_path / "b.csv", [_acled_row(n, "2023-02-16", 2023) for n in range(6, 20)])
    import_file(store, first, chunk_bytes=TINY)
    import_file(store, second, chunk_bytes=TINY, on_conflict="replace")
    assert verify_snapshot(store) is None
    snapshot = load_frame(store)
    assert len(snapshot) == 20
    pd.testing.assert_frame_equal(snapshot, load_frame(store, use_snapshot=False))


def test_a_part_is_checked_as_utf_8_slice_by_slice_as_a_whole_decode_would(monkeypatch):
    """A character cut by a slice boundary is still read; bad bytes anywhere are found."""
    from incidents.formats import _table

    monkeypatch.setattr(_table, "_CHECK_STEP", 3)
    samples = [b"", b"plain ascii\n", "Kharkiv, Харків, 東京\n".encode()]
    samples += [
        s[:cut] + bad + s[cut:]
        for s in samples[1:]
        for cut in (0, 4, 9)
        for bad in (b"\x92", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80")
    ]
    samples += [samples[2][:n] for n in range(len(samples[2]))]  # characters cut at the end
    for data in samples:
        try:
            data.decode("utf-8")
            whole = True
        except UnicodeDecodeError:
            whole = False
        assert (_table._decode(data)[1] == "UTF-8") is whole, data


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 40, 1000])
def test_every_part_ends_at_a_record_boundary_whatever_the_chunk_size(tmp_path, chunk):
    records = ['a,"one\nline, ""two"""\n', "b,plain\n", 'c,"x\n\ny"\n', "d,\n"] * 3
    data = b"h,notes\n" + "".join(records).encode() + b'e,"never closed\nf,1\n'
    path = tmp_path / "quotes.csv"
    path.write_bytes(data)
    parts = list(record_parts(path, chunk))
    assert b"".join(parts) == data
    ends = {len(b"".join(parts[: k + 1])) for k in range(len(parts) - 1)}
    # a line break with an even number of quotes before it
    boundaries = {
        n + 1 for n in range(len(data)) if data[n] == 10 and data[:n].count(b'"') % 2 == 0
    }
    assert ends <= boundaries
    assert len(parts) > 1 or chunk == 1000
    # with a header line put in front of every part but the first, in the same copy
    prefixed = list(record_parts(path, chunk, prefix=b"h,notes\n"))
    assert prefixed[0] == parts[0]
    assert prefixed[1:] == [b"h,notes\n" + p for p in parts[1:]]


def test_a_windows_1252_table_with_a_non_ascii_header_reads_in_parts_as_whole(
    tmp_path, new_store_url
):
    # Every part after the first gets the header line (decoded once, now UTF-8) put in front
    # of the part's own Windows-1252 bytes.
    rows = [
        f"N{n};{n % 28 + 1:02d}/03/2024;Frappe à Kharkiv, l’hôpital touché;50.0;36.2\r\n"
        for n in range(40)
    ]
    path = tmp_path / "rédaction.csv"
    path.write_bytes(("Réf;Date;Événement;lat;lon\r\n" + "".join(rows)).encode("cp1252"))
    mapping = ColumnMapping(
        columns={
            "event_id": "Réf",
            "event_date": "Date",
            "notes": "Événement",
            "latitude": "lat",
            "longitude": "lon",
        },
        constants={
            "country": "Ukraine",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Shelling/artillery/missile attack",
            "location": "Kharkiv",
            "geo_precision": "1",
        },
    )
    assert open_stream(path, chunk_bytes=TINY, mapping=mapping) is not None
    (whole, whole_rows), (parts, part_rows) = _pair(new_store_url, path, mapping=mapping)
    assert parts.errors == whole.errors == []
    assert len(part_rows) == 40
    pd.testing.assert_frame_equal(whole_rows, part_rows)
    assert part_rows["notes"].iat[0] == "Frappe à Kharkiv, l’hôpital touché"
    assert parts.conventions["encoding"] == whole.conventions["encoding"] == "cp1252"
