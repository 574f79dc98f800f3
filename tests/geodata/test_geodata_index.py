"""Index cache: built once, reloaded, rebuilt when the source changes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from geodata import Gazetteer, IndexBuildError
from geodata.index import index_path


def _write_source(path: Path, places: list[dict]) -> None:
    path.write_text(json.dumps({str(p["geonameid"]): p for p in places}), encoding="utf-8")


def _place(
    gid: int, name: str, alts: list[str], cc="UA", a1="07", pop=1000, lat=50.0, lon=36.0
) -> dict:
    return {
        "geonameid": gid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": cc,
        "population": pop,
        "timezone": "Europe/Kyiv",
        "admin1code": a1,
        "alternatenames": alts,
    }


def test_build_load_and_rebuild_on_change(tmp_path: Path) -> None:
    src = tmp_path / "cities.json"
    cache = tmp_path / "cache"
    _write_source(src, [_place(1, "Testivka", ["Тестівка"])])
    g1 = Gazetteer.load(cache_dir=cache, source=src)
    assert g1.geocode("Тестівка").geonames_id == 1
    first = index_path(cache, src)
    assert first.exists()

    g2 = Gazetteer.load(cache_dir=cache, source=src)  # from cache
    assert g2.index.meta["built_at"] == g1.index.meta["built_at"]

    _write_source(src, [_place(2, "Novotestivka", [], pop=5000)])
    os.utime(src, ns=(1_000_000_000, 1_000_000_000))
    g3 = Gazetteer.load(cache_dir=cache, source=src)
    assert g3.geocode("Novotestivka").geonames_id == 2
    assert not g3.geocode("Testivka").ok
    assert not first.exists()  # stale cache file removed
    assert len(list(cache.glob("gazetteer-*.pkl"))) == 1


def test_missing_or_corrupt_source(tmp_path: Path) -> None:
    with pytest.raises(IndexBuildError):
        Gazetteer.load(cache_dir=tmp_path, source=tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexBuildError):
        Gazetteer.load(cache_dir=tmp_path, source=bad)


def test_default_cache_dir_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from geodata.index import default_cache_dir

    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("GEODATA_CACHE_DIR")
    assert default_cache_dir().parts[-2:] == ("data", "cache")


def test_a_settlement_geonames_also_lists_is_one_place(tmp_path: Path) -> None:
    src = tmp_path / "cities.json"
    # GeoNames' entry for Milove (Luhansk region), a little off the OCHA outline centre
    _write_source(
        src, [_place(701104, "Milove", ["Melovoye"], a1="14", pop=5418, lat=49.376, lon=40.136)]
    )
    gaz = Gazetteer.load(cache_dir=tmp_path / "cache", source=src)
    res = gaz.geocode("Milove", admin1="Luhansk")
    assert res.ok and res.geonames_id == 701104 and res.pcode == "UA4414007001"
    assert [c.pcode for c in res.candidates].count("UA4414007001") == 1
    assert gaz.index.size == 1 + 29_705 - 1  # merged, not added
    kharkiv = gaz.geocode("Milove", admin1="Kharkiv")  # only in the settlement table
    assert kharkiv.pcode == "UA6308003017" and kharkiv.geonames_id == 701103


def test_build_data_is_reproducible(tmp_path: Path) -> None:
    import gzip

    from geodata.build_data import ADMIN, SETTLEMENTS, WOF, main

    src = tmp_path / "src"
    src.mkdir()
    head = "pcode\tname_en\tname_uk\tlat\tlon\thromada_pcode\thromada_en\thromada_uk\traion_pcode\traion_en\traion_uk\toblast_pcode\toblast_en\toblast_uk"
    (src / SETTLEMENTS).write_text(
        head + "\nUA1402011001\tToretsk\tТорецьк\t48.39556\t37.85216\tUA1402011\tToretska\tТорецька"
        "\tUA1402\tBakhmutskyi\tБахмутський\tUA14\tDonetska\tДонецька\n",
        encoding="utf-8",
    )
    admin_rows = [
        "Record ID\tOblast\tOblast UKR\tAdmin1 Pcode\tLAT\tLON\nx\tDonetska\tДонецька\tUA14\t48\t37\n",
        "Record ID\tOblast-Raion\tRaion\tRaion UKR\tAdmin2 Pcode\tOblast\tOblast UKR\tAdmin1 Pcode\tLAT\tLON\n"
        "x\tD-B\tBakhmutskyi\tБахмутський\tUA1402\tDonetska\tДонецька\tUA14\t48\t37\n",
        "Record ID\tOblast-Raion-Hromada\tHromada\tHromada UKR\tAdmin3 Pcode\tAdmin2 Pcode\tAdmin1 Pcode\tLAT\tLON\n"
        "x\tD-B-T\tToretska\tТорецька\tUA1402011\tUA1402\tUA14\t48\t37\n",
    ]
    for name, text in zip(ADMIN, admin_rows, strict=True):
        (src / name).write_text(text, encoding="utf-8")
    (src / WOF).write_text(
        "wof_id\tplacetype\tname\tname_uk\tname_ru\tname_en\tlat\tlon\tcountry\tregion_id\tcounty_id"
        "\tgn_id\tpopulation\tis_current\tdeprecated\tvariants_uk_ru_en\n"
        "1\tlocality\tДзержинськ\tТорецьк\tТорецк\tDzerzhyns'k\t48.380406\t37.868312\tUA\t1\t1\t709354"
        "\t41758\t1\t\tDzerzhyns'k|Toretsk|Дзержинск|Дзержинськ|Торецк|Торецьк\n",
        encoding="utf-8",
    )
    out1, out2 = tmp_path / "a", tmp_path / "b"
    assert main([str(src), str(out1)]) == 0
    assert main([str(src), str(out2)]) == 0
    for name in ("ua_settlements.tsv.gz", "ua_admin.tsv.gz"):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes()
    with gzip.open(out1 / "ua_settlements.tsv.gz", "rt", encoding="utf-8") as fh:
        head_line, row = fh.read().splitlines()
    cols = dict(zip(head_line.split("\t"), row.split("\t"), strict=True))
    assert cols["name_ru"] == "Торецк" and cols["geonames_id"] == "709354"
    assert "Дзержинськ" in cols["old_names"].split("|"), cols
    assert cols["centre"] == "1"
    assert main([str(tmp_path / "nowhere")]) == 2


def test_source_is_read_piece_by_piece_without_losing_a_record(tmp_path: Path) -> None:
    from geodata.index import _read_cities

    src = tmp_path / "cities.json"
    names = ['Ба}, "1": {"geonameid": ', "Київ", "Odesa", "東京", "X" * 300]
    _write_source(src, [_place(i + 1, n, [n.lower()]) for i, n in enumerate(names)])
    for chunk in (7, 64, 1000, 10**6):
        pieces = list(_read_cities(src, chunk_chars=chunk))
        assert [r["name"] for piece in pieces for r in piece] == names
    assert len(list(_read_cities(src, chunk_chars=64))) > 1


def test_pretty_printed_source_is_read_whole(tmp_path: Path) -> None:
    from geodata.index import _read_cities

    src = tmp_path / "cities.json"
    src.write_text(json.dumps({"1": _place(1, "Testivka", [])}, indent=2), encoding="utf-8")
    assert [r["name"] for piece in _read_cities(src, chunk_chars=5) for r in piece] == ["Testivka"]


def _keys_name_by_name(places: list) -> set[tuple[int, int, int]]:
    """(key hash, place, flags) of *places* computed name by name: the rules of
    geodata.index._KeyTable, written plainly."""
    from geodata.index import (
        CLASS_ALTERNATE,
        CLASS_CURRENT,
        CLASS_HISTORICAL,
        FLAG_LOOSE,
        FLAG_MAIN_NAME,
        FLAG_OFFICIAL,
        LOOSE_COUNTRIES,
    )
    from geodata.normalize import index_keys, key_hash, loose_key_of_skeleton

    out = set()
    for row, p in enumerate(places):
        current_sks = {index_keys(t)[1] for t in p.current} - {None}
        classes: dict[str, int] = {}
        for text in p.current:
            classes[text] = CLASS_CURRENT
        for texts, cls in ((p.historical, CLASS_HISTORICAL), (p.alternate, CLASS_ALTERNATE)):
            for text in texts:
                spelled = index_keys(text)[1] in current_sks
                classes.setdefault(text, CLASS_CURRENT if spelled else cls)
        best: dict[int, int] = {}
        for text, cls in classes.items():
            raw, sk = index_keys(text)
            flag = cls | (FLAG_MAIN_NAME if text == p.name else 0)
            flag |= FLAG_OFFICIAL if text in p.official else 0
            for key in (raw, sk):
                if key is None:
                    continue
                h = key_hash(key)
                old = best.get(h)
                if old is None or flag & 3 < old & 3:
                    best[h] = flag
                elif flag & 3 == old & 3:
                    best[h] = old | (flag & (FLAG_OFFICIAL | FLAG_MAIN_NAME))
            loose = loose_key_of_skeleton(sk or "")
            if p.country in LOOSE_COUNTRIES and cls == CLASS_CURRENT and loose is not None:
                best.setdefault(key_hash(loose), CLASS_CURRENT | FLAG_LOOSE)
        out |= {(h, row, flag) for h, flag in best.items()}
    return out


def test_key_table_gives_each_key_of_a_place_its_best_class_and_marks() -> None:
    import numpy as np

    from geodata.index import _Columns, _Keys, _KeyTable, _Names, _Place

    def place(name, country, current=(), official=(), historical=(), alternate=()):
        return _Place(
            geonames_id=1, lat=0.0, lon=0.0, population=0, country=country, admin1="",
            name=name, current={name, *current}, official={name, *official},
            historical=set(historical), alternate=set(alternate),
        )  # fmt: skip

    places = [
        # an alternate that respells the current name is current; "KYIV" shares its raw key
        place("Kyiv", "UA", alternate=["Kiev", "Kijów", "KYIV", "Київ"], current=["Київ"]),
        # a historical name also listed as alternate stays historical; one spelled like the
        # current name is current
        place("Bakhmut", "UA", historical=["Artemivsk", "Bakhmout"], alternate=["Artemivsk"]),
        # no loose keys outside Ukraine and Russia; 東京 has a raw key only
        place("Odessa", "US", alternate=["Odesa", "Одесса", "東京"]),
        place("Lyman", "UA", official=["Лиман"], current=["Лиман", "Liman"]),
        place("", "RU", alternate=["", "a"]),  # empty names: a raw key, no skeleton
    ]
    cols, table, names = _Columns(), _KeyTable(), _Names(0)
    for p in places:
        cols.add(p)
        names.add_place(p)
    table.add(names, _Keys())
    kh, kp, kf = table.arrays(np.arange(len(places)))
    got = set(zip(kh.tolist(), kp.tolist(), kf.tolist()))
    assert got == _keys_name_by_name(places)
    assert len(got) == len(kh)  # one entry per (key, place)
    flags = {f for _, row, f in got if row == 1}
    assert 2 in {f & 3 for f in flags}  # Artemivsk is historical, though listed as alternate too


def test_string_column_is_a_sequence_of_its_strings() -> None:
    import pickle

    import numpy as np

    from geodata.index import StringColumn

    values = ["Kharkiv", "", "Мілове", "Łódź", "𝔘nicode", "", "Kupiansk"]
    col = StringColumn(values)
    assert len(col) == len(values)
    assert [col[i] for i in range(len(values))] == values
    assert list(col) == values and col[-1] == "Kupiansk" and col[-7] == "Kharkiv"
    assert col[1:4] == values[1:4] and col[::-2] == values[::-2]
    assert col[np.int64(2)] == "Мілове" and col[np.int32(-1)] == "Kupiansk"
    for bad in (7, -8, 100):
        with pytest.raises(IndexError):
            col[bad]
    again = pickle.loads(pickle.dumps(col, protocol=pickle.HIGHEST_PROTOCOL))
    assert list(again) == values and len(again) == len(values)
    assert list(StringColumn()) == [] and len(StringColumn([""])) == 1


def test_the_index_names_and_pcodes_are_its_places(gaz: Gazetteer) -> None:
    ix = gaz.index
    assert len(ix.names) == len(ix.pcodes) == len(ix.lat) == ix.size
    kharkiv = ix.row_of_geonames_id(706483)
    assert kharkiv is not None and ix.names[kharkiv] == "Kharkiv"
    assert ix.pcodes[kharkiv].startswith("UA63")
    assert ix.names[ix.size - 1] and ix.pcodes[ix.size - 1].startswith("UA")


def test_shipped_tables_read_as_csv_dictreader_reads_them(tmp_path: Path) -> None:
    import csv
    import gzip

    from geodata.settlements import ADMIN_TSV, _rows

    odd = tmp_path / "odd.tsv.gz"
    with gzip.open(odd, "wt", encoding="utf-8", newline="") as fh:
        fh.write('pcode\tname_en\tname_uk\nUA01\tKyiv "city"\tКиїв\n\nUA02\t\tЛьвів\n')
    for path in (ADMIN_TSV, odd):
        with gzip.open(path, mode="rt", encoding="utf-8", newline="") as fh:
            expected = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        assert _rows(path) == expected and len(expected) >= 2
