"""Any other table through a column mapping; workbooks read directly; dry runs write nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from incidents import ImportFormatError, Store
from incidents.formats import ColumnMapping, read_incidents, suggest_mapping
from incidents.importer import import_file

REAL = Path(__file__).parent / "fixtures" / "real"
NEWSROOM = ColumnMapping.from_file(REAL / "newsroom_mapping.json")


@pytest.mark.parametrize(
    "name", ["newsroom_sheet.csv", "newsroom_sheet.xlsx", "newsroom_sheet.ods"]
)
def test_a_newsroom_sheet_imports_through_its_mapping(empty_store, name):
    report = import_file(empty_store, REAL / name, mapping=NEWSROOM, refresh_snapshot=False)
    assert report.errors == [] and report.inserted == 3
    rows = empty_store.frame().set_index("location")
    assert rows.loc["Суми", "event_date"] == pd.Timestamp("2025-03-14")  # day-first from evidence
    assert rows.loc["Kryvyi Rih", "sub_event_type"] == "Shelling/artillery/missile attack"
    assert rows.loc["Kryvyi Rih", "source_event_type"] == "Missile strike"
    assert rows.loc["Суми", "notes"] == "Удар дрона по центру Сум; 2 загиблих, 5 поранених."
    assert set(rows["country"]) == {"Ukraine"}
    frame = empty_store.frame()
    assert int(frame["fatalities"].sum()) == 22 and int(frame["injured"].sum()) == 69
    assert frame["fatalities"].isna().sum() == 1  # an empty cell stays unknown


def test_a_sheet_saved_as_csv_or_kept_as_a_workbook_gets_the_same_ids():
    ids = [
        read_incidents(REAL / n, mapping=NEWSROOM).frame["event_id"].tolist()
        for n in ("newsroom_sheet.csv", "newsroom_sheet.xlsx", "newsroom_sheet.ods")
    ]
    assert ids[0] == ids[1] == ids[2]


def test_a_json_list_of_records_and_a_geojson_map_too(empty_store):
    timemap = ColumnMapping(
        columns={
            "event_id": "id",
            "event_date": "date",
            "location": "location",
            "latitude": "latitude",
            "longitude": "longitude",
            "event_type": "category",
            "notes": "description",
        },
        constants={
            "country": "Ukraine",
            "sub_event_type": "Air/drone strike",
            "geo_precision": "1",
        },
        values={"event_type": {"missile strike": "Explosions/Remote violence"}},
    )
    report = import_file(
        empty_store, REAL / "timemap_events.json", mapping=timemap, refresh_snapshot=False
    )
    # tm-2's "Drone strike" has no value map: kept and rejected by validation, naming it
    assert report.inserted == 1 and [e.line for e in report.errors] == [2]
    assert "'Drone strike' is not an ACLED event type" in report.errors[0].message
    monitor = ColumnMapping(
        columns={
            "event_id": "uid",
            "event_date": "when",
            "location": "place",
            "fatalities": "dead",
        },
        constants={
            "country": "Ukraine",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike",
            "geo_precision": "1",
        },
    )
    report = import_file(
        empty_store, REAL / "monitor_export.geojson", mapping=monitor, refresh_snapshot=False
    )
    assert report.errors == [] and report.inserted == 1
    got = empty_store.frame().set_index("event_id").loc["MON-7"]
    assert (got["latitude"], got["longitude"], got["fatalities"]) == (49.9935, 36.2304, 1)


def test_header_names_suggest_a_mapping():
    header = ["date", "town", "oblast", "lat", "lon", "event group", "killed", "wounded", "x y"]
    assert suggest_mapping(header) == {
        "event_date": "date",
        "event_type": "event group",
        "admin1": "oblast",
        "location": "town",
        "latitude": "lat",
        "longitude": "lon",
        "fatalities": "killed",
        "injured": "wounded",
    }


def test_a_mapping_naming_a_missing_column_says_what_the_file_has():
    with pytest.raises(ImportFormatError, match=r"does not have: 'Datum'.*'date'"):
        read_incidents(REAL / "newsroom_sheet.csv", mapping=ColumnMapping({"event_date": "Datum"}))
    with pytest.raises(ImportFormatError, match="'when' is not one of our columns"):
        ColumnMapping({"when": "Date"})


def test_an_unknown_table_suggests_the_mapping(empty_store):
    with pytest.raises(ImportFormatError, match=r"column mapping, e\.g\. event_date=date"):
        import_file(empty_store, REAL / "newsroom_sheet.csv")


def test_cli_dry_run_shows_rows_and_problems_and_writes_nothing(tmp_path, incidents_cli):
    args = [
        "import",
        str(REAL / "newsroom_sheet.csv"),
        "--map", "event_date=Date", "--map", "location=Town", "--map", "latitude=Lat",
        "--map", "longitude=Lon", "--map", "event_type=Event group",
        "--map", "sub_event_type=Event group", "--map", "fatalities=Killed",
        "--set", "country=Ukraine", "--set", "geo_precision=1",
        "--value", "event_type:Drone strike=Explosions/Remote violence",
        "--value", "sub_event_type:Drone strike=Air/drone strike",
    ]  # fmt: skip
    store = Store.open(f"sqlite:///{tmp_path / 'cli.sqlite'}")  # the CLI's store
    before, revision = store.count(), store.revision
    done = incidents_cli(*args, "--dry-run")
    assert done.returncode == 1, done.stderr
    assert "dry run, nothing written: 1 valid, 2 rejected" in done.stdout
    assert "Суми" in done.stdout and "2025-03-14" in done.stdout
    assert "rejected: line 3 (ID-" in done.stderr
    assert "event_type: 'Missile strike' is not an ACLED event type" in done.stderr
    assert "found: event_date: day-first" in done.stderr
    assert (store.count(), store.revision) == (before, revision)
    done = incidents_cli(*args)
    assert "1 inserted" in done.stdout
    assert store.count() == before + 1
    revision = store.revision
    done = incidents_cli(*args, "--dry-run", "--on-conflict", "skip")
    assert "1 valid, 2 rejected, 1 already stored (would be skipped)" in done.stdout
    assert "stored: line 2 (ID-" in done.stderr and "would be skipped" in done.stderr
    assert (store.count(), store.revision) == (before + 1, revision)


def test_cli_suggests_a_mapping_file(incidents_cli):
    done = incidents_cli("suggest-mapping", REAL / "newsroom_sheet.xlsx")
    assert done.returncode == 0
    assert '"event_date": "Date"' in done.stdout and '"latitude": "Lat"' in done.stdout


@pytest.mark.parametrize(
    "on_conflict, in_errors, in_known, words",
    [
        ("error", 2, 0, "already in the store (import with on_conflict"),
        ("skip", 0, 2, "would be skipped"),
        ("replace", 0, 2, "would replace the stored incident"),
    ],
)
@pytest.mark.parametrize("chunk_bytes", [10**9, 200])  # read whole, and in parts
def test_a_dry_run_names_the_rows_already_stored(
    empty_store, on_conflict, in_errors, in_known, words, chunk_bytes
):
    name = REAL / "ucdp_ged191.csv"
    import_file(empty_store, name, refresh_snapshot=False)
    with empty_store.engine.begin() as conn:  # two of the four stored ids forgotten
        conn.exec_driver_sql(
            "DELETE FROM incidents WHERE event_id IN ('UCDP-100001', 'UCDP-100003')"
        )
    revision, count = empty_store.revision, empty_store.count()
    report = import_file(
        empty_store, name, dry_run=True, on_conflict=on_conflict, chunk_bytes=chunk_bytes
    )
    flagged = [e for e in report.errors + report.known if words in e.message]
    assert sorted(e.event_id for e in flagged) == ["UCDP-100002", "UCDP-100004"]
    assert all(e.field == "event_id" and e.line > 1 for e in flagged)
    assert (len(report.errors), len(report.known)) == (in_errors, in_known)
    assert report.valid == 4
    assert (empty_store.revision, empty_store.count()) == (revision, count)
