"""ACLED CSV exports (the Data Export Tool and the API's CSV), column for column.

Mapping (ACLED → ours): ``event_id_cnty`` → ``event_id``; ``event_date`` (``2025-07-03`` or
``03 July 2025``), ``time_precision``, ``disorder_type``, ``event_type``, ``sub_event_type``,
``actor1``, ``actor2``, ``country``, ``iso`` (numeric ISO 3166-1), ``admin1``, ``admin2``,
``location``, ``latitude``, ``longitude``, ``geo_precision``, ``source``, ``notes`` and
``fatalities`` keep their names and meaning. Every row is ``claim_status`` confirmed,
``geo_source`` imported; ``injured`` and the bounds are unknown (ACLED has none).

ACLED codes "no information" as 0 fatalities; our model says unknown is empty, never 0.
So by default (``zeros="unknown"``) a 0 becomes unknown; ``zeros="keep"`` keeps real zeros.

Every generation of the files reads the same way (column names are lower-cased first):

- 2015-2018 (``GWNO, EVENT_ID_CNTY, EVENT_ID_NO_CNTY, ..., ALLY_ACTOR_1``): upper case, no
  ``sub_event_type``, ``iso`` or ``disorder_type``, and the old event types, mapped by
  :data:`incidents.taxonomy.LEGACY_EVENT_TYPES` (the original value kept in
  ``source_event_type``);
- 2019-2021 (``data_id, iso, event_id_cnty, ..., iso3``) and 2024+ (text ``inter1`` and
  ``interaction`` codes, some optional columns absent);
- the API's JSON (``{"status": 200, "data": [{...}, ...]}``, every value a string): the
  records go through :func:`from_frame` like a CSV's rows.

``year`` is kept for the date check (:mod:`incidents.formats._rows`), then dropped.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..exc import ImportFormatError, RowError
from ..taxonomy import legacy_event_type
from ._table import TableShape, read_csv_table
from .result import ReadResult, require

NAME = "acled"
AcledZeros = Literal["unknown", "keep"]
ZERO_CHOICES: tuple[str, ...] = ("unknown", "keep")
RENAME = {"event_id_cnty": "event_id"}
KEPT = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "iso",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "year",
)
#: ACLED columns we do not import (documented in docs/import-export.md).
IGNORED = (
    "event_id_no_cnty",
    "data_id",
    "gwno",
    "ally_actor_1",
    "ally_actor_2",
    "assoc_actor_1",
    "inter1",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso3",
    "region",
    "admin3",
    "source_scale",
    "tags",
    "timestamp",
)
#: Columns a file must have; the others may be absent (rows without ``event_id_cnty`` get an
#: id from their content, see :mod:`incidents.formats._rows`).
REQUIRED = (
    "event_date",
    "event_type",
    "country",
    "location",
    "latitude",
    "longitude",
)


def matches(header: list[str]) -> bool:
    return "event_id_cnty" in header and "event_id" not in header


def read(data: bytes, shape: TableShape, *, zeros: AcledZeros = "unknown") -> ReadResult:
    header = shape.names
    require(header, REQUIRED, NAME)
    wanted = [c for c in KEPT if c in header]
    frame, lines, errors = read_csv_table(data, shape, wanted)
    return from_frame(frame, lines, errors, zeros=zeros)


def from_frame(
    frame: pd.DataFrame,
    lines: np.ndarray,
    errors: list[RowError],
    *,
    zeros: AcledZeros = "unknown",
    fmt: str = NAME,
) -> ReadResult:
    """ACLED rows (text, ACLED's lower-case column names) in our columns."""
    if zeros not in ZERO_CHOICES:
        raise ImportFormatError(f"acled zeros must be one of {ZERO_CHOICES}, got {zeros!r}")
    frame = frame[[c for c in KEPT if c in frame.columns]].rename(columns=RENAME)
    if "fatalities" in frame.columns and zeros == "unknown":
        killed = frame["fatalities"].astype("string")
        frame["fatalities"] = killed.where(killed.str.strip() != "0")
    _modern_types(frame)
    frame["claim_status"] = "confirmed"
    frame["geo_source"] = "imported"
    return ReadResult(frame, lines, None, fmt, errors)


def _modern_types(frame: pd.DataFrame) -> None:
    """Old event types (2015-2018) to today's, keeping the original in ``source_event_type``."""
    event = frame["event_type"].astype("string").str.strip()
    sub = (
        frame["sub_event_type"].astype("string").str.strip()
        if "sub_event_type" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    old = event.notna() & (sub.isna() | (sub == ""))
    if not old.any():
        return
    mapped = event[old].map(legacy_event_type, na_action="ignore")
    known = mapped.notna()
    if not known.any():
        return
    idx = mapped[known].index
    frame["source_event_type"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame.loc[idx, "source_event_type"] = event[idx]
    frame.loc[idx, "event_type"] = [m[0] for m in mapped[known]]
    frame["sub_event_type"] = sub
    frame.loc[idx, "sub_event_type"] = [m[1] for m in mapped[known]]
