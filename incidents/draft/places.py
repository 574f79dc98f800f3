"""Place mentions in a sentence, resolved through the project's gazetteer (``geodata``).

A capitalised name after a place word ("à", "sur la ville de", "in", "near", "captured") is a
mention; "la région (russe) de X", "X region", "X Oblast" are region mentions. A region named in
the same sentence as a town is the town's admin1 hint; alone, it is the incident's place
(geo_precision 3). A name that the gazetteer cannot settle is kept, unplaced, with its
candidates, only after a word that surely announces a place ("la localité de", "captured").
A place given as a distance reference ("à 400 km au sud-est de Moscou") is not the incident's
place; within 30 km it is "near" the place (geo_precision 2).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geodata import InvalidQuery, UnknownCountry, resolve_admin1

from . import rules

if TYPE_CHECKING:
    from geodata import Gazetteer, GeocodeResult
    from geodata.admin1 import Admin1

__all__ = ["NEAR_KM", "PlaceMention", "find_places", "region_location"]

#: A place named as "N km from X" is the incident's place (precision 2) only this close.
NEAR_KM = 30
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁІЇЄҐ"
_WORD = rf"[{_UPPER}][\w'’]*(?:-[\w'’]+)*"
NAME = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"
_COUNTRY_ADJ = {
    "russe": "RU",
    "russian": "RU",
    "russia's": "RU",
    "russia’s": "RU",
    "ukrainienne": "UA",
    "ukrainian": "UA",
    "ukraine's": "UA",
    "ukraine’s": "UA",
}
_REGION_PATTERNS = (
    rf"\b(?:la |de la |dans la )?(?:région|oblast|province)\s+(?:(?P<adj>russe|ukrainienne)\s+)?(?:frontalière\s+)?(?:de |d['’])\s*(?P<name>{_WORD})",
    rf"\b(?:the\s+)?(?:(?P<adj>Russian|Ukrainian)\s+)?(?:border\s+)?(?:region|oblast|province)\s+of\s+(?P<name>{_WORD})",
    rf"(?:\b(?P<adj>Russia['’]s|Ukraine['’]s)\s+)?(?<![\w'’-])(?P<name>{_WORD})\s+(?:region|oblast|Oblast|province)\b",
)
_REGION_RX = [re.compile(p) for p in _REGION_PATTERNS]
_NAME_RX = re.compile(rf"(?<![\w'’-]){NAME}")
_STRONG_RX = re.compile(rf"(?:^|[\s(,])(?:{rules.STRONG_PLACE_MARKERS})$", re.IGNORECASE)
_WEAK_RX = re.compile(rf"(?:^|[\s(,])(?:{rules.WEAK_PLACE_MARKERS})$", re.IGNORECASE)
_NEAR_RX = re.compile(rules.NEAR_MARKERS, re.IGNORECASE)
_DISTANCE_RX = re.compile(
    r"(\d{1,4})\s*(?:km|kilomètres|kilometres|kilometers|miles)\b[^.;:]{0,40}?"
    r"(?:de |d['’]|of |from )?$",
    re.IGNORECASE,
)


@dataclass
class PlaceMention:
    """A place named in a sentence (offsets in the sentence), with the gazetteer's answer."""

    name: str
    start: int
    end: int
    kind: str  # "town" or "region"
    strong: bool
    near: bool = False
    country_hint: str | None = None
    admin1: Admin1 | None = None  # for a region mention: the region
    result: GeocodeResult | None = None
    hint: PlaceMention | None = None  # the region mention used as admin1 hint
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.result is not None and self.result.ok


def region_location(admin1: Admin1) -> str:
    """How a region-level incident's ``location`` reads ("Lipetsk Oblast", "Krasnodar Krai")."""
    for alias in admin1.aliases:
        if re.search(r"\b(?:Krai|Kray|Republic|Okrug|Oblast)\b", alias) and admin1.name in alias:
            return alias
    return f"{admin1.name} Oblast" if admin1.country in ("UA", "RU") else admin1.name


