"""``python -m incidents``: import, export and list incidents, upgrade the store's schema (a thin
layer over the library).

Exit status: 0 success, 1 rejected rows or an error, 2 bad usage. Expected errors print one
clear message on stderr, never a traceback. The store is ``--db URL`` or ``INCIDENTS_DB``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .exc import ImportRejected, IncidentsError, RowError
from .filters import UNKNOWN_CHOICES, FilterError, IncidentFilter
from .schema import CLAIM_STATUSES

__all__ = ["main"]

MAX_SHOWN_ERRORS = 50
#: Characters a terminal would act on rather than show: C0 and C1 controls (escape sequences,
#: bell, carriage return...), DEL and the bidirectional overrides that reorder a line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\u202e``): records and
    file names may carry terminal escape sequences; the terminal must show, never run them."""
    return _UNSAFE.sub(lambda m: ascii(m.group())[1:-1], str(text))


def _say(text: object, *, file=None) -> None:
    print(printable(text), file=file or sys.stdout)


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
    """The chain for ``--geocode``: the team's places (the store's ``places`` table), the offline
    gazetteer, then Nominatim with ``--online UA``."""
    if not (a.geocode or a.online):
        return None
    from geodata import Gazetteer, GeocoderChain, NominatimProvider, PlaceStore, ResultCache

    team = PlaceStore.open(a.db, create=False).all()
    gazetteer = Gazetteer.default().with_places(team) if team else None
    providers = (NominatimProvider(user_agent=a.online),) if a.online else ()
    return GeocoderChain(
        gazetteer=gazetteer, providers=providers, cache=ResultCache() if providers else None
    )


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name.strip(), value


