"""Command line: ``python -m geodata geocode|reverse|build-index|places``. Thin over the library."""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import json
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from geodata.chain import GeocoderChain
from geodata.exc import GeodataError
from geodata.gazetteer import Gazetteer
from geodata.results import Candidate, GeocodeResult

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["build_parser", "main"]

_PRECISION = {1: "town", 2: "near town", 3: "region"}
#: The incident store's default SQLite file (as geodata.places.default_url names it).
_DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "incidents.sqlite"
#: Distinct batch rows whose answers are kept for rows that repeat them.
_BATCH_MEMO_ROWS = 100_000
#: Rows read at a time by ``geocode --batch``; their new distinct rows are shared out between
#: the processes when there are at least ``_PARALLEL_MIN`` of them.
_BATCH_BLOCK = 20_000
_PARALLEL_MIN = 1_000
_MAX_JOBS = 4
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # a 10 MB cell must be read (then rejected), not crash csv


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m geodata", description="Offline multilingual geocoder (GeoNames)."
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="index/cache directory (default $GEODATA_CACHE_DIR or data/cache)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("geocode", help="resolve a place name, or a CSV of them with --batch")
    g.add_argument("query", nargs="?", help="place name as written in the report")
    g.add_argument("--country", help="ISO 3166-1 alpha-2 hint (hard filter)")
    g.add_argument("--admin1", help="region hint in any language (hard filter)")
    g.add_argument("--context", help="the sentence the name was read in (hints are read from it)")
    g.add_argument("--near", help="a place the answer must lie near")
    g.add_argument(
        "--db",
        default=None,
        help="database with the team's places table (default $INCIDENTS_DB or the store's file)",
    )
    g.add_argument("--json", action="store_true", help="print one JSON object")
    g.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.csv",
        help="CSV with columns query[,country,admin1,context]; JSON lines out",
    )
    g.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="processes answering a --batch (default: the CPUs this process may use, at most "
        f"{_MAX_JOBS}; 1: this process alone); offline batches only",
    )
    g.add_argument(
        "--online",
        action="store_true",
        help="ask Nominatim when the gazetteer abstains (needs --user-agent)",
    )
    g.add_argument(
        "--user-agent",
        default=os.environ.get("GEODATA_USER_AGENT"),
        help="identifying Nominatim user agent",
    )
    g.add_argument("--nominatim-domain", default="nominatim.openstreetmap.org")
    g.add_argument("--nominatim-scheme", default="https")
    g.add_argument("--timeout", type=float, default=10.0)

    r = sub.add_parser("reverse", help="country and admin1 of a point")
    r.add_argument("lat", type=float)
    r.add_argument("lon", type=float)
    r.add_argument("--json", action="store_true")

    sub.add_parser("build-index", help="build (or rebuild) the gazetteer index and report timings")

    pl = sub.add_parser("places", help="the team's own places (consulted before open sources)")
    pl.add_argument("--db", default=None, help="SQLAlchemy URL (default $INCIDENTS_DB)")
    psub = pl.add_subparsers(dest="places_command", required=True)
    add = psub.add_parser("add", help="add a place")
    add.add_argument("name")
    add.add_argument("--lat", type=float, required=True)
    add.add_argument("--lon", type=float, required=True)
    add.add_argument("--author", required=True)
    add.add_argument("--provenance", required=True, help="where the coordinate comes from")
    add.add_argument("--country", help="ISO 3166-1 alpha-2")
    add.add_argument("--admin1", help="region, any language")
    add.add_argument("--alias", action="append", default=[], help="another spelling (repeatable)")
    add.add_argument("--kind", default="settlement")
    add.add_argument("--note")
    ls = psub.add_parser("list", help="list the places")
    ls.add_argument("--json", action="store_true")
    rm = psub.add_parser("remove", help="remove a place by id")
    rm.add_argument("place_id", type=int)
    return p


def _places(args: argparse.Namespace, out: IO[str]) -> int:
    from geodata.places import PlaceStore

    store = PlaceStore.open(args.db)
    if args.places_command == "add":
        place = store.add(
            args.name,
            args.lat,
            args.lon,
            author=args.author,
            provenance=args.provenance,
            country=args.country,
            admin1=args.admin1,
            aliases=args.alias,
            kind=args.kind,
            note=args.note,
        )
        print(json.dumps(place.to_dict(), ensure_ascii=False), file=out)
        return 0
    if args.places_command == "list":
        for place in store.all():
            if args.json:
                print(json.dumps(place.to_dict(), ensure_ascii=False), file=out)
            else:
                print(
                    f"#{place.place_id}  {place.name}  {place.latitude}, {place.longitude}  "
                    f"{place.country or ''} {place.admin1 or ''}  by {place.author} "
                    f"{place.created}  ({place.provenance})",
                    file=out,
                )
        return 0
    if not store.remove(args.place_id):
        print(f"error: no place #{args.place_id}", file=sys.stderr)
        return 1
    return 0


