"""OpenStreetMap Nominatim through geopy, rate limited and with timeouts.

Usage policy (https://operations.osmfoundation.org/policies/nominatim/): an
identifying User-Agent, at most one request per second, cache results. This
provider enforces the first two; wrap it in a :class:`~geodata.chain.GeocoderChain`
with a :class:`~geodata.cache.ResultCache` for the third.
"""

from __future__ import annotations

from typing import Any

from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim

from geodata.exc import ProviderConfigurationError
from geodata.providers.base import (
    DEFAULT_MIN_DELAY,
    DEFAULT_TIMEOUT,
    call_geopy,
    location_to_result,
    rate_limited,
)
from geodata.results import GeocodeResult

__all__ = ["NominatimProvider"]


class NominatimProvider:
    """Nominatim geocoder. ``user_agent`` must identify your application."""

    name = "nominatim"

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        timeout: float = DEFAULT_TIMEOUT,
        min_delay_seconds: float = DEFAULT_MIN_DELAY,
        max_retries: int = 0,
        error_wait_seconds: float = 5.0,
        language: str = "en",
    ) -> None:
        if (
            not isinstance(user_agent, str)
            or len(user_agent.strip()) < 5
            or user_agent.startswith("geopy")
        ):
            raise ProviderConfigurationError(
                "Nominatim needs an identifying user_agent, e.g. 'conflict-dashboard/1.0 (you@example.org)'"
            )
        if timeout is None or timeout <= 0:
            raise ProviderConfigurationError("timeout must be a positive number of seconds")
        if domain == "nominatim.openstreetmap.org" and min_delay_seconds < 1.0:
            raise ProviderConfigurationError(
                "the public Nominatim allows at most 1 request per second"
            )
        self.language = language
        self._geocoder = Nominatim(
            user_agent=user_agent,
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            # urllib adapter: no hidden transport retries (requests' adapter retries
            # read timeouts twice, tripling load on a rate-limited service).
            adapter_factory=URLLibAdapter,
        )
        self._geocode = rate_limited(
            self._geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=error_wait_seconds,
        )

    def geocode(self, query: str, *, country: str | None = None) -> GeocodeResult:
        kwargs: dict[str, Any] = {
            "exactly_one": True,
            "addressdetails": True,
            "language": self.language,
        }
        if country:
            kwargs["country_codes"] = country.lower()
        location = call_geopy(self._geocode, self.name, query, **kwargs)
        return location_to_result(query, location, source=self.name, country_hint=country)
