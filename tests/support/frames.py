"""Synthetic incident frames with the columns and dtypes of :func:`incidents.load_frame`.

Shared by the tests and the map benchmarks (``benchmarks.bench_map``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents.taxonomy import EVENT_TYPES, SUB_EVENT_TYPES

__all__ = ["synthetic_frame"]

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
