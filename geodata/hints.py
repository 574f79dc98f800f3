"""Hints a reader has: a region, a raion or hromada, a nearby place, a country, named in the
query or in the sentence around it, in any of the press's languages.

:func:`find_hints` reads them out of free text::

    >>> h = find_hints("Milové, dans la région de Kharkiv")
    >>> h.admin1.name, h.rest
    ('Kharkiv', 'Milové')

Raions and hromadas are Ukraine's (OCHA COD-AB, :mod:`geodata.settlements`); their names are
adjectives of their centre's name, so "Kupianskyi raion", "Kupiansk district", "Купянский район"
and "rejon kupiański" all name raion UA6308.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from geodata.admin1 import Admin1, Admin1Table
from geodata.normalize import clean_text, skeleton_keys
from geodata.settlements import load_admin_units

__all__ = [
    "COUNTRY_WORDS",
    "NEAR_WORDS",
    "UNIT_ENDINGS",
    "Hints",
    "UnitTable",
    "find_hints",
    "unit_names",
    "unit_stem_table",
]

_REGION = {
    "oblast", "oblast'", "oblasti", "obl", "obl.", "region", "région", "regione", "región",
    "province", "provinz", "gebiet", "obwód", "obwodu", "obwodzie", "oblasts", "область",
    "області", "области", "обл", "обл.", "регион", "регіон", "край", "краю",
}  # fmt: skip
_RAION = {
    "raion", "rayon", "raioni", "district", "rajon", "rejon", "rejonie", "rejonu", "powiat",
    "район", "районі", "района", "районе", "району", "raionu", "arrondissement",
}  # fmt: skip
_HROMADA = {
    "hromada", "gromada", "hromady", "gromadzie", "громада", "громади", "громаді", "community",
    "тг", "отг", "municipality", "commune", "gemeinde",
}  # fmt: skip
#: Words before a place that say "near it" (a hint, not the place itself).
NEAR_WORDS = (
    "near", "outside", "close to", "nearby", "près de", "pres de", "proche de", "non loin de",
    "aux abords de", "autour de", "bei", "nahe", "unweit", "in der nähe von", "pod", "koło",
    "obok", "w pobliżu", "niedaleko", "біля", "під", "поблизу", "неподалік", "поряд з", "возле",
    "под", "близ", "около", "недалеко от", "рядом с",
)  # fmt: skip
#: Country names (en/fr/de/pl/uk/ru) -> ISO code.
COUNTRY_WORDS = {
    "russia": "RU", "russie": "RU", "russland": "RU", "rosja": "RU", "rosji": "RU",
    "россия": "RU", "россии": "RU", "росія": "RU", "росії": "RU", "рф": "RU",
    "ukraine": "UA", "ukraina": "UA", "ukrainie": "UA", "ucraina": "UA", "україна": "UA",
    "україні": "UA", "украина": "UA", "украине": "UA",
}  # fmt: skip
_STOP = {
    "the", "of", "la", "le", "de", "du", "des", "d'", "d", "im", "in", "der", "die", "w", "we",
    "в", "на", "у", "dans", "en", "à", "a", "au", "von", "z", "из", "з", "із",
    "ukrainienne", "ukrainian", "ukrainischen", "ukraińskim", "ukraińskiego", "russe",
    "russian", "russischen", "rosyjskim", "українській", "украинской", "российской",
    "neighbouring", "neighboring", "voisine", "frontalière", "border", "eastern", "southern",
    "northern", "western", "east", "south", "north", "west", "est", "sud", "nord", "ouest",
}  # fmt: skip
#: Endings a unit's name loses to give its stem (part of the index's signature: the index
#: stores the stem table, see :func:`unit_stem_table`).
UNIT_ENDINGS = (
    "skogo", "skoi", "skim", "skiego", "skii", "ski", "ska", "ske", "sko", "sk", "ka", "e", "a",
    "o", "i",
)  # fmt: skip
_CASE_ENDINGS = ("iem", "em", "om", "em", "im", "ym", "om", "u", "a", "i", "e", "y", "ą")
_NEAR_RE = re.compile(
    r"(?:^|[\s,(])("
    + "|".join(re.escape(w) for w in sorted(NEAR_WORDS, key=len, reverse=True))
    + r")\s+([^\s,;()]+(?:[\s-][^\s,;()]+)?)",
    re.IGNORECASE,
)


#: Words that can start a hint; a text without any (and without a comma) has none.
_TRIGGERS = frozenset(
    {*_REGION, *_RAION, *_HROMADA, *COUNTRY_WORDS, *(w.split()[0] for w in NEAR_WORDS)}
)


def _unit_stems(text: str) -> set[str]:
    """Skeleton stems of a unit name or of a place name a unit is named after."""
    out = set()
    for sk in skeleton_keys(text):
        for end in UNIT_ENDINGS:
            if sk.endswith(end) and len(sk) - len(end) >= 3:
                sk = sk[: -len(end)]
                break
        if len(sk) >= 3:
            out.add(sk)
    return out


@functools.cache
def unit_names() -> dict[str, str]:
    """English names of the raions and hromadas of Ukraine by pcode (without the stems
    :class:`UnitTable` builds for reading hints)."""
    return {u.pcode: u.name_en for u in load_admin_units() if u.level in (2, 3)}


def unit_stem_table() -> dict[tuple[int, str], frozenset[str]]:
    """``(level, stem) -> pcodes``: the raions (level 2) and hromadas (level 3) of Ukraine
    whose English or Ukrainian name has that stem. Folding every name under every reading
    takes a tenth of a second: the gazetteer's index stores this table when it is built."""
    table: dict[tuple[int, str], set[str]] = {}
    for unit in load_admin_units():
        if unit.level not in (2, 3):
            continue
        for text in (unit.name_en, unit.name_uk):
            for stem in _unit_stems(text):
                table.setdefault((unit.level, stem), set()).add(unit.pcode)
    return {key: frozenset(pcodes) for key, pcodes in table.items()}


