"""Saving reviewed drafts: one transaction, the report as their source, merges instead of
duplicates, every incident's creation recorded in the history."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..exc import IncidentsError, RowError, StoreError, ValidationError
from ..history import _bump, _log, _text, _validated, record_created
from ..schema import COLUMN_NAMES, GROUP_COLUMNS
from ..store import (
    DATA_COLUMNS,
    Store,
    _lock_for_write,
    _records,
    _revision,
    groups_table,
    incidents_table,
)
from ..validate import validate_frame, validate_groups

__all__ = [
    "MATCH_DAYS",
    "MATCH_KM",
    "RECONCILED",
    "Difference",
    "SaveResult",
    "find_matches",
    "merge_differences",
    "save_drafts",
]

#: A draft matches a stored incident of the same event type within this many days and km.
MATCH_DAYS = 1
MATCH_KM = 5.0


#: What a merge may reconcile, by the name the analyst chooses; each name's fields go together
#: (a best estimate with its range, a date with its precision, a claim with its claimant).
RECONCILED: dict[str, tuple[str, ...]] = {
    "event_date": ("event_date", "time_precision"),
    "sub_event_type": ("disorder_type", "event_type", "sub_event_type"),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "fatalities": ("fatalities", "fatalities_low", "fatalities_high"),
    "injured": ("injured", "injured_low", "injured_high"),
    "claim_status": ("claim_status", "claimed_by"),
}


@dataclass(frozen=True)
class Difference:
    """Where a draft and the stored incident it merges into disagree: both values, per field."""

    name: str  # a key of RECONCILED
    stored: dict[str, Any]
    drafted: dict[str, Any]

    def describe(self, values: dict[str, Any]) -> str:
        """The values of one side as a person reads them ("unknown" for a missing figure)."""
        first = values[RECONCILED[self.name][0]]
        if self.name in ("fatalities", "injured"):
            best, low, high = values.values()
            if best is None and low is None and high is None:
                return "unknown"
            if low == best == high:
                return str(best)
            return f"{best if best is not None else '?'} ({low if low is not None else '?'}–{high if high is not None else '?'})"
        if self.name == "event_date":
            return f"{str(first)[:10]} (precision {values['time_precision']})"
        if self.name == "claim_status" and values.get("claimed_by"):
            return f"{first} by {values['claimed_by']}"
        if self.name == "sub_event_type":
            return str(values["sub_event_type"])
        return "none" if first is None else str(first)


def _same(a: Any, b: Any) -> bool:
    def norm(v: Any) -> str | None:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = _text(v)
        return None if text is None else text[:10] if len(text) >= 10 and text[4:5] == "-" else text

    return norm(a) == norm(b)


def merge_differences(stored: dict[str, Any], draft: dict[str, Any]) -> list[Difference]:
    """The fields of :data:`RECONCILED` where the draft says something the stored incident does
    not (a draft that says nothing, e.g. unknown casualties, never differs)."""
    out = []
    for name, fields in RECONCILED.items():
        drafted = {f: draft.get(f) for f in fields}
        if all(v is None for v in drafted.values()):
            continue
        kept = {f: stored.get(f) for f in fields}
        if not all(_same(kept[f], drafted[f]) for f in fields):
            out.append(Difference(name, kept, drafted))
    return out


@dataclass
class SaveResult:
    created: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # draft id -> stored id
    revision: int = 0


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def find_matches(store: Store, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Stored incidents the draft may describe again: same event type, date within
    :data:`MATCH_DAYS` days, within :data:`MATCH_KM` km. Nearest first."""
    if record.get("latitude") is None or not record.get("event_date"):
        return []
    day = dt.date.fromisoformat(str(record["event_date"])[:10])
    lo, hi = (
        (day - dt.timedelta(days=MATCH_DAYS)).isoformat(),
        (day + dt.timedelta(days=MATCH_DAYS)).isoformat(),
    )
    t = incidents_table.c
    query = sa.select(*DATA_COLUMNS).where(
        t.event_date >= lo, t.event_date <= hi, t.event_type == record["event_type"]
    )
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    out = []
    for row in rows:
        km = _km(row["latitude"], row["longitude"], record["latitude"], record["longitude"])
        if km <= MATCH_KM:
            out.append({**row, "distance_km": round(km, 2)})
    return sorted(out, key=lambda r: r["distance_km"])


