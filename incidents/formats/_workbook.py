"""Excel and OpenDocument workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) read directly.

python-calamine (Rust) reads the first sheet that holds anything; its cells become one CSV text
that every reader then takes like a file saved as "CSV UTF-8": dates as ``YYYY-MM-DD`` (with
the time when it is not midnight), whole numbers without ``.0``, booleans as ``true``/``false``.
Line numbers are the sheet's row numbers (the header is row 1) when no cell holds a line break.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from ..exc import ImportFormatError

__all__ = ["WORKBOOK_SUFFIXES", "is_workbook", "workbook_csv"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_workbook(path: Path, head: bytes) -> bool:
    """A workbook by its extension and its first bytes (a ZIP or an old Office file)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES and head[:8].startswith((_ZIP, _OLE))


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def workbook_csv(path: Path) -> tuple[bytes, str]:
    """The first non-empty sheet as UTF-8 CSV bytes, and the sheet's name."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as err:
        raise ImportFormatError(f"not a workbook we can read ({err})") from None
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        if rows:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            for row in rows:
                writer.writerow([_text(v) for v in row])
            return out.getvalue().encode("utf-8"), name
    raise ImportFormatError("the workbook is empty")
