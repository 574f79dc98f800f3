"""The incident table: the newest rows of a selection as display-ready text columns."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..safe import safe_url
from .text import TEXT_LIMIT, clip

__all__ = ["TABLE_COLUMNS", "TABLE_LIMIT", "TableView", "casualty_cell", "first_link", "table_view"]

#: Rows of the incident table sent to the browser; bigger selections show the newest rows.
TABLE_LIMIT = 1_000


@dataclass(frozen=True)
class TableView:
    """The rows shown in the table: the newest ``shown`` of ``total`` incidents."""

    rows: pd.DataFrame
    shown: int
    total: int

    @property
    def truncated(self) -> bool:
        return self.shown < self.total

    def caption(self) -> str:
        if not self.truncated:
            return f"{self.total:,} incident{'s' if self.total != 1 else ''}, newest first."
        return (
            f"Showing the newest {self.shown:,} of {self.total:,} incidents (sorted by date, newest first). "
            "Narrow the filters to see others, or download the full selection below."
        )


def _newest_positions(frame: pd.DataFrame, limit: int) -> np.ndarray:
    """Positions of the ``limit`` newest rows (date then id, descending), without a full sort."""
    n = len(frame)
    dates = frame["event_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    if n > limit:
        kth = np.partition(dates, n - limit)[n - limit]
        candidates = np.flatnonzero(dates >= kth)
    else:
        candidates = np.arange(n)
    sub = pd.DataFrame(
        {
            "d": dates[candidates],
            "id": frame["event_id"].to_numpy()[candidates],
            "pos": candidates,
        }
    )
    sub = sub.sort_values(["d", "id"], ascending=False, kind="stable").head(limit)
    return sub["pos"].to_numpy()


def casualty_cell(best: Any, low: Any, high: Any) -> str:
    """One figure as text with its uncertainty: ``"8"``, ``"10 (8–12)"``, ``"≥ 24"``, ``"unknown"``."""
    best, low, high = (None if v is None or pd.isna(v) else int(v) for v in (best, low, high))
    if best is None and low is None and high is None:
        return "unknown"
    if best is None:
        if high is None:
            return f"≥ {low:,}"
        if low is None:
            return f"≤ {high:,}"
        return f"{low:,}–{high:,}"
    low = best if low is None else low
    if high is None:
        return f"≥ {best:,}" if low == best else f"{best:,} (≥ {low:,})"
    if low == best and high == best:
        return f"{best:,}"
    return f"{best:,} ({low:,}–{high:,})"


def first_link(sources_json: Any) -> str | None:
    """The first http(s) URL of a record's ``sources`` JSON list, or None."""
    if sources_json is None or sources_json is pd.NA or not isinstance(sources_json, str):
        return None
    try:
        items = json.loads(sources_json)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict):
            url = safe_url(item.get("url"))
            if url:
                return url
    return None


#: Table columns in display order.
TABLE_COLUMNS: tuple[str, ...] = (
    "Date",
    "Until",
    "Location",
    "Admin1",
    "Country",
    "Event type",
    "Sub-type",
    "Killed",
    "Injured",
    "Shared figure",
    "Claim",
    "Claimed by",
    "Actor 1",
    "Actor 2",
    "Sources",
    "Link",
    "Notes",
    "ID",
)


def _until(rows: pd.DataFrame) -> list:
    """The last day of an incident known only as a span (None for a single day)."""
    if not len(rows) or "event_date_end" not in rows.columns:
        return [None] * len(rows)
    end = rows["event_date_end"]
    return [None if pd.isna(d) else d.date() for d in end.tolist()]


def _figure_column(rows: pd.DataFrame, column: str) -> list[str]:
    """Each row's figure as text: its own, or for a row of a shared figure the group's."""
    grouped = rows["casualty_group"].notna().to_numpy()
    shared = "group_" + column
    values = []
    for suffix in ("", "_low", "_high"):
        own = rows[column + suffix].astype("object").tolist()
        group = (
            rows[shared + suffix].astype("object").tolist()
            if shared + suffix in rows.columns
            else own
        )
        values.append([g if is_grouped else o for o, g, is_grouped in zip(own, group, grouped)])
    return [casualty_cell(b, lo, hi) for b, lo, hi in zip(*values)]


def table_view(
    frame: pd.DataFrame,
    *,
    limit: int = TABLE_LIMIT,
    text_limit: int = TEXT_LIMIT,
    rows_of: Callable[[np.ndarray], pd.DataFrame] | None = None,
    total: int | None = None,
    group_sizes: Mapping[str, int] | None = None,
) -> TableView:
    """The table of a selection: at most ``limit`` rows, newest first, display-ready columns.

    Casualties are text with their uncertainty (``"10 (8–12)"``, ``"unknown"``); an incident
    whose figure is shared with others shows the shared figure and names it in
    ``Shared figure`` (totals count it once). ``Link`` holds the first http(s) source URL
    only; every text cell is cut to ``text_limit`` characters so the page stays small.

    ``frame`` needs only ``event_date``, ``event_id`` and ``casualty_group`` when ``rows_of``
    is given: it returns the full rows at the given positions of ``frame`` (so a big
    selection never has to be copied whole to show its newest rows).

    ``total`` and ``group_sizes`` (rows per shared figure in the selection) say that ``frame``
    holds the rows to show, newest first, of a selection of ``total`` rows (e.g. from
    :func:`dashboard.views.columnar.newest`).
    """
    if total is None:
        total = len(frame)
        positions = _newest_positions(frame, limit) if total else np.arange(0)
        rows = (rows_of or frame.iloc.__getitem__)(positions) if total else frame
    else:
        rows = frame.iloc[:limit]
    grouped = rows["casualty_group"]
    if len(rows):
        if group_sizes is not None:
            sizes = pd.Series(dict(group_sizes), dtype="int64")
        else:
            sizes = (
                frame["casualty_group"].value_counts()
                if grouped.notna().any()
                else pd.Series(dtype="int64")
            )
    shared: list[str | None] = []
    for g in grouped.tolist() if len(rows) else []:
        if g is None or g is pd.NA:
            shared.append(None)
        else:
            n = int(sizes.get(g, 1))
            shared.append(
                clip(
                    f"{g} (one figure for {n} incident{'s' if n != 1 else ''} here; counted once)",
                    text_limit,
                )
            )

    def text(name: str, limit: int = text_limit) -> list[str | None]:
        return [clip(v, limit) for v in rows[name].tolist()]

    claimed_by = text("claimed_by")
    out = pd.DataFrame(
        {
            "Date": rows["event_date"].dt.date.to_numpy() if len(rows) else [],
            "Until": _until(rows),
            "Location": text("location"),
            "Admin1": text("admin1"),
            "Country": text("country"),
            "Event type": text("event_type"),
            "Sub-type": text("sub_event_type"),
            "Killed": _figure_column(rows, "fatalities"),
            "Injured": _figure_column(rows, "injured"),
            "Shared figure": shared,
            "Claim": text("claim_status"),
            "Claimed by": claimed_by,
            "Actor 1": text("actor1"),
            "Actor 2": text("actor2"),
            "Sources": text("source"),
            "Link": [first_link(v) for v in rows["sources"].tolist()],
            "Notes": text("notes"),
            "ID": text("event_id"),
        },
        columns=list(TABLE_COLUMNS),
    )
    for name in TABLE_COLUMNS:
        if name not in ("Date", "Until", "Link"):
            # Empty, not "None": the table would show a missing text as the word None.
            out[name] = out[name].astype("object").where(out[name].notna(), "")
    return TableView(out.reset_index(drop=True), shown=len(out), total=total)
