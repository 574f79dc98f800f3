"""Where the browser spends its CPU on the dashboard's first view and on a filter change.

``python -m benchmarks.browser_cpu`` (``BENCH_DB=sqlite:////path/incidents.sqlite``, an existing
store, and ``INCIDENTS_CACHE_DIR`` as for ``benchmarks.bench_app``; ``BENCH_PROFILE=0`` for the
CPU seconds alone, without the profiler's overhead) opens the page in Debian chromium as
``bench_app`` does and reports, for the first view (until it is complete and the page has been
quiet for ``BENCH_SETTLE`` seconds, default 2) and for filter change 1 ("Min killed" = 1):

* **CPU seconds per chromium process** (user + system from ``/proc``: the renderer of the
  page, the browser process, the GPU/compositor and utility processes) and of the server;
* with the profiler, **the renderer's JavaScript by script** (V8 sampling profiler, self time:
  Streamlit's front-end bundle files, streamlit-folium's component, Leaflet, our
  ``incidents_layer.js`` and ``offline_basemap.js``, inline scripts of the map's page, garbage
  collection) and **the renderer's main thread by kind of work** (trace events, self time:
  style, layout, paint, script compilation, HTML parsing, ...).

One JSON object per step is printed, then a table.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_app import (  # noqa: E402
    LAYERS_ADDED_JS,
    _cpu_since,
    _first_view_phases,
    _wait_for_change,
    cpu_seconds,
    metric_value,
)
from tests.support.assets_routes import install_routes  # noqa: E402
from tests.support.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

TRACE_CATEGORIES = ",".join(
    ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink", "loading"]
)


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[ppid].append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def chromium_cpu() -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds) of every chromium process started by this process."""
    out = {}
    for pid in _descendants(os.getpid()):
        try:
            # Zygote children rewrite their title: arguments separated by spaces, not NULs.
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        if not cmd or not cmd[0].endswith(b"chromium"):
            continue
        kind = "browser"
        for arg in cmd:
            if arg.startswith(b"--type="):
                kind = arg[7:].decode()
            if arg.startswith(b"--utility-sub-type="):
                kind = "utility:" + arg.split(b"=", 1)[1].decode().rsplit(".", 1)[-1]
        cpu = cpu_seconds(pid)
        if cpu is not None:
            out[pid] = (kind, cpu)
    return out


def cpu_delta(before: dict, after: dict) -> dict[str, float]:
    out: dict[str, float] = collections.defaultdict(float)
    for pid, (kind, cpu) in after.items():
        out[kind] += cpu - before.get(pid, (kind, 0.0))[1]
    return {k: round(v, 3) for k, v in sorted(out.items(), key=lambda kv: -kv[1])}


def script_kind(url: str, function: str) -> str:
    if not url:
        return function or "(anonymous)"
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if "/component/" in url:
        return "streamlit-folium component: " + name
    if "leaflet" in url and name.endswith(".js"):
        return "Leaflet: " + name
    if "/assets/" in url:
        return "ours: " + name
    if "/static/js/" in url:
        return "Streamlit: " + name
    return url[:80]


#: Parts of the page, by script (first match wins): the Vega chart's and the data table's
#: own bundle files, the map's scripts, and Streamlit's front-end (React, styles, widgets).
PARTS = (
    ("chart (Vega)", ("embed.", "vega", "ArrowVegaLiteChart", "VegaLite")),
    ("table (data grid, Arrow)", ("DataFrame", "glide", "recordbatch", "Quiver", "arrow")),
    ("map: Leaflet", ("Leaflet:",)),
    ("map: ours", ("ours:",)),
    ("map: streamlit-folium", ("streamlit-folium",)),
    ("Streamlit front end", ("Streamlit:",)),
    ("garbage collection", ("(garbage collector)",)),
    ("native outside scripts (style, layout, paint, parsing)", ("(program)",)),
    ("idle", ("(idle)",)),
)


def part_of(kind: str) -> str:
    for part, needles in PARTS:
        if any(n in kind for n in needles):
            return part
    return "other"


def profile_breakdown(profile: dict, top: int = 25) -> dict:
    """Self milliseconds per script (and its top functions) from a V8 CPU profile; the time of
    a built-in function (DOM, canvas, JSON) goes to the script that called it."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_ms: dict[int, float] = collections.defaultdict(float)
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for i, node in enumerate(samples):
        if i + 1 < len(deltas):
            self_ms[node] += deltas[i + 1] / 1000
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}

    def owner(node_id: int) -> dict:
        """The node's frame, or for a built-in (no script) its nearest caller with a script."""
        frame = nodes[node_id]["callFrame"]
        at = node_id
        while not frame.get("url") and at in parent:
            at = parent[at]
            if nodes[at]["callFrame"].get("url"):
                return nodes[at]["callFrame"]
        return frame

    by_script: dict[str, float] = collections.defaultdict(float)
    by_function: dict[str, float] = collections.defaultdict(float)
    for node_id, ms in self_ms.items():
        frame = owner(node_id)
        kind = script_kind(frame.get("url", ""), frame.get("functionName", ""))
        by_script[kind] += ms
        if kind != "(idle)":
            name = frame.get("functionName") or "(anonymous)"
            by_function[f"{kind} :: {name}:{frame.get('lineNumber', 0) + 1}"] += ms
    scripts = dict(sorted(((k, round(v)) for k, v in by_script.items()), key=lambda kv: -kv[1]))
    functions = dict(
        sorted(((k, round(v)) for k, v in by_function.items()), key=lambda kv: -kv[1])[:top]
    )
    busy = sum(v for k, v in by_script.items() if k != "(idle)")
    parts: dict[str, float] = collections.defaultdict(float)
    for kind, ms in by_script.items():
        parts[part_of(kind)] += ms
    return {
        "js_profile_busy_ms": round(busy),
        "parts_ms": dict(sorted(((k, round(v)) for k, v in parts.items()), key=lambda kv: -kv[1])),
        "scripts_ms": scripts,
        "functions_ms": functions,
    }


