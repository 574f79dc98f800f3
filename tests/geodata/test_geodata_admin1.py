"""Admin1 hints in en/fr/de/pl/uk/ru resolve to ACLED-style names."""

from __future__ import annotations

import pytest

from geodata import Gazetteer, resolve_admin1
from geodata.admin1 import Admin1Table

HINTS = [
    ("Kharkiv", None, "UA", "Kharkiv"),
    ("région de Kharkiv", None, "UA", "Kharkiv"),
    ("Oblast Charkiw", None, "UA", "Kharkiv"),
    ("obwód charkowski", None, "UA", "Kharkiv"),
    ("Харківська область", None, "UA", "Kharkiv"),
    ("Харьковская область", None, "UA", "Kharkiv"),
    ("Kharkiv Oblast", None, "UA", "Kharkiv"),
    ("la région de Lipetsk", None, "RU", "Lipetsk"),
    ("Gebiet Lipezk", None, "RU", "Lipetsk"),
    ("Липецкая область", None, "RU", "Lipetsk"),
    ("obwód lipiecki", None, "RU", "Lipetsk"),
    ("Запорізька область", None, "UA", "Zaporizhia"),
    ("région de Zaporijjia", None, "UA", "Zaporizhia"),
    ("Saporischschja", None, "UA", "Zaporizhia"),
    ("Одеська область", None, "UA", "Odesa"),
    ("Odessa", "UA", "UA", "Odesa"),
    ("Poltava", None, "UA", "Poltava"),
    ("obwód doniecki", None, "UA", "Donetsk"),
    ("Луганська область", None, "UA", "Luhansk"),
    ("Белгородская область", None, "RU", "Belgorod"),
    ("Бєлгородська область", None, "RU", "Belgorod"),
    ("Kursk", None, "RU", "Kursk"),
    ("région de Moscou", None, "RU", "Moscow Oblast"),
    ("Moscow", None, "RU", "Moscow"),
    ("UA-63", None, "UA", "Kharkiv"),
    ("UA.07", None, "UA", "Kharkiv"),
    ("Texas", "US", "US", "Texas"),
]


@pytest.mark.parametrize(("text", "country", "cc", "name"), HINTS)
def test_resolve(text: str, country: str | None, cc: str, name: str) -> None:
    region = resolve_admin1(text, country=country)
    assert region is not None, text
    assert (region.country, region.name) == (cc, name)


@pytest.mark.parametrize("text", ["Narnia", "", "   ", "région de Nulle-Part", "x" * 500, "💥"])
def test_names_no_region(text: str) -> None:
    assert resolve_admin1(text) is None


def test_country_filter_applies() -> None:
    assert resolve_admin1("Kharkiv", country="RU") is None


def test_every_ua_ru_region_has_a_valid_capital(gaz: Gazetteer) -> None:
    table = Admin1Table.default()
    regions = table.regions("UA") + table.regions("RU")
    assert len(table.regions("UA")) == 27 and len(table.regions("RU")) == 83
    for region in regions:
        row = gaz.index.row_of_geonames_id(region.capital_geonames_id)
        assert row is not None, region
        assert gaz.index.country_of(row) == region.country, region
        # the capital lies in the region or in a region it accepts (Kyiv Oblast -> Kyiv City)
        accepted = region.accepted_codes | {r.code for r in regions if region.code in r.related}
        parent = table.parent_of(region)
        if parent is not None:
            accepted |= parent.accepted_codes
        assert gaz.index.admin1_code_of(row) in accepted, region


def test_every_geonames_admin1_code_of_ua_ru_is_named(gaz: Gazetteer) -> None:
    df = gaz.places(countries=("UA", "RU"))
    assert not df["admin1"].str.contains(r"^(?:UA|RU)\.", regex=True).any()
