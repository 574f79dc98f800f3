"""Readers for every input format, behind one entry point: :func:`read_incidents`.

One module per format: ``ours_csv`` (our columns), ``acled`` (ACLED CSV and the API's JSON),
``ucdp`` (UCDP GED CSV and GeoJSON), ``geojson`` (a FeatureCollection of Points) and
``ours_json`` (our ``{"incidents": [...], "casualty_groups": [...]}`` document). Each returns a
:class:`ReadResult` in our column names, not yet validated, with each row's line number.
Every reader's rows then get ids, dates and repeated ids sorted out by
:func:`._rows.finish`; ``ReadResult.conventions`` says what was found (encoding, delimiter,
date convention...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..dates import DATE_ORDERS, DateOrder
from ..exc import ImportFormatError
from . import acled, geojson, ours_csv, ours_json, ucdp
from ._json import cell, load_json
from ._rows import finish
from ._table import csv_header, csv_shape, load_bytes, load_input, read_csv_table
from .acled import ZERO_CHOICES, AcledZeros
from .mapped import ColumnMapping, apply_mapping, records_frame, suggest_mapping
from .result import ReadResult

__all__ = [
    "DATE_ORDERS",
    "FORMATS",
    "ZERO_CHOICES",
    "ColumnMapping",
    "ReadResult",
    "read_incidents",
    "sniff_format",
    "suggest_mapping",
]

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


def _is_acled_api(document) -> bool:
    """ACLED's API answer: ``{"status": 200, "data": [{"event_id_cnty": "...", ...}, ...]}``."""
    data = document.get("data") if isinstance(document, dict) else None
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and "event_id_cnty" in data[0]
    )


def _json_kind(document, path: Path) -> str:
    if geojson.matches(document):
        return "ucdp-geojson" if geojson.is_ucdp(document) else "geojson"
    if ours_json.matches(document):
        return "json"
    if _is_acled_api(document):
        return "acled-json"
    raise ImportFormatError(
        f"{path.name}: a JSON file, but neither a GeoJSON FeatureCollection, ACLED's API answer "
        'nor our {"incidents": [...], "casualty_groups": [...]} document'
    )


def _acled_api(document, zeros: AcledZeros) -> ReadResult:
    records = [
        {k.lower(): cell(v) for k, v in item.items()}
        for item in document["data"]
        if isinstance(item, dict)
    ]
    frame = pd.DataFrame(records).astype("string")
    lines = np.asarray([n for n, i in enumerate(document["data"], 1) if isinstance(i, dict)])
    acled.require(list(frame.columns), acled.REQUIRED, acled.NAME)
    return acled.from_frame(frame, lines, [], zeros=zeros, fmt="acled-json")


def _read_mapped(data: bytes, path: Path, mapping: ColumnMapping) -> ReadResult:
    if _looks_like_json(data):
        document = load_json(data)
        if geojson.matches(document):
            frame, lines, errors = geojson.properties(document)
            return apply_mapping(frame, lines, mapping, errors)
        found = records_frame(document)
        if found is None:
            raise ImportFormatError("a JSON file, but neither GeoJSON nor a list of records to map")
        return apply_mapping(found[0], found[1], mapping, [])
    shape = csv_shape(data)
    frame, lines, errors = read_csv_table(data, shape, shape.names)
    result = apply_mapping(frame, lines, mapping, errors)
    result.conventions["delimiter"] = shape.described
    return result


def _read_json(document, kind: str, zeros: AcledZeros) -> ReadResult:
    if kind == "ucdp-geojson":
        frame, lines, errors = geojson.properties(document)
        ucdp.require(list(frame.columns), ucdp.REQUIRED, ucdp.NAME)
        return ucdp.from_frame(frame, lines, errors, fmt="ucdp-geojson")
    if kind == "acled-json":
        return _acled_api(document, zeros)
    return _JSON_FAMILY[kind].read(document)


def _csv_kind(header: list[str]) -> str:
    for name, module in (("acled", acled), ("ucdp", ucdp), ("csv", ours_csv)):
        if module.matches(header):
            return name
    shown = ", ".join(repr(h[:30]) for h in header[:6])
    suggested = suggest_mapping(header)
    hint = (
        "; read it through a column mapping, e.g. "
        + ", ".join(f"{k}={v}" for k, v in suggested.items())
        if suggested
        else ""
    )
    raise ImportFormatError(
        f"not a CSV or GeoJSON table we know: line 1 names none of the id columns "
        f"(event_id, ACLED's event_id_cnty, UCDP's id and type_of_violence); it starts {shown}"
        f"{hint}"
    )


def read_incidents(
    path: str | Path,
    *,
    format: Format = "auto",
    acled_zeros: AcledZeros = "unknown",
    date_order: DateOrder = "auto",
    mapping: ColumnMapping | None = None,
) -> ReadResult:
    """Read an incident file of any supported format into our columns (not yet validated).

    With a ``mapping`` (:class:`ColumnMapping`) any table is read through it instead: a CSV,
    a workbook, a GeoJSON (properties and points) or a JSON list of records.

    ``format="auto"`` sniffs the content: JSON (GeoJSON, UCDP's GeoJSON, ACLED's API answer
    or our document) or CSV, and for CSV the header (``event_id_cnty`` → ACLED,
    ``type_of_violence``+``best`` → UCDP, ``event_id`` or our required columns → ours).
    ``acled_zeros`` says what an ACLED 0 means: ``unknown`` (default, ACLED uses 0 for "no
    information") or ``keep``. ``date_order`` reads numeric dates day-first (``dmy``) or
    month-first (``mdy``); ``auto`` decides per column from the evidence
    (:func:`incidents.dates.read_dates`). Raises :class:`~incidents.exc.ImportFormatError`
    for a file that is not such a table.
    """
    if format not in FORMATS:
        raise ImportFormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if date_order not in DATE_ORDERS:
        raise ImportFormatError(
            f"unknown date order {date_order!r}; choose one of {', '.join(DATE_ORDERS)}"
        )
    path = Path(path)
    try:
        loaded = load_input(path)
        data = loaded.data
        if mapping is not None:
            result = _read_mapped(data, path, mapping)
            result.conventions = {"encoding": loaded.encoding, **result.conventions}
        elif _looks_like_json(data):
            if format == "csv":
                raise ImportFormatError(
                    f"this is a JSON file, not {format.upper()}: "
                    "read it with format 'geojson', 'json' or 'auto'"
                )
            document = load_json(data)
            kind = _json_kind(document, path)
            if format != "auto" and not kind.startswith(format):
                raise ImportFormatError(f"this JSON file is {kind}, not {format}")
            result = _read_json(document, kind, acled_zeros)
            result.conventions = {"encoding": loaded.encoding, **result.conventions}
        else:
            if format in _JSON_FAMILY:
                raise ImportFormatError(f"not a {format} file: it does not start with '{{'")
            shape = csv_shape(data)
            kind = _csv_kind(shape.names) if format == "auto" else format
            if kind == "acled":
                result = acled.read(data, shape, zeros=acled_zeros)
            else:
                result = _CSV_FAMILY[kind].read(data, shape)
            result.conventions = {
                "encoding": loaded.encoding,
                "delimiter": shape.described,
                **result.conventions,
            }
    except ImportFormatError as err:
        message = str(err)
        if not message.startswith(str(path)):
            message = f"{path}: {message}"
        raise ImportFormatError(message) from None
    return finish(result, date_order=date_order)
