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
