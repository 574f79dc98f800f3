"""GeoJSON (RFC 7946): a FeatureCollection of Points whose properties are our columns.

The point's coordinates (longitude, latitude) win over any ``latitude``/``longitude``
property. Rows are numbered by feature (1-based). ``group_*`` properties (our exports)
rebuild the shared casualty figures, as for our CSV.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..exc import ImportFormatError, RowError
from ..schema import COLUMN_NAMES
from ._groups import GROUP_FIGURE_COLUMNS, groups_from_columns
from ._json import cell, unstorable
from .result import ReadResult

NAME = "geojson"
_WANTED = set(COLUMN_NAMES) | set(GROUP_FIGURE_COLUMNS)


def matches(document: Any) -> bool:
    return isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature")


def _finite(number: int | float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond any float (10**400)
        return False


def _point(feature: Any) -> tuple[float, float] | str:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "is not a GeoJSON Feature"
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        return "has no geometry"
    if geometry.get("type") != "Point":
        return f"must be a Point, got {str(geometry.get('type'))[:30]!r}"
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])
        or not all(_finite(c) for c in coords[:2])
    ):
        return "Point coordinates must be [longitude, latitude] numbers"
    return float(coords[0]), float(coords[1])


def _features(document: Any) -> list:
    if not matches(document):
        raise ImportFormatError('not a GeoJSON FeatureCollection (no "type": "FeatureCollection")')
    features = [document] if document.get("type") == "Feature" else document.get("features")
    if not isinstance(features, list):
        raise ImportFormatError('a GeoJSON FeatureCollection needs a "features" list')
    return features


def is_ucdp(document: Any) -> bool:
    """A UCDP GED GeoJSON: its first feature's properties have ``type_of_violence`` and ``best``."""
    features = _features(document)
    first = features[0] if features else None
    props = first.get("properties") if isinstance(first, dict) else None
    return isinstance(props, dict) and "type_of_violence" in props and "best" in props


def properties(document: Any) -> tuple[pd.DataFrame, np.ndarray, list[RowError]]:
    """Every Point feature's properties (all of them, as JSON cells) with its coordinates."""
    records: list[dict] = []
    lines: list[int] = []
    errors: list[RowError] = []
    for number, feature in enumerate(_features(document), 1):
        point = _point(feature)
        if isinstance(point, str):
            errors.append(RowError(number, "geometry", point))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(RowError(number, "properties", "must be an object"))
            continue
        record = {k.lower(): cell(v) for k, v in props.items()}
        record["longitude"], record["latitude"] = point
        records.append(record)
        lines.append(number)
    frame = pd.DataFrame(records) if records else pd.DataFrame(columns=["latitude", "longitude"])
    return frame, np.asarray(lines, dtype=np.int64), errors


def read(document: Any) -> ReadResult:
    features = _features(document)
    records: list[dict] = []
    lines: list[int] = []
    errors: list[RowError] = []
    for number, feature in enumerate(features, 1):
        point = _point(feature)
        if isinstance(point, str):
            errors.append(RowError(number, "geometry", point))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(RowError(number, "properties", "must be an object"))
            continue
        record = {k: v for k, v in props.items() if k in _WANTED}
        problem = unstorable(record)
        if problem:
            errors.append(RowError(number, *problem))
            continue
        record = {k: cell(v) for k, v in record.items()}
        record["longitude"], record["latitude"] = point
        records.append(record)
        lines.append(number)
    frame = pd.DataFrame(records) if records else pd.DataFrame(columns=["latitude", "longitude"])
    line_arr = np.asarray(lines, dtype=np.int64)
    groups, group_lines, group_errors = groups_from_columns(frame, line_arr)
    frame = frame.drop(columns=[c for c in GROUP_FIGURE_COLUMNS if c in frame.columns])
    return ReadResult(
        frame,
        line_arr,
        groups,
        NAME,
        sorted(errors + group_errors, key=lambda e: e.line),
        group_lines,
        True,
    )
