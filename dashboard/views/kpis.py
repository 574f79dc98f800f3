"""The three metrics (incidents, killed, injured) and the notes under them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from incidents.totals import Figure, Totals

__all__ = ["Kpis", "figure_value", "kpis"]


@dataclass(frozen=True)
class Kpis:
    """Texts of the three metrics and the notes shown under them."""

    incidents: str
    killed: str
    killed_note: str | None
    injured: str
    injured_note: str | None
    shared_note: str | None


def figure_value(fig: Figure, *, carriers: int) -> str:
    """The metric value of a summed figure: ``"12 (10–14)"``, ``"9"`` or ``"unknown"``.

    ``carriers`` is the number of incidents whose figure counts (a shared figure counts on
    one of its incidents only); when every one of them is unknown the value is ``unknown``,
    never 0.
    """
    if carriers and fig.unknown >= carriers:
        return "unknown"
    text = f"{fig.best:,}"
    if fig.low != fig.best or fig.high != fig.best:
        text += f" ({fig.low:,}–{fig.high:,})"
    return text


def _unknown_note(fig: Figure) -> str | None:
    if not fig.unknown:
        return None
    return f"unknown for {fig.unknown:,} incident{'s' if fig.unknown != 1 else ''}"


def kpis(totals: Totals, frame: pd.DataFrame | None = None, *, grouped: int | None = None) -> Kpis:
    """KPI texts of a selection (``frame``) and its :func:`~incidents.totals.casualty_totals`;
    instead of the frame, ``grouped`` may say how many of its rows belong to a shared figure."""
    if grouped is None:
        if frame is None:
            raise TypeError("kpis() needs the selection's frame or its grouped count")
        grouped = int(frame["casualty_group"].notna().sum())
    carriers = totals.incidents - grouped + totals.shared_figures
    shared = None
    if totals.shared_figures:
        n = totals.shared_figures
        figures = f"{n:,} shared casualty figure{'s' if n != 1 else ''}"
        shared = (
            f"{grouped:,} incident{'s' if grouped != 1 else ''} of this view {'are' if grouped != 1 else 'is'} "
            f"covered by {figures} (one figure reported for several incidents); each figure counts once."
        )
    return Kpis(
        incidents=f"{totals.incidents:,}",
        killed=figure_value(totals.killed, carriers=carriers),
        killed_note=_unknown_note(totals.killed),
        injured=figure_value(totals.injured, carriers=carriers),
        injured_note=_unknown_note(totals.injured),
        shared_note=shared,
    )