class UnitTable:
    """Raions (level 2) and hromadas (level 3) of Ukraine by name stem (*stems*: a table made
    by :func:`unit_stem_table`, which is called when none is given)."""

    def __init__(self, stems: dict[tuple[int, str], frozenset[str]] | None = None) -> None:
        self._by_stem = unit_stem_table() if stems is None else stems
        self.names: dict[str, str] = unit_names()

    @classmethod
    @functools.cache
    def default(cls) -> UnitTable:
        return cls()

    def resolve(self, text: str, level: int) -> frozenset[str]:
        """Pcodes of the units of *level* that *text* can name (several raions share names)."""
        found: set[str] = set()
        for stem in _unit_stems(text):
            found |= self._by_stem.get((level, stem), frozenset())
        return frozenset(found)


@dataclass(frozen=True)
class Hints:
    """What the text says about where a place is. ``rest`` is the text without the hints."""

    rest: str
    admin1: Admin1 | None = None
    raions: frozenset[str] = frozenset()
    hromadas: frozenset[str] = frozenset()
    near: str | None = None
    country: str | None = None
    said: tuple[str, ...] = field(default=())  #: the phrases read as hints, for the reason

    @property
    def any(self) -> bool:
        return bool(self.admin1 or self.raions or self.hromadas or self.near or self.country)


