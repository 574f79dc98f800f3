"""Readers for every input format, behind one entry point: :func:`read_incidents`.

One module per format: ``ours_csv`` (our columns), ``acled`` (ACLED CSV), ``ucdp`` (UCDP GED
CSV), ``geojson`` (a FeatureCollection of Points) and ``ours_json`` (our
``{"incidents": [...], "casualty_groups": [...]}`` document). Each returns a
:class:`ReadResult` in our column names, not yet validated, with each row's line number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..exc import ImportFormatError
from . import acled, geojson, ours_csv, ours_json, ucdp
from ._json import load_json
from ._table import csv_header, load_bytes
from .acled import ZERO_CHOICES, AcledZeros
from .result import ReadResult

__all__ = ["FORMATS", "ZERO_CHOICES", "ReadResult", "read_incidents", "sniff_format"]

Format = Literal["auto", "csv", "acled", "ucdp", "geojson", "json"]
FORMATS: tuple[str, ...] = ("auto", "csv", "acled", "ucdp", "geojson", "json")
_CSV_FAMILY = {"csv": ours_csv, "acled": acled, "ucdp": ucdp}
_JSON_FAMILY = {"geojson": geojson, "json": ours_json}


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def sniff_format(path: str | Path, data: bytes | None = None) -> str:
    """The format of a file, from its content (JSON or CSV, and which columns) and extension."""
    data = load_bytes(path) if data is None else data
    if _looks_like_json(data):
        document = load_json(data)
        return _json_kind(document, Path(path))
    return _csv_kind(csv_header(data))


def _json_kind(document, path: Path) -> str:
    if geojson.matches(document):
        return "geojson"
    if ours_json.matches(document):
        return "json"
    raise ImportFormatError(
        f"{path.name}: a JSON file, but neither a GeoJSON FeatureCollection nor our "
        '{"incidents": [...], "casualty_groups": [...]} document'
    )


def _csv_kind(header: list[str]) -> str:
    for name, module in (("acled", acled), ("ucdp", ucdp), ("csv", ours_csv)):
        if module.matches(header):
            return name
    shown = ", ".join(repr(h[:30]) for h in header[:6])
    raise ImportFormatError(
        f"not a CSV or GeoJSON table we know: line 1 names none of the id columns "
        f"(event_id, ACLED's event_id_cnty, UCDP's id and type_of_violence); it starts {shown}"
    )


def read_incidents(
    path: str | Path,
    *,
    format: Format = "auto",
    acled_zeros: AcledZeros = "unknown",
) -> ReadResult:
    """Read an incident file of any supported format into our columns (not yet validated).

    ``format="auto"`` sniffs the content: JSON (GeoJSON or our document) or CSV, and for CSV
    the header (``event_id_cnty`` → ACLED, ``type_of_violence``+``best`` → UCDP,
    ``event_id`` → ours). ``acled_zeros`` says what an ACLED 0 means: ``unknown`` (default,
    ACLED uses 0 for "no information") or ``keep``.
    Raises :class:`~incidents.exc.ImportFormatError` for a file that is not such a table.
    """
    if format not in FORMATS:
        raise ImportFormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    data = load_bytes(path)
    try:
        if _looks_like_json(data):
            if format in _CSV_FAMILY:
                raise ImportFormatError(
                    f"this is a JSON file, not {format.upper()}: "
                    "read it with format 'geojson', 'json' or 'auto'"
                )
            document = load_json(data)
            kind = _json_kind(document, path) if format == "auto" else format
            return _JSON_FAMILY[kind].read(document)
        if format in _JSON_FAMILY:
            raise ImportFormatError(f"not a {format} file: it does not start with '{{'")
        header = csv_header(data)
        kind = _csv_kind(header) if format == "auto" else format
        if kind == "acled":
            return acled.read(data, header, zeros=acled_zeros)
        return _CSV_FAMILY[kind].read(data, header)
    except ImportFormatError as err:
        message = str(err)
        if not message.startswith(str(path)):
            message = f"{path}: {message}"
        raise ImportFormatError(message) from None
