"""The map's region outlines and its time control in a real browser (chromium via Playwright)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest

from incidents import Store
from tests.browser.conftest import _server
from tests.browser.test_dashboard import map_frame, map_layers, metric, open_app, wait_for_map
from tests.support.records import add_incidents, incident

pytestmark = pytest.mark.browser

#: Five incidents around the seed's day (2025-07-03): ten days with incidents on six of them.
EXTRA_DAYS = {
    "T-1": ("2025-07-01", 50.45, 30.52),
    "T-2": ("2025-07-02", 49.99, 36.23),
    "T-3": ("2025-07-05", 48.46, 35.05),
    "T-4": ("2025-07-08", 47.84, 35.14),
    "T-5": ("2025-07-10", 46.96, 31.99),
}
DASH = "\u2013"  # between two dates, as the control writes them
DAYS = Counter({"2025-07-03": 5} | {d: 1 for d, _, _ in EXTRA_DAYS.values()})

TIME = """() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  let time = null, visible = 0, hidden = 0;
  map.eachLayer(l => {
    if (l._imTime) time = l._imTime;
    if (l._imIndex !== undefined) { if (l._imHidden) hidden++; else visible++; }
  });
  const box = document.querySelector('.im-time');
  return {visible, hidden, date: box && box.querySelector('.im-time-date').textContent,
          kpis: box && [...box.querySelectorAll('.im-time-kpi')].map(e => e.textContent),
          frame: time && time.frameShown ? time.frameShown.frame : null,
          playing: !!(time && time.state.timer)};
}"""

#: Records (date text, incidents drawn, KPI lines) each time the frame's date changes.
RECORD = """() => {
  window.__frames = [];
  const box = document.querySelector('.im-time');
  const date = box.querySelector('.im-time-date');
  new MutationObserver(() => {
    const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
    let visible = 0;
    map.eachLayer(l => { if (l._imIndex !== undefined && !l._imHidden) visible++; });
    window.__frames.push([date.textContent, visible,
      [...box.querySelectorAll('.im-time-kpi')].map(e => e.textContent)]);
  }).observe(date, {childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture(scope="module")
def days_app(browser, tmp_path_factory) -> Iterator[str]:
    """The seed plus five incidents on other days of July 2025."""
    tmp = tmp_path_factory.mktemp("days-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    add_incidents(
        store,
        [
            incident(event_id=eid, event_date=day, latitude=lat, longitude=lon, location="Town")
            for eid, (day, lat, lon) in EXTRA_DAYS.items()
        ],
    )
    yield from _server(tmp, store)


def test_lipetsk_region_incident_is_drawn_as_the_oblast(page, seed_app):
    open_app(page, seed_app)
    frame = map_frame(page)
    map_layers(page)
    shape = frame.evaluate(
        """() => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          let out = {}, circles = 0;
          map.eachLayer(l => {
            if (l._imIndex === undefined) return;
            if (l.getRadius) { circles++; return; }
            const b = l.getBounds();
            out = {s: b.getSouth(), w: b.getWest(), n: b.getNorth(), e: b.getEast(),
                   vertices: l.getLatLngs().flat(2).length};
          });
          return Object.assign(out, {circles});
        }"""
    )
    # The Lipetsk oblast (51.88-53.59 N, 37.71-40.70 E), not a 30 km circle around Lipetsk.
    assert shape["s"] == pytest.approx(51.88, abs=0.05) and shape["n"] == pytest.approx(
        53.59, abs=0.05
    )
    assert shape["w"] == pytest.approx(37.71, abs=0.05) and shape["e"] == pytest.approx(
        40.70, abs=0.05
    )
    assert shape["vertices"] > 50 and shape["circles"] == 4
    # Clicking inside the oblast far from any town opens the region-level incident.
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    x, y = frame.evaluate(
        """() => { const map = Object.values(window).find(v => v instanceof L.Map);
          map.setView([52.2, 40.2], 7, {animate: false});
          const p = map.latLngToContainerPoint([52.2, 40.2]); return [p.x, p.y]; }"""
    )
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = frame.locator(".leaflet-popup-content").last
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert "Lipetsk Oblast" in text and "shaded region" in text


def test_time_control_plays_day_by_day(page, days_app):
    open_app(page, days_app)
    assert metric(page, "Incidents") == "10"
    frame = map_frame(page)
    wait_for_map(page, lambda layers: layers.get("points") == 10)
    state = frame.evaluate(TIME)
    assert state["date"] == f"All dates: 2025-07-01 {DASH} 2025-07-10"
    assert state["visible"] == 10 and state["kpis"][0] == "Incidents: 10"
    frame.select_option(".im-time select >> nth=0", "1")  # Day
    frame.select_option(".im-time select >> nth=2", "125")  # fastest
    frame.evaluate(RECORD)
    frame.click(".im-time-play")
    frame.wait_for_function(
        """() => document.querySelector('.im-time-play').title === 'Play'
                 && window.__frames.length >= 10""",
        timeout=30_000,
    )
    frames = frame.evaluate("() => window.__frames")
    played = [f for k, f in enumerate(frames) if not f[0].startswith("All") and f != frames[k - 1]]
    start = dt.date(2025, 7, 1)
    expected = [(start + dt.timedelta(days=k)).isoformat() for k in range(10)]
    assert [f[0] for f in played][-10:] == expected
    for date, visible, kpis in played[-10:]:
        assert visible == DAYS.get(date, 0), date
        assert kpis[0] == f"Incidents: {DAYS.get(date, 0)}"
    seed_day = next(f for f in played if f[0] == "2025-07-03")
    assert seed_day[2][1] == "Killed: 9; unknown for 1 incident"  # the shared 8 counted once
    assert seed_day[2][2] == f"Injured: 12 (10{DASH}14); unknown for 1 incident"


@pytest.mark.slow  # the default run plays day by day on the same controls
def test_time_control_drags_through_weeks_and_accumulates(page, days_app):
    open_app(page, days_app)
    frame = map_frame(page)
    wait_for_map(page, lambda layers: layers.get("points") == 10)
    frame.select_option(".im-time select >> nth=0", "7")  # Week: 06-30..07-06, 07-07..07-13
    slider = frame.locator(".im-time-slider")
    box = slider.bounding_box()
    # Drag the handle from the right end to the left end: the first week.
    page.mouse.move(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    state = frame.evaluate(TIME)
    assert state["frame"] == 0 and state["date"] == f"2025-07-01 {DASH} 2025-07-06"
    first_week = sum(n for d, n in DAYS.items() if d <= "2025-07-06")
    assert state["visible"] == first_week == 8
    assert state["kpis"][0] == "Incidents: 8"
    # The keyboard moves one frame: the second week.
    slider.press("ArrowRight")
    state = frame.evaluate(TIME)
    assert state["date"] == f"2025-07-07 {DASH} 2025-07-10" and state["visible"] == 2
    # Cumulative: everything up to the end of the frame's week.
    frame.select_option(".im-time select >> nth=1", "cumulative")
    state = frame.evaluate(TIME)
    assert state["visible"] == 10 and state["kpis"][0] == "Incidents: 10"
    assert state["date"] == "Up to 2025-07-10 (from 2025-07-01)"
    # "All dates" gives the whole selection back.
    frame.click(".im-time-all")
    state = frame.evaluate(TIME)
    assert state["date"].startswith("All dates") and state["visible"] == 10


@pytest.mark.slow
def test_hexagons_play_at_100k_and_frame_rate(page, big_app):
    open_app(page, big_app)
    frame = map_frame(page)
    wait_for_map(page, lambda layers: layers.get("cells", 0) > 10)
    result = frame.evaluate(
        """async () => {
          const map = Object.values(window).find(v => v instanceof L.Map);
          let time = null; map.eachLayer(l => { if (l._imTime) time = l._imTime; });
          const shown = () => {
            let n = 0, cells = 0;
            map.eachLayer(l => {
              if (l._imPlay !== undefined) { cells++; n += l._imHidden ? 0 : 1; }
            });
            return [n, cells];
          };
          const frames = time.frames(), counts = [];
          const t0 = performance.now();
          const steps = Math.min(frames, 60);
          for (let k = 0; k < steps; k++) {
            time.go(k);
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            counts.push(shown());
          }
          const ms = performance.now() - t0;
          return {frames, steps, fps: steps / (ms / 1000), counts, step: time.state.step};
        }"""
    )
    assert result["frames"] > 20 and result["step"] == 7  # weeks over three years
    visible = [n for n, _ in result["counts"]]
    assert max(visible) > 0 and len(set(visible)) > 3  # the hexagons change with the week
    assert all(n <= cells for n, cells in result["counts"])
    print(f"hexagon playback at 100k: {result['fps']:.1f} frames/s over {result['steps']} frames")
    assert result["fps"] > 2
