"""Any other table through a column mapping: a newsroom's spreadsheet, a monitor's CSV, GeoJSON
or JSON export.

A :class:`ColumnMapping` says which of the file's columns gives each of ours
(``columns={"event_date": "Date", "latitude": "lat"}``; names are matched without regard to
case), constants for columns the file lacks (``constants={"country": "Ukraine"}``) and value
maps for categories (``values={"event_type": {"Drone strike": "Explosions/Remote violence"}}``,
their value → ours; values not listed are kept and checked by validation). One of their columns
may feed several of ours (``event_type`` and ``sub_event_type`` from one "Kind" column, each
with its own value map). A mapping file is JSON with the keys ``columns``, ``set`` and
``values``.

:func:`suggest_mapping` proposes ``columns`` from the header names (:data:`SYNONYMS`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exc import ImportFormatError, RowError
from ..schema import COLUMN_NAMES
from .result import ReadResult

__all__ = ["SYNONYMS", "ColumnMapping", "apply_mapping", "records_frame", "suggest_mapping"]

NAME = "table"

#: Header names (folded: lower case, ``_-.`` as spaces) that suggest each of our columns.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "event_id": ("id", "event id", "uid", "incident id", "ref", "reference", "event id cnty"),
    "event_date": ("date", "event date", "day", "incident date", "date of event", "datetime"),
    "event_date_end": ("end date", "date end", "until"),
    "event_type": ("type", "event type", "category", "event group", "incident type", "kind"),
    "sub_event_type": ("sub type", "subtype", "sub event type", "sub category", "subcategory"),
    "actor1": ("actor", "actor 1", "perpetrator", "attacker", "side a"),
    "actor2": ("actor 2", "target", "side b"),
    "country": ("country", "nation", "country name"),
    "admin1": ("region", "province", "oblast", "state", "admin 1", "adm 1", "governorate"),
    "admin2": ("district", "raion", "admin 2", "adm 2", "county"),
    "location": ("place", "town", "city", "village", "location name", "settlement", "site"),
    "latitude": ("lat", "y", "latitude", "lat dd"),
    "longitude": ("lon", "lng", "long", "x", "longitude", "lon dd"),
    "fatalities": ("killed", "deaths", "dead", "death toll", "fatalities", "best"),
    "injured": ("wounded", "injuries", "injured"),
    "source": ("sources", "outlet", "media", "source name"),
    "notes": ("description", "summary", "details", "comment", "comments", "text", "notes"),
    "geo_precision": ("geo precision", "precision", "where prec"),
    "time_precision": ("time precision", "date precision", "date prec"),
}


def _fold(name: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", name.strip().lower()).split())


@dataclass
class ColumnMapping:
    """Ours ← theirs: columns, constants and value maps (see the module doc)."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (*self.columns, *self.constants, *self.values):
            if name not in COLUMN_NAMES:
                raise ImportFormatError(
                    f"{name!r} is not one of our columns ({', '.join(COLUMN_NAMES)})"
                )

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMapping:
        """A mapping file: ``{"columns": {...}, "set": {...}, "values": {ours: {theirs: ...}}}``."""
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ImportFormatError(f"{path}: not a readable JSON mapping file ({err})") from None
        if not isinstance(document, dict) or not set(document) <= {"columns", "set", "values"}:
            raise ImportFormatError(
                f'{path}: a mapping file is a JSON object with "columns", "set" and "values"'
            )
        return cls(
            columns={str(k): str(v) for k, v in (document.get("columns") or {}).items()},
            constants={str(k): str(v) for k, v in (document.get("set") or {}).items()},
            values={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (document.get("values") or {}).items()
            },
        )

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with ``other``'s entries on top (command-line options over a file)."""
        values = {k: dict(v) for k, v in self.values.items()}
        for k, v in other.values.items():
            values.setdefault(k, {}).update(v)
        return ColumnMapping(
            {**self.columns, **other.columns}, {**self.constants, **other.constants}, values
        )

    def to_json(self) -> str:
        return json.dumps(
            {"columns": self.columns, "set": self.constants, "values": self.values},
            ensure_ascii=False,
            indent=2,
        )


def suggest_mapping(header: list[str]) -> dict[str, str]:
    """Ours → theirs for every column of ours a header name suggests (first match wins)."""
    folded = {_fold(h): h for h in header if h and not h.startswith("_column_")}
    found: dict[str, str] = {}
    taken: set[str] = set()
    for ours in COLUMN_NAMES:
        for name in (_fold(ours), *SYNONYMS.get(ours, ())):
            theirs = folded.get(name)
            if theirs is not None and theirs not in taken:
                found[ours] = theirs
                taken.add(theirs)
                break
    return found


def records_frame(document: Any) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The records of a JSON table: a list of objects, or the one list of objects an object
    holds (``{"events": [...]}``, a TimeMap-style export). None when there is no such list."""
    items = document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list) and v]
        items = lists[0] if len(lists) == 1 else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    from ._json import cell

    rows = [{str(k).lower(): cell(v) for k, v in item.items()} for item in items]
    return pd.DataFrame(rows).astype("string"), np.arange(1, len(rows) + 1, dtype=np.int64)


def apply_mapping(
    raw: pd.DataFrame, lines: np.ndarray, mapping: ColumnMapping, errors: list[RowError]
) -> ReadResult:
    """Our columns from ``raw`` (their columns, lower-case names) through ``mapping``."""
    available = {c.lower(): c for c in raw.columns}
    missing = [t for t in mapping.columns.values() if t.strip().lower() not in available]
    if missing:
        shown = ", ".join(repr(c) for c in raw.columns if not str(c).startswith("_column_"))
        raise ImportFormatError(
            f"the mapping names column(s) the file does not have: "
            f"{', '.join(repr(m) for m in missing)}; the file has {shown}"
        )
    frame = pd.DataFrame(index=raw.index)
    for ours, theirs in mapping.columns.items():
        frame[ours] = raw[available[theirs.strip().lower()]].astype("string")
    for ours in ("latitude", "longitude"):  # GeoJSON points bring their own
        if ours not in frame.columns and ours in raw.columns:
            frame[ours] = raw[ours].astype("string")
    for ours, value in mapping.constants.items():
        frame[ours] = pd.Series(value, index=raw.index, dtype="string")
    for ours, table in mapping.values.items():
        if ours not in frame.columns:
            continue
        text = frame[ours].str.strip()
        folded = {k.strip().lower(): v for k, v in table.items()}
        mapped = text.str.lower().map(folded)
        if ours == "event_type" and "source_event_type" not in frame.columns:
            frame["source_event_type"] = text.where(mapped.notna())
        frame[ours] = mapped.fillna(text).astype("string")
    if "geo_source" not in frame.columns and "latitude" in frame.columns:
        frame["geo_source"] = pd.Series("imported", index=frame.index, dtype="string").where(
            frame["latitude"].notna()
        )
    return ReadResult(frame, lines, None, NAME, errors)
