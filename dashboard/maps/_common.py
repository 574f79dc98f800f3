"""Small helpers shared by the map modules."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["is_na"]


def is_na(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
