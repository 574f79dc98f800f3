"""Placing incidents through the geocoder chain (manual > gazetteer > online).

Rows without coordinates are geocoded from ``location`` with ``country`` and ``admin1`` as
hard hints; a place the chain will not vouch for is a rejected row, never a guess. Rows with
coordinates but no ``admin1`` or ``country`` get them by reverse lookup. Every coordinate keeps
its provenance in ``geo_source`` (and ``geonames_id`` when the gazetteer placed it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .countries import find_country
from .exc import RowError

if TYPE_CHECKING:
    from geodata import GeocoderChain, GeocodeResult

__all__ = ["GEO_SOURCE_BY_PROVIDER", "Placement", "place_incidents"]

#: How the chain's ``source`` maps to our ``geo_source`` values.
GEO_SOURCE_BY_PROVIDER = {"gazetteer": "gazetteer", "manual": "manual", "places": "places"}


@dataclass
class Placement:
    """The input rows with coordinates filled in, and one error per row that could not be placed."""

    frame: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    geocoded: int = 0
    reverse_filled: int = 0


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip()
    return (text.isna() | (text == "")).to_numpy()


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string")
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def place_incidents(
    frame: pd.DataFrame,
    *,
    chain: GeocoderChain,
    lines: pd.Series | np.ndarray | None = None,
) -> Placement:
    """Fill missing coordinates (geocoding) and missing regions (reverse lookup) of raw rows.

    ``frame`` holds rows as read from a file (text or numbers). Identical
    (location, country, admin1) queries are geocoded once.
    """
    out = frame.copy().reset_index(drop=True)
    line_arr = np.arange(1, len(out) + 1) if lines is None else np.asarray(lines)
    for name in (
        "latitude",
        "longitude",
        "geo_precision",
        "geo_source",
        "geonames_id",
        "admin1",
        "country",
    ):
        out[name] = _column(out, name).astype(object)
    lat_blank, lon_blank = _blank(out["latitude"]), _blank(out["longitude"])
    country_blank, admin1_blank = _blank(out["country"]), _blank(out["admin1"])
    precision_blank = _blank(out["geo_precision"])
    missing = lat_blank & lon_blank
    location = _column(out, "location")
    errors: list[RowError] = []
    answers: dict[tuple[str, str | None, str | None], GeocodeResult] = {}
    placement = Placement(out)

    for pos in np.flatnonzero(missing & ~_blank(location)).tolist():
        country = None if country_blank[pos] else find_country(str(out.at[pos, "country"]))
        admin1 = None if admin1_blank[pos] else str(out.at[pos, "admin1"]).strip()
        key = (str(location.iat[pos]).strip(), country.iso2 if country else None, admin1)
        if key not in answers:
            answers[key] = chain.geocode(key[0], country=key[1], admin1=key[2])
        result = answers[key]
        if not result.ok:
            errors.append(
                RowError(
                    int(line_arr[pos]),
                    "location",
                    f"{key[0]!r} could not be placed ({result.reason}); give latitude and longitude",
                )
            )
            continue
        out.at[pos, "latitude"] = result.lat
        out.at[pos, "longitude"] = result.lon
        if precision_blank[pos]:
            out.at[pos, "geo_precision"] = result.precision
        out.at[pos, "geo_source"] = GEO_SOURCE_BY_PROVIDER.get(result.source, "online")
        out.at[pos, "geonames_id"] = result.geonames_id
        if admin1 is None and result.admin1:
            out.at[pos, "admin1"] = result.admin1
        placement.geocoded += 1

    has_coords = ~lat_blank & ~lon_blank
    needs_region = has_coords & (admin1_blank | country_blank)
    for pos in np.flatnonzero(needs_region).tolist():
        cells = pd.Series([out.at[pos, "latitude"], out.at[pos, "longitude"]])
        lat, lon = pd.to_numeric(cells, errors="coerce").to_numpy(dtype="float64")
        if pd.isna(lat) or pd.isna(lon) or abs(lat) > 90 or abs(lon) > 180:
            continue  # validation reports the bad coordinate
        where = chain.gazetteer.reverse(float(lat), float(lon))
        if admin1_blank[pos] and where.admin1:
            out.at[pos, "admin1"] = where.admin1
        if country_blank[pos] and where.country:
            found = find_country(where.country)
            out.at[pos, "country"] = found.name if found else None
        placement.reverse_filled += 1
    imported = has_coords & _blank(out["geo_source"])
    out.loc[imported, "geo_source"] = "imported"
    placement.errors = errors
    return placement
