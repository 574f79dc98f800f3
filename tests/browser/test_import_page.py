"""The Import page in a real browser: upload, what was found, preview, import, the map shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents import Store
from tests.browser.test_dashboard import metric, open_app, settle, wait_for_map

pytestmark = pytest.mark.browser

REAL = Path(__file__).resolve().parents[1] / "incidents" / "fixtures" / "real"


def _upload(page, url: str, path: Path) -> None:
    page.goto(url + "/Import")
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("Found:").or_(page.get_by_test_id("stAlertContentError")).first.wait_for(
        timeout=60_000
    )
    settle(page)


def test_an_upload_is_previewed_then_imported_and_mapped(page, import_app):
    url, store_url = import_app
    store = Store.open(store_url)
    before = store.count()
    _upload(page, url, REAL / "ucdp_ged231.geojson")
    assert page.get_by_text("Found: ucdp-geojson").is_visible()
    assert metric(page, "Valid rows") == "2"
    assert store.count() == before  # the preview writes nothing
    page.get_by_role("button", name="Import").click()
    page.get_by_text("2 incidents imported").wait_for(timeout=60_000)
    assert store.count() == before + 2
    open_app(page, url)
    wait_for_map(page, lambda layers: layers.get("points") == before + 2, timeout=90)


@pytest.mark.slow  # a rejected import is checked without a browser too
def test_a_rejected_file_changes_nothing(page, import_app):
    url, store_url = import_app
    store = Store.open(store_url)
    before, revision = store.count(), store.revision
    _upload(page, url, Path(__file__).resolve().parents[2] / "README.md")
    text = page.get_by_test_id("stAlertContentError").first.inner_text()
    assert text.startswith("README.md: not a CSV or GeoJSON table") and "/tmp" not in text
    assert page.get_by_role("button", name="Import").count() == 0
    assert (store.count(), store.revision) == (before, revision)
