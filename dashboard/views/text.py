"""Text for the page: Markdown escaping, clipping, a one-line summary of the filters."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from incidents.filters import IncidentFilter

__all__ = ["TEXT_LIMIT", "clip", "escape_markdown", "filter_summary", "store_label"]

#: Longest text of one table cell (characters); longer text is cut with an ellipsis.
TEXT_LIMIT = 400

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")
_SPACES = re.compile(r"\s+")


def escape_markdown(text: Any) -> str:
    """``text`` as literal Markdown: every ASCII punctuation sign backslash-escaped, one line.

    Streamlit renders Markdown in captions, warnings and labels (links, images, HTML-ish
    tags, ``:color[...]`` directives, ``$...$`` math); record and URL text shown there must
    go through this first.
    """
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", str(text)).strip())


def clip(text: Any, limit: int = TEXT_LIMIT) -> str | None:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut); None stays None."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def filter_summary(flt: IncidentFilter) -> str:
    """A short plain-text description of the active filters (for captions: escape before Markdown)."""
    if flt.is_empty:
        return "all incidents"
    parts: list[str] = []
    if flt.start or flt.end:
        parts.append(f"{flt.start or '…'} to {flt.end or '…'}")
    for name, label in (("killed", "killed"), ("injured", "injured")):
        lo, hi = getattr(flt, f"min_{name}"), getattr(flt, f"max_{name}")
        if lo is not None and hi is not None:
            parts.append(f"{lo}–{hi} {label}")
        elif lo is not None:
            parts.append(f"≥ {lo} {label}")
        elif hi is not None:
            parts.append(f"≤ {hi} {label}")
    if flt.unknown != "include":
        parts.append(
            {"exclude": "unknown casualties excluded", "only": "unknown casualties only"}[
                flt.unknown
            ]
        )
    for name in (
        "event_types",
        "sub_event_types",
        "countries",
        "admin1",
        "actors",
        "claim_statuses",
    ):
        values = getattr(flt, name)
        if values:
            shown = ", ".join(values[:3]) + (f" +{len(values) - 3}" if len(values) > 3 else "")
            parts.append(shown)
    if flt.text:
        parts.append(f"text “{flt.text}”")
    return "; ".join(parts)


def store_label(url: str) -> str:
    """A store URL for display, password hidden (plain text: escape before Markdown)."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(not a database URL)"
