"""The dashboard in a real browser (Debian chromium via Playwright), against `streamlit run app.py`."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.support.records import XSS_ACTOR, XSS_LOCATION

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  if (frame) {
    if (frame.getBoundingClientRect().height < 100) return false;
    const doc = frame.contentDocument;
    if (!doc || !doc.querySelector('.leaflet-container')) return false;
  }
  return true;
}"""

MAP_LAYERS = """() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  if (!map) return null;
  let points = 0, cells = 0;
  map.eachLayer(l => { if (l._imIndex !== undefined) points++; if (l._imCell !== undefined) cells++; });
  return {points, cells, zoom: map.getZoom()};
}"""


def open_app(page, url: str, query: str = "") -> None:
    page.goto(url + "/" + (f"?{query}" if query else ""))
    settle(page)


def settle(page, timeout: float = 90_000) -> None:
    page.wait_for_function(SETTLED, timeout=timeout, polling=100)
    page.wait_for_timeout(400)  # a rerun triggered by a component value starts within this
    page.wait_for_function(SETTLED, timeout=timeout, polling=100)


def metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def map_frame(page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def map_layers(page) -> dict:
    frame = map_frame(page)
    frame.wait_for_function("() => window.L && Object.values(window).some(v => v instanceof L.Map)")
    return frame.evaluate(MAP_LAYERS)


def no_script_ran(page) -> None:
    for frame in page.frames:
        state = frame.evaluate("() => ({xss: window.__xss, alerts: window.__alerts || []})")
        assert state["xss"] in (0, None), (frame.url, state)
        assert state["alerts"] == [], (frame.url, state)


def test_seed_incidents_on_the_map(page, seed_app):
    open_app(page, seed_app)
    assert metric(page, "Incidents") == "5"
    assert metric(page, "Killed") == "9"
    assert metric(page, "Injured") == "12 (10–14)"
    assert page.get_by_text("unknown for 1 incident").count() == 2
    layers = map_layers(page)
    assert layers["points"] == 5 and layers["cells"] == 0
    assert page.get_by_text("5 incidents, newest first.").is_visible()
    # The map legend and the timeline are drawn.
    assert map_frame(page).locator(".im-legend").count() == 1
    assert page.get_by_test_id("stVegaLiteChart").count() == 1


@pytest.mark.parametrize(
    "query, count, points",
    [
        ("event_type=Battles", "1", 1),
        # the other filters' URLs are parsed and applied by the tests without a browser
        pytest.param("min_killed=1&unknown=exclude", "3", 3, marks=pytest.mark.slow),
        pytest.param(
            "country=Russia&event_type=Explosions%2FRemote+violence",
            "2",
            2,
            marks=pytest.mark.slow,
        ),
    ],
)
def test_url_filters_change_count_and_map(page, seed_app, query, count, points):
    open_app(page, seed_app, query)
    assert metric(page, "Incidents") == count
    assert map_layers(page)["points"] == points
    assert page.url.endswith(query) or all(
        part.split("=")[0] in page.url for part in query.split("&")
    )


MAP_STATE = """() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  const b = map.getBounds();
  const inView = [];
  // An incident's point; a region-level one drawn as its region: the point it is placed at.
  map.eachLayer(l => { if (l._imIndex !== undefined) inView.push(b.contains(l._imAt || l.getLatLng())); });
  return {same: window.__sameMap || null, fitted: map._imFitted || null, inView,
          legends: document.querySelectorAll('.im-legend').length,
          controls: document.querySelectorAll('.leaflet-control-layers').length};
}"""


def test_filter_change_swaps_the_data_layer_not_the_map(page, seed_app):
    open_app(page, seed_app)
    map_layers(page)
    map_frame(page).evaluate("() => { window.__sameMap = 'kept'; }")
    before = map_frame(page).evaluate(MAP_STATE)
    field = page.get_by_label("Min killed")
    field.fill("1")
    field.press("Enter")
    page.get_by_test_id("stRadio").get_by_text("Exclude", exact=True).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
             m.innerText.startsWith('Incidents') && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === '3')""",
        timeout=30_000,
    )
    settle(page)
    assert wait_for_map(page, lambda l: l.get("points") == 3)["cells"] == 0
    after = map_frame(page).evaluate(MAP_STATE)
    # The same Leaflet map (same window), a new layer fitted to its incidents, and one legend
    # and one layer control: the old layer's are gone with it.
    assert after["same"] == "kept"
    assert after["fitted"] and after["fitted"] != before["fitted"]
    assert after["inView"] == [True] * 3
    assert after["legends"] == 1 and after["controls"] == 1


def test_panning_over_incidents_never_reruns_the_page(page, seed_app):
    open_app(page, seed_app)
    map_layers(page)
    page.evaluate(
        """() => { window.__runs = 0; const app = document.querySelector('[data-testid="stApp"]');
          new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.__runs++; })
            .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
    )
    map_frame(page).evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map); map.setView([48.0, 33.0], 8); map.panBy([200, 100]); }"
    )
    page.wait_for_timeout(1500)  # the component reports a move after 250 ms
    assert page.evaluate("() => window.__runs") == 0


