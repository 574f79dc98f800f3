"""Any geopy geocoder by service name ("photon", "arcgis", "opencage", ...)."""

from __future__ import annotations

from typing import Any

from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderNotFound
from geopy.geocoders import get_geocoder_for_service

from geodata.exc import ProviderConfigurationError
from geodata.providers.base import (
    DEFAULT_MIN_DELAY,
    DEFAULT_TIMEOUT,
    call_geopy,
    location_to_result,
    rate_limited,
)
from geodata.results import GeocodeResult

__all__ = ["GeopyProvider"]


class GeopyProvider:
    """Wrap ``geopy.geocoders.get_geocoder_for_service(service)``.

    Extra keyword arguments go to the geocoder's constructor (api_key,
    user_agent, domain, scheme ...). The country hint is not passed on
    (geocoders spell it differently); the chain checks the answer's country."""

    def __init__(
        self,
        service: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        min_delay_seconds: float = DEFAULT_MIN_DELAY,
        max_retries: int = 0,
        error_wait_seconds: float = 5.0,
        **geocoder_kwargs: Any,
    ) -> None:
        try:
            cls = get_geocoder_for_service(service)
        except GeocoderNotFound as exc:
            raise ProviderConfigurationError(f"unknown geopy service {service!r}: {exc}") from exc
        if timeout is None or timeout <= 0:
            raise ProviderConfigurationError("timeout must be a positive number of seconds")
        self.name = service.lower()
        self._geocoder = call_geopy(
            cls, self.name, timeout=timeout, **{"adapter_factory": URLLibAdapter, **geocoder_kwargs}
        )
        self._geocode = rate_limited(
            self._geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=error_wait_seconds,
        )

    def geocode(self, query: str, *, country: str | None = None) -> GeocodeResult:
        location = call_geopy(self._geocode, self.name, query, exactly_one=True)
        return location_to_result(query, location, source=self.name, country_hint=country)
