"""Real-shaped files, one quirk each (fixtures/real): every row imports, values checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from incidents import ImportRejected, Store, export_incidents
from incidents.formats import read_incidents
from incidents.importer import import_file

REAL = Path(__file__).parent / "fixtures" / "real"


def _rows(store: Store) -> pd.DataFrame:
    return store.frame().set_index("event_id")


# name, format, rows inserted, rejected lines, {convention key: words it must contain}
CASES = [
    ("acled_2015_upper.csv", "acled", 5, [], {"repeated ids": "1 rows merged"}),
    (
        "acled_2020_semicolon_cp1252.csv",
        "acled",
        3,
        [],
        {"encoding": "cp1252", "delimiter": "semicolon", "event_date": "day-first"},
    ),
    (
        "acled_2024_utf16_tab.txt",
        "acled",
        2,
        [],
        {"encoding": "UTF-16", "delimiter": "tab", "event_date": "two-digit years"},
    ),
    ("acled_api.json", "acled-json", 2, [], {"event_date": "ISO 8601"}),
    ("acled_hdx_hxl.csv", "acled", 2, [], {"delimiter": "HXL hashtag row skipped"}),
    (
        "acled_monthfirst_bom_index.csv",
        "acled",
        3,
        [],
        {"encoding": "UTF-8 with BOM", "event_date": "month-first"},
    ),
    ("acled_overlapping_downloads.csv", "acled", 2, [5], {"repeated ids": "1 identical copies"}),
    ("no_ids_upper.csv", "csv", 2, [], {"event_id": "3 rows without an id"}),
    ("ucdp_ged191.csv", "ucdp", 4, [], {"event_date": "checked against the year column"}),
    ("ucdp_ged231.geojson", "ucdp-geojson", 2, [], {"event_date_end": "ISO 8601"}),
]


@pytest.mark.parametrize("name, fmt, inserted, rejected, conventions", CASES)
def test_every_real_shaped_file_imports(empty_store, name, fmt, inserted, rejected, conventions):
    report = import_file(empty_store, REAL / name, refresh_snapshot=False)
    assert report.format == fmt
    assert [e.line for e in report.errors] == rejected, [str(e) for e in report.errors]
    assert report.inserted == empty_store.count() == inserted
    for key, words in conventions.items():
        assert words in report.conventions[key], report.conventions


# How an independent reader (pandas) opens each table with a year column.
YEAR_TABLES = {
    "acled_2015_upper.csv": {},
    "acled_2020_semicolon_cp1252.csv": {"sep": ";", "encoding": "cp1252"},
    "acled_2024_utf16_tab.txt": {"sep": "\t", "encoding": "utf-16"},
    "acled_hdx_hxl.csv": {"skiprows": [1]},
    "acled_monthfirst_bom_index.csv": {"encoding": "utf-8-sig"},
    "acled_overlapping_downloads.csv": {},
    "ucdp_ged191.csv": {},
}


@pytest.mark.parametrize("name, options", YEAR_TABLES.items())
def test_dates_agree_with_the_year_column(empty_store, name, options):
    """Every imported date falls in the year the source's own year column gives."""
    raw = pd.read_csv(REAL / name, dtype=str, **options)
    raw.columns = [c.lower() for c in raw.columns]
    ids = "UCDP-" + raw["id"] if "id" in raw.columns else raw["event_id_cnty"]
    years = dict(zip(ids, raw["year"], strict=True))
    import_file(empty_store, REAL / name, refresh_snapshot=False)
    frame = empty_store.frame()
    assert len(frame) == len(set(ids))
    for ident, date in zip(frame["event_id"], frame["event_date"], strict=True):
        assert str(date.year) == years[ident], ident


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "acled_2020_semicolon_cp1252.csv",
            {
                "FRA501": (
                    "2020-08-14",
                    "Manifestation devant l\u2019Assemblée contre la réforme.",
                ),
                "FRA503": ("2021-01-25", "Interpellation d\u2019un suspect à Marseille."),
            },
        ),
        (
            "acled_monthfirst_bom_index.csv",
            {
                "UKR1": ("2014-01-22", "Hrushevskoho Street clashes.\nTwo protesters shot dead."),
                "UKR2": ("2014-05-02", "Trade Unions House fire, Odesa."),
                "UKR3": ("2014-03-03", "Troops without insignia hold the airport."),
            },
        ),
        (
            "acled_2024_utf16_tab.txt",
            {
                "UKR180001": ("2024-08-05", "Обстріл Купʼянська: загинули 3 людини."),
                "UKR180002": ("2024-05-09", "Бої біля Часового Яру."),
            },
        ),
        (
            "acled_api.json",
            {"SYR140001": ("2024-02-16", "Airstrike on Sarmin; 5 killed. قصف سرمين")},
        ),
        (
            "acled_2015_upper.csv",
            {"MLI1002": ("2016-03-15", "IED hit a bus on the Djenné road; 2 killed.")},
        ),
    ],
)
def test_dates_and_text_survive(empty_store, name, expected):
    import_file(empty_store, REAL / name, refresh_snapshot=False)
    rows = _rows(empty_store)
    for ident, (date, notes) in expected.items():
        assert rows.loc[ident, "event_date"] == pd.Timestamp(date)
        assert rows.loc[ident, "notes"] == notes


