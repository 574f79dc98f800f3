"""Real-browser fixtures: a `streamlit run app.py` server on a temporary store, Debian chromium.

Skipped with a message (never failed) when chromium is missing; playwright is a pinned test
dependency, imported plainly. Every request that is not for the app is aborted and recorded,
as on a machine without internet; a test fails if one was made other than for optional map
tiles.
One screenshot per test goes to ``artifacts/screenshots/<test>.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from incidents import Store
from tests.support.assets_routes import install_routes
from tests.support.records import add_incidents, xss_records
from tests.support.server import CHROMIUM_ARGS, build_store, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
INSTALL_HINT = "install with: apt-get install chromium"
BIG = 100_000

#: Installed in every frame before any page script: records alert/confirm/prompt calls and
#: anything the hostile records would run (they set window.__xss or parent.__xss).
HOOKS = """
(() => {
  window.__alerts = [];
  const record = (kind) => function (msg) { window.__alerts.push(kind + ':' + String(msg)); try { window.top.__alerts.push(kind + ':' + String(msg)); } catch (e) {} };
  window.alert = record('alert'); window.confirm = record('confirm'); window.prompt = record('prompt');
  window.__xss = 0;
})();
"""


def _chromium() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip(f"browser tests need Debian chromium; {INSTALL_HINT}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _server(tmp: Path, store: Store) -> Iterator[str]:
    with streamlit_server(store.url, tmp / "cache") as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def seed_app(browser, tmp_path_factory) -> Iterator[str]:
    """The app on a new store holding the 5 seed incidents, shared by every module (per
    pytest-xdist worker) that uses it: those tests only read (each in its own browser context,
    so its own Streamlit session); a test that writes gets an app of its own."""
    tmp = tmp_path_factory.mktemp("seed-app")
    yield from _server(tmp, Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}"))


@pytest.fixture(scope="module")
def hostile_app(browser, tmp_path_factory) -> Iterator[str]:
    """The app on the seed plus two records whose texts try to run script."""
    tmp = tmp_path_factory.mktemp("hostile-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    add_incidents(store, xss_records())
    yield from _server(tmp, store)


@pytest.fixture(scope="session")
def big_app(browser, tmp_path_factory) -> Iterator[str]:
    """The app on 100k synthetic incidents plus the seed (snapshot built beforehand), shared
    like ``seed_app``: its tests only read. Building the store and the app's first view of
    100k incidents is the dearest set-up of the suite; it is done once per run."""
    tmp = tmp_path_factory.mktemp("big-app")
    store = build_store(f"sqlite:///{tmp / 'incidents.sqlite'}", BIG, cache_dir=tmp / "cache")
    yield from _server(tmp, store)


@pytest.fixture
def outside() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def page(browser, request, outside):
    """A fresh browser page; a screenshot at the end; no request may have left the machine
    except optional map tiles."""
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, accept_downloads=True)
    context.add_init_script(HOOKS)
    install_routes(context, outside)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    aborted = [u for kind, u in outside if kind == "aborted"]
    assert not aborted, f"requests to outside hosts (not tiles): {aborted[:5]}"
    assert not errors, f"JavaScript errors on the page: {errors[:3]}"


@pytest.fixture(scope="module")
def import_app(browser, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The app (with its Import page) on a new seeded store: (page URL, store URL)."""
    tmp = tmp_path_factory.mktemp("import-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    for url in _server(tmp, store):
        yield url, store.url
