"""Files that are not tables, broken encodings, huge files and huge lines: clear errors, bounded work."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from incidents import ImportFormatError
from incidents.importer import import_file

FIXTURES = Path(__file__).parent / "fixtures"
ACLED = (FIXTURES / "acled_long_dates.csv").read_bytes()
HEADER = ACLED.split(b"\n", 1)[0] + b"\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _zip() -> bytes:
    """A ZIP of an ACLED table, the same bytes on every call (a fixed time stamp): test ids
    must not differ between the processes that collect them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("acled.csv", date_time=(2025, 7, 3, 0, 0, 0)), ACLED)
    return buffer.getvalue()


def _content_id(value: object) -> str | None:
    """A short test id for file content (its size and CRC), the words of the message as is."""
    if isinstance(value, bytes):
        return f"{len(value)}-bytes-{zlib.crc32(value):08x}"
    return None


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (PNG, "this is a PNG image"),
        (_zip(), "this is a ZIP archive"),
        (bytes(range(256)) * 40, "binary data"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
        (b"# Notes from the desk\nnothing tabular here\n", "not a CSV or GeoJSON table"),
        (b"name,population\nKyiv,2900000\n", "names none of the id columns"),
        (
            b"event_id,event_date\nX-1,2025-07-03\n",
            "missing required column(s) for the csv format: event_type",
        ),
        (
            b"event_id_cnty,event_date,latitude\nUKR1,2025-07-03,50\n",
            "missing required column(s) for the acled format",
        ),
        (b"event_id,event_id,x\n", "appears twice"),
        (b'{"type": "Feature", "geometry": null', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not a GeoJSON or JSON table"),
        (b'{"hello": "world"}', "neither a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": 3}', 'needs a "features" list'),
    ],
    ids=_content_id,
)
def test_files_that_are_not_tables_get_a_clear_error(empty_store, tmp_path, content, message):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    revision = empty_store.revision
    with pytest.raises(ImportFormatError) as caught:
        import_file(empty_store, path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert empty_store.count() == 0 and empty_store.revision == revision


def test_a_latin_1_file_is_decoded_not_refused(empty_store, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(ACLED.replace(b"Kherson,46", "Kherson éè,46".encode("latin-1")))
    report = import_file(empty_store, path)
    assert report.errors == [] and report.inserted == 2
    assert report.conventions["encoding"] == "cp1252"
    assert "Kherson éè" in set(empty_store.frame()["location"])


def test_a_missing_file_is_a_clear_error(empty_store, tmp_path):
    with pytest.raises(ImportFormatError, match="no such file"):
        import_file(empty_store, tmp_path / "nope.csv")


def test_a_header_only_file_imports_nothing_without_errors(empty_store, tmp_path):
    path = tmp_path / "header.csv"
    path.write_bytes(HEADER)
    report = import_file(empty_store, path)
    assert (report.inserted, report.errors) == (0, [])


def test_a_csv_with_a_forced_json_format_is_refused(empty_store):
    with pytest.raises(ImportFormatError, match="not a geojson file"):
        import_file(empty_store, FIXTURES / "acled_long_dates.csv", format="geojson")


@pytest.mark.slow
def test_a_50_mb_acled_file_imports(empty_store, tmp_path):
    rows = pd.read_csv(FIXTURES / "acled_iso_dates.csv", dtype=str, keep_default_na=False)
    big = rows.iloc[[0, 1, 2] * 32_000].reset_index(drop=True)
    big["event_id_cnty"] = "UKR" + pd.Series(range(len(big))).astype(str)
    big["notes"] = (
        big["notes"]
        + " Shelling resumed at night; local officials reported damage to homes, a school and power lines."
        * 2
    )
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    assert path.stat().st_size > 50 * 10**6
    started = time.perf_counter()
    report = import_file(empty_store, path)
    assert report.errors == []
    assert report.inserted == empty_store.count() == 96_000
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("where", ["header", "row"])
def test_a_hostile_50_mb_line_fails_fast(empty_store, tmp_path, where):
    path = tmp_path / "hostile.csv"
    huge = b"A" * (50 * 2**20)
    path.write_bytes(huge if where == "header" else HEADER + b"UKR1,2025-07-03," + huge + b"\n")
    started = time.perf_counter()
    with pytest.raises(ImportFormatError) as caught:
        import_file(empty_store, path)
    assert time.perf_counter() - started < 10
    expected = "line 1 is longer than" if where == "header" else "line 2 is 50 MiB long"
    assert expected in str(caught.value)
