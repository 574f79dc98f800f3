"""``streamlit run serve.py`` (what ``make run`` starts): the page, and its front-end bundle gzipped."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request

import pytest

from incidents import Store
from tests.support.server import streamlit_server


def fetch(url: str, *, gzip_ok: bool) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    with streamlit_server(store.url, tmp / "cache") as (url, _proc):
        yield url


def test_front_end_is_gzipped_and_identical(served):
    headers, page = fetch(served + "/", gzip_ok=False)
    assert headers.get("content-encoding") is None and b"<html" in page.lower()
    assets = re.findall(rb'(?:src|href)="\.?/?(static/[^"]+\.(?:js|css))"', page)
    assert assets, "no static assets named in the page"
    plain_total = packed_total = 0
    for asset in assets:
        url = f"{served}/{asset.decode()}"
        plain_headers, plain = fetch(url, gzip_ok=False)
        packed_headers, packed = fetch(url, gzip_ok=True)
        assert plain_headers.get("content-encoding") is None
        if len(plain) >= 1024:
            assert packed_headers["content-encoding"] == "gzip", asset
            assert gzip.decompress(packed) == plain, asset
        plain_total += len(plain)
        packed_total += len(packed)
    assert packed_total < plain_total / 2.5  # JavaScript bundles compress about 3.5:1


def test_app_still_answers(served):
    _headers, body = fetch(served + "/_stcore/health", gzip_ok=True)
    assert body.strip() == b"ok"


def test_map_scripts_and_styles_are_served_by_the_app(served):
    """Every script, style and data file the map names is ours: served, cached for a year."""
    from dashboard import assets, maps

    page = maps.base_map().get_root().render()
    urls = [*re.findall(r'(?:src|href)="([^"]+)"', page), assets.asset_url("basemap.json")]
    assert urls and all(u.startswith(assets.PREFIX + "/") for u in urls), urls
    for path in urls:
        headers, body = fetch(served + path, gzip_ok=True)
        assert headers["cache-control"] == assets.CACHE_FOREVER, path
        if path.endswith(".js") and len(body) > 10_000:  # Leaflet: gzipped by the middleware
            assert headers["content-encoding"] == "gzip", path
            body = gzip.decompress(body)
        assert len(body) > 100, path
    # The base map's data: sent as committed (gzip), or unpacked for a client without gzip.
    data_url = served + assets.asset_url("basemap.json")
    packed_headers, packed = fetch(data_url, gzip_ok=True)
    plain_headers, plain = fetch(data_url, gzip_ok=False)
    assert packed_headers["content-encoding"] == "gzip"
    assert plain_headers.get("content-encoding") is None
    assert gzip.decompress(packed) == plain and b'"regions"' in plain
    assert len(packed) < 2_000_000  # the base map's budget
    # Leaflet's images, named by its style sheet.
    headers, png = fetch(
        served + f"{assets.PREFIX}/leaflet-{assets.LEAFLET_VERSION}/images/layers.png", gzip_ok=True
    )
    assert png.startswith(b"\x89PNG")


def test_unknown_asset_is_404_and_an_old_digest_is_not_cached(served):
    from dashboard import assets

    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(served + assets.PREFIX + "/map/0/nothing.js", gzip_ok=True)
    assert err.value.code == 404
    headers, _ = fetch(
        served + assets.PREFIX + "/map/0123456789abcdef/offline_basemap.js", gzip_ok=True
    )
    assert headers["cache-control"] == "no-cache"