def test_first_view_runs_the_page_once(page, seed_app):
    # Count every start of a script run from the first byte on (the map's component must not
    # rerun the page when it is created: its first report of the view is worth nothing).
    page.add_init_script(
        """if (window.top === window) { window.__runs = 0; let last = null;
          setInterval(() => { const app = document.querySelector('[data-testid="stApp"]');
            const state = app && app.getAttribute('data-test-script-state');
            if (state === 'running' && last !== 'running') window.__runs++;
            last = state; }, 5); }"""
    )
    open_app(page, seed_app)
    assert map_layers(page)["points"] == 5
    page.wait_for_timeout(1500)  # the component reports a move after 250 ms
    assert page.evaluate("() => window.__runs") == 1


@pytest.mark.slow  # checked without a browser: tests/app/test_app.py test_bad_url_values_warn_and_fall_back
def test_bad_url_value_warns(page, seed_app):
    open_app(page, seed_app, "min_killed=lots&event_type=Battles")
    assert metric(page, "Incidents") == "1"
    alert = page.get_by_test_id("stAlert").filter(has_text="min_killed")
    assert alert.count() == 1 and "ignored" in alert.inner_text()
    assert "min_killed" not in page.url


@pytest.mark.slow  # checked without a browser: tests/app/test_app.py test_empty_state
def test_no_match_says_so(page, seed_app):
    open_app(page, seed_app, "text=nowhere")
    assert metric(page, "Incidents") == "0"
    assert page.get_by_text("No incident matches these filters.").is_visible()
    assert page.locator(MAP_FRAME).count() == 0