@pytest.mark.parametrize(
    "name, deaths, unknown",
    [
        ("acled_2015_upper.csv", 4 + 2 + 7, 2),  # ACLED's 0 is unknown by default
        ("acled_2024_utf16_tab.txt", 3 + 12, 0),
        ("acled_api.json", 5, 1),
        ("acled_hdx_hxl.csv", 170, 1),
        ("acled_overlapping_downloads.csv", 1, 1),  # the first UKR300002 (1) kept, not 1 + 3
        ("ucdp_ged191.csv", 8 + 12 + 20 + 1, 0),
        ("ucdp_ged231.geojson", 13 + 30, 0),
        ("no_ids_upper.csv", 2 + 1, 0),  # the identical copy counted once
    ],
)
def test_deaths_sum_as_in_the_file(empty_store, name, deaths, unknown):
    import_file(empty_store, REAL / name, refresh_snapshot=False)
    killed = empty_store.frame()["fatalities"]
    assert int(killed.sum()) == deaths
    assert int(killed.isna().sum()) == unknown


def test_old_acled_event_types_are_mapped_and_kept(empty_store):
    import_file(empty_store, REAL / "acled_2015_upper.csv", refresh_snapshot=False)
    rows = _rows(empty_store)
    got = {
        ident: tuple(rows.loc[ident, ["event_type", "sub_event_type", "source_event_type"]])
        for ident in rows.index
    }
    assert got["MLI1001"] == ("Battles", "Armed clash", "Battle-No change of territory")
    assert got["MLI1002"][2] == "Remote violence"
    assert got["MLI1002"][0] == "Explosions/Remote violence"
    assert got["MLI1003"][:2] == ("Protests", "Peaceful protest")
    assert got["MLI1004"] == ("Violence against civilians", "Attack", "Violence against civilians")
    assert got["MLI1005"][1] == "Headquarters or base established"
    # one row per actor: merged into one incident naming both
    assert rows.loc["MLI1001", "actor2"] == (
        "AQIM: Al Qaeda in the Islamic Maghreb; MUJAO: Movement for Unity and Jihad in West Africa"
    )
    assert pd.isna(rows.loc["MLI1001", "iso"])  # GWNO is not ISO


def test_ucdp_precision_and_spans_are_kept(empty_store):
    import_file(empty_store, REAL / "ucdp_ged191.csv", refresh_snapshot=False)
    rows = _rows(empty_store)
    assert rows.loc["UCDP-100001", ["geo_precision", "time_precision"]].tolist() == [1, 1]
    assert pd.isna(rows.loc["UCDP-100001", "event_date_end"])
    assert rows.loc["UCDP-100002", ["geo_precision", "time_precision"]].tolist() == [4, 3]
    assert rows.loc["UCDP-100002", "event_date_end"] == pd.Timestamp("2009-03-31")
    assert rows.loc["UCDP-100003", ["geo_precision", "time_precision"]].tolist() == [3, 4]
    assert rows.loc["UCDP-100003", "event_date"] == pd.Timestamp("2009-04-01")
    assert rows.loc["UCDP-100003", "event_date_end"] == pd.Timestamp("2009-06-30")
    assert rows.loc["UCDP-100004", "geo_precision"] == 4  # international waters
    assert rows.loc["UCDP-100002", "source_event_type"].startswith("UCDP type_of_violence 3")


