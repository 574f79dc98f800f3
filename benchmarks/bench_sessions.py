"""Many analysts at once: concurrent browser sessions' first view of the dashboard.

``python -m benchmarks.bench_sessions`` (part of ``make bench``) builds a store of 100k
generated incidents plus the 5 seed ones (its snapshot written, as on any server that
has seen the store once), starts one ``streamlit run serve.py`` and opens the dashboard in 10
browser sessions at once: one Debian chromium through Playwright, one context (own cookies,
own Streamlit session) per analyst, all started together. A session's first view is the time
from its navigation to the page drawn with the map's incident data on it (the data layer's
points or hexagon cells on the Leaflet map, plus the metrics, chart and table). Two waves:

* **cold**: the server's first 10 visitors (the incidents are read into its cache while they
  wait);
* **warm**: 10 new sessions on the same server afterwards.

Each wave reports every session's time, the slowest, the CPU time (user + sys) the app server
and the browser (chromium and its renderers) spent during the wave, the server's peak memory
and the machine's load average when the wave started: on a shared machine the times include
waiting for a core, the CPU times do not. Every request leaving 127.0.0.1 is aborted, as in the browser tests.
``BENCH_SESSIONS`` (default 10) and ``BENCH_SESSIONS_SIZE`` (default 100000) change the
numbers; ``INCIDENTS_BENCH_DB`` runs on another store URL (it is filled first; e.g. a
PostgreSQL database), default a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.server import CHROMIUM, CHROMIUM_ARGS, build_store, streamlit_server

TARGET_S = 10.0

#: The page is drawn and the map holds incident data (points or hexagon cells).
MAP_DATA_DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  if (!document.querySelector('[data-testid="stMetricValue"]')) return false;
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  if (!frame || frame.getBoundingClientRect().height < 100) return false;
  const w = frame.contentWindow;
  if (!w || !w.L) return false;
  const map = Object.values(w).find(v => v instanceof w.L.Map);
  if (!map) return false;
  let drawn = 0;
  map.eachLayer(l => { if (l._imIndex !== undefined || l._imCell !== undefined) drawn++; });
  return drawn > 0;
}"""


def _cpu_s(pid: int) -> float:
    return _cpu_from(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())


def _browser_cpu_s(server: int) -> float:
    """CPU time (user + sys) of the live processes under this one except the app server's:
    Playwright's driver and chromium with its renderers."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(stat.parent.name)] = (int(fields[1]), _cpu_from(fields))
    total = 0.0
    for pid, (_, cpu) in parents.items():
        ancestor = pid
        while ancestor in parents and ancestor not in (os.getpid(), server):
            ancestor = parents[ancestor][0]
        if ancestor == os.getpid() and pid != os.getpid():
            total += cpu
    return total


def _cpu_from(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _wave(
    browser, url: str, sessions: int, server: int
) -> tuple[list[float], list[str], float]:
    from tests.support.assets_routes import OUTSIDE, TILE_HOSTS

    outside: list[tuple[str, str]] = []

    async def abort(route) -> None:  # tests.support.assets_routes.route_handler, async
        host = urlsplit(route.request.url).hostname or ""
        outside.append(("tile" if host.endswith(TILE_HOSTS) else "aborted", route.request.url))
        await route.abort("internetdisconnected")

    contexts = [
        await browser.new_context(viewport={"width": 1440, "height": 1100}) for _ in range(sessions)
    ]
    for context in contexts:
        await context.route(OUTSIDE, abort)
    pages = [await c.new_page() for c in contexts]

    async def first_view(page) -> float:
        started = time.perf_counter()
        await page.goto(url + "/", wait_until="commit", timeout=300_000)
        await page.wait_for_function(MAP_DATA_DRAWN_JS, timeout=300_000, polling=100)
        return time.perf_counter() - started

    browser_cpu = _browser_cpu_s(server)
    times = await asyncio.gather(*(first_view(p) for p in pages))
    browser_cpu = _browser_cpu_s(server) - browser_cpu
    for context in contexts:
        await context.close()
    return list(times), [u for kind, u in outside if kind == "aborted"], browser_cpu


async def _measure(url: str, pid: int, sessions: int) -> list[dict]:
    from playwright.async_api import async_playwright

    rows = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for wave in ("cold", "warm"):
            cpu = _cpu_s(pid)
            load = os.getloadavg()[0]
            times, aborted, browser_cpu = await _wave(browser, url, sessions, pid)
            rows.append(
                {
                    "wave": wave,
                    "times": times,
                    "slowest": max(times),
                    "server_cpu_s": _cpu_s(pid) - cpu,
                    "browser_cpu_s": browser_cpu,
                    "server_peak_mb": _peak_rss_mb(pid),
                    "load_1min": load,
                    "aborted": aborted,
                }
            )
        await browser.close()
    return rows


def run(sessions: int = 10, size: int = 100_000) -> list[dict]:
    """One dict per wave: every session's seconds to its first view, and the server's cost."""
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
        cache = Path(tmp) / "cache"
        url = os.environ.get("INCIDENTS_BENCH_DB") or f"sqlite:///{Path(tmp) / 'incidents.sqlite'}"
        started = time.perf_counter()
        build_store(url, size, cache_dir=cache)
        print(
            f"store of {size:,} incidents + 5 seed built in {time.perf_counter() - started:.1f} s"
        )
        with streamlit_server(url, cache) as (app, proc):
            return asyncio.run(_measure(app, proc.pid, sessions))


def main() -> None:
    sessions = int(os.environ.get("BENCH_SESSIONS", "10"))
    size = int(os.environ.get("BENCH_SESSIONS_SIZE", "100000"))
    if not Path(CHROMIUM).exists():
        print(f"skipped: needs Debian chromium at {CHROMIUM} (apt-get install chromium)")
        return
    print(
        f"{sessions} concurrent browser sessions (one chromium, {sessions} contexts), "
        f"{size:,} incidents; target: every first view under {TARGET_S:.0f} s"
    )
    rows = run(sessions, size)
    print(
        "| wave | per-session first view (s) | slowest | server CPU | browser CPU "
        "| server peak | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        per = " ".join(f"{t:.1f}" for t in sorted(row["times"]))
        verdict = "ok" if row["slowest"] < TARGET_S else "OVER TARGET"
        print(
            f"| {row['wave']} | {per} | {row['slowest']:.1f} s ({verdict}) | "
            f"{row['server_cpu_s']:.1f} s | {row['browser_cpu_s']:.1f} s | "
            f"{row['server_peak_mb']:.0f} MB | "
            f"{row['load_1min']:.1f} |"
        )
        if row["aborted"]:
            print(f"  requests to outside hosts (a defect): {row['aborted'][:3]}")
    print(f"(machine: {os.cpu_count()} cores, shared; load = 1-minute load average at the start)")


if __name__ == "__main__":
    main()
