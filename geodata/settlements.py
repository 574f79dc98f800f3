"""The shipped settlement tables of Ukraine (OCHA COD-AB with Who's On First names).

Read from ``geodata/data/ua_settlements.tsv.gz`` and ``ua_admin.tsv.gz``, which
``python -m geodata.build_data SOURCE_DIR`` writes (see that module for the join rules).
Credit: "OCHA, COD-AB Ukraine" (CC BY-IGO) and "Data from Who's On First" (CC0; parts
GeoNames, CC BY 4.0).

A settlement's pcode encodes its units: ``UA6308003017`` lies in hromada ``UA6308003``,
raion ``UA6308`` and oblast ``UA63``.
"""

from __future__ import annotations

import csv
import functools
import gzip
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ADMIN_TSV",
    "OBLAST_TO_GEONAMES",
    "SETTLEMENTS_TSV",
    "AdminUnit",
    "Settlement",
    "load_admin_units",
    "load_settlements",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
SETTLEMENTS_TSV = DATA_DIR / "ua_settlements.tsv.gz"
ADMIN_TSV = DATA_DIR / "ua_admin.tsv.gz"

#: OCHA oblast pcode (KATOTTG/KOATUU digits) -> GeoNames admin1 code of Ukraine.
OBLAST_TO_GEONAMES = {
    "UA01": "11", "UA05": "23", "UA07": "24", "UA12": "04", "UA14": "05", "UA18": "27",
    "UA21": "25", "UA23": "26", "UA26": "06", "UA32": "13", "UA35": "10", "UA44": "14",
    "UA46": "15", "UA48": "16", "UA51": "17", "UA53": "18", "UA56": "19", "UA59": "21",
    "UA61": "22", "UA63": "07", "UA65": "08", "UA68": "09", "UA71": "01", "UA73": "03",
    "UA74": "02", "UA80": "12", "UA85": "20",
}  # fmt: skip


@dataclass(frozen=True)
class Settlement:
    pcode: str
    name_en: str
    name_uk: str
    name_ru: str
    lat: float
    lon: float
    geonames_id: int | None
    population: int
    centre: int  #: 2 raion centre, 1 hromada centre, 0 other
    alt_names: tuple[str, ...]
    old_names: tuple[str, ...]

    @property
    def hromada(self) -> str:
        return self.pcode[:9]

    @property
    def raion(self) -> str:
        return self.pcode[:6]

    @property
    def oblast(self) -> str:
        return self.pcode[:4]

    @property
    def admin1_code(self) -> str:
        return OBLAST_TO_GEONAMES.get(self.oblast, "")


@dataclass(frozen=True)
class AdminUnit:
    pcode: str
    level: int  #: 1 oblast, 2 raion, 3 hromada
    name_en: str
    name_uk: str


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a shipped TSV file as dicts by column (csv.reader and the header zipped:
    a few times faster than csv.DictReader, for the same rows of these regular files)."""
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, [])
        return [dict(zip(header, row)) for row in reader if row]


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split("|") if x)


def load_settlements(path: Path = SETTLEMENTS_TSV) -> list[Settlement]:
    """Every settlement of the shipped table, in pcode order."""
    return [
        Settlement(
            pcode=r["pcode"],
            name_en=r["name_en"],
            name_uk=r["name_uk"],
            name_ru=r["name_ru"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            geonames_id=int(r["geonames_id"]) if r["geonames_id"] else None,
            population=int(r["population"] or 0),
            centre=int(r["centre"] or 0),
            alt_names=_split(r["alt_names"]),
            old_names=_split(r["old_names"]),
        )
        for r in _rows(path)
    ]


@functools.cache
def load_admin_units(path: Path = ADMIN_TSV) -> tuple[AdminUnit, ...]:
    """Oblasts, raions and hromadas of Ukraine (OCHA COD-AB)."""
    return tuple(
        AdminUnit(r["pcode"], int(r["level"]), r["name_en"], r["name_uk"]) for r in _rows(path)
    )
