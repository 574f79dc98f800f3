"""``streamlit run serve.py`` (what ``make run`` starts): the page, and its front-end bundle gzipped."""

from __future__ import annotations

import gzip
import re
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
