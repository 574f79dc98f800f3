"""The downloads in a real browser: exactly the filtered view, with its history when asked."""

from __future__ import annotations

import csv
import io

import pyogrio
import pytest

from incidents import Store
from incidents.history import edit_incident
from tests.browser.conftest import _server
from tests.browser.test_dashboard import metric, open_app, settle

pytestmark = pytest.mark.browser


def test_csv_and_geopackage_downloads_are_exactly_the_filtered_view(page, seed_app, tmp_path):
    open_app(page, seed_app, "country=Russia")
    assert metric(page, "Incidents") == "2"
    button = (
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").filter(has_not_text="Excel")
    )
    with page.expect_download(timeout=30_000) as info:
        button.click()
    path = tmp_path / "export.csv"
    info.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["event_id"] for r in rows) == ["AFP-20250703-03", "AFP-20250703-04"]
    assert {r["country"] for r in rows} == {"Russia"}

    button = page.get_by_test_id("stDownloadButton").filter(has_text="GeoPackage")
    with page.expect_download(timeout=30_000) as info:
        button.click()
    assert info.value.suggested_filename.endswith(".gpkg")
    path = tmp_path / "export.gpkg"
    info.value.save_as(path)
    gdf = pyogrio.read_dataframe(path, layer="incidents")
    assert sorted(gdf["event_id"]) == ["AFP-20250703-03", "AFP-20250703-04"]
    assert gdf.crs.to_epsg() == 4326 and set(gdf["country"]) == {"Russia"}


@pytest.fixture(scope="module")
def edited_app(browser, tmp_path_factory):
    """The app on the seed with one recorded edit of a Russian incident and one of a Ukrainian."""
    tmp = tmp_path_factory.mktemp("edited-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    edit_incident(store, "AFP-20250703-03", {"notes": "Lipetsk, checked"}, why="desk", who="ana")
    edit_incident(store, "AFP-20250703-01", {"notes": "Poltava, checked"}, why="desk")
    yield from _server(tmp, store)


@pytest.mark.slow  # an app of its own; the history exports are checked without a browser
def test_downloads_include_the_history_of_the_view_when_asked(page, edited_app, tmp_path):
    open_app(page, edited_app, "country=Russia")
    assert metric(page, "Incidents") == "2"
    page.get_by_text("Include their history").click()
    settle(page)
    # the rerun with the box checked is done when its own button is there
    page.get_by_test_id("stDownloadButton").filter(has_text="History CSV").wait_for(timeout=90_000)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="GeoPackage")
    with page.expect_download(timeout=90_000) as info:
        button.click()
    path = tmp_path / "export.gpkg"
    info.value.save_as(path)
    history = pyogrio.read_dataframe(path, layer="history")
    # the view's incidents only: Lipetsk (Russia), not Poltava
    assert history[["event_id", "new", "who"]].values.tolist() == [
        ["AFP-20250703-03", "Lipetsk, checked", "ana"]
    ]
    button = page.get_by_test_id("stDownloadButton").filter(has_text="History CSV")
    with page.expect_download(timeout=90_000) as info:
        button.click()
    info.value.save_as(tmp_path / "h.csv")
    text = (tmp_path / "h.csv").read_text(encoding="utf-8")
    assert "AFP-20250703-03" in text and "AFP-20250703-01" not in text
