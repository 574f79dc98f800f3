"""Import of every format into a store: mappings, line numbers, conflicts, strictness, transactions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from incidents import ImportRejected, Store, StoreError
from incidents.formats import read_incidents, sniff_format
from incidents.importer import import_file

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).resolve().parents[2] / "incidents" / "data" / "seed.json"


def row(store: Store, event_id: str) -> pd.Series:
    frame = store.frame()
    hit = frame[frame["event_id"] == event_id]
    assert len(hit) == 1, f"{event_id} not imported"
    return hit.iloc[0]


@pytest.mark.parametrize(
    "name, fmt, inserted, rejected_lines",
    [
        ("acled_iso_dates.csv", "acled", 4, []),
        ("acled_long_dates.csv", "acled", 2, []),
        ("ucdp_ged.csv", "ucdp", 5, []),
        ("points.geojson", "geojson", 2, [2]),
        ("ours_document.json", "json", 2, []),
        ("ours_multiline.csv", "csv", 4, []),
    ],
)
def test_each_format_is_sniffed_and_imported(empty_store, name, fmt, inserted, rejected_lines):
    path = FIXTURES / name
    assert sniff_format(path) == fmt
    report = import_file(empty_store, path)
    assert report.format == fmt
    assert report.inserted == inserted
    assert [e.line for e in report.errors] == rejected_lines
    assert empty_store.count() == inserted


@pytest.mark.parametrize(
    "event_id, column, expected",
    [
        ("UKR210455", "fatalities", 2),
        ("UKR210456", "fatalities", pd.NA),  # ACLED's 0 = no information -> unknown
        ("UKR210455", "injured", pd.NA),  # ACLED has no injuries
        ("UKR210455", "iso", 804),
        ("UKR210457", "iso", 643),
        ("UKR210455", "event_date", pd.Timestamp("2025-07-03")),
        ("UKR210458", "time_precision", 2),
        ("UKR210456", "geo_precision", 2),
        ("UKR210455", "claim_status", "confirmed"),
        ("UKR210455", "geo_source", "imported"),
        ("UKR210455", "admin2", "Kharkivskyi"),
        (
            "UKR210457",
            "notes",
            'On 2 July 2025, Ukrainian drones struck Kursk, Kursk. "Several" drones were reported downed by the governor. No casualties reported.',
        ),
    ],
)
def test_acled_mapping(empty_store, event_id, column, expected):
    import_file(empty_store, FIXTURES / "acled_iso_dates.csv")
    value = row(empty_store, event_id)[column]
    assert value is pd.NA if expected is pd.NA else value == expected


def test_acled_zeros_can_be_kept(empty_store):
    import_file(empty_store, FIXTURES / "acled_iso_dates.csv", acled_zeros="keep")
    assert row(empty_store, "UKR210456")["fatalities"] == 0


def test_acled_long_dates(empty_store):
    import_file(empty_store, FIXTURES / "acled_long_dates.csv")
    assert row(empty_store, "UKR210460")["event_date"] == pd.Timestamp("2025-07-03")
    assert row(empty_store, "UKR210461")["event_date"] == pd.Timestamp("2025-06-28")


@pytest.mark.parametrize(
    "event_id, values",
    [
        (
            "UCDP-512345",
            {
                "fatalities": 12,
                "fatalities_low": 12,
                "fatalities_high": 12,
                "geo_precision": 1,
                "time_precision": 1,
                "event_type": "Battles",
                "sub_event_type": "Armed clash",
                "event_date": pd.Timestamp("2024-03-02"),
                "location": "Odesa town",
                "country": "Ukraine",
            },
        ),
        (
            "UCDP-512346",
            {
                "fatalities": 3,
                "fatalities_low": 2,
                "fatalities_high": 5,
                "geo_precision": 2,
                "time_precision": 2,
                "event_type": "Violence against civilians",
                "sub_event_type": "Attack",
                "actor2": "Civilians",
            },
        ),
        (
            "UCDP-512347",
            {"geo_precision": 3, "time_precision": 3, "fatalities_low": 30, "fatalities_high": 60},
        ),
        (
            "UCDP-512348",
            {"country": "Russia", "admin1": "Kursk oblast", "iso": pd.NA, "injured": pd.NA},
        ),
        # where_prec 6 (the country only) is kept as geo_precision 4, not rejected.
        ("UCDP-512349", {"geo_precision": 4}),
    ],
)
def test_ucdp_mapping(empty_store, event_id, values):
    report = import_file(empty_store, FIXTURES / "ucdp_ged.csv")
    assert report.errors == []
    got = row(empty_store, event_id)
    for column, expected in values.items():
        assert (got[column] is pd.NA) if expected is pd.NA else got[column] == expected, column


def test_geojson_takes_coordinates_from_the_point(empty_store):
    report = import_file(empty_store, FIXTURES / "points.geojson")
    assert report.unit == "feature"
    assert report.describe(report.errors[0]).startswith("feature 2:")
    got = row(empty_store, "GJ-1")
    assert (got["longitude"], got["latitude"]) == (35.04066, 48.4593)
    assert got["fatalities"] == 1 and got["injured"] == 4
    assert row(empty_store, "GJ-3")["claimed_by"] == "Russian Ministry of Defence"


def test_our_json_document_brings_its_shared_figures(empty_store):
    import_file(empty_store, FIXTURES / "ours_document.json")
    groups = empty_store.groups()
    assert list(groups["group_id"]) == ["desk-20250705-sumy"]
    assert groups["fatalities"].iat[0] == 3
    assert "Sumy" in groups["description"].iat[0]
    assert row(empty_store, "DESK-0102")["casualty_group"] == "desk-20250705-sumy"


def test_the_seed_document_imports_like_the_seed(empty_store):
    report = import_file(empty_store, SEED)
    assert (report.inserted, report.errors) == (5, [])


def _with_line_replaced(tmp_path, name, old, new):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, line, field",
    [
        ("DESK-0001,2025-07-04", "DESK-0001,2025-02-30", 2, "event_date"),
        ("DESK-0002,2025-07-04", "DESK-0002,someday", 4, "event_date"),
        (
            "Kharkiv,49.98081,36.25272",
            "Kharkiv,149.98081,36.25272",
            6,
            "latitude",
        ),  # after a multi-line cell and a blank line
        (
            "Odesa,46.48572,30.74383,1,Reuters,Strike on the port of Odesa.,,",
            "Odesa,46.48572,30.74383,1,Reuters,Strike on the port of Odesa.,-3,",
            8,
            "fatalities",
        ),
        (
            "Air/drone strike,Military Forces of Ukraine",
            "Airstrike,Military Forces of Ukraine",
            4,
            "sub_event_type",
        ),
        ("Kyiv,50.45466,30.5238,1", "Kyiv,50.45466,30.5238,5", 2, "geo_precision"),
        ("claimed,Lipetsk governor", "claimed,", 4, "claimed_by"),
    ],
)
def test_bad_rows_are_rejected_with_their_line(empty_store, tmp_path, old, new, line, field):
    path = _with_line_replaced(tmp_path, "ours_multiline.csv", old, new)
    report = import_file(empty_store, path)
    assert [(e.line, e.field) for e in report.errors] == [(line, field)]
    assert report.inserted == 3
    assert empty_store.count() == 3


def test_a_row_with_the_wrong_number_of_fields_is_rejected_with_its_line(empty_store, tmp_path):
    path = _with_line_replaced(
        tmp_path, "acled_long_dates.csv", "Kherson,46.6354,32.6169,", "Kherson,46.6354,"
    )
    report = import_file(empty_store, path)
    assert [(e.line, e.field) for e in report.errors] == [(3, "columns")]
    assert report.inserted == 1


def test_strict_imports_nothing_when_a_row_is_bad(empty_store, tmp_path):
    path = _with_line_replaced(
        tmp_path, "ours_multiline.csv", "DESK-0002,2025-07-04", "DESK-0002,someday"
    )
    revision = empty_store.revision
    with pytest.raises(ImportRejected) as caught:
        import_file(empty_store, path, strict=True)
    assert caught.value.errors[0].line == 4
    assert empty_store.count() == 0 and empty_store.revision == revision


def test_strict_imports_nothing_when_an_id_is_already_stored(empty_store, tmp_path):
    import_file(empty_store, FIXTURES / "acled_long_dates.csv")
    known = (FIXTURES / "acled_long_dates.csv").read_text(encoding="utf-8").splitlines()[1]
    path = tmp_path / "mixed.csv"
    path.write_text(
        (FIXTURES / "acled_iso_dates.csv").read_text(encoding="utf-8") + known + "\n",
        encoding="utf-8",
    )
    revision = empty_store.revision
    with pytest.raises(ImportRejected) as caught:
        import_file(empty_store, path, strict=True)
    assert [(e.line, e.field) for e in caught.value.errors] == [(6, "event_id")]
    assert empty_store.count() == 2 and empty_store.revision == revision


@pytest.mark.parametrize(
    "on_conflict, inserted, replaced, skipped, errors",
    [("error", 0, 0, 0, 4), ("skip", 0, 0, 4, 0), ("replace", 0, 4, 0, 0)],
)
def test_conflicts(empty_store, on_conflict, inserted, replaced, skipped, errors):
    import_file(empty_store, FIXTURES / "acled_iso_dates.csv")
    report = import_file(
        empty_store, FIXTURES / "acled_iso_dates.csv", on_conflict=on_conflict, acled_zeros="keep"
    )
    assert (report.inserted, report.replaced, report.skipped, len(report.errors)) == (
        inserted,
        replaced,
        skipped,
        errors,
    )
    assert empty_store.count() == 4
    zero = row(empty_store, "UKR210456")["fatalities"]
    assert (zero == 0) if on_conflict == "replace" else zero is pd.NA


def test_an_import_that_fails_midway_leaves_the_store_as_it_was(store, monkeypatch):
    real = Store._bulk_insert

    def failing(self, conn, table, frame, names):
        real(self, conn, table, frame.iloc[:1], names)  # one row really reaches the database
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Store, "_bulk_insert", failing)
    revision, count = store.revision, store.count()
    with pytest.raises(StoreError, match="nothing was changed"):
        import_file(store, FIXTURES / "acled_iso_dates.csv")
    monkeypatch.undo()
    assert store.count() == count and store.revision == revision


@pytest.mark.parametrize(
    "name, suffix, expected",
    [
        ("acled_iso_dates.csv", ".txt", "acled"),
        ("points.geojson", ".json", "geojson"),
        ("ours_document.json", ".geojson", "json"),
        ("ucdp_ged.csv", ".csv", "ucdp"),
    ],
)
def test_content_decides_the_format_not_the_extension(tmp_path, name, suffix, expected):
    path = tmp_path / ("renamed" + suffix)
    shutil.copy(FIXTURES / name, path)
    assert read_incidents(path).format == expected


def test_a_utf8_bom_is_accepted(empty_store, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "acled_long_dates.csv").read_bytes())
    assert import_file(empty_store, path).inserted == 2
