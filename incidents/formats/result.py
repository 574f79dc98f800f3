"""What every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exc import ImportFormatError, RowError

__all__ = ["ReadResult", "require"]


@dataclass
class ReadResult:
    """Rows of one input file in our column names, not yet validated.

    ``lines`` holds each row's 1-based line in the file (for GeoJSON and our JSON document,
    the 1-based feature or record number). ``groups`` are the shared casualty figures the file
    carries (``None`` if none); ``errors`` the records that could not even be read (wrong
    number of fields, a GeoJSON feature that is not a point...).
    """

    frame: pd.DataFrame
    lines: np.ndarray
    groups: pd.DataFrame | None
    format: str
    errors: list[RowError] = field(default_factory=list)
    group_lines: np.ndarray | None = None
    #: True when groups were rebuilt from ``group_*`` columns (they have no description or sources).
    derived_groups: bool = False
    #: What was found about the file, in words: encoding, delimiter, date convention per
    #: column, ids generated, repeated ids (shown by the CLI and the Import page).
    conventions: dict[str, str] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """What ``lines`` count: ``line``, ``feature`` or ``record``."""
        return {
            "geojson": "feature",
            "ucdp-geojson": "feature",
            "json": "record",
            "acled-json": "record",
        }.get(self.format, "line")


def require(header: list[str], required: tuple[str, ...], fmt: str) -> None:
    """Raise naming every required column the header lacks."""
    missing = [c for c in required if c not in header]
    if missing:
        hint = ""
        if fmt != "acled" and "event_id_cnty" in header:
            hint = " (this looks like an ACLED export: read it with format 'acled' or 'auto')"
        elif fmt != "ucdp" and "type_of_violence" in header:
            hint = " (this looks like a UCDP GED file: read it with format 'ucdp' or 'auto')"
        raise ImportFormatError(
            f"missing required column(s) for the {fmt} format: {', '.join(missing)}{hint}"
        )