def test_hostile_records_never_run(page, hostile_app):
    open_app(page, hostile_app)
    assert metric(page, "Incidents") == "7"
    frame = map_frame(page)
    assert map_layers(page)["points"] == 7
    box = page.locator(MAP_FRAME).bounding_box()
    # Click every incident symbol (canvas: at its pixel position, once centred in the map)
    # and read its popup and its tooltip.
    position = """(i) => {
      const map = Object.values(window).find(v => v instanceof L.Map);
      map.closePopup();
      // A closed popup fades out: it must not catch the click meant for the next symbol.
      const fading = [...document.querySelectorAll('.leaflet-popup')].map(p => getComputedStyle(p).pointerEvents);
      let found = null;
      map.eachLayer(l => { if (l._imIndex === i) { found = l._imAt || l.getLatLng(); } });
      map.setView(found, map.getZoom(), {animate: false});  // centred: not under the legend
      const p = map.latLngToContainerPoint(found);
      return [p.x, p.y, fading];
    }"""
    # The map is still: no zoom or pan under way (the layer's first fit, a popup's auto-pan).
    idle = """() => { const map = Object.values(window).find(v => v instanceof L.Map);
      return !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress); }"""
    popups = []
    for i in range(7):
        frame.wait_for_function(idle)
        x, y, fading = frame.evaluate(position, i)
        assert all(events == "none" for events in fading), fading
        # The previous popup fades out before it is removed: its text is not this one's.
        expect(frame.locator(".leaflet-popup")).to_have_count(0)
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.click(box["x"] + x, box["y"] + y)
        content = frame.locator(".leaflet-popup-content")
        expect(content).to_have_count(1)
        popups.append(content.inner_text())
    text = "\n".join(popups)
    assert XSS_LOCATION in text  # shown as text, not markup
    assert "${window.__xss=9}" in text
    assert (
        frame.locator(
            ".leaflet-popup-content img, .leaflet-popup-content script, .leaflet-popup-content iframe"
        ).count()
        == 0
    )
    # The table and the sidebar: open the actor list, whose options hold record text.
    page.get_by_test_id("stMultiSelect").filter(has_text="Actor").click()
    page.wait_for_timeout(300)
    assert page.get_by_role("option", name=XSS_ACTOR).count() == 1
    page.keyboard.press("Escape")
    for f in page.frames:
        assert f.locator('img[src="x"], b[onmouseover], svg[onload]').count() == 0
    no_script_ran(page)


def wait_for_map(page, predicate, timeout: float = 60.0) -> dict:
    """Poll the map's layers (the map iframe may be replaced meanwhile) until ``predicate``."""
    deadline = time.monotonic() + timeout
    layers: dict = {}
    while time.monotonic() < deadline:
        try:
            settle(page)
            layers = map_layers(page) or {}
            if predicate(layers):
                return layers
        except (PlaywrightError, StopIteration):
            pass
        page.wait_for_timeout(250)
    raise AssertionError(f"the map never reached the expected state; last: {layers}")


@pytest.mark.slow
def test_aggregated_map_at_100k(page, big_app):
    open_app(page, big_app)
    assert metric(page, "Incidents") == "100,005"
    layers = wait_for_map(page, lambda l: l.get("cells", 0) > 10)
    assert layers["points"] == 0  # hexagon counts, not 100k markers
    # The compacted payload (differences between neighbouring cells) is decoded: every hexagon
    # is a small ring around its own centre, not a shape drifting across the map.
    spread = map_frame(page).evaluate(
        """() => { const map = Object.values(window).find(v => v instanceof L.Map); let worst = 0, n = 0;
          map.eachLayer(l => { if (l._imCell === undefined) return; n++;
            const c = l.getBounds().getCenter();
            l.getLatLngs()[0].forEach(p => { worst = Math.max(worst, Math.abs(p.lat - c.lat), Math.abs(p.lng - c.lng)); }); });
          return {worst, n}; }"""
    )
    assert (
        spread["n"] > 10 and spread["worst"] < 2.0
    )  # under 1.5 degrees centre to vertex at res 3; undecoded: tens
    assert page.get_by_text("more than the 5,000 drawn one by one").count() == 1
    # Zooming in to a town: the incidents in view are drawn one by one inside an outlined
    # box, the others stay counted in hexagons.
    map_frame(page).evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map); map.setView([49.59, 34.55], 10); }"
    )
    layers = wait_for_map(page, lambda l: l.get("points", 0) > 0)
    assert layers["cells"] > 0 and layers["zoom"] >= 9
    assert page.get_by_text("drawn one by one", exact=False).count() >= 1
    # The other documented way: narrow the filters below the point limit.
    open_app(page, big_app, "admin1=Poltava&start=2025-06-01")
    count = int(metric(page, "Incidents").replace(",", ""))
    assert 0 < count <= 5_000
    layers = wait_for_map(page, lambda l: l.get("points", 0) == count)
    assert layers["cells"] == 0