def trace_breakdown(events: list[dict], top: int = 30) -> dict:
    """Self milliseconds of the renderer main thread's trace events, by event name."""
    names: dict[tuple[int, int], str] = {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    threads: dict[tuple[int, int], list[dict]] = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            key = (e["pid"], e["tid"])
            if names.get(key) == "CrRendererMain":
                threads[key].append(e)
    self_ms: dict[str, float] = collections.defaultdict(float)
    busy = 0.0
    for evs in threads.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack: list[list] = []  # open events: [end, name, time of children, duration]
        ends: list[dict | None] = [*evs, None]
        for ev in ends:
            until = float("inf") if ev is None else ev["ts"]
            while stack and stack[-1][0] <= until:
                _, name, child, dur = stack.pop()
                self_ms[name] += (dur - child) / 1000
                if stack:
                    stack[-1][2] += dur
                else:
                    busy += dur / 1000
            if ev is not None:
                stack.append([ev["ts"] + ev["dur"], ev["name"], 0.0, ev["dur"]])
    ranked = sorted(((k, round(v)) for k, v in self_ms.items()), key=lambda kv: -kv[1])
    return {"main_thread_busy_ms": round(busy), "self_ms": dict(ranked[:top])}


class Recorder:
    """The page's CPU profile and trace between start() and stop()."""

    def __init__(self, context, page, enabled: bool) -> None:
        self.enabled = enabled
        self.cdp = context.new_cdp_session(page) if enabled else None
        self.events: list[dict] = []
        self.done = False
        if self.cdp is not None:
            self.cdp.on("Tracing.dataCollected", lambda e: self.events.extend(e["value"]))
            self.cdp.on("Tracing.tracingComplete", lambda e: setattr(self, "done", True))
            self.cdp.send("Profiler.enable")
            self.cdp.send("Profiler.setSamplingInterval", {"interval": 1000})

    def start(self) -> None:
        if self.cdp is None:
            return
        self.events, self.done = [], False
        self.cdp.send(
            "Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"}
        )
        self.cdp.send("Profiler.start")

    def stop(self, page) -> dict:
        if self.cdp is None:
            return {}
        profile = self.cdp.send("Profiler.stop")["profile"]
        self.cdp.send("Tracing.end")
        deadline = time.monotonic() + 60
        while not self.done and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        return {**profile_breakdown(profile), **trace_breakdown(self.events)}


def settle(page, seconds: float) -> None:
    page.wait_for_timeout(int(seconds * 1000))


def _spent(page, proc, recorder, before, server: float, settle_s: float) -> dict:
    """CPU spent since ``before``/``server``: chromium's until now and after settling, the
    server's, and what the recorder saw."""
    complete = chromium_cpu()
    settle(page, settle_s)
    return {
        "chromium_cpu_s_until_complete": cpu_delta(before, complete),
        "chromium_cpu_s_with_settle": cpu_delta(before, chromium_cpu()),
        "server_cpu_s": _cpu_since(proc.pid, server),
        **recorder.stop(page),
    }


def measure(url: str, proc, profile: bool, settle_s: float) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1100})
        install_routes(context, out.setdefault("outside", []))
        page = context.new_page()
        recorder = Recorder(context, page, profile)
        page.goto("about:blank")
        before, server = chromium_cpu(), cpu_seconds(proc.pid)
        recorder.start()
        started = time.perf_counter()
        page.goto(url + "/")
        _first_view_phases(page, started)
        out["first_view_s"] = round(time.perf_counter() - started, 2)
        out["first_view"] = _spent(page, proc, recorder, before, server, settle_s)
        count = metric_value(page, "Incidents")
        field = page.get_by_label("Min killed")
        field.fill("1")
        layers = page.evaluate(LAYERS_ADDED_JS)
        settle(page, 1.0)
        before, server = chromium_cpu(), cpu_seconds(proc.pid)
        recorder.start()
        started = time.perf_counter()
        field.press("Enter")
        _wait_for_change(page, count, layers)
        out["filter_change_s"] = round(time.perf_counter() - started, 2)
        out["filter_change"] = _spent(page, proc, recorder, before, server, settle_s)
        browser.close()
    out.pop("outside")
    return out


def main() -> None:
    db_url = os.environ["BENCH_DB"]
    cache_dir = Path(os.environ.get("INCIDENTS_CACHE_DIR") or "/tmp/browser-cpu-cache")
    profile = os.environ.get("BENCH_PROFILE", "1") != "0"
    settle_s = float(os.environ.get("BENCH_SETTLE", "2"))
    with streamlit_server(db_url, cache_dir) as (url, proc):
        result = measure(url, proc, profile, settle_s)
    print(json.dumps(result, indent=1))
    print()
    for step in ("first_view", "filter_change"):
        row = result[step]
        cpu = row["chromium_cpu_s_with_settle"]
        procs = ", ".join(f"{kind} {s:.2f}" for kind, s in cpu.items() if s >= 0.01)
        print(
            f"{step}: {result[step + '_s']:.2f} s wall; chromium CPU {sum(cpu.values()):.2f} s "
            f"({procs}); server CPU {row['server_cpu_s']:.2f} s"
        )
        if "parts_ms" in row:
            parts = ", ".join(f"{k} {v}" for k, v in row["parts_ms"].items() if k != "idle")
            print(f"  renderer JavaScript profile, ms: {parts}")


if __name__ == "__main__":
    main()
