"""Exports: formula-safe CSV, Excel option, GeoJSON, GeoPackage, round trips, shared figures once."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from incidents import IncidentFilter, casualty_totals, load_frame, load_seed
from incidents.export import EXPORT_COLUMNS, export_incidents, to_csv_bytes, to_geojson_bytes
from incidents.importer import import_file
from incidents.validate import validate_frame

FIXTURES = Path(__file__).parent / "fixtures"
GROUP = "afp-20250703-ru-strikes"


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("event_id").reset_index(drop=True)


@pytest.mark.parametrize(
    "notes, written",
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd", "'@SUM(1+1)*cmd"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Shelling of Kharkiv = 3 dead", "Shelling of Kharkiv = 3 dead"),
        ("'quoted already", "'quoted already"),
    ],
)
def test_formula_cells_are_neutralised_but_numbers_are_not(notes, written, empty_store):
    incidents, _ = load_seed()
    one = validate_frame(
        incidents.iloc[[3]].assign(latitude=-33.5, longitude=-33.5, fatalities=0)
    ).valid
    # Set after validation, which strips cells: a leading tab or CR must be caught by the export itself.
    one["notes"] = one["location"] = pd.array([notes], dtype="string")
    exported = csv_rows(to_csv_bytes(load_frame_like(one)))[0]
    assert exported["notes"] == written and exported["location"] == written
    assert exported["latitude"] == "-33.5" and exported["longitude"] == "-33.5"
    assert exported["fatalities"] == "0"


def load_frame_like(frame: pd.DataFrame) -> pd.DataFrame:
    from incidents import with_group_figures

    _, groups = load_seed()
    return with_group_figures(frame, groups)


def test_formula_guard_is_undone_when_our_csv_is_imported_again(empty_store, tmp_path):
    incidents, _ = load_seed()
    one = validate_frame(incidents.iloc[[3]].assign(notes="=1+1", actor2="-Wagner")).valid
    path = tmp_path / "guarded.csv"
    path.write_bytes(to_csv_bytes(load_frame_like(one)))
    import_file(empty_store, path)
    back = empty_store.frame().iloc[0]
    assert (back["notes"], back["actor2"]) == ("=1+1", "-Wagner")


def test_excel_csv_has_a_bom_and_crlf(store):
    data = to_csv_bytes(load_frame(store), excel=True)
    assert data.startswith(b"\xef\xbb\xbfevent_id,")
    assert data.count(b"\r\n") >= 6
    plain = to_csv_bytes(load_frame(store))
    assert not plain.startswith(b"\xef\xbb\xbf") and b"\r\n" not in plain.split(b"\n", 1)[0] + b"\n"
    assert [r["event_id"] for r in csv_rows(data)] == [r["event_id"] for r in csv_rows(plain)]


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_then_import_gives_the_same_incidents_and_figures(store, empty_store, tmp_path, fmt):
    import_file(
        store, FIXTURES / "ours_multiline.csv"
    )  # multi-line notes, real zeros, JSON sources
    path = tmp_path / f"out.{fmt}"
    assert export_incidents(store, path, format=fmt) == store.count()
    report = import_file(empty_store, path)
    assert report.errors == []
    pd.testing.assert_frame_equal(sorted_frame(empty_store.frame()), sorted_frame(store.frame()))
    mine, theirs = store.groups(), empty_store.groups()
    pd.testing.assert_frame_equal(
        mine.drop(columns=["description", "sources"]),
        theirs.drop(columns=["description", "sources"]),
    )


def test_reimporting_an_export_with_replace_keeps_group_descriptions(store, tmp_path):
    path = tmp_path / "out.csv"
    export_incidents(store, path)
    before = store.groups()
    report = import_file(store, path, on_conflict="replace")
    assert report.replaced == 5 and report.errors == []
    pd.testing.assert_frame_equal(store.groups(), before)


def test_geojson_is_an_rfc7946_feature_collection(store):
    document = json.loads(to_geojson_bytes(load_frame(store)))
    assert document["type"] == "FeatureCollection" and "crs" not in document
    feature = document["features"][0]
    assert feature["geometry"]["type"] == "Point"
    props = feature["properties"]
    assert list(props) == list(EXPORT_COLUMNS)
    assert feature["geometry"]["coordinates"] == [props["longitude"], props["latitude"]]
    assert props["event_date"] == "2025-07-03"


def test_geopackage_reads_back_with_the_same_rows_and_crs(store, tmp_path):
    import_file(store, FIXTURES / "acled_iso_dates.csv")
    path = tmp_path / "out.gpkg"
    assert export_incidents(store, path, format="gpkg") == 9
    layers = dict(pyogrio.list_layers(path))
    assert layers["incidents"] == "Point" and "casualty_groups" in layers
    gdf = pyogrio.read_dataframe(path, layer="incidents")
    assert gdf.crs.to_epsg() == 4326
    frame = store.frame()
    back = gdf.sort_values("event_id").reset_index(drop=True)
    expected = sorted_frame(frame)
    assert list(back["event_id"]) == list(expected["event_id"])
    assert (back.geometry.x.to_numpy() == expected["longitude"].to_numpy()).all()
    assert (back.geometry.y.to_numpy() == expected["latitude"].to_numpy()).all()
    groups = pyogrio.read_dataframe(path, layer="casualty_groups")
    assert list(groups["group_id"]) == [GROUP] and groups["fatalities"].iat[0] == 8


@pytest.mark.parametrize(
    "flt, carrier",
    [
        (None, "AFP-20250703-01"),
        (
            IncidentFilter(admin1=("Odesa",)),
            "AFP-20250703-02",
        ),  # the carrier moves into the selection
        (IncidentFilter(countries=("Russia",)), None),
    ],
)
@pytest.mark.parametrize("source", ["store", "frame"])
def test_a_shared_figure_is_exported_once_and_sums_match_the_kpis(
    store, tmp_path, flt, carrier, source
):
    frame = load_frame(store)
    selected = frame if flt is None else frame[__import__("incidents").filter_mask(frame, flt)]
    path = tmp_path / "out.csv"
    export_incidents(store if source == "store" else frame, path, flt=flt, chunksize=2)
    out = pd.read_csv(path, dtype={"casualty_group": "string"})
    carriers = out.loc[out["group_fatalities"].notna(), "event_id"].tolist()
    assert carriers == ([carrier] if carrier else [])
    assert out.loc[out["casualty_group"].notna(), "fatalities"].isna().all()
    totals = casualty_totals(selected)
    killed = out["fatalities"].sum() + out["group_fatalities"].sum()
    injured = out["injured"].sum() + out["group_injured"].sum()
    assert (killed, injured) == (totals.killed.best, totals.injured.best)
    assert out["fatalities_high"].sum() + out["group_fatalities_high"].sum() == totals.killed.high


def test_the_streamed_store_export_equals_the_frame_export(store):
    import_file(store, FIXTURES / "acled_iso_dates.csv")
    frame = load_frame(store).sort_values(["event_date", "event_id"]).reset_index(drop=True)
    buffer = io.BytesIO()
    export_incidents(store, buffer, chunksize=3)
    assert buffer.getvalue() == to_csv_bytes(frame)


def test_an_empty_selection_exports_a_header_and_an_empty_collection(store):
    frame = load_frame(store)
    flt = IncidentFilter(countries=("Atlantis",))
    buffer = io.BytesIO()
    assert export_incidents(frame, buffer, flt=flt) == 0
    assert buffer.getvalue().decode().strip() == ",".join(EXPORT_COLUMNS)
    assert json.loads(to_geojson_bytes(frame.iloc[:0]))["features"] == []


def test_a_frame_without_group_columns_is_refused_when_figures_are_shared(store):
    from incidents import ExportError

    with pytest.raises(ExportError, match="group_"):
        to_csv_bytes(store.frame())
