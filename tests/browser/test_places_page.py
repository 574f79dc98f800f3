"""The "Our places" page in a real browser: a place added on the page is listed, stored with
its author and provenance, and the geocoder answers its name from the team's places at once
(the page's own check and a gazetteer over the store alike)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata import Gazetteer
from geodata.places import PlaceStore
from incidents import Store
from tests.browser.test_dashboard import settle
from tests.support.server import streamlit_server

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

#: A name no open source lists (the gazetteer abstains on it before the team adds it).
NAME = "Zelenyi Klyn farm"
ALIAS = "Зелёный Клин"


@pytest.fixture(scope="module")
def places_app(browser, tmp_path_factory, geodata_cache_dir: Path) -> Iterator[tuple[str, str]]:
    """The app on a new store, with the test run's gazetteer: (app URL, store URL)."""
    tmp = tmp_path_factory.mktemp("places-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    env = {"GEODATA_CACHE_DIR": str(geodata_cache_dir)}
    with streamlit_server(store.url, tmp / "cache", env=env) as (url, _proc):
        yield url, store.url


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter" if box.evaluate("e => e.tagName") == "INPUT" else "Tab")
    settle(page)


def _try(page, query: str) -> str:
    _fill(page, "Place name", query)
    return page.get_by_text("source:").or_(page.get_by_text("Abstained:")).first.inner_text()


@pytest.mark.slow  # the page without a browser: tests/app/test_places_page.py
def test_a_place_added_on_the_page_is_listed_and_geocoded(page, places_app, gaz: Gazetteer):
    url, store_url = places_app
    assert not gaz.geocode(NAME).ok  # no open source knows it

    page.goto(url + "/Places")
    settle(page)
    assert page.get_by_text("0 place(s)").is_visible()
    assert _try(page, NAME).startswith("Abstained:")
    assert page.get_by_role("button", name="Add place").is_disabled()  # no author yet

    _fill(page, "Your name", "desk")
    _fill(page, "Name", NAME)
    _fill(page, "Other names (one per line)", ALIAS)
    _fill(page, "Latitude", "51.39000")
    _fill(page, "Longitude", "34.93000")
    _fill(page, "Country (ISO code)", "RU")
    _fill(page, "Region", "Kursk")
    _fill(page, "Provenance (source of the point)", "Sentinel-2, 2025-08-10")
    page.get_by_role("button", name="Add place").click()
    settle(page)

    page.get_by_text(f"Added #1 {NAME}").wait_for(timeout=30_000)
    assert page.get_by_text("1 place(s)").is_visible()
    # listed for removal with its author
    listed = page.get_by_role("combobox", name="Remove a place")
    assert listed.input_value().startswith(f"#1 {NAME} (desk")

    # the page's own check answers from the team's places, by the other name too
    answer = _try(page, ALIAS)
    assert "source: places" in answer and "51.39" in answer and "34.93" in answer

    # the store holds it, and a gazetteer over the store answers from it
    (place,) = PlaceStore.open(store_url).all()
    assert (place.name, place.country, place.latitude, place.longitude) == (
        NAME,
        "RU",
        51.39,
        34.93,
    )
    assert place.author.startswith("desk") and place.provenance == "Sentinel-2, 2025-08-10"
    res = gaz.with_places(PlaceStore.open(store_url).all()).geocode(NAME, admin1="Kursk")
    assert (res.status, res.source, res.lat, res.lon) == ("ok", "places", 51.39, 34.93)
