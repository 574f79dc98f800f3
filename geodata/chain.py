"""Manual coordinates > offline gazetteer > online providers, recording the source.

The incident pipeline calls :meth:`GeocoderChain.geocode` once per record. The
``source`` of the answer says where the coordinate came from: ``"manual"``,
``"gazetteer"``, ``"nominatim"``, ``"cache:nominatim"`` ...

Online providers are consulted only when the gazetteer abstains and only if
configured (none by default). An online answer that contradicts the country or
admin1 hint is rejected, so a namesake elsewhere never comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from geodata.exc import GeodataError, InvalidQuery, ProviderError
from geodata.gazetteer import Gazetteer
from geodata.results import PRECISION_TOWN, GeocodeResult

if TYPE_CHECKING:
    from geodata.cache import ResultCache
    from geodata.providers.base import Provider

__all__ = ["MANUAL_SOURCE", "GeocoderChain"]

log = logging.getLogger(__name__)
MANUAL_SOURCE = "manual"


class GeocoderChain:
    """Resolve places through manual coordinates, the gazetteer, then providers."""

    def __init__(
        self,
        *,
        gazetteer: Gazetteer | None = None,
        providers: Sequence[Provider] = (),
        cache: ResultCache | None = None,
        raise_provider_errors: bool = False,
    ) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
        self.providers = tuple(providers)
        self.cache = cache
        self.raise_provider_errors = raise_provider_errors

    def geocode(
        self,
        query: str,
        *,
        country: str | None = None,
        admin1: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        precision: int | None = None,
        context: str | None = None,
        near: str | None = None,
    ) -> GeocodeResult:
        """Geocode one record. ``lat``/``lon`` are the record's own (manual)
        coordinates: when both are given they win, and country/admin1 come from
        the hints or a reverse lookup. Bad input gives an abstained result whose
        reason starts with ``"invalid input"`` (nothing is raised for data)."""
        if lat is not None and lon is not None:
            return self._manual(query, lat, lon, country, admin1, precision)
        try:
            result = self.gazetteer.geocode(
                query, country=country, admin1=admin1, context=context, near=near
            )
        except GeodataError as exc:
            return GeocodeResult.abstain(
                str(query)[:200], f"invalid input: {exc}", source="gazetteer"
            )
        if result.ok or not self.providers:
            return result
        errors: list[str] = []
        for provider in self.providers:
            try:
                online = self._online(provider, query, country)
            except ProviderError as exc:
                if self.raise_provider_errors:
                    raise
                log.warning("provider %s failed for %r: %s", provider.name, query, exc)
                errors.append(f"{provider.name} failed: {exc}")
                continue
            checked = self._check_hints(online, country, admin1)
            if checked.ok:
                return checked
            errors.append(checked.reason or f"{provider.name}: no answer")
        reason = "; ".join([result.reason or "gazetteer abstained", *errors])
        return GeocodeResult.abstain(
            result.query,
            reason,
            source=result.source,
            candidates=result.candidates,
            hints=result.hints,
        )

    def _online(self, provider: Provider, query: str, country: str | None) -> GeocodeResult:
        if self.cache is not None:
            cached = self.cache.get(provider.name, query, country=country)
            if cached is not None:
                return cached
        result = provider.geocode(query, country=country)
        if self.cache is not None:
            self.cache.put(provider.name, query, result, country=country)
        return result

    def _check_hints(
        self, result: GeocodeResult, country: str | None, admin1: str | None
    ) -> GeocodeResult:
        if not result.ok:
            return result
        if country and result.country and result.country != country.upper():
            return GeocodeResult.abstain(
                result.query,
                f"{result.source} answered {result.country}, hint is {country.upper()}",
                source=result.source,
            )
        if admin1:
            hint = self.gazetteer.admin1.resolve(admin1, country=country)
            if hint is not None and result.admin1 not in (hint.name, None):
                region = self.gazetteer.admin1.resolve(result.admin1 or "", country=result.country)
                if region is None or (
                    region.key != hint.key and region.code not in hint.accepted_codes
                ):
                    return GeocodeResult.abstain(
                        result.query,
                        f"{result.source} answered {result.admin1}, hint is {hint.name}",
                        source=result.source,
                    )
            if hint is not None and result.admin1 is None:
                where = self.gazetteer.reverse(result.lat or 0.0, result.lon or 0.0)
                if where.admin1 != hint.name:
                    return GeocodeResult.abstain(
                        result.query,
                        f"{result.source} answer lies in {where.admin1}, hint is {hint.name}",
                        source=result.source,
                    )
        return result

    def _manual(
        self,
        query: str,
        lat: float,
        lon: float,
        country: str | None,
        admin1: str | None,
        precision: int | None,
    ) -> GeocodeResult:
        try:
            where = self.gazetteer.reverse(lat, lon)
        except InvalidQuery as exc:
            return GeocodeResult.abstain(
                str(query)[:200], f"invalid input: {exc}", source=MANUAL_SOURCE
            )
        return GeocodeResult(
            query=query,
            status="ok",
            name=query or where.nearest_name,
            lat=float(lat),
            lon=float(lon),
            country=(country or "").upper() or where.country,
            admin1=admin1 or where.admin1,
            geonames_id=None,
            precision=precision or PRECISION_TOWN,
            confidence=1.0,
            source=MANUAL_SOURCE,
            reason=f"coordinates given by the record; nearest gazetteer place {where.nearest_name} "
            f"({where.distance_km} km)",
        )
