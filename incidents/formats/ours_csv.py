"""Our own CSV: the columns of :data:`incidents.schema.COLUMNS` (``sources`` as a JSON list),
plus the ``group_*`` columns of our exports. Extra columns are ignored.

Our CSV exports put a ``'`` before text cells a spreadsheet would run as a formula; a text
cell starting with ``'`` followed by ``=``, ``+``, ``-``, ``@``, tab or CR loses that ``'``
here, so an export imports back unchanged.
"""

from __future__ import annotations

from ..schema import COLUMN_NAMES, TEXT_COLUMNS
from ._groups import GROUP_FIGURE_COLUMNS, groups_from_columns
from ._table import TableShape, read_csv_table
from .result import ReadResult, require

NAME = "csv"
#: Columns a file must have. Coordinates may be missing in the file (each row without them is
#: rejected by validation, or placed by the gazetteer when importing with ``--geocode``).
#: ``event_id`` may be missing (rows get an id from their content, :mod:`._rows`).
REQUIRED = ("event_date", "event_type", "sub_event_type", "country", "location")


def _unneutralise(values):
    """Undo our exports' formula guard: ``'=SUM(1)`` reads back as ``=SUM(1)``."""
    guarded = values.str.match(r"'[=+\-@\t\r]").fillna(False)
    return values.where(~guarded, values.str.slice(1)) if guarded.any() else values


def matches(header: list[str]) -> bool:
    return "event_id" in header or all(c in header for c in REQUIRED)


def read(data: bytes, shape: TableShape) -> ReadResult:
    header = shape.names
    require(header, REQUIRED, NAME)
    wanted = [c for c in header if c in COLUMN_NAMES or c in GROUP_FIGURE_COLUMNS]
    frame, lines, errors = read_csv_table(data, shape, wanted)
    for name in frame.columns:
        if name in TEXT_COLUMNS:
            frame[name] = _unneutralise(frame[name])
    groups, group_lines, group_errors = groups_from_columns(frame, lines)
    frame = frame.drop(columns=[c for c in GROUP_FIGURE_COLUMNS if c in frame.columns])
    return ReadResult(
        frame, lines, groups, NAME, errors + group_errors, group_lines, derived_groups=True
    )
