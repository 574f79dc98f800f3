"""The store's backends side by side: SQLite (embedded) and PostgreSQL (+ PostGIS).

    python -m benchmarks.bench_store [--sizes 100000,1000000] [--pg URL]

For each size, one deterministic ACLED-layout CSV (:mod:`benchmarks.generate`) is imported
into a fresh store of each backend with :func:`incidents.importer.import_file` (no snapshot
refresh: the store alone), then the whole store is exported to CSV straight from the database
(no columnar snapshot). Then the same file is imported into another fresh store the way
``python -m incidents import`` does it (the snapshot written at the end, from the rows the
import kept aside), and that store exported the way ``python -m incidents export`` then does
it (from the snapshot). Then, up to 100k rows, two processes import two different files of
that size into one store of each backend at the same time; the row count is checked. Each step
runs in its own process; ``cpu`` is that process's CPU time (user + system), ``server`` the
CPU time the PostgreSQL server's processes used meanwhile (read from ``/proc``: shown for a
server on this machine, ``-`` otherwise), ``load`` the machine's 1-minute load average at the
end (the machine may be shared: wall times then include waiting for a core; CPU times much
less so). ``--backends postgresql`` runs one backend only.

PostgreSQL: ``--pg URL`` (or ``BENCH_PG_URL``) names a database to use (each size gets a new
schema in it); without one, a throw-away server is started like the tests' (Debian's
``postgresql`` and ``postgis`` packages, ``tests/support/pgserver.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["main", "run"]

DEFAULT_SIZES = (100_000, 1_000_000)
#: The concurrent imports run at this size and below (two 1M imports would double the run).
CONCURRENT_MAX = 100_000


def _generate(csv_path: str, n: int, prefix: str) -> dict:
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from tests.support.generate import generate_acled_csv

    generate_acled_csv(csv_path, n, seed=0)
    if prefix:  # the same rows under other ids: a second, disjoint file
        table = pacsv.read_csv(csv_path)
        ids = pc.binary_join_element_wise(prefix, table["event_id_cnty"], "")
        table = table.set_column(
            table.schema.get_field_index("event_id_cnty"), "event_id_cnty", ids
        )
        pacsv.write_csv(table, csv_path)
    return {}


def postmaster_pid(url: str) -> int | None:
    """The process id of the PostgreSQL server at ``url`` when it runs on this machine (the
    parent of our connection's backend), else None."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    engine.dispose()
    try:
        stat = Path(f"/proc/{backend}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def server_cpu(postmaster: int | None) -> float | None:
    """CPU seconds (user + system) used so far by the server ``postmaster`` and its processes
    (those gone included: the parent's reaped children's time); None without one."""
    if postmaster is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        values = stat[stat.rindex(")") + 2 :].split()
        if int(entry.name) == postmaster:
            total += sum(int(v) for v in values[11:15])  # itself and reaped children
        elif int(values[1]) == postmaster:
            total += sum(int(v) for v in values[11:13])
    return total / ticks


def _timed(step, postmaster: int | None) -> dict:
    server = server_cpu(postmaster)
    started, cpu = time.perf_counter(), time.process_time()
    out = step()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = server_cpu(postmaster)
    used = after - server if server is not None and after is not None else None
    return {"seconds": seconds, "cpu": cpu, "server": used, **out}


def _import(csv_path: str, url: str, postmaster: int | None = None, snapshot: bool = False) -> dict:
    from incidents import Store
    from incidents.importer import import_file

    store = Store.open(url, seed=False)

    def step() -> dict:
        report = import_file(store, csv_path, refresh_snapshot=snapshot)
        return {"rows": report.inserted, "rejected": len(report.errors)}

    out = _timed(step, postmaster)
    store.engine.dispose()
    return out


def _export(url: str, out_path: str, postmaster: int | None = None) -> dict:
    from incidents import Store
    from incidents.export import export_incidents

    store = Store.open(url, seed=False)
    out = _timed(lambda: {"rows": export_incidents(store, out_path, format="csv")}, postmaster)
    store.engine.dispose()
    return out


def _count(url: str) -> int:
    from incidents import Store

    store = Store.open(url, seed=False)
    count = store.count()
    store.engine.dispose()
    return count


def _in_child(func, *args):
    """``func(*args)`` in a new process (a child that dies raises BrokenProcessPool, no hang)."""
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def _schema_url(base: str) -> str:
    """A new schema in the database at ``base``: a fresh, empty store."""
    import sqlalchemy as sa

    name = "bench_" + uuid.uuid4().hex[:10]
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    engine.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name},public"


def _new_store(backend: str, sqlite_path: Path, pg_base: str) -> str:
    return f"sqlite:///{sqlite_path}" if backend == "sqlite" else _schema_url(pg_base)


@contextlib.contextmanager
def _postgres(url: str | None):
    if url:
        yield url
        return
    from tests.support.pgserver import running_server

    with running_server() as server:
        yield server.create_database()


def run(
    sizes=DEFAULT_SIZES, *, pg_url: str | None = None, backends=("sqlite", "postgresql")
) -> list[dict]:
    results: list[dict] = []
    use_pg = "postgresql" in backends
    with tempfile.TemporaryDirectory() as tmp, _postgres(pg_url if use_pg else "-") as pg_base:
        tmp_path = Path(tmp)
        postmaster = postmaster_pid(pg_base) if use_pg else None
        os.environ["INCIDENTS_CACHE_DIR"] = str(tmp_path / "cache")
        for n in sizes:
            first, second = tmp_path / f"a-{n}.csv", tmp_path / f"b-{n}.csv"
            _in_child(_generate, str(first), n, "")
            if n <= CONCURRENT_MAX:
                _in_child(_generate, str(second), n, "B")
            for backend in backends:
                url = _new_store(backend, tmp_path / f"store-{n}.sqlite", pg_base)
                pm = postmaster if backend == "postgresql" else None
                loaded = _in_child(_import, str(first), url, pm)
                exported = _in_child(_export, url, str(tmp_path / "out.csv"), pm)
                url = _new_store(backend, tmp_path / f"snap-{n}.sqlite", pg_base)
                with_snapshot = _in_child(_import, str(first), url, pm, True)
                from_snapshot = _in_child(_export, url, str(tmp_path / "out.csv"), pm)
                for step, r in (
                    ("import", loaded),
                    ("export csv (db)", exported),
                    ("import + snapshot", with_snapshot),
                    ("export csv (snap)", from_snapshot),
                ):
                    results.append(
                        {"size": n, "backend": backend, "step": step, **r, "check": _load()}
                    )
            if n > CONCURRENT_MAX:
                continue
            for backend in backends:
                url = _new_store(backend, tmp_path / f"both-{n}.sqlite", pg_base)
                _in_child(_count, url)  # creates the store before both writers start
                server = server_cpu(postmaster if backend == "postgresql" else None)
                started = time.perf_counter()
                with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
                    both = [pool.submit(_import, str(f), url) for f in (first, second)]
                    outs = [job.result() for job in both]
                seconds = time.perf_counter() - started
                after = server_cpu(postmaster if backend == "postgresql" else None)
                stored = _in_child(_count, url)
                results.append(
                    {
                        "size": n,
                        "backend": backend,
                        "step": "2 imports at once",
                        "seconds": seconds,
                        "cpu": sum(o["cpu"] for o in outs),
                        "server": after - server if server is not None and after else None,
                        "rows": sum(o["rows"] for o in outs),
                        "check": f"{stored:,} stored of {2 * n:,}; {_load()}",
                    }
                )
            for path in (first, second, tmp_path / "out.csv"):
                path.unlink(missing_ok=True)
    return results


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def format_table(results: list[dict]) -> str:
    head = (
        f"{'rows':>10} {'backend':<11} {'step':<18} {'seconds':>8} {'cpu s':>7} {'server s':>8} "
        f"{'rows/s':>10}  check"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        server = "-" if r.get("server") is None else f"{r['server']:.2f}"
        lines.append(
            f"{r['size']:>10,} {r['backend']:<11} {r['step']:<18} {r['seconds']:>8.2f} "
            f"{r['cpu']:>7.2f} {server:>8} {rate:>10,.0f}  {r['check']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, sizes=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_store", description="SQLite and PostgreSQL stores."
    )
    parser.add_argument("--sizes", default=None, help="comma-separated row counts")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"), help="PostgreSQL URL")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    args = parser.parse_args(argv if argv is not None else ([] if sizes is not None else None))
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown or not backends:
        parser.error(f"--backends: unknown {', '.join(sorted(unknown)) or '(none given)'}")
    print(format_table(run(sizes or DEFAULT_SIZES, pg_url=args.pg, backends=backends)))
    print(
        f"(cpus={os.cpu_count()}; cpu s = the importing/exporting process, server s = the "
        "PostgreSQL server's processes on this machine; import: without snapshot refresh; "
        "export (db): from the database; import + snapshot, export (snap): as the CLI does)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
