"""What every online provider shares: the protocol, error mapping, result mapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from geopy import exc as gexc
from geopy.adapters import AdapterHTTPError
from geopy.extra.rate_limiter import RateLimiter

from geodata.admin1 import resolve_admin1
from geodata.exc import (
    ProviderConfigurationError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from geodata.results import PRECISION_REGION, PRECISION_TOWN, GeocodeResult

__all__ = [
    "DEFAULT_MIN_DELAY",
    "DEFAULT_TIMEOUT",
    "ONLINE_CONFIDENCE",
    "Provider",
    "call_geopy",
    "map_geopy_error",
]

DEFAULT_TIMEOUT = 10.0  #: seconds, for every request
DEFAULT_MIN_DELAY = 1.0  #: seconds between requests (Nominatim usage policy)
#: Online answers are not checked against hints the way gazetteer answers are.
ONLINE_CONFIDENCE = 0.7

_HTTP_5XX = re.compile(r"\b5\d\d\b")
_REGION_TYPES = {"state", "region", "province", "administrative", "county"}


@runtime_checkable
class Provider(Protocol):
    """An online geocoder. ``geocode`` returns an abstained result for "not
    found" and raises :class:`~geodata.exc.ProviderError` for failures."""

    name: str

    def geocode(self, query: str, *, country: str | None = None) -> GeocodeResult: ...


def map_geopy_error(exc: Exception, provider: str) -> ProviderError:
    """Translate a geopy exception to this package's provider errors."""
    msg = f"{provider}: {type(exc).__name__}: {exc}"
    status = _http_status(exc)
    if status == 429 or isinstance(exc, gexc.GeocoderRateLimited):
        return ProviderRateLimited(msg, retry_after=getattr(exc, "retry_after", None))
    if status is not None and status >= 500:
        # geopy maps 503/504 to GeocoderTimedOut; for us the service is down.
        return ProviderUnavailable(msg)
    if isinstance(exc, gexc.GeocoderTimedOut) or _caused_by_timeout(exc):
        return ProviderTimeout(msg)
    if isinstance(exc, gexc.GeocoderUnavailable):
        return ProviderUnavailable(msg)
    if isinstance(
        exc,
        gexc.ConfigurationError
        | gexc.GeocoderAuthenticationFailure
        | gexc.GeocoderInsufficientPrivileges
        | gexc.GeocoderNotFound,
    ):
        return ProviderConfigurationError(msg)
    if isinstance(exc, gexc.GeocoderServiceError):
        # geopy raises the base class for other HTTP errors, including 5xx
        # codes other than 503; all of them are "the service failed".
        return ProviderUnavailable(msg) if _is_5xx(exc) else ProviderError(msg)
    return ProviderError(msg)


def _http_status(exc: BaseException) -> int | None:
    """HTTP status of the response behind a geopy error, when there was one."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, AdapterHTTPError):
            return int(seen.status_code)
        seen = seen.__cause__ or seen.__context__
    return None


def _caused_by_timeout(exc: BaseException) -> bool:
    """True when a timeout hides in the cause chain (e.g. urllib3 ReadTimeoutError
    wrapped by requests' MaxRetryError, surfacing as GeocoderUnavailable)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, TimeoutError) or "Timeout" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_5xx(exc: Exception) -> bool:
    return _HTTP_5XX.search(str(exc)) is not None


def rate_limited(
    geocode: Callable[..., Any],
    *,
    min_delay_seconds: float,
    max_retries: int,
    error_wait_seconds: float,
) -> RateLimiter:
    """geopy's RateLimiter around ``geocode``, never swallowing errors (they are not "not found")."""
    return RateLimiter(
        geocode,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=error_wait_seconds,
        swallow_exceptions=False,
    )


def call_geopy(fn: Callable[..., Any], provider: str, *args: Any, **kwargs: Any) -> Any:
    """Call a geopy geocoder function, mapping its errors (never to None)."""
    try:
        return fn(*args, **kwargs)
    except gexc.GeopyError as exc:
        raise map_geopy_error(exc, provider) from exc


def location_to_result(
    query: str, location: Any, *, source: str, country_hint: str | None = None
) -> GeocodeResult:
    """Map a geopy Location (or None) to a GeocodeResult."""
    if location is None:
        return GeocodeResult.abstain(query, f"{source}: not found", source=source)
    raw: dict[str, Any] = location.raw if isinstance(getattr(location, "raw", None), dict) else {}
    address = raw.get("address")
    if not isinstance(address, dict):
        address = {}
    cc = address.get("country_code")
    country = cc.upper() if isinstance(cc, str) and len(cc) == 2 else country_hint
    state = address.get("state") or address.get("region")
    admin1 = None
    if isinstance(state, str) and state:
        region = resolve_admin1(state, country=country)
        admin1 = region.name if region else state
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    precision = PRECISION_REGION if kind in _REGION_TYPES else PRECISION_TOWN
    name = raw.get("name") or (location.address.split(",")[0] if location.address else None)
    gid = None  # online providers do not give GeoNames ids
    return GeocodeResult(
        query=query,
        status="ok",
        name=name,
        lat=float(location.latitude),
        lon=float(location.longitude),
        country=country,
        admin1=admin1,
        geonames_id=gid,
        precision=precision,
        confidence=ONLINE_CONFIDENCE,
        source=source,
        reason=f"{source}: {location.address}"[:300],
        candidates=(),
    )
