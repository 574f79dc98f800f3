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
from ..history import _bump, _log, record_created
from ..schema import COLUMN_NAMES, GROUP_COLUMNS
from ..store import Store, _records, groups_table, incidents_table
from ..validate import validate_frame, validate_groups

__all__ = ["MATCH_DAYS", "MATCH_KM", "SaveResult", "find_matches", "save_drafts"]

#: A draft matches a stored incident of the same event type within this many days and km.
MATCH_DAYS = 1
MATCH_KM = 5.0


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
    query = sa.select(incidents_table).where(
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
    who: str | None = None,
    why: str = "saved from a drafted report",
) -> SaveResult:
    """Save reviewed drafts in one transaction: new incidents are inserted (with the shared
    casualty figures they use), drafts listed in ``merges`` ({draft id: stored id}) add their
    source to the stored incident instead. Any invalid draft raises
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
                _merge(conn, by_id[draft_id], stored_id, who=who, why=why)
                result.merged[draft_id] = stored_id
            if renamed or merges:
                _bump(conn)
    except sa.exc.DBAPIError as err:
        raise StoreError(f"the drafts could not be saved, nothing was changed: {err.orig}") from err
    result.revision = store.revision
    return result


def _merge(conn: sa.Connection, draft: dict, stored_id: str, *, who: str | None, why: str) -> None:
    row = conn.execute(
        sa.select(incidents_table.c.sources, incidents_table.c.source).where(
            incidents_table.c.event_id == stored_id
        )
    ).first()
    if row is None:
        raise IncidentsError(f"cannot merge into {stored_id!r}: no such incident")
    sources = json.loads(row.sources) if row.sources else []
    added = [s for s in draft.get("sources") or [] if s not in sources]
    new_sources = json.dumps(sources + added, ensure_ascii=False)
    outlets = [o for o in (row.source or "").split(";") if o]
    if draft.get("source") and draft["source"] not in outlets:
        outlets.append(draft["source"])
    new_source = ";".join(outlets) or None
    conn.execute(
        incidents_table.update()
        .where(incidents_table.c.event_id == stored_id)
        .values(sources=new_sources, source=new_source)
    )
    _log(
        conn,
        [
            {
                "who": who,
                "event_id": stored_id,
                "field": "sources",
                "old": row.sources,
                "new": new_sources,
                "why": f"{why} (merged draft {draft['event_id']})",
                "kind": "merge",
            },
            {
                "who": who,
                "event_id": stored_id,
                "field": "source",
                "old": row.source,
                "new": new_source,
                "why": f"{why} (merged draft {draft['event_id']})",
                "kind": "merge",
            },
        ],
    )
