"""Hints read from the query or its sentence, in the press's languages."""

from __future__ import annotations

import pytest

from geodata import Gazetteer
from geodata.hints import UnitTable, find_hints

REGION_PHRASES = [
    ("Milové, dans la région de Kharkiv", "Milové", "Kharkiv"),
    (
        "la prise de Milové, une localité frontalière dans la région ukrainienne de Kharkiv",
        None,
        "Kharkiv",
    ),
    ("Мілове, Харківська область", "Мілове", "Kharkiv"),
    ("Меловое в Харьковской области", "Меловое", "Kharkiv"),
    ("in Milowe im Gebiet Charkiw", None, "Kharkiv"),
    ("w miejscowości Miłowe w obwodzie charkowskim", None, "Kharkiv"),
    ("Kupiansk, Kharkiv Oblast", "Kupiansk", "Kharkiv"),
    ("Robotyne in the Zaporizhzhia region", "Robotyne", "Zaporizhia"),
]


@pytest.mark.parametrize(("text", "rest", "region"), REGION_PHRASES)
def test_region_in_text(text: str, rest: str | None, region: str) -> None:
    hints = find_hints(text)
    assert hints.admin1 is not None and hints.admin1.name == region, hints
    if rest is not None:
        assert hints.rest == rest


@pytest.mark.parametrize(
    "text",
    [
        "Kupianskyi raion",
        "Kupiansk district",
        "Купянский район",
        "Куп'янського району",
        "rejon kupiański",
    ],
)
def test_raion_names(text: str) -> None:
    assert find_hints(text).raions == frozenset({"UA6308"})


def test_hromada_names() -> None:
    # Milovska hromada (Luhansk) is named after Milove; Vilkhuvatska (Kharkiv) after Vilkhuvatka
    assert "UA4414007" in UnitTable.default().resolve("Milove", 3)
    assert find_hints("Vilkhuvatska hromada").hromadas == frozenset({"UA6308003"})


def test_near_and_country() -> None:
    h = find_hints("frappe près de Koupiansk, en Ukraine")
    assert h.near == "Koupiansk" and h.country == "UA"
    assert find_hints("под Курском (Россия)").country == "RU"


def test_no_hint_in_plain_text() -> None:
    h = find_hints("Robotyne")
    assert not h.any and h.rest == "Robotyne"


def test_hint_named_in_reason(gaz: Gazetteer) -> None:
    res = gaz.geocode("Novomykhailivka", context="a village in the Pokrovsk district")
    assert res.ok and res.pcode == "UA1416013013"
    assert "raion Pokrovskyi" in res.reason and res.hints


def test_towns_the_news_means_and_villages_by_their_region(gaz: Gazetteer) -> None:
    assert gaz.geocode("Lyman").geonames_id == 704204  # the city of 20,000
    for spelling in ("Sloviansk", "Słowiańsk", "Slowjansk"):
        assert gaz.geocode(spelling).geonames_id == 693468, spelling
    bare = gaz.geocode("Novomykhailivka")
    assert not bare.ok and len(bare.candidates) >= 10 and bare.lat is None
    assert gaz.geocode("Robotyne").pcode == "UA2310027015"
    assert gaz.geocode("Milove", admin1="Kharkiv").pcode == "UA6308003017"
    assert gaz.geocode("Milove", admin1="Luhansk").pcode == "UA4414007001"


def test_russian_country_hint_accepts_claimed_regions_only(gaz: Gazetteer) -> None:
    assert gaz.geocode("Мелитополь", country="RU").pcode == "UA2308007001"
    assert gaz.geocode("Севастополь", country="RU").geonames_id == 694423
    assert not gaz.geocode("Kupiansk", country="RU").ok  # Kharkiv region is not claimed
    assert not gaz.geocode("Krupets", country="RU").ok  # a Kursk village in no source


def test_historical_name_never_overrides_a_current_place(gaz: Gazetteer) -> None:
    res = gaz.geocode("Pokrovsk")
    engels = [c for c in res.candidates if c.geonames_id == 563464]
    assert res.geonames_id == 704422 and engels and engels[0].name_class == "alternate"
    # "Dzerzhinsk" is Toretsk's old name and the current name of a Russian city
    assert gaz.geocode("Dzerzhinsk").country == "RU"
    assert gaz.geocode("Dzerzhinsk", admin1="Donetsk").pcode == "UA1402011001"


def test_the_seed_milove_is_what_the_gazetteer_answers(gaz: Gazetteer) -> None:
    import json

    from incidents.seed import SEED_PATH

    seed = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    (row,) = [r for r in seed["incidents"] if r["location"] == "Milove"]
    quote = row["sources"][0]["quote"]
    res = gaz.geocode("Milové", context=quote)
    assert res.ok and res.source == row["geo_source"] == "gazetteer", res.reason
    assert (res.geonames_id, res.lat, res.lon) == (
        row["geonames_id"],
        row["latitude"],
        row["longitude"],
    )


def test_the_index_stores_the_unit_table_and_the_gazetteer_reads_it_only_when_needed(
    gaz: Gazetteer,
) -> None:
    from geodata.hints import unit_stem_table

    stored = gaz.index.unit_table()
    assert stored == unit_stem_table()
    calls: list[int] = []

    def table() -> UnitTable:
        calls.append(1)
        return UnitTable(stored)

    assert find_hints("Kupiansk", unit_table=table).rest == "Kupiansk"
    assert find_hints("Kupiansk, Kharkiv Oblast", unit_table=table).admin1 is not None
    assert calls == []  # no raion or hromada named: the table is not asked for
    assert find_hints("Kupianskyi raion", unit_table=table).raions == frozenset({"UA6308"})
    assert calls
    # the gazetteer answers from the stored table as from the one built by hand
    fresh = Gazetteer(gaz.index, admin1=gaz.admin1)
    res = fresh.geocode("Novomykhailivka, Pokrovskyi raion")
    assert res.ok and fresh._units is not None and fresh._units._by_stem == stored
