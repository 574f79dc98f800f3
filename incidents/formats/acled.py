"""ACLED CSV exports (the Data Export Tool and the API's CSV), column for column.

Mapping (ACLED → ours): ``event_id_cnty`` → ``event_id``; ``event_date`` (``2025-07-03`` or
``03 July 2025``), ``time_precision``, ``disorder_type``, ``event_type``, ``sub_event_type``,
``actor1``, ``actor2``, ``country``, ``iso`` (numeric ISO 3166-1), ``admin1``, ``admin2``,
``location``, ``latitude``, ``longitude``, ``geo_precision``, ``source``, ``notes`` and
``fatalities`` keep their names and meaning. Every row is ``claim_status`` confirmed,
``geo_source`` imported; ``injured`` and the bounds are unknown (ACLED has none).

ACLED codes "no information" as 0 fatalities; our model says unknown is empty, never 0.
So by default (``zeros="unknown"``) a 0 becomes unknown; ``zeros="keep"`` keeps real zeros.
"""

from __future__ import annotations

from typing import Literal

from ..exc import ImportFormatError
from ._table import read_csv_table
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
)
#: ACLED columns we do not import (documented in docs/import-export.md).
IGNORED = (
    "event_id_no_cnty",
    "year",
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
REQUIRED = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
)


def matches(header: list[str]) -> bool:
    return "event_id_cnty" in header and "event_id" not in header


def read(data: bytes, header: list[str], *, zeros: AcledZeros = "unknown") -> ReadResult:
    if zeros not in ZERO_CHOICES:
        raise ImportFormatError(f"acled zeros must be one of {ZERO_CHOICES}, got {zeros!r}")
    require(header, REQUIRED, NAME)
    wanted = [c for c in KEPT if c in header]
    frame, lines, errors = read_csv_table(data, header, wanted)
    frame = frame.rename(columns=RENAME)
    if zeros == "unknown":
        killed = frame["fatalities"]
        frame["fatalities"] = killed.where(killed.str.strip() != "0")
    frame["claim_status"] = "confirmed"
    frame["geo_source"] = "imported"
    return ReadResult(frame, lines, None, NAME, errors)