def _as_json(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def save_drafts(
    store: Store,
    records: list[dict[str, Any]],
    *,
    groups: list[dict[str, Any]] = (),  # type: ignore[assignment]
    merges: dict[str, str] | None = None,
    take: dict[str, list[str]] | None = None,
    who: str | None = None,
    why: str = "saved from a drafted report",
) -> SaveResult:
    """Save reviewed drafts in one transaction: new incidents are inserted (with the shared
    casualty figures they use), drafts listed in ``merges`` ({draft id: stored id}) add their
    source to the stored incident instead, and take the drafted values of the
    :data:`RECONCILED` names listed in ``take`` ({draft id: ["fatalities", ...]}; the analyst's
    choice among :func:`merge_differences`), each change recorded with the report as its
    source. Any invalid draft raises
    :class:`~incidents.exc.ValidationError` naming it, and nothing is written.
    """
    merges = dict(merges or {})
    new = [r for r in records if r["event_id"] not in merges]
    unplaced = [r["event_id"] for r in new if r.get("latitude") is None]
    if unplaced:
        raise ValidationError(
            [
                RowError(0, "latitude", "not placed: choose a candidate or set a point", e)
                for e in unplaced
            ]
        )
    result = SaveResult()
    used_groups = {r.get("casualty_group") for r in new} - {None}
    group_rows = [g for g in groups if g["group_id"] in used_groups]
    try:
        with store.engine.begin() as conn:
            _lock_for_write(conn)
            taken = set(
                conn.execute(
                    sa.select(incidents_table.c.event_id).where(
                        incidents_table.c.event_id.in_([r["event_id"] for r in new])
                    )
                ).scalars()
            )
            renamed = []
            for r in new:
                r = dict(r)
                if r["event_id"] in taken:  # the same report drafted again: a fresh id
                    base, n = r["event_id"], 2
                    while (
                        f"{base}-{n}" in taken
                        or conn.execute(
                            sa.select(incidents_table.c.event_id).where(
                                incidents_table.c.event_id == f"{base}-{n}"
                            )
                        ).first()
                    ):
                        n += 1
                    r["event_id"] = f"{base}-{n}"
                    taken.add(r["event_id"])
                renamed.append(r)
            if group_rows:
                g = validate_groups(
                    pd.DataFrame(
                        [{k: _as_json(x.get(k)) for k in GROUP_COLUMNS} for x in group_rows]
                    )
                )
                if g.errors:
                    raise ValidationError(g.errors)
                ids = g.valid["group_id"].tolist()
                if conn.execute(
                    sa.select(groups_table.c.group_id).where(groups_table.c.group_id.in_(ids))
                ).first():
                    raise StoreError(f"casualty group(s) already stored: {', '.join(ids)}")
                store._bulk_insert(conn, groups_table, g.valid, list(GROUP_COLUMNS))
            if renamed:
                frame = pd.DataFrame(
                    [{k: _as_json(r.get(k)) for k in COLUMN_NAMES} for r in renamed]
                )
                checked = validate_frame(frame)
                if checked.errors:
                    raise ValidationError(
                        [
                            RowError(e.line, e.field, e.message, renamed[e.line - 1]["event_id"])
                            for e in checked.errors
                        ]
                    )
                store._bulk_insert(conn, incidents_table, checked.valid, list(COLUMN_NAMES))
                record_created(
                    conn,
                    [
                        dict(zip(COLUMN_NAMES, row, strict=False))
                        for row in _records(checked.valid, list(COLUMN_NAMES))
                    ],
                    why=why,
                    who=who,
                )
                result.created = [r["event_id"] for r in renamed]
            by_id = {r["event_id"]: r for r in records}
            for draft_id, stored_id in merges.items():
                chosen = (take or {}).get(draft_id, [])
                _merge(conn, by_id[draft_id], stored_id, chosen, who=who, why=why)
                result.merged[draft_id] = stored_id
            if renamed or merges:
                _bump(conn)
    except sa.exc.DBAPIError as err:
        raise StoreError(f"the drafts could not be saved, nothing was changed: {err.orig}") from err
    result.revision = store.revision
    return result


def _merge(
    conn: sa.Connection,
    draft: dict,
    stored_id: str,
    take: list[str],
    *,
    who: str | None,
    why: str,
) -> None:
    unknown = sorted(set(take) - set(RECONCILED))
    if unknown:
        raise IncidentsError(
            f"cannot take {', '.join(unknown)} from a draft; choose among {', '.join(RECONCILED)}"
        )
    row = (
        conn.execute(sa.select(incidents_table).where(incidents_table.c.event_id == stored_id))
        .mappings()
        .first()
    )
    if row is None:
        raise IncidentsError(f"cannot merge into {stored_id!r}: no such incident")
    old = dict(row)
    sources = json.loads(old["sources"]) if old["sources"] else []
    added = [s for s in draft.get("sources") or [] if s not in sources]
    outlets = [o for o in (old["source"] or "").split(";") if o]
    if draft.get("source") and draft["source"] not in outlets:
        outlets.append(draft["source"])
    changes: dict[str, Any] = {
        "sources": json.dumps(sources + added, ensure_ascii=False),
        "source": ";".join(outlets) or None,
    }
    for name in take:
        changes.update({f: draft.get(f) for f in RECONCILED[name]})
    values = dict(zip(COLUMN_NAMES, _validated({**old, **changes}, stored_id), strict=False))
    changed = [k for k in COLUMN_NAMES if _text(values[k]) != _text(old[k])]
    if not changed:
        return
    conn.execute(
        incidents_table.update()
        .where(incidents_table.c.event_id == stored_id)
        .values({**{k: values[k] for k in changed}, "row_version": _revision(conn) + 1})
    )
    cited: dict[str, Any] = next(iter(added or draft.get("sources") or []), {})
    origin = " ".join(str(cited[k]) for k in ("outlet", "published") if cited.get(k))
    _log(
        conn,
        [
            {
                "who": who,
                "event_id": stored_id,
                "field": k,
                "old": _text(old[k]),
                "new": _text(values[k]),
                "why": f"{why} (merged draft {draft['event_id']}"
                + (f"; value from {origin}" if origin and k not in ("sources", "source") else "")
                + ")",
                "kind": "merge",
            }
            for k in changed
        ],
    )
