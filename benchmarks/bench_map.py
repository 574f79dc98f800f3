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
import numpy as np
import pandas as pd

from dashboard.maps import build_map, map_summary
from incidents.taxonomy import EVENT_TYPES, SUB_EVENT_TYPES

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: Largest size at which the naive baseline is really built (it is ~linear above).
BASELINE_MAX = 100_000

# Places with roughly the density of reported incidents: front-line oblasts and border regions
# weigh most. (lat, lon, spread in degrees, weight)
_HOTSPOTS = (
    (48.0, 37.8, 0.6, 30),  # Donetsk
    (49.99, 36.23, 0.5, 14),  # Kharkiv
    (47.84, 35.14, 0.5, 12),  # Zaporizhzhia
    (46.64, 32.62, 0.4, 8),  # Kherson
    (50.91, 34.8, 0.5, 6),  # Sumy
    (50.6, 36.6, 0.4, 5),  # Belgorod
    (51.73, 36.19, 0.5, 4),  # Kursk
    (48.57, 39.3, 0.5, 4),  # Luhansk
    (50.45, 30.52, 0.3, 3),  # Kyiv
    (46.48, 30.74, 0.3, 3),  # Odesa
    (49.59, 34.55, 0.4, 2),  # Poltava
    (48.46, 35.04, 0.4, 3),  # Dnipro
    (55.75, 37.62, 0.6, 2),  # Moscow
    (52.61, 39.6, 0.6, 1),  # Lipetsk
    (51.67, 39.2, 0.5, 1),  # Voronezh
    (49.84, 24.03, 0.4, 1),  # Lviv
)


def synthetic_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` fake incidents with the columns and dtypes of :func:`incidents.load_frame`.

    Coordinates cluster on ~3,000 "towns" around hot spots of Ukraine and western Russia (as
    real data does: many incidents share a town's coordinates); 30 % unknown casualties, 3 %
    in shared casualty groups, 10 % claims, 8 % region-level, 12 % "near".
    """
    rng = np.random.default_rng(seed)
    spots = np.array([(a, b, c) for a, b, c, _ in _HOTSPOTS])
    weights = np.array([w for *_, w in _HOTSPOTS], dtype=float)
    n_towns = 3000
    which = rng.choice(len(spots), size=n_towns, p=weights / weights.sum())
    town_lat = np.round(spots[which, 0] + rng.normal(0, 1, n_towns) * spots[which, 2], 5)
    town_lon = np.round(spots[which, 1] + rng.normal(0, 1.4, n_towns) * spots[which, 2], 5)
    town = rng.zipf(1.3, n) % n_towns
    lat, lon = town_lat[town], town_lon[town]

    etype_idx = rng.choice(len(EVENT_TYPES), size=n, p=[0.25, 0.55, 0.06, 0.06, 0.02, 0.06])
    etype = np.array(EVENT_TYPES, dtype=object)[etype_idx]
    sub = np.array([SUB_EVENT_TYPES[t][0] for t in EVENT_TYPES], dtype=object)[etype_idx]
    killed = rng.geometric(0.35, n) - 1
    unknown = rng.random(n) < 0.3
    fat = pd.array(np.where(unknown, 0, killed), dtype="Int64")
    fat[unknown] = pd.NA
    grouped = rng.random(n) < 0.03
    group_ids = np.where(grouped, rng.integers(0, max(n // 60, 1), n), -1)
    group = pd.array(np.char.add("g", group_ids.astype(str)), dtype="string")
    group[~grouped] = pd.NA
    fat[grouped] = pd.NA
    group_fig = pd.array(np.where(grouped, (group_ids * 7) % 23, 0), dtype="Int64")
    group_fig[~grouped] = pd.NA
    status = np.where(rng.random(n) < 0.1, "claimed", "confirmed").astype(object)
    status[rng.random(n) < 0.02] = "disputed"
    claimed_by = np.where(status != "confirmed", "Ministry of Defence", None)
    precision = rng.choice([1, 2, 3], size=n, p=[0.8, 0.12, 0.08])
    ids = np.char.add("SYN", np.arange(n).astype(str))
    dates = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1200, n), unit="D")
    frame = pd.DataFrame(
        {
            "event_id": pd.array(ids, dtype="string"),
            "event_date": dates.astype("datetime64[us]"),
            "time_precision": pd.array(
                rng.choice([1, 2, 3], size=n, p=[0.9, 0.08, 0.02]), dtype="Int64"
            ),
            "disorder_type": pd.array(np.full(n, "Political violence"), dtype="string"),
            "event_type": pd.array(etype, dtype="string"),
            "sub_event_type": pd.array(sub, dtype="string"),
            "actor1": pd.array(np.full(n, "Military Forces of Russia (2000-)"), dtype="string"),
            "actor2": pd.array(np.full(n, "Military Forces of Ukraine (2019-)"), dtype="string"),
            "country": pd.array(np.where(lon > 38.5, "Russia", "Ukraine"), dtype="string"),
            "iso": pd.array(np.where(lon > 38.5, 643, 804), dtype="Int64"),
            "admin1": pd.array(np.char.add("Region ", (town % 40).astype(str)), dtype="string"),
            "admin2": pd.array(np.full(n, None, dtype=object), dtype="string"),
            "location": pd.array(np.char.add("Town ", town.astype(str)), dtype="string"),
            "latitude": lat,
            "longitude": lon,
            "geo_precision": pd.array(precision, dtype="Int64"),
            "source": pd.array(np.full(n, "Synthetic"), dtype="string"),
            "notes": pd.array(
                np.char.add(
                    "On this date, forces shelled the settlement and surrounding areas; local officials reported damage to houses and infrastructure. Event ",
                    ids,
                ),
                dtype="string",
            ),
            "fatalities": fat,
            "fatalities_low": fat.copy(),
            "fatalities_high": fat.copy(),
            "injured": pd.array([pd.NA] * n, dtype="Int64"),
            "injured_low": pd.array([pd.NA] * n, dtype="Int64"),
            "injured_high": pd.array([pd.NA] * n, dtype="Int64"),
            "casualty_group": group,
            "claim_status": pd.array(status, dtype="string"),
            "claimed_by": pd.array(claimed_by, dtype="string"),
            "sources": pd.array(
                np.char.add(
                    np.char.add(
                        '[{"outlet": "Example News", "url": "https://example.org/news/', ids
                    ),
                    '", "published": "2024-01-01", "language": "en"}]',
                ),
                dtype="string",
            ),
            "geo_source": pd.array(np.full(n, "gazetteer"), dtype="string"),
            "geonames_id": pd.array([pd.NA] * n, dtype="Int64"),
        }
    )
    for suffix in ("", "_low", "_high"):
        frame["group_fatalities" + suffix] = group_fig.copy()
        frame["group_injured" + suffix] = pd.array([pd.NA] * n, dtype="Int64")
    return frame


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