def test_ids_from_content_are_the_same_on_every_read(empty_store):
    first = read_incidents(REAL / "no_ids_upper.csv").frame["event_id"].tolist()
    again = read_incidents(REAL / "no_ids_upper.csv").frame["event_id"].tolist()
    assert first == again and all(i.startswith("ID-") for i in first)
    assert len(set(first)) == 2
    import_file(empty_store, REAL / "no_ids_upper.csv", refresh_snapshot=False)
    report = import_file(
        empty_store, REAL / "no_ids_upper.csv", on_conflict="skip", refresh_snapshot=False
    )
    assert (report.inserted, report.skipped, empty_store.count()) == (0, 2, 2)


@pytest.mark.parametrize(
    "fmt, suffix", [("csv", ".csv"), ("geojson", ".geojson"), ("gpkg", ".gpkg")]
)
def test_new_fields_survive_a_round_trip(empty_store, tmp_path, fmt, suffix):
    import_file(empty_store, REAL / "ucdp_ged191.csv", refresh_snapshot=False)
    import_file(empty_store, REAL / "acled_2015_upper.csv", refresh_snapshot=False)
    out = tmp_path / f"out{suffix}"
    export_incidents(empty_store, out, format=fmt)
    again = Store.open(f"sqlite:///{tmp_path / 'again.sqlite'}", seed=False)
    if fmt == "gpkg":
        frame = pyogrio.read_dataframe(out, layer="incidents")
        for name in ("event_date", "event_date_end"):
            frame[name] = pd.to_datetime(frame[name]).dt.strftime("%Y-%m-%d")
        csv = tmp_path / "from_gpkg.csv"
        frame.drop(columns="geometry").to_csv(csv, index=False)
        out = csv
    report = import_file(again, out, refresh_snapshot=False)
    assert report.errors == []
    before, after = _rows(empty_store), _rows(again)
    for name in ("event_date_end", "geo_precision", "time_precision", "source_event_type"):
        pd.testing.assert_series_equal(
            before[name].sort_index(), after[name].sort_index(), check_names=False
        )


def test_an_ambiguous_column_is_never_guessed(empty_store, tmp_path):
    path = tmp_path / "ambiguous.csv"
    shutil.copy(REAL / "acled_hdx_hxl.csv", path)
    text = path.read_text().replace("2021-08-26", "05/08/2021").replace("2021-08-15", "07/08/2021")
    path.write_text(text)
    report = import_file(empty_store, path, refresh_snapshot=False)
    assert report.inserted == 0
    assert [e.field for e in report.errors] == ["event_date", "event_date"]
    assert "ambiguous" in report.errors[0].message and report.errors[0].line == 3
    report = import_file(empty_store, path, date_order="dmy", refresh_snapshot=False)
    assert report.inserted == 2
    assert _rows(empty_store).loc["AFG20001", "event_date"] == pd.Timestamp("2021-08-05")


def test_a_date_against_its_year_is_rejected_with_the_reason(empty_store, tmp_path):
    path = tmp_path / "year.csv"
    path.write_text(
        (REAL / "acled_hdx_hxl.csv").read_text().replace("2021-08-15,2021", "2021-08-15,2020")
    )
    report = import_file(empty_store, path, refresh_snapshot=False)
    assert report.inserted == 1
    assert "the row's year is 2020" in report.errors[0].message and report.errors[0].line == 4


def test_a_rejected_strict_import_leaves_the_store_as_it_was(store):
    before, revision = store.count(), store.revision
    with pytest.raises(ImportRejected):
        import_file(store, REAL / "acled_overlapping_downloads.csv", strict=True)
    assert (store.count(), store.revision) == (before, revision)