def _value_pair(text: str) -> tuple[str, str, str]:
    column, sep, rest = text.partition(":")
    theirs, sep2, ours = rest.partition("=")
    if not (sep and sep2 and column.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not COLUMN:THEIRS=OURS")
    return column.strip(), theirs, ours


def _mapping(a: argparse.Namespace):
    """The column mapping of ``--mapping FILE``, ``--map``, ``--set`` and ``--value`` (or None)."""
    from .formats import ColumnMapping

    if not (a.mapping or a.map or a.set or a.value):
        return None
    values: dict[str, dict[str, str]] = {}
    for column, theirs, ours in a.value:
        values.setdefault(column, {})[theirs] = ours
    given = ColumnMapping(dict(a.map), dict(a.set), values)
    return ColumnMapping.from_file(a.mapping).merged(given) if a.mapping else given


def cmd_import(a: argparse.Namespace) -> int:
    from .importer import import_file
    from .progress import terminal_progress

    progress = terminal_progress()
    try:
        report = import_file(
            _store(a),
            a.path,
            format=a.format,
            strict=a.strict,
            on_conflict=a.on_conflict,
            acled_zeros=a.acled_zeros,
            date_order=a.date_order,
            mapping=_mapping(a),
            geocoder=_geocoder(a),
            dry_run=a.dry_run,
            progress=progress,
            who=a.who,
        )
    except ImportRejected as err:
        _print_errors([str(e) for e in err.errors])
        _print_hints(err.errors, a)
        _say(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.close()
    for key, words in report.conventions.items():
        print(f"found: {key}: {words}", file=sys.stderr)
    _print_errors(
        [report.describe(e) for e in report.errors],
        limit=None if a.dry_run else MAX_SHOWN_ERRORS,
    )
    _print_hints(report.errors, a)
    if report.dry_run:
        for known in report.known:
            _say(f"stored: {report.describe(known)}", file=sys.stderr)
        if report.preview is not None and len(report.preview):
            with pd.option_context("display.width", 200, "display.max_columns", 12):
                _say(report.preview.dropna(axis=1, how="all").to_string(index=False))
        print(
            f"{report.format}: dry run, nothing written: {report.valid:,} valid, "
            f"{len(report.errors):,} rejected"
            + (
                f", {len(report.known):,} already stored (would be {a.on_conflict}"
                f"{'d' if a.on_conflict == 'replace' else 'ped'})"
                if report.known
                else ""
            )
        )
        return 1 if report.errors else 0
    _say(
        f"{report.format}: {report.inserted:,} inserted, {report.replaced:,} replaced, "
        f"{report.skipped:,} skipped, {len(report.errors):,} rejected (store revision {report.revision})"
    )
    return 1 if report.errors else 0


def cmd_suggest(a: argparse.Namespace) -> int:
    """Print a mapping file proposed from the header names, to edit and pass to --mapping."""
    from .formats import ColumnMapping, suggest_mapping
    from .formats._table import csv_shape, load_input

    header = list(csv_shape(load_input(a.path).data).written)
    print(ColumnMapping(suggest_mapping(header)).to_json())
    return 0


def _print_errors(lines: list[str], limit: int | None = MAX_SHOWN_ERRORS) -> None:
    """Rejected rows on stderr: at most ``limit`` of them (None: every one)."""
    shown = lines if limit is None else lines[:limit]
    for text in shown:
        _say(f"rejected: {text}", file=sys.stderr)
    if len(lines) > len(shown):
        print(f"rejected: ... and {len(lines) - len(shown):,} more", file=sys.stderr)


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

    store = _store(a)
    rows = export_incidents(store, a.out, format=a.format, flt=_filter(a), excel=a.excel)
    _say(f"{rows:,} incidents written to {a.out} ({a.format})")
    if a.history:
        from .history import add_history_layer, history_csv_bytes, history_of, with_history_geojson

        flt = _filter(a)
        ids = None  # no filter: every change, deleted incidents' too
        if flt is not None and not flt.is_empty:
            from .filters import apply_filter
            from .snapshot import load_frame

            ids = apply_filter(load_frame(store), flt)["event_id"]
        frame = history_of(store, ids)
        if a.format == "gpkg":
            add_history_layer(a.out, frame)
            where = f"the table 'history' of {a.out}"
        elif a.format == "geojson":
            path = Path(a.out)
            path.write_bytes(with_history_geojson(path.read_bytes(), frame))
            where = f"the member 'history' of {a.out}"
        else:
            where = f"{a.out}.history.csv"
            Path(where).write_bytes(history_csv_bytes(frame))
        print(f"{len(frame):,} recorded changes written to {where}")
    return 0


def _value(text: str):
    """A value typed on the command line: empty means empty (unknown), else the text."""
    return None if text == "" else text


def cmd_edit(a: argparse.Namespace) -> int:
    from .history import edit_incident

    changes = {}
    for item in a.set:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"error: {item!r} is not FIELD=VALUE", file=sys.stderr)
            return 2
        changes[name.strip()] = _value(value)
    store = _store(a)
    n = edit_incident(store, a.event_id, changes, why=a.why, who=a.who, version=a.row_version)
    print(f"{a.event_id}: {n} field(s) changed{_now_at(store, a.event_id)}")
    return 0


def _now_at(store, event_id: str) -> str:
    """`` (row version N)``: what a later ``--version`` passes."""
    from .history import get_versioned

    return f" (row version {get_versioned(store, event_id)[1]})"


def cmd_show(a: argparse.Namespace) -> int:
    from .history import get_versioned

    record, version = get_versioned(_store(a), a.event_id)
    for name, value in record.items():
        print(f"{name}: {'' if value is None else value}")
    print(f"row version: {version}")
    return 0


def cmd_delete(a: argparse.Namespace) -> int:
    from .history import delete_incident

    delete_incident(_store(a), a.event_id, why=a.why, who=a.who, version=a.row_version)
    print(f"{a.event_id} deleted (kept in the history)")
    return 0


def cmd_history(a: argparse.Namespace) -> int:
    from .history import export_history, history

    store = _store(a)
    if a.out:
        n = export_history(store, a.out, event_id=a.event_id)
        print(f"{n:,} recorded changes written to {a.out}")
        return 0
    frame = history(store, a.event_id)
    if not len(frame):
        print("No recorded changes.")
    for r in frame.itertuples():
        old = "" if r.old is None else str(r.old)[:40]
        new = "" if r.new is None else str(r.new)[:40]
        print(
            f"#{r.change_id} {r.at!s} {r.kind!s:<7} {r.event_id or '-'!s} {r.field!s}: "
            f"{old!r} -> {new!r}  by {r.who or '?'!s}: {r.why or ''!s}"
        )
    return 0


def cmd_revert(a: argparse.Namespace) -> int:
    from .history import revert

    revert(_store(a), a.change_id, why=a.why, who=a.who, version=a.row_version)
    print(f"change {a.change_id} reverted")
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
        out.append(f"  {n:>9,}  {printable(name)}")
    out += ["", f"Killed:  {totals.killed.describe()}", f"Injured: {totals.injured.describe()}"]
    if totals.shared_figures:
        out.append(f"({totals.shared_figures:,} shared figures, each counted once)")
    if latest:
        out += ["", "Latest:"]
        recent = frame.sort_values(["event_date", "event_id"], ascending=False).head(latest)
        for r in recent.itertuples():
            place = ", ".join(
                printable(x) for x in (r.location, r.admin1, r.country) if isinstance(x, str)
            )
            killed = "?" if r.fatalities is None or r.fatalities is pd.NA else r.fatalities
            killed = "shared" if isinstance(r.casualty_group, str) else killed
            out.append(
                f"  {r.event_date.date()}  {printable(r.event_id):<18} "
                f"{printable(r.sub_event_type):<34} {place[:40]:<40} killed {killed}"
            )
    return "\n".join(out)


def cmd_list(a: argparse.Namespace) -> int:
    from .snapshot import load_frame

    print(summary(load_frame(_store(a)), _filter(a), latest=a.latest))  # escaped field by field
    return 0


def cmd_draft(a: argparse.Namespace) -> int:
    from pathlib import Path

    from .draft import decode_report, draft_report, format_report

    path = Path(a.path)
    if not path.is_file():
        print(f"error: {a.path}: no such file", file=sys.stderr)
        return 2
    with path.open("rb") as fh:
        data = fh.read(decode_limit() + 1)
    report = draft_report(
        decode_report(data), published=a.published, language=a.lang, outlet=a.source
    )
    print("\n".join(report.json_lines()) if a.json else format_report(report))
    return 0


def decode_limit() -> int:
    from .draft import MAX_REPORT_BYTES

    return MAX_REPORT_BYTES


def cmd_repair(a: argparse.Namespace) -> int:
    from .store import Store

    for step in Store.repair(a.db):
        _say(f"repaired: {step}")
    return 0


def cmd_migrate(a: argparse.Namespace) -> int:
    from .migrate import upgrade
    from .store import default_url

    version = upgrade(a.db or default_url(), a.revision)
    _say(f"the store's schema is at version {version}")
    return 0


def _add_version(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--version",
        dest="row_version",
        type=_count,
        metavar="N",
        help="the row version you read (`show`): refused, exit status 3, if the incident "
        "changed since",
    )


def _is_stale(err: Exception) -> bool:
    from .history import StaleEditError

    return isinstance(err, StaleEditError)


def build_parser() -> argparse.ArgumentParser:
    from .export import EXPORT_FORMATS
    from .formats import DATE_ORDERS, FORMATS, ZERO_CHOICES

    parser = argparse.ArgumentParser(
        prog="python -m incidents", description="Import, export and list incidents."
    )
    parser.add_argument("--db", help="store URL (default: $INCIDENTS_DB or data/incidents.sqlite)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import", help="import a CSV, ACLED, UCDP GED, GeoJSON or JSON file")
    p.add_argument("path")
    p.add_argument("--format", choices=FORMATS, default="auto")
    p.add_argument("--strict", action="store_true", help="import nothing if any row is rejected")
    p.add_argument("--who", help="who imports (kept in each incident's history)")
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
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        default="auto",
        help="numeric dates day-first (dmy) or month-first (mdy); auto decides from the file "
        "and rejects rows it cannot decide",
    )
    g = p.add_argument_group("any other table: a column mapping")
    g.add_argument(
        "--map",
        action="append",
        default=[],
        type=_pair,
        metavar="OURS=THEIRS",
        help="our column from theirs, e.g. --map event_date=Date (repeatable)",
    )
    g.add_argument(
        "--set",
        action="append",
        default=[],
        type=_pair,
        metavar="OURS=VALUE",
        help="a constant, e.g. --set country=Ukraine (repeatable)",
    )
    g.add_argument(
        "--value",
        action="append",
        default=[],
        type=_value_pair,
        metavar="OURS:THEIRS=OURS_VALUE",
        help="a value map, e.g. --value 'event_type:Drone strike=Explosions/Remote violence'",
    )
    g.add_argument("--mapping", metavar="FILE", help="a JSON mapping file (see suggest-mapping)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the first mapped rows and every problem; write nothing",
    )
    p.set_defaults(run=cmd_import)
    p = sub.add_parser(
        "suggest-mapping", help="print a mapping file proposed from a table's header names"
    )
    p.add_argument("path")
    p.set_defaults(run=cmd_suggest)
    p = sub.add_parser("export", help="export the (filtered) incidents")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument(
        "--excel", action="store_true", help="CSV for Excel: UTF-8 BOM and CRLF line ends"
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="also write the recorded changes of the exported incidents (all changes without a "
        "filter): OUT.history.csv for CSV, a 'history' table in a GeoPackage, a 'history' "
        "member in GeoJSON",
    )
    _add_filters(p)
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("list", help="summary of the (filtered) incidents")
    p.add_argument(
        "--latest", type=_count, default=10, metavar="N", help="how many recent incidents to show"
    )
    _add_filters(p)
    p.set_defaults(run=cmd_list)
    p = sub.add_parser(
        "draft", help="draft incidents from a French or English report (stores nothing)"
    )
    p.add_argument("path", help="the report, .txt or .html")
    p.add_argument("--published", type=_date, required=True, help="publication date, YYYY-MM-DD")
    p.add_argument("--lang", choices=("auto", "fr", "en"), default="auto")
    p.add_argument("--source", default="AFP", help="the outlet (default AFP)")
    p.add_argument("--json", action="store_true", help="one JSON object per draft, with evidence")
    p.set_defaults(run=cmd_draft)
    p = sub.add_parser("edit", help="change fields of a stored incident (recorded in its history)")
    p.add_argument("event_id")
    p.add_argument("set", nargs="+", metavar="FIELD=VALUE", help="FIELD= (empty) clears a field")
    p.add_argument("--why", help="the reason, kept in the history")
    p.add_argument("--who", help="who makes the change")
    _add_version(p)
    p.set_defaults(run=cmd_edit)
    p = sub.add_parser("show", help="one stored incident's fields and its row version")
    p.add_argument("event_id")
    p.set_defaults(run=cmd_show)
    p = sub.add_parser("delete", help="delete a stored incident (kept in the history)")
    p.add_argument("event_id")
    p.add_argument("--why", required=True, help="the reason (required)")
    p.add_argument("--who")
    _add_version(p)
    p.set_defaults(run=cmd_delete)
    p = sub.add_parser("history", help="recorded changes (of one incident, or all)")
    p.add_argument("event_id", nargs="?")
    p.add_argument("--out", help="write them as CSV to this file")
    p.set_defaults(run=cmd_history)
    p = sub.add_parser("revert", help="undo one recorded change")
    p.add_argument("change_id", type=int)
    p.add_argument("--why")
    p.add_argument("--who")
    _add_version(p)
    p.set_defaults(run=cmd_revert)
    p = sub.add_parser(
        "repair", help="repair a damaged store (missing revision, table or optional column)"
    )
    p.set_defaults(run=cmd_repair)
    p = sub.add_parser("migrate", help="upgrade the store's schema in place (back it up first)")
    p.add_argument(
        "--revision", default="head", help="the schema version to reach (default: newest)"
    )
    p.set_defaults(run=cmd_migrate)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    _say(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning  # one "warning: ..." line, no source excerpt
            return args.run(args)
    except FilterError as err:
        _say(f"error: {err}", file=sys.stderr)
        return 2
    except IncidentsError as err:
        _say(f"error: {err}", file=sys.stderr)
        if _is_stale(err):
            _say(
                f"hint: python -m incidents show {getattr(err, 'event_id', '')} gives the stored values and "
                "their row version",
                file=sys.stderr,
            )
            return 3
        if getattr(err, "repairable", False):
            _say("hint: copy the store file, then run: python -m incidents repair", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
