"""Import and export speed at ACLED scale, beside a naive baseline measured in the same run.

    python -m benchmarks.bench_io [--sizes 100000,1000000]

For each size: a deterministic ACLED-layout CSV (:mod:`tests.support.generate`) is imported
into a fresh SQLite store with :func:`incidents.importer.import_file`, then the whole store is
exported to CSV with :func:`incidents.export.export_incidents` (streamed in chunks). Each step
runs in its own process so that its peak RSS and CPU time (user + system, every thread: on a
shared machine the wall time says little) are its own. The naive baseline reads the file with
``pandas.read_csv``, loops with ``iterrows`` and runs one ``INSERT`` per row (export: one
``SELECT`` cursor and ``csv.writer`` per row); it runs on a sample of at most
:data:`NAIVE_SAMPLE` rows and its rate is extrapolated (the table says so).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

__all__ = ["NAIVE_SAMPLE", "main", "run"]

NAIVE_SAMPLE = 20_000
DEFAULT_SIZES = (100_000, 1_000_000)


def _peak_mib() -> float:
    """This process's peak RSS. VmHWM (Linux) starts afresh at exec, unlike ``ru_maxrss``,
    which a spawned child inherits from the parent it was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> tuple[float, float]:
    """This process's user and system CPU seconds so far (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _generate(csv_path: str, n: int) -> dict:
    from tests.support.generate import generate_acled_csv

    generate_acled_csv(csv_path, n, seed=0)
    return {}


def _import(csv_path: str, db_path: str) -> dict:
    from incidents import Store
    from incidents.importer import import_file

    store = Store.open(f"sqlite:///{db_path}", seed=False)
    base = _peak_mib()
    cpu = _cpu()
    started = time.perf_counter()
    report = import_file(store, csv_path)
    seconds = time.perf_counter() - started
    user, system = (b - a for a, b in zip(cpu, _cpu(), strict=True))
    return {
        "seconds": seconds,
        "user": user,
        "sys": system,
        "rows": report.inserted,
        "rejected": len(report.errors),
        "peak_mib": _peak_mib(),
        "base_mib": base,
    }


def _export(db_path: str, out_path: str) -> dict:
    from incidents import Store
    from incidents.export import export_incidents

    store = Store.open(f"sqlite:///{db_path}", seed=False)
    base = _peak_mib()
    cpu = _cpu()
    started = time.perf_counter()
    rows = export_incidents(store, out_path, format="csv")
    seconds = time.perf_counter() - started
    user, system = (b - a for a, b in zip(cpu, _cpu(), strict=True))
    return {
        "seconds": seconds,
        "user": user,
        "sys": system,
        "rows": rows,
        "peak_mib": _peak_mib(),
        "base_mib": base,
    }


def _naive_import(csv_path: str, db_path: str, sample: int) -> dict:
    import pandas as pd

    base = _peak_mib()
    started = time.perf_counter()
    frame = pd.read_csv(csv_path, nrows=sample, dtype=str, keep_default_na=False)
    conn = sqlite3.connect(db_path)
    columns = list(frame.columns)
    conn.execute(
        f"CREATE TABLE acled ({', '.join(c + ' TEXT' for c in columns)}, PRIMARY KEY (event_id_cnty))"
    )
    sql = f"INSERT INTO acled VALUES ({', '.join('?' for _ in columns)})"
    for _, row in frame.iterrows():
        conn.execute(sql, [None if v == "" else v for v in row.tolist()])
    conn.commit()
    conn.close()
    return {
        "seconds": time.perf_counter() - started,
        "rows": len(frame),
        "peak_mib": _peak_mib(),
        "base_mib": base,
    }


def _naive_export(db_path: str, out_path: str, sample: int) -> dict:
    import csv

    base = _peak_mib()
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    cursor = conn.execute(
        f"SELECT * FROM incidents ORDER BY event_date, event_id LIMIT {int(sample)}"
    )
    rows = 0
    with open(out_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([d[0] for d in cursor.description])
        for record in cursor:
            writer.writerow(record)
            rows += 1
    conn.close()
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "peak_mib": _peak_mib(),
        "base_mib": base,
    }


def _in_child(func, *args) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(func, args)


def run(sizes=DEFAULT_SIZES, *, workdir: str | None = None) -> list[dict]:
    """Measure every size; one dict per (size, step) with seconds, rows/s, peak RSS and baseline."""
    results: list[dict] = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp_path = Path(tmp)
        for n in sizes:
            csv_path = tmp_path / f"acled-{n}.csv"
            _in_child(_generate, str(csv_path), n)  # in a child: this process stays small
            mib = csv_path.stat().st_size / 2**20
            db = tmp_path / f"store-{n}.sqlite"
            sample = min(n, NAIVE_SAMPLE)
            naive_in = _in_child(
                _naive_import, str(csv_path), str(tmp_path / f"naive-{n}.sqlite"), sample
            )
            ours_in = _in_child(_import, str(csv_path), str(db))
            naive_out = _in_child(_naive_export, str(db), str(tmp_path / f"naive-{n}.csv"), sample)
            ours_out = _in_child(_export, str(db), str(tmp_path / f"out-{n}.csv"))
            for step, ours, naive in (
                ("import", ours_in, naive_in),
                ("export csv", ours_out, naive_out),
            ):
                rate = ours["rows"] / ours["seconds"]
                naive_rate = naive["rows"] / naive["seconds"]
                results.append(
                    {
                        "size": n,
                        "step": step,
                        "file_mib": round(mib, 1),
                        "seconds": round(ours["seconds"], 2),
                        "cpu_user": round(ours["user"], 2),
                        "cpu_sys": round(ours["sys"], 2),
                        "rows_per_s": round(rate),
                        "peak_rss_mib": round(ours["peak_mib"]),
                        "naive_rows_per_s": round(naive_rate),
                        "naive_rows_measured": naive["rows"],
                        "naive_seconds_extrapolated": round(n / naive_rate, 1),
                        "speedup": round(rate / naive_rate, 1),
                        "rejected": ours.get("rejected", 0),
                    }
                )
            for path in (csv_path, db, tmp_path / f"out-{n}.csv"):
                path.unlink(missing_ok=True)
    return results


def format_table(results: list[dict]) -> str:
    head = f"{'rows':>10} {'step':<11} {'file MiB':>8} {'seconds':>8} {'CPU user+sys':>14} {'rows/s':>10} {'peak RSS':>9} {'naive rows/s':>13} {'naive s (extrap.)':>18} {'speed-up':>8}"
    lines = [head, "-" * len(head)]
    for r in results:
        sample = (
            ""
            if r["naive_rows_measured"] >= r["size"]
            else f" (sample {r['naive_rows_measured']:,})"
        )
        cpu = f"{r['cpu_user']:.1f}+{r['cpu_sys']:.1f} s"
        lines.append(
            f"{r['size']:>10,} {r['step']:<11} {r['file_mib']:>8} {r['seconds']:>8.2f} "
            f"{cpu:>14} {r['rows_per_s']:>10,} "
            f"{r['peak_rss_mib']:>6} MiB {r['naive_rows_per_s']:>13,} {r['naive_seconds_extrapolated']:>18}{sample} {r['speedup']:>7}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, sizes=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_io", description="Import/export benchmark."
    )
    parser.add_argument(
        "--sizes", default=None, help="comma-separated row counts (default 100000,1000000)"
    )
    args = parser.parse_args(argv if argv is not None else ([] if sizes is not None else None))
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    results = run(sizes or DEFAULT_SIZES)
    print(format_table(results))
    print(
        f"(naive baseline: pandas.read_csv + iterrows + one INSERT per row; csv.writer per row for export; "
        f"measured on at most {NAIVE_SAMPLE:,} rows and extrapolated; cpus={os.cpu_count()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
