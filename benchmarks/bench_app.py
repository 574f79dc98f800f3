"""Dashboard benchmark: cold start to first complete view, filter change, page bytes, memory.

``python -m benchmarks.bench_app`` (or ``make bench``; ``BENCH_SIZES=10000,100000`` for a
subset) builds stores of 10k, 100k and 1M generated incidents (``benchmarks.generate``) plus the
5 seed ones and, for each:

* **cold start**: a fresh ``streamlit run app.py`` process, then a real browser (Debian
  chromium through Playwright) opening the page until the metrics, the map, the chart and
  the table are drawn; the snapshot of the store is built first (as on any server
  that has seen the store once) and timed apart (``snapshot_s``);
* **filter change**: "Min killed" set to 1 in the same browser page, until the "Incidents"
  metric shows the new count, the chart and table are drawn again and the map holds the new
  selection's data layer, painted (``filter_change_s``); then "Exclude" unknown figures
  (``filter_change_2_s``); also the script-side time of an event-type change with AppTest
  (``rerun_s``) and of a rerun with nothing changed (``cached_rerun_s``);
* **page bytes**: every byte the browser receives from the app (HTTP bodies and WebSocket
  frames) for the first view;
* **peak RSS** of the Streamlit server process (VmHWM);
* **server CPU seconds** (user + system of the Streamlit process) spent on the first view and
  on each filter change: on a shared machine these vary far less than the wall times;
* **where the first view's time goes**: the seconds from the request to the moment each part
  is first seen in the page (``phases``: the script's first run done, KPIs, map frame, Leaflet
  map, base map drawn, incidents layer drawn, chart, table).

``BENCH_DB=sqlite:////path/incidents.sqlite`` measures an existing store instead of building
one (its size is what it holds; its snapshot is built if missing, in ``INCIDENTS_CACHE_DIR``
when set): an A/B comparison of two versions of the code can then use the very same store,
e.g. ``BENCH_DB=sqlite:////tmp/b/incidents.sqlite INCIDENTS_CACHE_DIR=/tmp/b/cache python -m
benchmarks.bench_app`` in each checkout.

Without chromium/playwright, only the AppTest timings are measured. ``run(sizes)`` returns
one dict per size; ``main`` prints a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from incidents import Store, load_frame
from tests.support.server import CHROMIUM, CHROMIUM_ARGS, build_store, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def _asset_routes():
    """The browser tests' routing (tests/support/assets_routes.py): outside requests aborted."""
    sys.path.insert(0, str(ROOT))
    from tests.support.assets_routes import install_routes

    return install_routes


