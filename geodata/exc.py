"""Exceptions raised by :mod:`geodata`. Everything derives from :class:`GeodataError`.

"Not found" is never an exception: it is an abstained result. Messages never speak of
command-line flags.

::

    GeodataError
    ├── InvalidQuery                  empty, too long, or nothing to match (also a ValueError)
    ├── UnknownCountry                not an ISO 3166-1 alpha-2 code (also a ValueError)
    ├── IndexBuildError               the gazetteer's source data is missing or unreadable
    ├── PlaceError                    a team place is invalid or its table unreachable (also a ValueError)
    └── ProviderError                 an online provider failed
        ├── ProviderTimeout           no answer within the timeout
        ├── ProviderRateLimited       HTTP 429; ``retry_after`` when the provider says
        ├── ProviderUnavailable       unreachable, or a server error (5xx)
        └── ProviderConfigurationError  unknown provider, missing user agent, ...
"""

from __future__ import annotations

__all__ = [
    "GeodataError",
    "IndexBuildError",
    "InvalidQuery",
    "PlaceError",
    "ProviderConfigurationError",
    "ProviderError",
    "ProviderRateLimited",
    "ProviderTimeout",
    "ProviderUnavailable",
    "UnknownCountry",
]


class GeodataError(Exception):
    """Root of every error this package raises on purpose."""


class InvalidQuery(GeodataError, ValueError):
    """The query is empty, too long, or has no letters or digits to match."""


class UnknownCountry(GeodataError, ValueError):
    """A country hint is not an ISO 3166-1 alpha-2 code known to GeoNames."""


class IndexBuildError(GeodataError):
    """The gazetteer source data is missing or unreadable."""


class PlaceError(GeodataError, ValueError):
    """A team place is invalid (missing name, author or provenance, bad coordinates) or its
    table cannot be reached."""


class ProviderError(GeodataError):
    """An online provider failed. Never means "not found": that is an abstained result."""


class ProviderTimeout(ProviderError):
    """The provider did not answer within the configured timeout."""


class ProviderRateLimited(ProviderError):
    """The provider answered HTTP 429 (too many requests)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The provider is unreachable or answered a server error (5xx)."""


class ProviderConfigurationError(ProviderError):
    """The provider cannot be used as configured (unknown name, missing user agent, ...)."""
