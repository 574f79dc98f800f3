"""Every change to stored incidents, recorded: edits, deletions, reverts, imports, saved drafts.

The table ``history`` (one of the store's tables, :data:`incidents.store.history_table`) holds
one row per changed field: when (UTC), who (when known), the incident, the field, old and new
value (as text, JSON for whole rows), why, and the kind of change. Each change is written in the same
transaction as the change itself and bumps the store's revision.

>>> edit_incident(store, "AFP-20250703-02", {"fatalities": 3}, why="AFP update", who="desk")
>>> history(store, "AFP-20250703-02")   # a DataFrame, newest first
>>> revert(store, change_id, why="wrong report")
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa

from .exc import IncidentsError, ValidationError
from .schema import COLUMN_NAMES
from .store import (
    DATA_COLUMNS,
    Store,
    _lock_for_write,
    _records,
    _revision,
    history_table,
    incidents_table,
    meta_table,
)
from .validate import validate_frame

__all__ = [
    "HISTORY_COLUMNS",
    "HistoryError",
    "StaleChange",
    "StaleEditError",
    "add_history_layer",
    "delete_incident",
    "edit_incident",
    "existing_ids",
    "export_history",
    "get_incident",
    "get_versioned",
    "history",
    "history_csv_bytes",
    "history_of",
    "record_created",
    "record_import",
    "record_import_of_all",
    "revert",
    "with_history_geojson",
    "with_history_gpkg",
]

HISTORY_COLUMNS = ("change_id", "at", "who", "event_id", "field", "old", "new", "why", "kind")
#: kinds of change
KINDS = ("edit", "delete", "create", "import", "revert", "merge")
ROW = "*"  # the field name of a whole-row change (create, delete)
#: Fields that change together: reverting one puts back the others changed with it, in the
#: same change (a range without its best estimate would break the data model's rules).
LINKED: tuple[tuple[str, ...], ...] = (
    ("fatalities", "fatalities_low", "fatalities_high"),
    ("injured", "injured_low", "injured_high"),
    ("event_date", "time_precision"),
    ("claim_status", "claimed_by"),
    ("disorder_type", "event_type", "sub_event_type"),
    ("latitude", "longitude", "geo_precision", "geo_source", "geonames_id"),
    ("sources", "source"),
)


class HistoryError(IncidentsError):
    """An edit, deletion or revert cannot be made (unknown incident, no reason, changed since)."""


@dataclass(frozen=True)
class StaleChange:
    """One field changed by someone else since an editor loaded the incident."""

    field: str  # "*" when the whole row was replaced (an import or a restore)
    seen: str | None  # the value the editor loaded (as text)
    now: str | None  # the value stored now
    who: str | None = None  # from the history, when recorded
    at: str | None = None  # UTC, from the history, when recorded

    def __str__(self) -> str:
        if self.field == ROW:
            text = "the whole incident was replaced"
        else:
            text = f"{self.field}: you saw {self.seen!r}, now {self.now!r}"
        if self.at:
            text += f" (by {self.who or 'an unnamed writer'}, {self.at})"
        return text


class StaleEditError(HistoryError):
    """The incident changed since the editor loaded it: their save is refused, nothing written.

    ``changes`` lists what changed (:class:`StaleChange`); ``loaded`` and ``current`` are the
    row versions the editor loaded and the store holds."""

    def __init__(self, event_id: str, loaded: int, current: int, changes: list[StaleChange]):
        self.event_id, self.loaded, self.current = event_id, loaded, current
        self.changes = list(changes)
        what = "; ".join(str(c) for c in self.changes) or (
            "the values you saw are stored again, but it was changed in between"
        )
        super().__init__(
            f"{event_id} was changed by someone else since you loaded it (version {loaded}, "
            f"now {current}), so your save was refused and nothing was written. What changed: "
            f"{what}. Reload the incident to see the stored values, then make your change again."
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bump(conn: sa.Connection) -> None:
    conn.execute(
        meta_table.update()
        .where(meta_table.c.key == "revision")
        .values(value=sa.cast(sa.cast(meta_table.c.value, sa.Integer) + 1, sa.Text))
    )


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _row(conn: sa.Connection, event_id: str) -> dict[str, Any]:
    return _versioned_row(conn, event_id)[0]


def _versioned_row(conn: sa.Connection, event_id: str) -> tuple[dict[str, Any], int]:
    """The incident's fields and its row version."""
    version = sa.func.coalesce(incidents_table.c.row_version, 0).label("row_version")
    row = (
        conn.execute(
            sa.select(*DATA_COLUMNS, version).where(incidents_table.c.event_id == event_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise HistoryError(f"no incident {event_id!r} in the store")
    record = dict(row)
    return record, int(record.pop("row_version"))


def _check_version(
    conn: sa.Connection,
    event_id: str,
    row: dict[str, Any],
    current: int,
    version: int | None,
    seen: Mapping[str, Any] | None,
) -> None:
    """Refuse (:class:`StaleEditError`) when the row is no longer at the loaded ``version``."""
    if version is None or int(version) == current:
        return
    later = (
        conn.execute(
            sa.select(history_table)
            .where(history_table.c.event_id == event_id, history_table.c.revision > int(version))
            .order_by(history_table.c.change_id)
        )
        .mappings()
        .all()
    )
    first_old: dict[str, str | None] = {}
    last: dict[str, Any] = {}
    for change in later:
        first_old.setdefault(change["field"], change["old"])
        last[change["field"]] = change
    changes = []
    for name in COLUMN_NAMES:
        now = _text(row[name])
        if seen is not None and name in seen:
            was = _text(seen[name])
        elif name in first_old:
            was = first_old[name]
        else:
            continue
        if was != now:
            by = last.get(name, {})
            changes.append(StaleChange(name, was, now, by.get("who"), by.get("at")))
    if ROW in last and not changes:
        by = last[ROW]
        changes.append(StaleChange(ROW, None, None, by.get("who"), by.get("at")))
    raise StaleEditError(event_id, int(version), current, changes)


def _validated(row: Mapping[str, Any], event_id: str) -> tuple:
    frame = pd.DataFrame([{k: row.get(k) for k in COLUMN_NAMES}])
    report = validate_frame(frame)
    if report.errors:
        raise ValidationError([e.__class__(0, e.field, e.message, event_id) for e in report.errors])
    return _records(report.valid, list(COLUMN_NAMES))[0]


def _log(
    conn: sa.Connection,
    rows: list[dict[str, Any]],
    *,
    revision: int | Literal["next"] | None = "next",
) -> None:
    """Record ``rows`` as made by ``revision`` (by default the one this transaction's bump of
    the revision will make; None: unknown)."""
    if rows:
        at = _now()
        if revision == "next":
            revision = _revision(conn) + 1
        conn.execute(history_table.insert(), [{"at": at, "revision": revision, **r} for r in rows])


def edit_incident(
    store: Store,
    event_id: str,
    changes: Mapping[str, Any],
    *,
    why: str | None = None,
    who: str | None = None,
    kind: str = "edit",
    version: int | None = None,
    seen: Mapping[str, Any] | None = None,
) -> int:
    """Change fields of one stored incident (validated as a whole row) and record each change.

    Returns the number of fields that changed. Unknown fields or a row breaking the data model's
    rules raise; nothing is written then. With ``version`` (the row version the editor loaded,
    :func:`get_versioned`), a row changed since is not overwritten: :class:`StaleEditError`
    lists what changed (from ``seen``, the record the editor loaded, and the history).
    """
    unknown = sorted(set(changes) - set(COLUMN_NAMES))
    if unknown:
        raise HistoryError(f"unknown field(s): {', '.join(unknown)}")
    if "event_id" in changes and changes["event_id"] != event_id:
        raise HistoryError("event_id cannot be edited; delete and create instead")
    with store.engine.begin() as conn:
        _lock_for_write(conn)
        old, current = _versioned_row(conn, event_id)
        _check_version(conn, event_id, old, current, version, seen)
        merged = {**old, **changes}
        values = dict(zip(COLUMN_NAMES, _validated(merged, event_id), strict=False))
        changed = [k for k in COLUMN_NAMES if _text(values[k]) != _text(old[k])]
        if not changed:
            return 0
        conn.execute(
            incidents_table.update()
            .where(incidents_table.c.event_id == event_id)
            .values({**{k: values[k] for k in changed}, "row_version": _revision(conn) + 1})
        )
        _log(
            conn,
            [
                {
                    "who": who,
                    "event_id": event_id,
                    "field": k,
                    "old": _text(old[k]),
                    "new": _text(values[k]),
                    "why": why,
                    "kind": kind,
                }
                for k in changed
            ],
        )
        _bump(conn)
    return len(changed)


def delete_incident(
    store: Store,
    event_id: str,
    *,
    why: str,
    who: str | None = None,
    version: int | None = None,
    seen: Mapping[str, Any] | None = None,
) -> None:
    """Delete one incident; the reason is required and the whole row is kept in the history.
    ``version`` and ``seen`` as for :func:`edit_incident`: a row changed since is not deleted."""
    if not why or not why.strip():
        raise HistoryError("a deletion needs a reason")
    with store.engine.begin() as conn:
        _lock_for_write(conn)
        old, current = _versioned_row(conn, event_id)
        _check_version(conn, event_id, old, current, version, seen)
        conn.execute(incidents_table.delete().where(incidents_table.c.event_id == event_id))
        _log(
            conn,
            [
                {
                    "who": who,
                    "event_id": event_id,
                    "field": ROW,
                    "old": json.dumps(old, ensure_ascii=False, default=str),
                    "new": None,
                    "why": why,
                    "kind": "delete",
                }
            ],
        )
        _bump(conn)


def record_created(
    conn: sa.Connection, records: list[dict[str, Any]], *, why: str, who: str | None = None
) -> None:
    """Record incidents created in ``conn``'s transaction (saved drafts), one row each."""
    _log(
        conn,
        [
            {
                "who": who,
                "event_id": r["event_id"],
                "field": ROW,
                "old": None,
                "new": json.dumps(r, ensure_ascii=False, default=str),
                "why": why,
                "kind": "create",
            }
            for r in records
        ],
    )


def existing_ids(store: Store, ids: Sequence[str]) -> set[str]:
    """The ids among ``ids`` already stored (an import asks before writing, to tell which of
    its rows it inserted, replaced or skipped)."""
    with store.engine.connect() as conn:
        return Store._existing_ids(conn, pd.Series(list(ids), dtype=object))


def record_import(
    store: Store,
    inserted: Sequence[str],
    replaced: Sequence[str] = (),
    *,
    source: str,
    why: str | None = None,
    who: str | None = None,
) -> int:
    """Record an import: one history row per incident it stored (kind ``import``, field
    ``*``, ``new`` naming the source file), in one transaction. Returns the rows written."""
    at = _now()
    why = why or f"imported from {source}"
    ids = [*inserted, *replaced]
    frame = pd.DataFrame(
        {
            "at": at,
            "who": who,
            "event_id": pd.Series(ids, dtype=object),
            "field": ROW,
            "old": pd.Series(
                [None] * len(inserted) + ["replaced by this import"] * len(replaced), dtype=object
            ),
            "new": f"imported from {source}",
            "why": why,
            "kind": "import",
        }
    )
    names = [c for c in HISTORY_COLUMNS if c != "change_id"]
    with store.engine.begin() as conn:
        store._bulk_insert(conn, history_table, frame, names)
    return len(frame)


def record_import_of_all(
    conn: sa.Connection, *, source: str, why: str | None = None, who: str | None = None
) -> int:
    """:func:`record_import` for an import into an empty store, inside the import's own
    transaction (``conn``, holding the write lock): every incident in the table is one it
    inserted, recorded in the order written by one ``INSERT ... SELECT``, not one row sent
    per incident. Returns the rows written."""
    why = why or f"imported from {source}"
    # The order written: SQLite's rowid. PostgreSQL's physical order is the order of the
    # import's COPY, unless space left by deleted rows was reused (then the rows of this one
    # import, which share one time, are recorded in another order).
    order: sa.ColumnClause[Any] = sa.literal_column(
        "rowid" if conn.dialect.name == "sqlite" else "ctid"
    )
    select = sa.select(
        sa.literal(_now()),
        sa.literal(who, sa.Text),
        incidents_table.c.event_id,
        sa.literal(ROW),
        sa.literal(None, sa.Text),
        sa.literal(f"imported from {source}"),
        sa.literal(why),
        sa.literal("import"),
    ).order_by(order)
    names = [c for c in HISTORY_COLUMNS if c != "change_id"]
    result = conn.execute(
        history_table.insert().from_select([history_table.c[n] for n in names], select)
    )
    return result.rowcount


def history(store: Store, event_id: str | None = None) -> pd.DataFrame:
    """The recorded changes, newest first (of one incident, or all)."""
    with store.engine.begin() as conn:
        query = sa.select(history_table).order_by(history_table.c.change_id.desc())
        if event_id is not None:
            query = query.where(history_table.c.event_id == event_id)
        frame = pd.read_sql_query(query, conn)
    frame = frame[list(HISTORY_COLUMNS)]
    text = [c for c in HISTORY_COLUMNS if c != "change_id"]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame


def revert(
    store: Store,
    change_id: int,
    *,
    why: str | None = None,
    who: str | None = None,
    version: int | None = None,
) -> None:
    """Undo one recorded change: an edit puts the old value back (if the field still holds the
    new one), a deletion restores the row, a creation deletes it. The revert is recorded too.
    With ``version`` (the row version the editor loaded) a row changed since is left alone
    (:class:`StaleEditError`)."""
    with store.engine.begin() as conn:
        change = (
            conn.execute(sa.select(history_table).where(history_table.c.change_id == change_id))
            .mappings()
            .first()
        )
    if change is None:
        raise HistoryError(f"no change {change_id} in the history")
    why = why or f"revert of change {change_id}"
    kind, event_id, field = change["kind"], change["event_id"], change["field"]
    if kind in ("edit", "revert", "merge") and field != ROW:
        linked = next((group for group in LINKED if field in group), (field,))
        with store.engine.connect() as conn:
            current = _row(conn, event_id)
            # the fields changed with it, in the same change (a best estimate and its range)
            together = (
                conn.execute(
                    sa.select(history_table).where(
                        history_table.c.event_id == event_id,
                        history_table.c.at == change["at"],
                        history_table.c.kind == kind,
                        history_table.c.why.is_(None)
                        if change["why"] is None
                        else history_table.c.why == change["why"],
                        history_table.c.field.in_(linked),
                    )
                )
                .mappings()
                .all()
            )
        for c in together:
            if _text(current[c["field"]]) != c["new"]:
                raise HistoryError(
                    f"{event_id} {c['field']} has changed since change {c['change_id']} "
                    f"(now {_text(current[c['field']])!r}); revert the later change first"
                )
        old = {c["field"]: c["old"] for c in together}
        edit_incident(store, event_id, old, why=why, who=who, kind="revert", version=version)
    elif kind == "delete":
        row = json.loads(change["old"])
        with store.engine.begin() as conn:
            _lock_for_write(conn)
            if conn.execute(
                sa.select(incidents_table.c.event_id).where(incidents_table.c.event_id == event_id)
            ).first():
                raise HistoryError(f"{event_id} exists again; nothing to restore")
            values = dict(zip(COLUMN_NAMES, _validated(row, event_id), strict=False))
            conn.execute(
                incidents_table.insert().values({**values, "row_version": _revision(conn) + 1})
            )
            _log(
                conn,
                [
                    {
                        "who": who,
                        "event_id": event_id,
                        "field": ROW,
                        "old": None,
                        "new": change["old"],
                        "why": why,
                        "kind": "revert",
                    }
                ],
            )
            _bump(conn)
    elif kind == "create":
        delete_incident(store, event_id, why=why, who=who, version=version)
    else:
        raise HistoryError(f"change {change_id} ({kind}) cannot be reverted")


def history_of(store: Store, event_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The recorded changes (newest first) of the incidents ``event_ids`` (all when None)."""
    frame = history(store)
    if event_ids is not None:
        frame = frame[frame["event_id"].isin(pd.Index(list(event_ids)))]
    return frame.reset_index(drop=True)


def _history_arrow(frame: pd.DataFrame):
    import pyarrow as pa

    table = pa.Table.from_pandas(frame.astype({"change_id": "int64"}), preserve_index=False)
    return table.cast(
        pa.schema([(n, pa.int64() if n == "change_id" else pa.string()) for n in HISTORY_COLUMNS])
    )


def history_csv_bytes(frame: pd.DataFrame) -> bytes:
    """History rows as CSV (formula-safe like every export)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from .export import neutralise_formulas

    out = pa.BufferOutputStream()
    pacsv.write_csv(neutralise_formulas(_history_arrow(frame)), out)
    return out.getvalue().to_pybytes()


def with_history_geojson(data: bytes, frame: pd.DataFrame) -> bytes:
    """A GeoJSON export (a FeatureCollection) with the history rows added as its foreign member
    ``history`` (RFC 7946 section 6.1): a list of objects with :data:`HISTORY_COLUMNS`."""
    body = data.rstrip()
    if not body.endswith(b"}"):
        raise IncidentsError("not a GeoJSON FeatureCollection")
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    member = json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")
    return body[:-1] + b', "history": ' + member + b"}\n"


def add_history_layer(path: str | Path, frame: pd.DataFrame) -> None:
    """Add the table ``history`` (no geometry) to a GeoPackage written by the export."""
    import pyogrio

    table = frame.astype({"change_id": "int64"}).astype(
        {c: "string" for c in HISTORY_COLUMNS if c != "change_id"}
    )
    pyogrio.write_dataframe(table, path, layer="history", driver="GPKG")


def with_history_gpkg(data: bytes, frame: pd.DataFrame) -> bytes:
    """A GeoPackage export (bytes) with the table ``history`` added."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="incidents-gpkg-") as folder:
        path = Path(folder) / "incidents.gpkg"
        path.write_bytes(data)
        add_history_layer(path, frame)
        return path.read_bytes()


def export_history(store: Store, path: str, *, event_id: str | None = None) -> int:
    """Write the recorded changes as CSV (formula-safe like every export); returns the count."""
    frame = history(store, event_id)
    Path(path).write_bytes(history_csv_bytes(frame))
    return len(frame)


def get_incident(store: Store, event_id: str) -> dict[str, Any]:
    """One stored incident as a dict of plain values (raises :class:`HistoryError` if unknown)."""
    with store.engine.connect() as conn:
        return _row(conn, event_id)


def get_versioned(store: Store, event_id: str) -> tuple[dict[str, Any], int]:
    """One stored incident and its row version, read together: what an editor loads, and
    passes back (``version``, ``seen``) when saving."""
    with store.engine.connect() as conn:
        return _versioned_row(conn, event_id)