def ascii_name(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _clean_name(name: str) -> str:
    name = re.sub(r"['’]s$", "", name)
    return name.strip(" -'’")


def _geocode(gazetteer: Gazetteer, name: str, **hints) -> GeocodeResult | None:
    try:
        return gazetteer.geocode(name, **hints)
    except (InvalidQuery, UnknownCountry):
        return None


def find_places(
    sentence: str, gazetteer: Gazetteer, *, context_region: Admin1 | None = None
) -> list[PlaceMention]:
    """The incident places named in one sentence, in reading order (regions used as hints are
    not returned unless the sentence names no town)."""
    regions: list[PlaceMention] = []
    spans: list[tuple[int, int]] = []
    for rx in _REGION_RX:
        for m in rx.finditer(sentence):
            name = _clean_name(m.group("name"))
            if name.lower() in rules.NOT_PLACES or any(
                m.start("name") < e and s < m.end("name") for s, e in spans
            ):
                continue
            adj = (m.group("adj") or "").lower()
            country = _COUNTRY_ADJ.get(adj)
            admin1 = resolve_admin1(name, country=country)
            if admin1 is None:
                continue
            spans.append((m.start("name"), m.end("name")))
            regions.append(
                PlaceMention(
                    name,
                    m.start("name"),
                    m.end("name"),
                    "region",
                    True,
                    country_hint=admin1.country,
                    admin1=admin1,
                )
            )
    towns: list[PlaceMention] = []
    last_end = -100
    for m in _NAME_RX.finditer(sentence):
        name = _clean_name(m.group())
        start = m.start()
        lead = re.match(
            r"(?:(?:À|A|In|On|At|Near|De|Sur|Dans|Le|La|Les|The|Des|Du|L['’])\s+)+", name
        )
        if lead and lead.end() < len(name):  # "À Belgorod" at the start of a sentence
            name, start = name[lead.end() :], start + lead.end()
        if any(start < e and s < m.end() for s, e in spans):
            continue
        # a multi-word match may start with a non-place word ("Côté", "Odessa, Poltava")
        if name.split()[0].lower() in rules.NOT_PLACES or name.lower() in rules.NOT_PLACES:
            continue
        before = sentence[max(0, start - 60) : start]
        strong = bool(_STRONG_RX.search(before))
        # "on Kyiv and Zaporizhzhia": a name listed right after a place is a place mention too
        listed = start - last_end <= 6 and bool(
            re.fullmatch(r",?\s*(?:and|et|or|ou|,)?\s*", sentence[last_end:start])
        )
        weak = bool(_WEAK_RX.search(before)) or listed
        if not (strong or weak):
            continue
        near = bool(_NEAR_RX.search(before.rstrip() + " " if before.endswith(" ") else before))
        distance = _DISTANCE_RX.search(before)
        if distance:
            if int(distance.group(1)) > NEAR_KM:
                continue  # a distance reference ("à 400 km au sud-est de Moscou")
            near = True
        towns.append(PlaceMention(name, start, start + len(name), "town", strong, near))
        last_end = start + len(name)

    out: list[PlaceMention] = []
    hint = regions[0] if regions else None
    hint_region = hint.admin1 if hint is not None else None
    for town in towns:
        hints = {}
        if hint_region is not None:
            hints = {"admin1": hint_region.name, "country": hint_region.country}
        result = _geocode(gazetteer, town.name, **hints)
        if result is not None and not result.ok and hint is None and context_region is not None:
            retry = _geocode(
                gazetteer, town.name, admin1=context_region.name, country=context_region.country
            )
            if retry is not None and retry.ok:
                result = retry
                town.notes.append(f"region taken from the previous incident: {context_region.name}")
        if result is None:
            continue
        if not result.ok and not town.strong and not result.candidates:
            continue  # a capitalised word the gazetteer does not know, after "à"/"in": not a place
        # after a weak marker, keep an unsettled name only if it is a known place name
        if (
            not result.ok
            and not town.strong
            and hint is None
            and not any(c.score >= 0.9 for c in result.candidates)
        ):
            continue
        town.result = result
        town.hint = hint
        out.append(town)
    if not out:
        for region in regions:
            if region.admin1 is not None:  # always set for a region mention
                name, country = region.admin1.name, region.admin1.country
                region.result = _geocode(gazetteer, f"{name} region", country=country)
                out.append(region)
    return out
