"""UCDP Georeferenced Event Dataset (GED) CSV.

Mapping (UCDP → ours):

- ``id`` → ``event_id`` as ``UCDP-<id>``; ``date_start`` → ``event_date``.
- ``best``/``low``/``high`` → ``fatalities``/``fatalities_low``/``fatalities_high``;
  ``injured`` unknown (UCDP counts deaths only).
- ``type_of_violence`` → ACLED event/sub-event type (:data:`VIOLENCE`): 1 state-based and
  2 non-state conflict → Battles / Armed clash; 3 one-sided violence → Violence against
  civilians / Attack.
- ``where_prec`` → ``geo_precision`` (:data:`WHERE_PREC`): 1 exact place → 1; 2 within
  25 km of a place → 2; 3 second-order and 4 first-order administrative unit, 5 a linear
  feature or part of a country → 3 (a region); 6 (the country only) and 7 (international
  waters or airspace) → 4 (:data:`incidents.schema.COUNTRY_PRECISION`: the point is not a
  place, the map does not draw it as one).
- ``date_prec`` → ``time_precision`` (:data:`DATE_PREC`): 1 the exact day → 1; 2 within
  2–6 days and 3 within a week → 2; 4 within a month → 3; 5 more than a month → 4.
  ``date_end`` → ``event_date_end`` when it is after ``date_start`` (the span).
- ``year`` checks the dates; ``type_of_violence`` is kept in words in ``source_event_type``.
- Every version reads the same way (42 to 49 columns; ``active_year`` as True/False or 1/0
  is not used), as CSV or as GeoJSON (:func:`from_frame` takes the features' properties).
- ``side_a``/``side_b`` → ``actor1``/``actor2``; ``country`` (``Russia (Soviet Union)`` →
  ``Russia``); ``adm_1``/``adm_2`` → ``admin1``/``admin2``; ``where_coordinates`` →
  ``location``; ``source_office`` → ``source``; ``source_headline`` → ``notes``.
- ``iso`` stays empty: UCDP's ``country_id`` is a Gleditsch–Ward code, not ISO 3166.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exc import RowError
from ._table import TableShape, read_csv_table
from .result import ReadResult, require

NAME = "ucdp"
VIOLENCE = {
    "1": ("Battles", "Armed clash"),
    "2": ("Battles", "Armed clash"),
    "3": ("Violence against civilians", "Attack"),
}
VIOLENCE_WORDS = {
    "1": "UCDP type_of_violence 1 (state-based conflict)",
    "2": "UCDP type_of_violence 2 (non-state conflict)",
    "3": "UCDP type_of_violence 3 (one-sided violence)",
}
WHERE_PREC = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3, "6": 4, "7": 4}
DATE_PREC = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 4}
COUNTRY_NAMES = {
    "Russia (Soviet Union)": "Russia",
    "Yemen (North Yemen)": "Yemen",
    "Serbia (Yugoslavia)": "Serbia",
}
RENAME = {
    "side_a": "actor1",
    "side_b": "actor2",
    "country": "country",
    "adm_1": "admin1",
    "adm_2": "admin2",
    "where_coordinates": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "source_office": "source",
    "source_headline": "notes",
    "best": "fatalities",
    "low": "fatalities_low",
    "high": "fatalities_high",
}
REQUIRED = (
    "id",
    "type_of_violence",
    "date_start",
    "where_prec",
    "date_prec",
    "country",
    "latitude",
    "longitude",
    "best",
)


def matches(header: list[str]) -> bool:
    return "type_of_violence" in header and "best" in header


def code(values: pd.Series) -> pd.Series:
    """UCDP codes as text: ``"1"``, also from ``1``, ``1.0`` or ``" 1 "``."""
    return values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)


def read(data: bytes, shape: TableShape) -> ReadResult:
    header = shape.names
    require(header, REQUIRED, NAME)
    wanted = [c for c in header if c in RENAME or c in _OWN]
    raw, lines, errors = read_csv_table(data, shape, wanted)
    return from_frame(raw, lines, errors)


_OWN = ("id", "type_of_violence", "date_start", "date_end", "where_prec", "date_prec", "year")


def from_frame(
    raw: pd.DataFrame, lines: np.ndarray, errors: list[RowError], *, fmt: str = NAME
) -> ReadResult:
    """UCDP GED rows (text or JSON values, UCDP's column names) in our columns."""
    raw = raw.reset_index(drop=True)
    frame = pd.DataFrame(index=raw.index)
    frame["event_id"] = "UCDP-" + code(raw["id"])
    frame["event_date"] = raw["date_start"].astype("string")
    if "date_end" in raw.columns:
        end = raw["date_end"].astype("string").str.strip()
        frame["event_date_end"] = end.where(end != frame["event_date"].str.strip())
    if "year" in raw.columns:
        frame["year"] = raw["year"]
    violence = code(raw["type_of_violence"])
    frame["event_type"] = violence.map({k: v[0] for k, v in VIOLENCE.items()})
    frame["sub_event_type"] = violence.map({k: v[1] for k, v in VIOLENCE.items()})
    frame["source_event_type"] = violence.map(VIOLENCE_WORDS)
    frame["geo_precision"] = code(raw["where_prec"]).map(WHERE_PREC)
    frame["time_precision"] = code(raw["date_prec"]).map(DATE_PREC)
    for source, ours in RENAME.items():
        if source in raw.columns:
            frame[ours] = raw[source].astype("string")
    frame["country"] = frame["country"].replace(COUNTRY_NAMES)
    frame["location"] = frame.get("location", pd.Series(pd.NA, index=raw.index)).fillna(
        raw.get("adm_1")
    )
    frame["claim_status"] = "confirmed"
    frame["geo_source"] = "imported"
    # Codes outside UCDP's own lists: reject the row naming the column.
    bad = pd.Series(False, index=raw.index)
    problems = []
    for column, mapping in (
        ("type_of_violence", VIOLENCE),
        ("where_prec", WHERE_PREC),
        ("date_prec", DATE_PREC),
    ):
        values = code(raw[column])
        unmapped = values.notna() & ~values.isin(list(mapping)) & ~bad
        for pos in unmapped.to_numpy().nonzero()[0].tolist():
            message = f"{values.iat[pos]!r} is not a UCDP {column} code (1..{len(mapping)})"
            problems.append(
                RowError(int(lines[pos]), column, message, str(frame["event_id"].iat[pos]))
            )
        bad |= unmapped
    keep = ~bad.to_numpy()
    errors = sorted(errors + problems, key=lambda e: e.line)
    return ReadResult(
        frame[keep].reset_index(drop=True), np.asarray(lines)[keep], None, fmt, errors
    )