def _marker_phrase(words: list[str], i: int, resolve) -> tuple[object, int, int] | None:
    """Resolve the unit named around the marker ``words[i]``: (unit, start, end) or None."""
    before = [j for j in range(i - 1, max(-1, i - 3), -1)]
    spans: list[tuple[int, int]] = []
    if before and words[before[0]].casefold() not in _STOP:
        spans += [(i - 1, i), (i - 2, i)]
    j = i + 1
    while j < len(words) and words[j].casefold() in _STOP:
        j += 1
    spans += [(j, j + 1), (j, j + 2)]
    if not spans or spans[0] != (i - 1, i):
        spans += [(i - 1, i)]
    for a, b in spans:
        if a < 0 or b > len(words) or a >= b:
            continue
        unit = resolve(" ".join(words[a:b]))
        if unit:
            start = min(a, i)
            while start > 0 and words[start - 1].casefold() in _STOP:
                start -= 1
            return unit, start, max(b, i + 1)
    return None


def find_hints(
    text: str,
    *,
    admin1_table: Admin1Table | None = None,
    unit_table: Callable[[], UnitTable] | None = None,
) -> Hints:
    """Read region, raion, hromada, nearby-place and country hints out of *text*.

    *unit_table* gives the raion and hromada table (default :meth:`UnitTable.default`); it
    is called only when the text names a raion or hromada."""
    text = clean_text(text)
    if "," not in text and "(" not in text and _TRIGGERS.isdisjoint(text.casefold().split()):
        return Hints(rest=text)  # the common case: a bare name
    table = admin1_table or Admin1Table.default()
    units = unit_table or UnitTable.default
    said: list[str] = []
    near = None
    m = _NEAR_RE.search(text)
    if m:
        near = m.group(2).strip()
        said.append(m.group(0).strip(" ,("))
        text = (text[: m.start(1)] + " " + text[m.end(2) :]).strip()
    words = text.replace(",", " , ").replace("(", " ( ").replace(")", " ) ").split()
    drop = [False] * len(words)
    admin1: Admin1 | None = None
    raions: frozenset[str] = frozenset()
    hromadas: frozenset[str] = frozenset()
    country = None
    for i, w in enumerate(words):
        low = w.casefold()
        got = None
        if low in _REGION and admin1 is None:
            got = _marker_phrase(words, i, lambda s: table.resolve(s + " oblast"))
            if got:
                admin1 = got[0]  # type: ignore[assignment]
        elif low in _RAION and not raions:
            got = _marker_phrase(words, i, lambda s: units().resolve(s, 2))
            if got:
                raions = got[0]  # type: ignore[assignment]
        elif low in _HROMADA and not hromadas:
            got = _marker_phrase(words, i, lambda s: units().resolve(s, 3))
            if got:
                hromadas = got[0]  # type: ignore[assignment]
        elif low in COUNTRY_WORDS and country is None:
            country = COUNTRY_WORDS[low]
            got = (country, i, i + 1)
        if got:
            _, a, b = got
            said.append(" ".join(words[a:b]))
            for k in range(a, b):
                drop[k] = True
    rest = " ".join(w for w, d in zip(words, drop) if not d)
    rest = re.sub(r"\s*([,)])", r"\1", rest).replace("( ", "(")
    rest = re.sub(r"[\s,()]+$", "", re.sub(r"^[\s,()]+", "", rest))
    rest = re.sub(r"\(\s*\)|,\s*,", " ", rest).strip(" ,")
    # a trailing bare region after a comma: "Kupiansk, Kharkiv"
    if admin1 is None and "," in rest:
        head, tail = (p.strip() for p in rest.rsplit(",", 1))
        region = table.resolve(tail) if head and tail else None
        if region is not None:
            admin1, rest = region, head
            said.append(tail)
    return Hints(
        rest=rest,
        admin1=admin1,
        raions=raions,
        hromadas=hromadas,
        near=near,
        country=country,
        said=tuple(said),
    )


def strip_case_ending(word: str) -> list[str]:
    """A declined place name and its likely nominatives ("Kupiańskiem" -> "Kupiańsk")."""
    out = [word]
    low = word.casefold()
    for end in ("ом", "ем", "ім", "им", "ою", "а", "у", "і", "е", *_CASE_ENDINGS):
        if low.endswith(end) and len(low) - len(end) >= 3:
            out.append(word[: -len(end)])
    return out
