"""geopy's real Nominatim client against a local Nominatim-shaped server on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from geodata import (
    Gazetteer,
    GeocoderChain,
    GeopyProvider,
    NominatimProvider,
    ProviderConfigurationError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
    ResultCache,
)

# Village Milove, Kharkiv region (not in cities500). Served by the fake server only.
FAKE_MILOVE_KHARKIV = {
    "place_id": 1,
    "lat": "50.0001",
    "lon": "37.0001",
    "name": "Milove",
    "addresstype": "village",
    "display_name": "Milove, Kharkiv Oblast, Ukraine",
    "address": {
        "village": "Milove",
        "state": "Kharkiv Oblast",
        "country": "Ukraine",
        "country_code": "ua",
    },
}
# Village Krupets, Kursk region (in no offline source). Served by the fake server only.
FAKE_KRUPETS_KURSK = {
    "place_id": 3,
    "lat": "51.3001",
    "lon": "35.0001",
    "name": "Krupets",
    "addresstype": "village",
    "display_name": "Krupets, Kursk Oblast, Russia",
    "address": {
        "village": "Krupets",
        "state": "Kursk Oblast",
        "country": "Russia",
        "country_code": "ru",
    },
}
FAKE_ODESSA_TX = {
    "place_id": 2,
    "lat": "31.8457",
    "lon": "-102.3676",
    "name": "Odessa",
    "addresstype": "city",
    "display_name": "Odessa, Ector County, Texas, United States",
    "address": {
        "city": "Odessa",
        "state": "Texas",
        "country": "United States",
        "country_code": "us",
    },
}


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[dict]] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        qs = parse_qs(url.query)
        q = (qs.get("q") or [""])[0]
        type(self).hits.append(
            {"q": q, "ua": self.headers.get("User-Agent"), "t": time.monotonic(), "qs": qs}
        )
        if url.path != "/search":
            return self._send(404, {"error": "not found"})
        if q == "slow":
            time.sleep(1.5)
            return self._send(200, [])
        if q == "busy":
            self.send_response(429)
            self.send_header("Retry-After", "7")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")
            return None
        if q == "down":
            return self._send(503, {"error": "unavailable"})
        if q == "broken":
            return self._send(500, {"error": "internal"})
        if q == "Milove":
            return self._send(200, [FAKE_MILOVE_KHARKIV])
        if q == "Odessa":
            return self._send(200, [FAKE_ODESSA_TX])
        if q == "Krupets":
            return self._send(200, [FAKE_KRUPETS_KURSK])
        return self._send(200, [])

    def _send(self, code: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _provider(domain: str, **kw) -> NominatimProvider:
    kw.setdefault("min_delay_seconds", 0.0)
    kw.setdefault("timeout", 0.5)
    return NominatimProvider(
        user_agent="geodata-tests/1.0 (tests@example.org)", domain=domain, scheme="http", **kw
    )


def test_found(server: str) -> None:
    res = _provider(server).geocode("Milove", country="UA")
    assert res.ok and res.source == "nominatim"
    assert (res.lat, res.lon, res.country, res.admin1) == (50.0001, 37.0001, "UA", "Kharkiv")
    hit = _Handler.hits[-1]
    assert hit["ua"].startswith("geodata-tests/1.0")
    assert hit["qs"]["countrycodes"] == ["ua"]


def test_not_found_is_an_abstention_not_an_error(server: str) -> None:
    res = _provider(server).geocode("Nowhere")
    assert res.status == "abstained" and res.lat is None and "not found" in res.reason


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("slow", ProviderTimeout),
        ("busy", ProviderRateLimited),
        ("down", ProviderUnavailable),
        ("broken", ProviderError),
    ],
)
def test_errors_are_raised_not_swallowed(server: str, query: str, error: type) -> None:
    with pytest.raises(error):
        _provider(server).geocode(query)


def test_rate_limited_carries_retry_after(server: str) -> None:
    with pytest.raises(ProviderRateLimited) as info:
        _provider(server).geocode("busy")
    assert info.value.retry_after == 7


def test_rate_limiter_spaces_requests(server: str) -> None:
    p = _provider(server, min_delay_seconds=0.3)
    start = len(_Handler.hits)
    for _ in range(3):
        p.geocode("Nowhere")
    times = [h["t"] for h in _Handler.hits[start:]]
    assert len(times) == 3
    # Arrival times at the server: a late arrival of one request shortens one gap and
    # lengthens the next, so each gap gets slack and their sum is held to the full delay.
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.2
    assert times[-1] - times[0] >= 0.58


@pytest.mark.parametrize("ua", ["", "geopy/2.5", "abc"])
def test_identifying_user_agent_required(ua: str) -> None:
    with pytest.raises(ProviderConfigurationError):
        NominatimProvider(user_agent=ua)


def test_public_nominatim_faster_than_1_per_second_refused() -> None:
    with pytest.raises(ProviderConfigurationError):
        NominatimProvider(user_agent="geodata-tests/1.0 (tests@example.org)", min_delay_seconds=0.1)


def test_generic_geopy_provider_by_name(server: str) -> None:
    p = GeopyProvider(
        "nominatim",
        user_agent="geodata-tests/1.0 (x@example.org)",
        domain=server,
        scheme="http",
        timeout=0.5,
        min_delay_seconds=0.0,
    )
    assert p.geocode("Milove").lat == 50.0001
    with pytest.raises(ProviderTimeout):
        p.geocode("slow")
    with pytest.raises(ProviderConfigurationError):
        GeopyProvider("no-such-geocoder")


def test_chain_order_and_cache(server: str, gaz: Gazetteer, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "online.sqlite")
    chain = GeocoderChain(gazetteer=gaz, providers=[_provider(server)], cache=cache)
    # manual coordinates win
    manual = chain.geocode("somewhere", lat=49.99, lon=36.23)
    assert manual.source == "manual" and manual.admin1 == "Kharkiv" and manual.country == "UA"
    # the gazetteer answers what it knows; no request made
    before = len(_Handler.hits)
    assert chain.geocode("Kharkiv").source == "gazetteer"
    assert len(_Handler.hits) == before
    # gazetteer abstains (village missing) -> online, then from the cache
    first = chain.geocode("Krupets", admin1="Kursk")
    assert first.ok and first.source == "nominatim" and first.admin1 == "Kursk"
    second = chain.geocode("Krupets", admin1="Kursk")
    assert second.source == "cache:nominatim" and second.lat == first.lat
    assert len(_Handler.hits) == before + 1
    assert len(cache) == 1


def test_chain_rejects_online_namesake_elsewhere(
    server: str, gaz: Gazetteer, tmp_path: Path
) -> None:
    chain = GeocoderChain(
        gazetteer=gaz, providers=[_provider(server)], cache=ResultCache(tmp_path / "c.sqlite")
    )
    # hint says Odesa region; the fake server answers Odessa, Texas
    res = chain.geocode("Odessa", country="UA", admin1="Narnia")
    assert res.status == "abstained" and res.lat is None
    res = chain.geocode("Odessa", country="UA", admin1="Kherson")
    assert res.status == "abstained" and res.lat is None
    assert "US" in res.reason or "Texas" in res.reason or "no candidate" in res.reason


def test_chain_provider_errors_become_abstentions_with_reason(server: str, gaz: Gazetteer) -> None:
    chain = GeocoderChain(gazetteer=gaz, providers=[_provider(server)])
    res = chain.geocode("down")
    assert res.status == "abstained" and "nominatim failed" in res.reason
    strict = GeocoderChain(gazetteer=gaz, providers=[_provider(server)], raise_provider_errors=True)
    with pytest.raises(ProviderUnavailable):
        strict.geocode("down")
