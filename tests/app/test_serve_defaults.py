"""What ``make run`` exposes: loopback only by default, security headers on every response,
no metrics endpoint, and no server path in what a viewer reads."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from incidents import Store
from tests.support.server import free_port, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    """Markdown text as a viewer reads it (escapes removed)."""
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


SECURITY_HEADERS = {
    "x-frame-options": "SAMEORIGIN",
    "content-security-policy": "frame-ancestors 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def _listening(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("tcp", "tcp6"):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


@pytest.fixture(scope="module")
def default_server(tmp_path_factory):
    """``streamlit run serve.py`` as ``make run`` starts it: no --server.address given."""
    tmp = tmp_path_factory.mktemp("defaults")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    port = free_port()
    with streamlit_server(store.url, tmp / "cache", port=port, address=None) as (url, _proc):
        yield url, port


def test_make_run_listens_on_loopback_only(default_server):
    _url, port = default_server
    addresses = _listening(port)
    if not addresses:
        pytest.skip("/proc/net/tcp does not list the server's socket here")
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert addresses <= loopback, addresses


@pytest.mark.parametrize("path", ["/", "/_stcore/health"])
def test_every_response_carries_the_security_headers(default_server, path):
    url, _port = default_server
    with urllib.request.urlopen(url + path, timeout=30) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (path, name, headers)


def test_the_metrics_endpoint_is_not_served(default_server):
    url, _port = default_server
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url + "/_stcore/metrics", timeout=30)
    assert caught.value.code == 404
    assert caught.value.headers["x-frame-options"] == "SAMEORIGIN"


def test_store_errors_on_the_page_name_no_server_path(monkeypatch, tmp_path):
    path = tmp_path / "private" / "incidents.sqlite"
    store = Store.open(f"sqlite:///{path}")
    store.engine.dispose()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE casualty_groups")
    monkeypatch.setenv("INCIDENTS_DB", f"sqlite:///{path}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    shown = " ".join(unescape(e.value) for e in at.error) + " ".join(
        unescape(i.value) for i in at.info
    )
    assert "casualty_groups is missing" in shown
    assert str(tmp_path) not in shown and "private" not in shown, shown
