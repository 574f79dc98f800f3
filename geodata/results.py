"""Public result types shared by the gazetteer, the online providers and the chain."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

__all__ = ["PRECISION_REGION", "PRECISION_TOWN", "Candidate", "GeocodeResult", "ReverseResult"]

#: ACLED geo_precision: 1 = the town itself, 2 = near a town / district, 3 = region.
PRECISION_TOWN = 1
PRECISION_NEAR = 2
PRECISION_REGION = 3


@dataclass(frozen=True)
class Candidate:
    """A place that was considered for a query."""

    name: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    geonames_id: int | None
    score: float  #: name-match quality 0..1 (see docs/geocoding.md)
    pcode: str | None = None  #: OCHA COD-AB settlement pcode (Ukraine), when known
    admin2: str | None = None  #: raion (Ukraine), when known
    name_class: str | None = None  #: "current", "alternate", "historical" or "team"

    def to_dict(self) -> dict[str, Any]:
        # plain fields, set in their order by __init__: not dataclasses.asdict (which deep-copies)
        return dict(self.__dict__)


@dataclass(frozen=True)
class GeocodeResult:
    """The answer to one geocoding query. ``lat``/``lon`` are None when abstained."""

    query: str
    status: Literal["ok", "abstained"]
    name: str | None
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    geonames_id: int | None
    precision: int | None
    confidence: float
    source: str
    reason: str | None
    candidates: tuple[Candidate, ...] = field(default=())
    pcode: str | None = None  #: OCHA COD-AB settlement pcode (Ukraine), when known
    hints: tuple[str, ...] = field(default=())  #: the hints that narrowed the answer

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (candidates as a list of dicts)."""
        out = dict(self.__dict__)  # the fields, in their order (set so by __init__)
        out["candidates"] = [c.to_dict() for c in self.candidates]
        out["hints"] = list(self.hints)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeocodeResult:
        cands = tuple(Candidate(**c) for c in data.get("candidates") or ())
        fields: dict[str, Any] = {
            k: data.get(k) for k in cls.__dataclass_fields__ if k not in ("candidates", "hints")
        }
        fields["confidence"] = float(fields.get("confidence") or 0.0)
        fields["hints"] = tuple(data.get("hints") or ())
        return cls(**fields, candidates=cands)

    def with_source(self, source: str) -> GeocodeResult:
        return replace(self, source=source)

    @classmethod
    def abstain(
        cls,
        query: str,
        reason: str,
        *,
        source: str,
        candidates: tuple[Candidate, ...] = (),
        hints: tuple[str, ...] = (),
    ) -> GeocodeResult:
        """An answer without coordinates: *reason* says why."""
        return cls(
            query=query,
            status="abstained",
            name=None,
            lat=None,
            lon=None,
            country=None,
            admin1=None,
            geonames_id=None,
            precision=None,
            confidence=0.0,
            source=source,
            reason=reason,
            candidates=candidates,
            hints=hints,
        )


@dataclass(frozen=True)
class ReverseResult:
    """Country and admin1 of a point, and the nearest gazetteer place.

    ``admin1_source`` says where ``country``/``admin1`` come from: ``"polygon"`` (the region
    polygon holding the point: exact, :mod:`geodata.regions`) or ``"nearest place"`` (outside
    the countries whose regions are held: the nearest place's region, which near a border may
    be the neighbour's)."""

    country: str | None
    admin1: str | None
    nearest_name: str | None
    distance_km: float | None
    admin1_iso: str | None = None  #: ISO 3166-2 code of the region, when from a polygon
    admin1_source: str | None = None  #: "polygon", "nearest place" or None (nothing found)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
