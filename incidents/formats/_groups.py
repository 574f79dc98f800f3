"""Shared casualty figures carried in flat tables (CSV, GeoJSON properties) as ``group_*`` columns.

Our exports fill ``group_fatalities``... only on the one incident of each group that carries
the figure (see :mod:`incidents.export`). Reading such a file back rebuilds the groups from
those rows, so a round trip keeps every shared figure exactly once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exc import RowError
from ..schema import COUNT_COLUMNS

__all__ = ["GROUP_FIGURE_COLUMNS", "groups_from_columns"]

GROUP_FIGURE_COLUMNS: tuple[str, ...] = tuple("group_" + c for c in COUNT_COLUMNS)


def groups_from_columns(
    frame: pd.DataFrame, lines: np.ndarray
) -> tuple[pd.DataFrame | None, np.ndarray | None, list[RowError]]:
    """Casualty groups named in ``casualty_group`` with their figures from the ``group_*`` columns.

    Returns (groups, the line each group's figure comes from, errors for rows whose figure
    contradicts an earlier row of the same group). ``None`` when the table names no group.
    """
    if "casualty_group" not in frame.columns:
        return None, None, []
    names = frame["casualty_group"].astype("string").str.strip()
    grouped = (names.notna() & (names != "")).to_numpy()
    if not grouped.any():
        return None, None, []
    present = [c for c in GROUP_FIGURE_COLUMNS if c in frame.columns]
    sub = (
        frame.loc[grouped, present].astype("string").apply(lambda s: s.str.strip())
        if present
        else None
    )
    sub_names = names[grouped]
    sub_lines = np.asarray(lines)[grouped]
    figures: dict[str, tuple[int, tuple]] = {}
    first_line: dict[str, int] = {}
    errors: list[RowError] = []
    has_figure = (
        sub.notna().to_numpy() & (sub != "").fillna(False).to_numpy() if sub is not None else None
    )
    for pos, group in enumerate(sub_names.tolist()):
        first_line.setdefault(group, int(sub_lines[pos]))
        if sub is None or has_figure is None or not has_figure[pos].any():
            continue
        values = tuple(
            None if not has_figure[pos][i] else sub.iat[pos, i] for i in range(len(present))
        )
        if group not in figures:
            figures[group] = (int(sub_lines[pos]), values)
        elif figures[group][1] != values:
            errors.append(
                RowError(
                    int(sub_lines[pos]),
                    "group_fatalities",
                    f"figures of casualty group {group!r} differ from line {figures[group][0]}",
                )
            )
    rows = []
    group_lines = []
    for group, line in first_line.items():
        line, values = figures.get(group, (line, (None,) * len(present)))
        rows.append({"group_id": group, **{c[len("group_") :]: v for c, v in zip(present, values)}})
        group_lines.append(line)
    return pd.DataFrame(rows), np.asarray(group_lines, dtype=np.int64), errors