def _with_team_places(gaz: Gazetteer, db: str | None) -> Gazetteer:
    """The gazetteer with the team's places of *db* (none when the table does not exist)."""
    url = db or os.environ.get("INCIDENTS_DB") or ""
    if not url or url.startswith("sqlite:///"):
        # A quick look with sqlite3 first: SQLAlchemy costs a fifth of a second to import.
        path = Path(url.removeprefix("sqlite:///")) if url else _DEFAULT_DB
        if not _sqlite_has_places(path):
            return gaz
    from geodata.places import PlaceStore, default_url

    places = PlaceStore.open(url or default_url(), create=False).all()
    return gaz.with_places(places) if places else gaz


def _sqlite_has_places(path: Path) -> bool:
    """True when the SQLite file *path* may hold team places (an unreadable file: True, so
    that the store reports the problem)."""
    if not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT 1 FROM places LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError as exc:
        return "no such table" not in str(exc)
    except sqlite3.Error:
        return True


def _chain(args: argparse.Namespace, gaz: Gazetteer) -> GeocoderChain:
    if not args.online:
        return GeocoderChain(gazetteer=gaz)
    from geodata.cache import ResultCache
    from geodata.providers.nominatim import NominatimProvider

    provider = NominatimProvider(
        user_agent=args.user_agent or "",
        domain=args.nominatim_domain,
        scheme=args.nominatim_scheme,
        timeout=args.timeout,
    )
    cache = ResultCache(args.cache_dir / "online-results.sqlite" if args.cache_dir else None)
    return GeocoderChain(gazetteer=gaz, providers=[provider], cache=cache)


def _readable(res: GeocodeResult, out: IO[str]) -> None:
    if res.ok:
        print(f"{res.name}  ({res.country}, {res.admin1})  {res.lat}, {res.lon}", file=out)
        print(
            f"  precision {res.precision} ({_PRECISION.get(res.precision or 0, '?')})  confidence {res.confidence}"
            f"  source {res.source}  geonames {res.geonames_id}",
            file=out,
        )
        print(f"  {res.reason}", file=out)
    else:
        print(f"ABSTAINED: {res.reason}", file=out)
    others = res.candidates[1:] if res.ok else res.candidates
    if others:
        print("  candidates:" if not res.ok else "  also considered:", file=out)
        for c in others[:10]:
            where = ", ".join(x for x in (c.country, c.admin1, c.admin2) if x)
            ids = "  ".join(
                x
                for x in (
                    f"geonames {c.geonames_id}" if c.geonames_id else "",
                    f"pcode {c.pcode}" if c.pcode else "",
                    f"({c.name_class} name)" if c.name_class else "",
                )
                if x
            )
            print(f"    {c.name} ({where}) {c.lat}, {c.lon}  pop {c.population}  {ids}", file=out)


#: The batch CSV's columns read (others are ignored).
_BATCH_COLUMNS = ("query", "country", "admin1", "context")


def _candidate_fields(obj: object) -> dict[str, object]:
    if isinstance(obj, Candidate):
        return obj.__dict__  # its fields in order, as Candidate.to_dict copies them
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


#: ``json.dumps(result.to_dict(), ensure_ascii=False)`` read straight from the result's fields
#: (tuples encode as lists): no encoder built per row, no dicts copied.
_JSON = json.JSONEncoder(ensure_ascii=False, default=_candidate_fields)


def _batch_line(res: GeocodeResult) -> str:
    """One line of ``geocode --batch`` output: the JSON of ``res.to_dict()``."""
    return _JSON.encode(res.__dict__) + "\n"


_Key = tuple[str, str | None, str | None, str | None]


def _lines(chain: GeocoderChain, keys: list[_Key]) -> list[str]:
    """Batch lines for *keys*, in order."""
    return [_batch_line(chain.geocode(q, country=c, admin1=a, context=x)) for q, c, a, x in keys]


#: In a worker process of a parallel batch: the chain it answers with, handed over by
#: :func:`_start_worker` when the worker is forked (so it shares the loaded index).
_WORKER_CHAIN: GeocoderChain | None = None


def _start_worker(chain: GeocoderChain) -> None:
    global _WORKER_CHAIN
    _WORKER_CHAIN = chain


def _answer(keys: list[_Key]) -> list[str]:
    """:func:`_lines` in a worker process."""
    assert _WORKER_CHAIN is not None
    return _lines(_WORKER_CHAIN, keys)


def _default_jobs() -> int:
    return max(1, min(_MAX_JOBS, len(os.sched_getaffinity(0))))


