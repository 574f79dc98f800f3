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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (candidates as a list of dicts)."""
        out = asdict(self)
        out["candidates"] = [c.to_dict() for c in self.candidates]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeocodeResult:
        cands = tuple(Candidate(**c) for c in data.get("candidates") or ())
        fields: dict[str, Any] = {
            k: data.get(k) for k in cls.__dataclass_fields__ if k != "candidates"
        }
        fields["confidence"] = float(fields.get("confidence") or 0.0)
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
        )


@dataclass(frozen=True)
class ReverseResult:
    """Country and admin1 of a point, from the nearest gazetteer place."""

    country: str | None
    admin1: str | None
    nearest_name: str | None
    distance_km: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
