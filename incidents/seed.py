"""The curated seed incidents (AFP, 3 July 2025), shipped as ``incidents/data/seed.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .exc import ValidationError
from .validate import validate_frame, validate_groups

__all__ = ["SEED_PATH", "load_seed", "records_to_frames"]

SEED_PATH = Path(__file__).resolve().parent / "data" / "seed.json"


def _jsonify_sources(records: list[dict]) -> list[dict]:
    return [
        {**r, "sources": json.dumps(r["sources"], ensure_ascii=False)}
        if isinstance(r.get("sources"), list)
        else r
        for r in records
    ]


def records_to_frames(document: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a ``{"incidents": [...], "casualty_groups": [...]}`` document into typed frames.

    Raises :class:`ValidationError` naming every bad record.
    """
    incidents = validate_frame(pd.DataFrame(_jsonify_sources(document.get("incidents", []))))
    groups = validate_groups(pd.DataFrame(_jsonify_sources(document.get("casualty_groups", []))))
    if incidents.errors or groups.errors:
        raise ValidationError(groups.errors + incidents.errors)
    return incidents.valid, groups.valid


def load_seed(path: Path = SEED_PATH) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seed incidents and their shared casualty figures, validated."""
    return records_to_frames(json.loads(path.read_text(encoding="utf-8")))
