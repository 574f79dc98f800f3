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
  feature or part of a country → 3 (a region). 6 (the country only) and 7 (international
  waters or airspace) have no precision in our model: those rows are rejected, not placed.
- ``date_prec`` → ``time_precision`` (:data:`DATE_PREC`): 1 the exact day → 1; 2 within
  2–6 days and 3 within a week → 2; 4 within a month → 3; 5 (more than a month) is rejected.
- ``side_a``/``side_b`` → ``actor1``/``actor2``; ``country`` (``Russia (Soviet Union)`` →
  ``Russia``); ``adm_1``/``adm_2`` → ``admin1``/``admin2``; ``where_coordinates`` →
  ``location``; ``source_office`` → ``source``; ``source_headline`` → ``notes``.
- ``iso`` stays empty: UCDP's ``country_id`` is a Gleditsch–Ward code, not ISO 3166.
"""

from __future__ import annotations

import pandas as pd

from ..exc import RowError
from ._table import read_csv_table
from .result import ReadResult, require

NAME = "ucdp"
VIOLENCE = {
    "1": ("Battles", "Armed clash"),
    "2": ("Battles", "Armed clash"),
    "3": ("Violence against civilians", "Attack"),
}
WHERE_PREC = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3}
DATE_PREC = {"1": 1, "2": 2, "3": 2, "4": 3}
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


def read(data: bytes, header: list[str]) -> ReadResult:
    require(header, REQUIRED, NAME)
    wanted = [
        c
        for c in header
        if c in RENAME or c in ("id", "type_of_violence", "date_start", "where_prec", "date_prec")
    ]
    raw, lines, errors = read_csv_table(data, header, wanted)
    frame = pd.DataFrame(index=raw.index)
    frame["event_id"] = "UCDP-" + raw["id"].str.strip()
    frame["event_date"] = raw["date_start"]
    violence = raw["type_of_violence"].str.strip()
    frame["event_type"] = violence.map({k: v[0] for k, v in VIOLENCE.items()})
    frame["sub_event_type"] = violence.map({k: v[1] for k, v in VIOLENCE.items()})
    frame["geo_precision"] = raw["where_prec"].str.strip().map(WHERE_PREC)
    frame["time_precision"] = raw["date_prec"].str.strip().map(DATE_PREC)
    for source, ours in RENAME.items():
        if source in raw.columns:
            frame[ours] = raw[source]
    frame["country"] = frame["country"].replace(COUNTRY_NAMES)
    frame["location"] = frame.get("location", pd.Series(pd.NA, index=raw.index)).fillna(
        raw.get("adm_1")
    )
    frame["claim_status"] = "confirmed"
    frame["geo_source"] = "imported"
    # Values our model has no place for: reject the row with UCDP's own words.
    bad = pd.Series(False, index=raw.index)
    problems = []
    for column, mapping, what in (
        ("type_of_violence", VIOLENCE, ""),
        (
            "where_prec",
            WHERE_PREC,
            "{v} (country only or international waters) has no geo_precision in our model",
        ),
        ("date_prec", DATE_PREC, "{v} (more than a month) has no time_precision in our model"),
    ):
        values = raw[column].str.strip()
        unmapped = values.notna() & ~values.isin(list(mapping)) & ~bad
        for pos in unmapped.to_numpy().nonzero()[0].tolist():
            v = values.iat[pos]
            special = v in {"where_prec": ("6", "7"), "date_prec": ("5",)}.get(column, ())
            message = (
                what.format(v=v)
                if special
                else f"{v!r} is not a UCDP {column} code (1..{len(mapping)})"
            )
            problems.append(
                RowError(int(lines[pos]), column, message, str(frame["event_id"].iat[pos]))
            )
        bad |= unmapped
    keep = ~bad.to_numpy()
    errors = sorted(errors + problems, key=lambda e: e.line)
    return ReadResult(frame[keep].reset_index(drop=True), lines[keep], None, NAME, errors)
