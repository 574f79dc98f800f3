"""The team's own places: stored with provenance, consulted first, listed by the CLI,
carried by GeoPackage exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from geodata import Gazetteer, PlaceError
from geodata.cli import main
from geodata.places import PlaceStore


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def test_add_list_remove(db: str) -> None:
    store = PlaceStore.open(db)
    p = store.add("Krupets", 51.39, 34.93, author="desk", provenance="Sentinel-2, 2025-08-10",
                  country="ru", admin1="Kursk", aliases=["Крупец"])  # fmt: skip
    assert p.place_id >= 1 and p.country == "RU" and p.aliases == ("Крупец",)
    assert p.created.endswith("Z")
    assert [x.name for x in PlaceStore.open(db).all()] == ["Krupets"]
    assert store.remove(p.place_id) and not store.remove(p.place_id)
    assert store.all() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": " "}, "name"),
        ({"author": ""}, "author"),
        ({"provenance": None}, "provenance"),
        ({"latitude": 95}, "out of range"),
        ({"longitude": float("nan")}, "out of range"),
        ({"latitude": "north"}, "numbers"),
        ({"country": "Russia"}, "country"),
    ],
)
def test_bad_places_are_refused_and_nothing_is_stored(db: str, kwargs, message) -> None:
    store = PlaceStore.open(db)
    args = {"name": "X", "latitude": 50.0, "longitude": 36.0, "author": "a", "provenance": "p"}
    args.update(kwargs)
    with pytest.raises(PlaceError, match=message):
        store.add(args.pop("name"), args.pop("latitude"), args.pop("longitude"), **args)
    assert store.all() == []


def test_team_places_are_consulted_first(gaz: Gazetteer, db: str) -> None:
    store = PlaceStore.open(db)
    store.add("Krupets", 51.39, 34.93, author="desk", provenance="survey", country="RU",
              admin1="Kursk", aliases=["Крупец"])  # fmt: skip
    assert not gaz.geocode("Крупец", admin1="Kursk").ok  # in no open source
    team = gaz.with_places(store.all())
    res = team.geocode("Крупец", admin1="Курская область")
    assert res.ok and res.source == "places" and (res.lat, res.lon) == (51.39, 34.93)
    assert "desk" in res.reason and "survey" in res.reason
    # the hints still apply: a Kharkiv hint does not take the Kursk place
    assert team.geocode("Krupets", admin1="Kharkiv").source != "places"
    # and everything else still comes from the open sources
    assert team.geocode("Kupiansk").source == "gazetteer"


def test_cli_places(gaz: Gazetteer, cache_dir: Path, db: str) -> None:
    out = io.StringIO()
    args = ["places", "--db", db, "add", "Point 217", "--lat", "48.1", "--lon", "37.5",
            "--author", "desk", "--provenance", "drone video 2025-07-01", "--kind", "landmark"]  # fmt: skip
    assert main(args, out=out) == 0
    added = json.loads(out.getvalue())
    out = io.StringIO()
    assert main(["places", "--db", db, "list", "--json"], out=out) == 0
    assert json.loads(out.getvalue())["name"] == "Point 217"
    out = io.StringIO()
    code = main(
        ["--cache-dir", str(cache_dir), "geocode", "Point 217", "--db", db, "--json"], out=out
    )
    assert code == 0 and json.loads(out.getvalue())["source"] == "places"
    assert main(["places", "--db", db, "remove", str(added["place_id"])], out=io.StringIO()) == 0
    assert main(["places", "--db", db, "remove", str(added["place_id"])], out=io.StringIO()) == 1


def test_places_travel_with_a_geopackage_export(tmp_path: Path) -> None:
    import pyogrio

    from incidents import Store
    from incidents.export import export_incidents

    url = f"sqlite:///{tmp_path / 'inc.sqlite'}"
    store = Store.open(url)  # seeded
    PlaceStore.open(store.engine).add("Krupets", 51.39, 34.93, author="desk", provenance="survey")
    out = tmp_path / "out.gpkg"
    export_incidents(store, out, format="gpkg")
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"incidents", "casualty_groups", "places"} <= layers
    places = pyogrio.read_dataframe(out, layer="places")
    assert list(places["name"]) == ["Krupets"] and places.crs.to_epsg() == 4326


def test_incident_import_places_rows_on_team_places_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    from incidents import Store
    from incidents.cli import main as incidents_main

    monkeypatch.setenv("GEODATA_CACHE_DIR", str(cache_dir))
    url = f"sqlite:///{tmp_path / 'inc.sqlite'}"
    store = Store.open(url)
    PlaceStore.open(store.engine).add(
        "Krupets", 51.39, 34.93, author="desk", provenance="survey", country="RU", admin1="Kursk"
    )
    path = tmp_path / "rows.csv"
    path.write_text(
        "event_id,event_date,event_type,sub_event_type,country,admin1,location,fatalities\n"
        "K-1,2025-08-10,Explosions/Remote violence,Shelling/artillery/missile attack,Russia,Kursk,"
        "Krupets,\n",
        encoding="utf-8",
    )
    assert incidents_main(["--db", url, "import", str(path), "--geocode"]) == 0
    row = store.frame().set_index("event_id").loc["K-1"]
    assert (row["latitude"], row["longitude"], row["geo_source"]) == (51.39, 34.93, "places")


def test_plain_postgresql_url_uses_psycopg3() -> None:
    store = PlaceStore.open("postgresql://desk@127.0.0.1:1/incidents", create=False)
    assert store.engine.url.drivername == "postgresql+psycopg"
