"""``python -m incidents``: import, export and list incidents (a thin layer over the library).

Exit status: 0 success, 1 rejected rows or an error, 2 bad usage. Expected errors print one
clear message on stderr, never a traceback. The store is ``--db URL`` or ``INCIDENTS_DB``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import pandas as pd

from .exc import ImportRejected, IncidentsError, RowError
from .filters import UNKNOWN_CHOICES, FilterError, IncidentFilter
from .schema import CLAIM_STATUSES

__all__ = ["main"]

MAX_SHOWN_ERRORS = 50


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _add_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (as in the dashboard)")
    g.add_argument("--start", type=_date, help="first date, YYYY-MM-DD")
    g.add_argument("--end", type=_date, help="last date, YYYY-MM-DD")
    for name in ("min-killed", "max-killed", "min-injured", "max-injured"):
        g.add_argument(f"--{name}", type=_count, metavar="N")
    g.add_argument(
        "--unknown",
        choices=UNKNOWN_CHOICES,
        default="include",
        help="incidents with unknown casualties",
    )
    g.add_argument("--event-type", action="append", default=[], metavar="TYPE", help="repeatable")
    g.add_argument("--country", action="append", default=[], metavar="NAME", help="repeatable")
    g.add_argument("--admin1", action="append", default=[], metavar="NAME", help="repeatable")
    g.add_argument(
        "--claim", action="append", default=[], choices=CLAIM_STATUSES, help="repeatable"
    )
    g.add_argument("--text", default="", help="words in location, notes or admin1")


def _filter(a: argparse.Namespace) -> IncidentFilter:
    return IncidentFilter(
        start=a.start,
        end=a.end,
        min_killed=a.min_killed,
        max_killed=a.max_killed,
        min_injured=a.min_injured,
        max_injured=a.max_injured,
        unknown=a.unknown,
        event_types=tuple(a.event_type),
        countries=tuple(a.country),
        admin1=tuple(a.admin1),
        claim_statuses=tuple(a.claim),
        text=a.text,
    )


def _store(a: argparse.Namespace):
    from .store import Store

    return Store.open(a.db)


def _geocoder(a: argparse.Namespace):
    """The chain for ``--geocode``: the offline gazetteer, then Nominatim with ``--online UA``."""
    if not (a.geocode or a.online):
        return None
    from geodata import GeocoderChain, NominatimProvider, ResultCache

    providers = (NominatimProvider(user_agent=a.online),) if a.online else ()
    return GeocoderChain(providers=providers, cache=ResultCache() if providers else None)


def cmd_import(a: argparse.Namespace) -> int:
    from .importer import import_file

    try:
        report = import_file(
            _store(a),
            a.path,
            format=a.format,
            strict=a.strict,
            on_conflict=a.on_conflict,
            acled_zeros=a.acled_zeros,
            geocoder=_geocoder(a),
        )
    except ImportRejected as err:
        _print_errors([str(e) for e in err.errors])
        _print_hints(err.errors, a)
        print(f"error: {err}", file=sys.stderr)
        return 1
    _print_errors([report.describe(e) for e in report.errors])
    _print_hints(report.errors, a)
    print(
        f"{report.format}: {report.inserted:,} inserted, {report.replaced:,} replaced, "
        f"{report.skipped:,} skipped, {len(report.errors):,} rejected (store revision {report.revision})"
    )
    return 1 if report.errors else 0


def _print_errors(lines: list[str]) -> None:
    for text in lines[:MAX_SHOWN_ERRORS]:
        print(f"rejected: {text}", file=sys.stderr)
    if len(lines) > MAX_SHOWN_ERRORS:
        print(f"rejected: ... and {len(lines) - MAX_SHOWN_ERRORS:,} more", file=sys.stderr)


def import_hints(errors: Sequence[RowError], a: argparse.Namespace) -> list[str]:
    """The options of ``import`` that would have taken the rejected rows in (the library's
    messages name its arguments, not our flags)."""
    hints = []
    if not a.geocode and any(
        e.field in ("latitude", "longitude") and e.message.startswith("is required") for e in errors
    ):
        hints.append("--geocode places rows without coordinates from their location")
    if a.on_conflict == "error" and any(
        e.field == "event_id" and e.message.startswith("already in the store") for e in errors
    ):
        hints.append("--on-conflict replace (or skip) imports event ids already stored")
    return hints


def _print_hints(errors: Sequence[RowError], a: argparse.Namespace) -> None:
    for text in import_hints(errors, a):
        print(f"hint: {text}", file=sys.stderr)


def cmd_export(a: argparse.Namespace) -> int:
    from .export import export_incidents

    rows = export_incidents(_store(a), a.out, format=a.format, flt=_filter(a), excel=a.excel)
    print(f"{rows:,} incidents written to {a.out} ({a.format})")
    return 0


def summary(frame, flt: IncidentFilter, *, latest: int = 10) -> str:
    """A readable summary: count, dates, event types, totals (with unknowns), latest incidents."""
    from .filters import apply_filter
    from .totals import casualty_totals

    frame = apply_filter(frame, flt)
    if not len(frame):
        return "No incidents match."
    totals = casualty_totals(frame)
    first, last = frame["event_date"].min().date(), frame["event_date"].max().date()
    out = [f"{len(frame):,} incidents, {first} to {last}", "", "By event type:"]
    for name, n in frame["event_type"].value_counts().items():
        out.append(f"  {n:>9,}  {name}")
    out += ["", f"Killed:  {totals.killed.describe()}", f"Injured: {totals.injured.describe()}"]
    if totals.shared_figures:
        out.append(f"({totals.shared_figures:,} shared figures, each counted once)")
    if latest:
        out += ["", "Latest:"]
        recent = frame.sort_values(["event_date", "event_id"], ascending=False).head(latest)
        for r in recent.itertuples():
            place = ", ".join(
                str(x) for x in (r.location, r.admin1, r.country) if isinstance(x, str)
            )
            killed = "?" if r.fatalities is None or r.fatalities is pd.NA else r.fatalities
            killed = "shared" if isinstance(r.casualty_group, str) else killed
            out.append(
                f"  {r.event_date.date()}  {r.event_id:<18} {r.sub_event_type:<34} {place[:40]:<40} killed {killed}"
            )
    return "\n".join(out)


def cmd_list(a: argparse.Namespace) -> int:
    from .snapshot import load_frame

    print(summary(load_frame(_store(a)), _filter(a), latest=a.latest))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .export import EXPORT_FORMATS
    from .formats import FORMATS, ZERO_CHOICES

    parser = argparse.ArgumentParser(
        prog="python -m incidents", description="Import, export and list incidents."
    )
    parser.add_argument("--db", help="store URL (default: $INCIDENTS_DB or data/incidents.sqlite)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import", help="import a CSV, ACLED, UCDP GED, GeoJSON or JSON file")
    p.add_argument("path")
    p.add_argument("--format", choices=FORMATS, default="auto")
    p.add_argument("--strict", action="store_true", help="import nothing if any row is rejected")
    p.add_argument(
        "--on-conflict",
        choices=("error", "skip", "replace"),
        default="error",
        help="what to do with event ids already in the store",
    )
    p.add_argument(
        "--geocode",
        action="store_true",
        help="place rows without coordinates with the offline gazetteer (abstentions are rejected rows)",
    )
    p.add_argument(
        "--online",
        metavar="USER_AGENT",
        help="with --geocode, also ask Nominatim (1 request/s) identifying as USER_AGENT",
    )
    p.add_argument(
        "--acled-zeros",
        choices=ZERO_CHOICES,
        default="unknown",
        help="ACLED's 0 fatalities means 'no information': import it as unknown (default) or keep it",
    )
    p.set_defaults(run=cmd_import)
    p = sub.add_parser("export", help="export the (filtered) incidents")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument(
        "--excel", action="store_true", help="CSV for Excel: UTF-8 BOM and CRLF line ends"
    )
    _add_filters(p)
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("list", help="summary of the (filtered) incidents")
    p.add_argument(
        "--latest", type=_count, default=10, metavar="N", help="how many recent incidents to show"
    )
    _add_filters(p)
    p.set_defaults(run=cmd_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except FilterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except IncidentsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
