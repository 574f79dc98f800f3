"""The incident pipeline places records through the geocoder chain and keeps provenance."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import GeocoderChain
from incidents import load_seed
from incidents.geocoding import place_incidents


@pytest.fixture(scope="module")
def chain(gaz):
    return GeocoderChain(gazetteer=gaz)


def rows(*records):
    return pd.DataFrame(list(records))


@pytest.mark.parametrize(
    "record, lat, lon, precision, source, admin1",
    [
        (
            {"location": "Ielets", "country": "Russia"},
            52.61435,
            38.50935,
            1,
            "gazetteer",
            "Lipetsk",
        ),
        ({"location": "Odessa", "country": "Ukraine"}, 46.48572, 30.74383, 1, "gazetteer", "Odesa"),
        ({"location": "Połtawa", "country": "UA"}, 49.58925, 34.55367, 1, "gazetteer", "Poltava"),
        (
            {"location": "région de Lipetsk", "country": "Russia"},
            52.5876,
            39.55151,
            3,
            "gazetteer",
            "Lipetsk",
        ),
        # Coordinates given in the file win and are marked as imported; the region comes from reverse lookup.
        (
            {"location": "Somewhere", "latitude": "49.6", "longitude": "34.55"},
            "49.6",
            "34.55",
            None,
            "imported",
            "Poltava",
        ),
    ],
)
def test_records_are_placed_with_provenance(chain, record, lat, lon, precision, source, admin1):
    placed = place_incidents(rows(record), chain=chain)
    assert placed.errors == []
    row = placed.frame.iloc[0]
    assert (row["latitude"], row["longitude"]) == (lat, lon)
    assert row["geo_source"] == source
    assert row["admin1"] == admin1
    if precision is not None:
        assert row["geo_precision"] == precision


def test_a_village_the_gazetteer_lacks_is_rejected_not_put_on_a_namesake(chain):
    placed = place_incidents(
        rows({"location": "Krupets", "country": "Russia", "admin1": "Kursk"}),
        chain=chain,
        lines=[7],
    )
    assert len(placed.errors) == 1
    error = placed.errors[0]
    assert error.line == 7 and error.field == "location" and "could not be placed" in error.message
    assert pd.isna(placed.frame.iloc[0]["latitude"])


def test_reverse_lookup_fills_country_names(chain):
    placed = place_incidents(
        rows({"location": "x", "latitude": 52.61, "longitude": 38.5}), chain=chain
    )
    assert placed.frame.iloc[0]["country"] == "Russia"
    assert placed.reverse_filled == 1


def test_seed_coordinates_are_the_gazetteers(chain):
    """Every seed incident marked 'gazetteer' sits where the gazetteer puts its place today."""
    incidents, _ = load_seed()
    from_gazetteer = incidents[incidents["geo_source"] == "gazetteer"]
    assert len(from_gazetteer) == 5
    for _, row in from_gazetteer.iterrows():
        query = {"Lipetsk Oblast": "région de Lipetsk"}.get(row["location"], row["location"])
        result = chain.geocode(
            query, country={"Ukraine": "UA", "Russia": "RU"}[row["country"]], admin1=row["admin1"]
        )
        assert result.ok, result.reason
        assert (result.lat, result.lon) == (row["latitude"], row["longitude"])
        assert result.precision == row["geo_precision"]
        assert result.geonames_id == row["geonames_id"]


def test_import_with_a_geocoder_places_rows_and_rejects_what_it_cannot(store, tmp_path, chain):
    from incidents import import_file
    from incidents.snapshot import default_cache_dir

    path = tmp_path / "no-coordinates.csv"
    path.write_text(
        "event_id,event_date,event_type,sub_event_type,country,admin1,location,fatalities\n"
        "G-1,2025-07-03,Explosions/Remote violence,Air/drone strike,Russia,,Jelez,0\n"
        "G-2,2025-07-03,Battles,Non-state actor overtakes territory,Russia,Kursk,Krupets,\n",
        encoding="utf-8",
    )
    without = import_file(store, path)
    assert without.inserted == 0 and "with a geocoder" in without.errors[0].message

    report = import_file(store, path, geocoder=chain)
    assert report.inserted == 1
    assert [(e.line, e.field) for e in report.errors] == [(3, "location")]
    placed = store.frame().set_index("event_id").loc["G-1"]
    assert (placed["latitude"], placed["geo_source"], placed["admin1"]) == (
        52.61435,
        "gazetteer",
        "Lipetsk",
    )
    # The import refreshed the columnar snapshot of the new revision.
    assert (default_cache_dir() / f"incidents-{store.cache_key}.arrow").exists()
