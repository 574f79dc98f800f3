"""The incident record: one event at one place on one date.

Column names and values follow ACLED wherever ACLED has the concept; the rest is ours:
casualty bounds and injuries, shared casualty figures, claim status, structured sources and
the provenance of coordinates. ``COLUMNS`` is the single list every reader, the store and
every export use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CLAIM_STATUSES",
    "COLUMNS",
    "COLUMN_NAMES",
    "COUNTRY_PRECISION",
    "COUNT_COLUMNS",
    "GEO_PRECISIONS",
    "GEO_SOURCES",
    "GROUP_COLUMNS",
    "TEXT_COLUMNS",
    "TIME_PRECISIONS",
    "Column",
]

Kind = Literal["text", "date", "int", "count", "float", "json"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    doc: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("event_id", "text", True, "Unique id (ACLED event_id_cnty when imported from ACLED)."),
    Column("event_date", "date", True, "Date of the event, ISO 8601 (YYYY-MM-DD)."),
    Column(
        "time_precision",
        "int",
        True,
        "1 exact day, 2 within a week, 3 within a month (ACLED); 4 more than a month (UCDP).",
    ),
    Column("disorder_type", "text", True, "ACLED disorder type."),
    Column("event_type", "text", True, "ACLED event type."),
    Column("sub_event_type", "text", True, "ACLED sub-event type, one of the event type's."),
    Column("actor1", "text", False, "Main actor (ACLED naming)."),
    Column("actor2", "text", False, "Other actor, if any."),
    Column("country", "text", True, "Country name (ACLED naming)."),
    Column("iso", "int", False, "ISO 3166-1 numeric country code, as ACLED's `iso`."),
    Column("admin1", "text", False, "First-level region (oblast, Russian federal subject...)."),
    Column("admin2", "text", False, "Second-level region (raion...)."),
    Column("location", "text", True, "Place name; for geo_precision 3, the region."),
    Column("latitude", "float", True, "WGS 84 latitude."),
    Column("longitude", "float", True, "WGS 84 longitude."),
    Column(
        "geo_precision",
        "int",
        True,
        "1 the named town, 2 near a town, 3 a region (ACLED); 4 only the country or a sea area "
        "(UCDP where_prec 6-7): the point is not a place.",
    ),
    Column("source", "text", False, "Source outlets, ';'-separated (ACLED's `source`)."),
    Column("notes", "text", False, "What happened, in the coder's words."),
    Column("fatalities", "count", False, "Best estimate of people killed; empty = unknown."),
    Column("fatalities_low", "count", False, "Lowest credible number killed (UCDP `low`)."),
    Column("fatalities_high", "count", False, "Highest credible number killed (UCDP `high`)."),
    Column("injured", "count", False, "Best estimate of people injured; empty = unknown."),
    Column("injured_low", "count", False, "Lowest credible number injured."),
    Column("injured_high", "count", False, "Highest credible number injured."),
    Column("casualty_group", "text", False, "Id of a figure shared by several incidents."),
    Column("claim_status", "text", True, "confirmed, claimed or disputed."),
    Column("claimed_by", "text", False, "Who makes the claim (required unless confirmed)."),
    Column("sources", "json", False, "JSON list of {outlet, url, published, language, quote}."),
    Column("geo_source", "text", False, "Where the coordinates come from."),
    Column("geonames_id", "int", False, "GeoNames id of the place, when known."),
    Column(
        "event_date_end",
        "date",
        False,
        "Last possible day when the source dates the event only within a span (UCDP date_end); "
        "empty = event_date alone.",
    ),
    Column(
        "source_event_type",
        "text",
        False,
        "The event type as the source wrote it, when mapped to ACLED's taxonomy (old ACLED "
        "types, UCDP type_of_violence, a value map).",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
COUNT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "count")
TEXT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind in ("text", "json"))

#: Columns of a shared casualty figure (table ``casualty_groups``).
GROUP_COLUMNS: tuple[str, ...] = (
    "group_id",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "injured",
    "injured_low",
    "injured_high",
    "description",
    "sources",
)

CLAIM_STATUSES: tuple[str, ...] = ("confirmed", "claimed", "disputed")
GEO_PRECISIONS: tuple[int, ...] = (1, 2, 3, 4)
#: geo_precision of a row placed only on its country (or a sea area): never drawn as a place.
COUNTRY_PRECISION = 4
TIME_PRECISIONS: tuple[int, ...] = (1, 2, 3, 4)
#: Provenance of coordinates: typed by hand, our gazetteer, an online geocoder, or the imported file.
GEO_SOURCES: tuple[str, ...] = ("manual", "gazetteer", "online", "imported", "places")
