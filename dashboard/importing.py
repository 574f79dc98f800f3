"""What the Import page needs: an upload kept as a file, a dry run, the import itself.

The page (``pages/3_Import.py``) stays thin: widgets and messages. The work is the library's
(:func:`incidents.importer.import_file`, the same code as ``python -m incidents import``):
a dry run reads, maps and validates the upload and shows what was found, the first rows and
every rejected row; the import writes the valid rows in one transaction. A file that is not a
table, or an import that fails, leaves the store as it was.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pandas as pd

from incidents import ImportFormatError, ImportReport, Store
from incidents.dates import DATE_ORDERS, DateOrder
from incidents.formats import ColumnMapping, suggest_mapping
from incidents.formats._table import csv_shape, load_input
from incidents.importer import import_file
from incidents.progress import ProgressCallback

__all__ = [
    "Checked",
    "check_upload",
    "discard_upload",
    "errors_table",
    "parse_mapping",
    "run_import",
    "save_upload",
]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_PREFIX = "incidents-upload-"
#: An upload's folder untouched this long (seconds) belongs to no page still open on it: every
#: rerun of the Import page writes its upload again, so a later rerun would recreate it.
STALE_AFTER_S = 3600.0


def save_upload(data: bytes, name: str, upload_id: str, *, root: Path | None = None) -> Path:
    """The uploaded bytes as a file, one folder per upload (its extension kept: workbooks are
    told by it), readable by this user only; the page's reruns write it again. A new upload
    first removes the folders of uploads left for :data:`STALE_AFTER_S` (a page closed before
    importing)."""
    root = Path(tempfile.gettempdir()) if root is None else root
    folder = root / (_PREFIX + _SAFE_NAME.sub("_", upload_id))
    if not folder.is_dir():  # a new upload (not a rerun): sweep the ones left behind first
        remove_stale_uploads(root)
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / (_SAFE_NAME.sub("_", Path(name).name)[-100:] or "upload")
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def discard_upload(path: Path) -> None:
    """Remove an upload saved by :func:`save_upload` once it is imported: an analyst's file
    does not outlive its use on a shared machine."""
    if path.parent.name.startswith(_PREFIX):
        shutil.rmtree(path.parent, ignore_errors=True)


def remove_stale_uploads(root: Path, *, now: float | None = None) -> list[Path]:
    """Remove the upload folders under ``root`` untouched for :data:`STALE_AFTER_S`; returns them."""
    now = time.time() if now is None else now
    removed = []
    for folder in root.glob(_PREFIX + "*"):
        try:
            touched = max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.iterdir())])
        except OSError:  # removed meanwhile by another session, or not ours to read
            continue
        if now - touched > STALE_AFTER_S and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def parse_mapping(text: str) -> ColumnMapping | None:
    """A mapping typed on the page (the JSON of a mapping file); None when left empty."""
    if not text.strip():
        return None
    try:
        document = json.loads(text)
    except ValueError as err:
        raise ImportFormatError(f"the column mapping is not valid JSON ({err})") from None
    if not isinstance(document, dict):
        raise ImportFormatError('the column mapping is a JSON object: {"columns": {...}}')
    return ColumnMapping(
        columns={str(k): str(v) for k, v in (document.get("columns") or {}).items()},
        constants={str(k): str(v) for k, v in (document.get("set") or {}).items()},
        values={
            str(k): {str(a): str(b) for a, b in dict(v).items()}
            for k, v in (document.get("values") or {}).items()
        },
    )


def _order(text: str) -> DateOrder:
    if text not in DATE_ORDERS:
        raise ImportFormatError(f"unknown date order {text!r}; choose one of {DATE_ORDERS}")
    return cast(DateOrder, text)


@dataclass
class Checked:
    """A dry run of an upload: the report, and a mapping proposed from its header."""

    report: ImportReport
    suggested: str


def _suggested(path: Path) -> str:
    loaded = load_input(path)
    if loaded.data.lstrip()[:1] in (b"{", b"["):
        return ""
    header = list(csv_shape(loaded.data).written)
    return ColumnMapping(suggest_mapping(header)).to_json()


def check_upload(
    store: Store, path: Path, *, mapping: ColumnMapping | None, date_order: str
) -> Checked:
    """Read, map and validate without writing (raises ImportFormatError for a non-table)."""
    report = import_file(
        store,
        path,
        mapping=mapping,
        date_order=_order(date_order),
        on_conflict="skip",  # as run_import: the rows already stored are listed, not rejected
        dry_run=True,
    )
    return Checked(report, _suggested(path))


def run_import(
    store: Store,
    path: Path,
    *,
    mapping: ColumnMapping | None,
    date_order: str,
    progress: ProgressCallback | None = None,
    source: str | None = None,
    who: str | None = None,
) -> ImportReport:
    """Import the valid rows in one transaction (known ids are skipped, never overwritten);
    each incident stored is recorded in the history with ``source`` (the upload's name)."""
    return import_file(
        store,
        path,
        mapping=mapping,
        date_order=_order(date_order),
        on_conflict="skip",
        progress=progress,
        source=source,
        who=who,
    )


def errors_table(report: ImportReport, *, known: bool = False) -> pd.DataFrame:
    """Rejected rows as a table: where, id, field, reason (``known``: the rows whose id is
    already stored, which the import will skip)."""
    rows = report.known if known else report.errors
    return pd.DataFrame(
        {
            report.unit: [e.line for e in rows],
            "event_id": [e.event_id or "" for e in rows],
            "field": [e.field for e in rows],
            "reason": [e.message for e in rows],
        }
    )
