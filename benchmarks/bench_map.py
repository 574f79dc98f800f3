"""Map benchmark: our ``build_map`` against one folium ``CircleMarker`` with a popup per incident.

``python -m benchmarks.bench_map`` prints, for each size, the time to build and render the map
and the size of the page the browser receives (``len(m.get_root().render())``), ours and the
naive baseline side by side. The baseline is measured up to ``BASELINE_MAX`` incidents and
extrapolated linearly above (marked ``~``). ``BENCH_SIZES=10000,100000`` overrides the sizes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import folium
import pandas as pd

from dashboard.maps import build_map, map_summary
from tests.support.frames import synthetic_frame

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: Largest size at which the naive baseline is really built (it is ~linear above).
BASELINE_MAX = 100_000


def naive_map(frame: pd.DataFrame) -> folium.Map:
    """The baseline: one folium CircleMarker with an HTML popup per incident."""
    m = folium.Map(location=[49, 33], zoom_start=5)
    for row in frame[
        ["latitude", "longitude", "location", "event_type", "event_date", "fatalities"]
    ].itertuples(index=False):
        folium.CircleMarker(
            location=[row.latitude, row.longitude],
            radius=5,
            popup=folium.Popup(
                f"{row.location}<br>{row.event_type}<br>{row.event_date:%Y-%m-%d}<br>{row.fatalities}"
            ),
        ).add_to(m)
    return m


def _measure(make) -> tuple[float, int]:
    started = time.perf_counter()
    html = make().get_root().render()
    return time.perf_counter() - started, len(html)


def run(
    sizes: Sequence[int] = DEFAULT_SIZES, *, baseline_max: int = BASELINE_MAX
) -> list[dict[str, Any]]:
    """One dict per size: ours (seconds, MB, mode) and the baseline (measured or extrapolated)."""
    rows: list[dict[str, Any]] = []
    build_map(
        synthetic_frame(6000, seed=9)
    ).get_root().render()  # warm-up: imports, template compiles
    per_incident: tuple[float, float] | None = None  # baseline seconds and bytes per incident
    for n in sizes:
        frame = synthetic_frame(n)
        seconds, size = _measure(lambda frame=frame: build_map(frame))
        row: dict[str, Any] = {
            "incidents": n,
            "mode": map_summary(frame).mode,
            "ours_s": round(seconds, 2),
            "ours_mb": round(size / 1e6, 2),
        }
        if n <= baseline_max:
            b_s, b_size = _measure(lambda frame=frame: naive_map(frame))
            per_incident = (b_s / n, b_size / n)
            row.update(
                baseline_s=round(b_s, 2), baseline_mb=round(b_size / 1e6, 2), baseline_measured=True
            )
        elif per_incident is not None:
            row.update(
                baseline_s=round(per_incident[0] * n, 1),
                baseline_mb=round(per_incident[1] * n / 1e6, 1),
                baseline_measured=False,
            )
        # Points mode at the limit: the largest page of individual incidents we send.
        rows.append(row)
    return rows


def main(sizes: Sequence[int] | None = None) -> int:
    env = tuple(int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s.strip())
    sizes = tuple(sizes or env or DEFAULT_SIZES)
    limit_s, limit_size = _measure(lambda: build_map(synthetic_frame(5000, seed=1)))
    print("map benchmark (build + render; page = len(m.get_root().render()))")
    print(
        f"{'incidents':>10}  {'mode':>10}  {'ours s':>7}  {'ours MB':>8}  {'naive s':>8}  {'naive MB':>9}"
    )
    for r in run(sizes):
        mark = "" if r.get("baseline_measured", True) else "~"
        bs = f"{mark}{r['baseline_s']}" if "baseline_s" in r else "-"
        bm = f"{mark}{r['baseline_mb']}" if "baseline_mb" in r else "-"
        print(
            f"{r['incidents']:>10,}  {r['mode']:>10}  {r['ours_s']:>7}  {r['ours_mb']:>8}  {bs:>8}  {bm:>9}",
            flush=True,
        )
    print(
        f"points mode at the limit (5,000 incidents, one circle each): {limit_s:.2f} s, {limit_size / 1e6:.2f} MB"
    )
    print("~ = naive baseline extrapolated linearly from the largest measured size")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