COMPLETE_VIEW_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const metric = document.querySelector('[data-testid="stMetricValue"]');
  const chart = document.querySelector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg');
  const table = document.querySelector('[data-testid="stDataFrame"] canvas, [data-testid="stDataFrame"] [role="grid"], [data-testid="stDataFrameResizable"]');
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  if (!metric || !chart || !table || !frame) return false;
  const doc = frame.contentDocument;
  if (!doc || frame.getBoundingClientRect().height < 100) return false;
  return !!doc.querySelector('.leaflet-container canvas, .leaflet-container path');
}"""


#: What of the first view is on the page (polled until the view is complete): when each part
#: first shows is reported as ``phases`` (seconds from the request).
PHASES_JS = """() => {
  const out = {};
  const app = document.querySelector('[data-testid="stApp"]');
  out.script_done = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!document.querySelector('[data-testid="stMetricValue"]');
  out.kpis = !!document.querySelector('[data-testid="stMetricValue"]');
  out.chart = !!document.querySelector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg');
  out.table = !!document.querySelector('[data-testid="stDataFrame"] canvas, [data-testid="stDataFrame"] [role="grid"], [data-testid="stDataFrameResizable"]');
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  out.map_frame = !!frame;
  const w = frame && frame.contentWindow;
  let map = null;
  try { map = w && w.map && w.L && w.map instanceof w.L.Map ? w.map : null; } catch (e) { map = null; }
  out.leaflet_map = !!map;
  let basemap = false, layer = false;
  if (map) {
    map.eachLayer(l => { if (l._imBasemapReady) basemap = true; });
    const groups = w.feature_group || [];
    layer = groups.length > 0 && map.hasLayer(groups[groups.length - 1]);
  }
  out.base_map = basemap;
  out.incidents_layer = layer;
  return out;
}"""


def metric_value(page, label: str) -> str:
    return page.evaluate(
        """(label) => {
          for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
            const l = m.querySelector('[data-testid="stMetricLabel"]');
            if (l && l.innerText.trim() === label) return m.querySelector('[data-testid="stMetricValue"]').innerText.trim();
          }
          return null;
        }""",
        label,
    )


LAYERS_ADDED_JS = """() => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const w = frame && frame.contentWindow;
  return w && w.feature_group ? w.feature_group.length : 0;
}"""

# The map keeps its Leaflet instance and swaps its data layer (streamlit-folium pushes each
# layer it adds to window.feature_group): done when a new layer is on the map and painted.
NEW_LAYER_PAINTED_JS = """async (before) => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const w = frame.contentWindow;
  const groups = w.feature_group || [];
  if (groups.length <= before || !w.map.hasLayer(groups[groups.length - 1])) return false;
  await new Promise(r => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
  return true;
}"""


def _wait_for_change(page, before: str, layers_before: int) -> None:
    page.wait_for_function(
        """([label, before]) => {
          for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
            const l = m.querySelector('[data-testid="stMetricLabel"]');
            if (l && l.innerText.trim() === label) {
              return m.querySelector('[data-testid="stMetricValue"]').innerText.trim() !== before;
            }
          }
          return false;
        }""",
        arg=["Incidents", before],
        timeout=120_000,
        polling=20,
    )
    page.wait_for_function(COMPLETE_VIEW_JS, timeout=120_000, polling=20)
    page.wait_for_function(NEW_LAYER_PAINTED_JS, arg=layers_before, timeout=120_000, polling=20)


#: The map's time control (dashboard/maps/static/incidents_layer.js) stepped through up to 60
#: frames as fast as the page paints them: each frame is drawn (hexagons or incidents shown,
#: KPIs of the window written) and two animation frames pass before the next one.
PLAYBACK_JS = """async () => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const w = frame.contentWindow, map = w.map;
  let time = null;
  map.eachLayer(l => { if (l._imTime) time = l._imTime; });
  if (!time) return null;
  const paint = () => new Promise(r => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
  const steps = Math.min(time.frames(), 60);
  time.go(0);
  await paint();
  const started = w.performance.now();
  let worst = 0;
  for (let k = 1; k <= steps; k++) {
    const t = w.performance.now();
    time.go(k % time.frames());
    await paint();
    worst = Math.max(worst, w.performance.now() - t);
  }
  const ms = w.performance.now() - started;
  return {fps: steps / (ms / 1000), worst_ms: worst, frames: time.frames(), step: time.state.step};
}"""


def _cpu_since(pid: int, before: float | None) -> float | None:
    now = cpu_seconds(pid)
    return None if now is None or before is None else now - before


def _first_view_phases(page, started: float, timeout: float = 180.0) -> dict[str, float]:
    """Poll the page until the first view is complete; when each part first showed."""
    phases: dict[str, float] = {}
    while True:
        elapsed = time.perf_counter() - started
        try:
            seen = page.evaluate(PHASES_JS)
            complete = page.evaluate(COMPLETE_VIEW_JS)
        except Exception:  # the page is still navigating: its context is replaced
            seen, complete = {}, False
        for name, shown in seen.items():
            if shown and name not in phases:
                phases[name] = round(elapsed, 2)
        if complete:
            return phases
        if elapsed > timeout:
            raise TimeoutError(f"the first view was not complete after {timeout:.0f} s: {phases}")
        time.sleep(0.05)


def browser_timings(url: str, proc: subprocess.Popen) -> dict:
    """First view, two filter changes in the same page, and the bytes the browser received."""
    from playwright.sync_api import sync_playwright

    install_routes = _asset_routes()
    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1100})
        install_routes(context, out.setdefault("outside", []))
        page = context.new_page()
        # Bytes on the wire from the app (HTTP, compressed as sent) and WebSocket payloads.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received = {"http": 0, "ws": 0, "outside": 0}
        urls: dict[str, str] = {}
        cdp.on(
            "Network.responseReceived",
            lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]),
        )

        def finished(e: dict) -> None:
            kind = "http" if urls.get(e["requestId"], "").startswith(url) else "outside"
            received[kind] += int(e.get("encodedDataLength", 0))

        cdp.on("Network.loadingFinished", finished)
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: received.__setitem__(
                "ws", received["ws"] + len(e["response"]["payloadData"])
            ),
        )
        cpu = cpu_seconds(proc.pid)
        started = time.perf_counter()
        page.goto(url + "/")
        out["phases"] = _first_view_phases(page, started)
        out["first_view_s"] = time.perf_counter() - started
        out["first_view_cpu_s"] = _cpu_since(proc.pid, cpu)
        page.wait_for_timeout(500)
        out["page_mb"] = (received["http"] + received["ws"]) / 1e6
        out["ws_mb"] = received["ws"] / 1e6
        out["cdn_mb"] = received["outside"] / 1e6
        playback = page.evaluate(PLAYBACK_JS)
        if playback is not None:
            out["playback_fps"] = playback["fps"]
            out["playback_worst_ms"] = playback["worst_ms"]
            out["playback_frames"] = playback["frames"]
        counts = [metric_value(page, "Incidents")]
        # Filter change 1: "Min killed" = 1, typed as an analyst would (unknown figures kept:
        # a large selection). Filter change 2: drop the unknown ones (a smaller selection).
        field = page.get_by_label("Min killed")
        field.fill("1")
        layers = page.evaluate(LAYERS_ADDED_JS)
        cpu = cpu_seconds(proc.pid)
        started = time.perf_counter()
        field.press("Enter")
        _wait_for_change(page, counts[-1], layers)
        out["filter_change_s"] = time.perf_counter() - started
        out["filter_change_cpu_s"] = _cpu_since(proc.pid, cpu)
        counts.append(metric_value(page, "Incidents"))
        layers = page.evaluate(LAYERS_ADDED_JS)
        cpu = cpu_seconds(proc.pid)
        started = time.perf_counter()
        page.get_by_test_id("stRadio").get_by_text("Exclude", exact=True).click()
        _wait_for_change(page, counts[-1], layers)
        out["filter_change_2_s"] = time.perf_counter() - started
        out["filter_change_2_cpu_s"] = _cpu_since(proc.pid, cpu)
        counts.append(metric_value(page, "Incidents"))
        out["counts"] = counts
        browser.close()
    return out


def apptest_timings(db_url: str, filter_params: dict) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["INCIDENTS_DB"] = db_url
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    key = next(w.key for w in at.multiselect if w.key and w.key.startswith("event_types-"))
    started = time.perf_counter()
    at.multiselect(key=key).set_value(filter_params["event_type"]).run()
    change = time.perf_counter() - started
    started = time.perf_counter()
    at.run()
    again = time.perf_counter() - started
    return {"apptest_first_s": first, "rerun_s": change, "cached_rerun_s": again}


FILTER = {"event_type": ["Battles"]}


def run(
    sizes: Sequence[int] = DEFAULT_SIZES, *, browser: bool | None = None, db_url: str | None = None
) -> list[dict]:
    """Measure each size; one dict per size (seconds, megabytes). With ``db_url``, measure that
    existing store once instead (``sizes`` unused)."""
    browser = _browser_available() if browser is None else browser
    results = []
    for n in [None] if db_url else sizes:
        with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
            tmpdir = Path(tmp)
            # An existing store keeps its snapshot where INCIDENTS_CACHE_DIR says (if set).
            cache_dir = Path(
                (n is None and os.environ.get("INCIDENTS_CACHE_DIR")) or tmpdir / "cache"
            )
            os.environ["INCIDENTS_CACHE_DIR"] = str(cache_dir)
            row: dict = {}
            if n is None:
                url = str(db_url)
                store = Store.open(url, seed=False)
            else:
                url = f"sqlite:///{tmpdir / 'incidents.sqlite'}"
                started = time.perf_counter()
                store = build_store(url, n, snapshot=False)
                row["build_store_s"] = time.perf_counter() - started
            started = time.perf_counter()
            row["incidents"] = len(load_frame(store))
            row["snapshot_s"] = time.perf_counter() - started
            db_url_now = url
            if browser:
                with streamlit_server(db_url_now, cache_dir) as (app_url, proc):
                    row.update(browser_timings(app_url, proc))
                    row["peak_rss_mb"] = peak_rss_mb(proc.pid)
            row.update(apptest_timings(db_url_now, FILTER))
            results.append(row)
            print(
                json.dumps(
                    {
                        k: (round(v, 3) if isinstance(v, float) else v)
                        for k, v in row.items()
                        if k != "outside"
                    }
                ),
                flush=True,
            )
    return results


def main(sizes: Sequence[int] = DEFAULT_SIZES) -> None:
    rows = run(sizes, db_url=os.environ.get("BENCH_DB") or None)
    cols = [
        ("incidents", "incidents", "{:,}"),
        ("build_store_s", "store s", "{:.1f}"),
        ("snapshot_s", "snapshot s", "{:.1f}"),
        ("first_view_s", "first view s", "{:.2f}"),
        ("first_view_cpu_s", "(server CPU s)", "{:.2f}"),
        ("filter_change_s", "filter change 1 (browser) s", "{:.2f}"),
        ("filter_change_cpu_s", "(server CPU s)", "{:.2f}"),
        ("filter_change_2_s", "filter change 2 (browser) s", "{:.2f}"),
        ("filter_change_2_cpu_s", "(server CPU s)", "{:.2f}"),
        ("apptest_first_s", "script 1st run s", "{:.2f}"),
        ("rerun_s", "filter (script) s", "{:.2f}"),
        ("cached_rerun_s", "cached rerun s", "{:.3f}"),
        ("playback_fps", "playback frames/s", "{:.1f}"),
        ("page_mb", "page MB", "{:.2f}"),
        ("ws_mb", "of which data MB", "{:.2f}"),
        ("cdn_mb", "outside MB", "{:.2f}"),
        ("peak_rss_mb", "server peak RSS MB", "{:.0f}"),
    ]
    print()
    print(" | ".join(label for _, label, _ in cols))
    for row in rows:
        print(
            " | ".join(
                fmt.format(row[key]) if row.get(key) is not None else "-" for key, _, fmt in cols
            )
        )
    for row in rows:
        if row.get("phases"):
            seen = ", ".join(f"{name} {at:.2f}" for name, at in row["phases"].items())
            print(f"{row['incidents']:,}: first view, seconds until each part showed: {seen}")


if __name__ == "__main__":
    sizes = (
        tuple(int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s.strip())
        or DEFAULT_SIZES
    )
    main(sizes)
