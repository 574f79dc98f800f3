"""The GeoPackage download in a real browser: exactly the filtered view."""

from __future__ import annotations

import pyogrio
import pytest

from tests.browser.test_dashboard import metric, open_app

pytestmark = pytest.mark.browser


def test_geopackage_download_is_exactly_the_filtered_view(page, seed_app, tmp_path):
    open_app(page, seed_app, "country=Russia")
    assert metric(page, "Incidents") == "2"
    button = page.get_by_test_id("stDownloadButton").filter(has_text="GeoPackage")
    with page.expect_download(timeout=30_000) as info:
        button.click()
    assert info.value.suggested_filename.endswith(".gpkg")
    path = tmp_path / "export.gpkg"
    info.value.save_as(path)
    gdf = pyogrio.read_dataframe(path, layer="incidents")
    assert sorted(gdf["event_id"]) == ["AFP-20250703-03", "AFP-20250703-04"]
    assert gdf.crs.to_epsg() == 4326 and set(gdf["country"]) == {"Russia"}
