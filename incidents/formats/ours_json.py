"""Our JSON document: ``{"incidents": [...], "casualty_groups": [...]}`` (as ``incidents/data/seed.json``).

The only format that carries shared casualty figures with their description and sources.
Records are numbered from 1 within each list.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exc import ImportFormatError, RowError
from ._json import cell, unstorable
from .result import ReadResult

NAME = "json"


def matches(document: Any) -> bool:
    return isinstance(document, dict) and "incidents" in document


def _records(document: dict, key: str) -> tuple[pd.DataFrame, np.ndarray, list[RowError]]:
    items = document.get(key) or []
    if not isinstance(items, list):
        raise ImportFormatError(f'"{key}" must be a list of objects')
    rows, lines, errors = [], [], []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.append(RowError(number, key, "must be an object"))
            continue
        problem = unstorable(item)
        if problem:
            errors.append(RowError(number, *problem))
            continue
        rows.append({k: cell(v) for k, v in item.items()})
        lines.append(number)
    return pd.DataFrame.from_records(rows), np.asarray(lines, dtype=np.int64), errors


def read(document: Any) -> ReadResult:
    if not matches(document):
        raise ImportFormatError('not our JSON document (an object with an "incidents" list)')
    frame, lines, errors = _records(document, "incidents")
    groups, group_lines, group_errors = _records(document, "casualty_groups")
    return ReadResult(
        frame,
        lines,
        groups if len(groups) else None,
        NAME,
        errors + group_errors,
        group_lines if len(groups) else None,
    )
