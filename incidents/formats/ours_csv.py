"""Our own CSV: the columns of :data:`incidents.schema.COLUMNS` (``sources`` as a JSON list),
plus the ``group_*`` columns of our exports. Extra columns are ignored."""

from __future__ import annotations

from ..schema import COLUMN_NAMES
from ._groups import GROUP_FIGURE_COLUMNS, groups_from_columns
from ._table import read_csv_table
from .result import ReadResult, require

NAME = "csv"
REQUIRED = ("event_id", "event_date", "event_type", "sub_event_type", "country", "location", "latitude", "longitude", "geo_precision")


def matches(header: list[str]) -> bool:
    return "event_id" in header


def read(data: bytes, header: list[str]) -> ReadResult:
    require(header, REQUIRED, NAME)
    wanted = [c for c in header if c in COLUMN_NAMES or c in GROUP_FIGURE_COLUMNS]
    frame, lines, errors = read_csv_table(data, header, wanted)
    groups, group_lines, group_errors = groups_from_columns(frame, lines)
    frame = frame.drop(columns=[c for c in GROUP_FIGURE_COLUMNS if c in frame.columns])
    return ReadResult(frame, lines, groups, NAME, errors + group_errors, group_lines, derived_groups=True)