class _Answers:
    """Lines for distinct batch rows, from this process or from forked workers."""

    def __init__(self, chain: GeocoderChain, jobs: int) -> None:
        self.chain = chain
        # Online answers go through one rate-limited client and its cache: this process only.
        # The workers are forked (they share the loaded index): POSIX only.
        self.jobs = jobs if not chain.providers and os.name == "posix" else 1
        self.pool: ProcessPoolExecutor | None = None

    def lines(self, keys: list[_Key]) -> list[str]:
        if self.jobs < 2 or len(keys) < _PARALLEL_MIN:
            return _lines(self.chain, keys)
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Forked, the workers get the chain as it is in memory (nothing is pickled).
            self.pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.chain,),
            )
        size = -(-len(keys) // (self.jobs * 4))  # a few chunks per worker: an even finish
        chunks = [keys[i : i + size] for i in range(0, len(keys), size)]
        return [line for part in self.pool.map(_answer, chunks) for line in part]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _batch(path: Path, chain: GeocoderChain, out: IO[str], *, jobs: int | None = None) -> int:
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        fh = path.open(newline="", encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    answers = _Answers(chain, _default_jobs() if jobs is None else jobs)
    with fh, contextlib.closing(answers):
        reader = csv.reader(fh)
        header = [(f or "").strip() for f in next(reader, None) or []]
        if "query" not in header:
            print(
                "error: batch CSV needs a 'query' column (optional: country, admin1)",
                file=sys.stderr,
            )
            return 2
        # a column named twice: the last one counts (as csv.DictReader has it)
        where = {name: i for i, name in enumerate(header)}
        q, c, a, x = (where.get(name, len(header)) for name in _BATCH_COLUMNS)
        # Offline answers depend on the row alone: a row seen before is written again from
        # memory (batches of dispatches repeat the same places many times).
        remember = not chain.providers
        seen: dict[_Key, str] = {}  # at most _BATCH_MEMO_ROWS
        while block := list(itertools.islice(reader, _BATCH_BLOCK)):
            keys: list[_Key] = []
            for values in block:
                if not values:
                    continue  # a blank line
                n = len(values)
                keys.append(
                    (
                        values[q] if q < n else "",
                        (values[c] if c < n else "").strip() or None,
                        (values[a] if a < n else "").strip() or None,
                        (values[x] if x < n else "").strip() or None,
                    )
                )
            if not remember:  # online: each answer written as soon as it comes
                for key in keys:
                    out.write(answers.lines([key])[0])
                continue
            new = list(dict.fromkeys(key for key in keys if key not in seen))
            found = dict(zip(new, answers.lines(new), strict=True))
            out.writelines(seen.get(key) or found[key] for key in keys)
            room = _BATCH_MEMO_ROWS - len(seen)
            if room > 0:
                seen.update(itertools.islice(found.items(), room))
    return 0


def main(argv: Sequence[str] | None = None, *, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "build-index":
            t0 = time.perf_counter()
            gaz = Gazetteer.load(cache_dir=args.cache_dir, rebuild=True)
            t1 = time.perf_counter()
            Gazetteer.load(cache_dir=args.cache_dir)
            t2 = time.perf_counter()
            print(
                json.dumps(
                    {
                        **gaz.index.meta,
                        "build_and_save_s": round(t1 - t0, 2),
                        "load_s": round(t2 - t1, 3),
                    }
                ),
                file=out,
            )
            return 0
        if args.command == "places":
            return _places(args, out)
        gaz = Gazetteer.load(cache_dir=args.cache_dir)
        if args.command == "reverse":
            rev = gaz.reverse(args.lat, args.lon)
            if args.json:
                print(json.dumps(rev.to_dict(), ensure_ascii=False), file=out)
            else:
                print(
                    f"{rev.country}, {rev.admin1}  (nearest: {rev.nearest_name}, {rev.distance_km} km)",
                    file=out,
                )
            return 0
        chain = _chain(args, _with_team_places(gaz, args.db))
        if args.batch is not None:
            if args.jobs is not None and args.jobs < 1:
                parser.error("--jobs needs a number of processes, at least 1")
            return _batch(args.batch, chain, out, jobs=args.jobs)
        if args.query is None:
            parser.error("geocode needs QUERY or --batch FILE.csv")
        res = chain.geocode(
            args.query,
            country=args.country,
            admin1=args.admin1,
            context=args.context,
            near=args.near,
        )
        if not res.ok and (res.reason or "").startswith("invalid input"):
            print(f"error: {res.reason}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(res.to_dict(), ensure_ascii=False), file=out)
        else:
            _readable(res, out)
        return 0 if res.ok else 1
    except GeodataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
