"""In-memory forms of the store: a typed DataFrame joined with shared figures, and a GeoDataFrame."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .schema import COUNT_COLUMNS

__all__ = ["with_group_figures", "to_geodataframe", "GROUP_PREFIX", "CRS"]

CRS = "EPSG:4326"
#: Group figures joined onto incidents are named ``group_<column>`` (``group_fatalities``...).
GROUP_PREFIX = "group_"


def with_group_figures(incidents: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Add each incident's shared casualty figure as ``group_fatalities``... columns (empty if none).

    The figure is repeated on every incident of its group for display and filtering only:
    totals, charts and exports go through :func:`incidents.totals.counted_casualties`, which
    counts it once.
    """
    figures = groups.set_index("group_id")[list(COUNT_COLUMNS)]
    joined = figures.reindex(incidents["casualty_group"].to_numpy())
    out = incidents.copy()
    for name in COUNT_COLUMNS:
        out[GROUP_PREFIX + name] = joined[name].to_numpy()
        out[GROUP_PREFIX + name] = out[GROUP_PREFIX + name].astype("Int64")
    return out


def to_geodataframe(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Incidents as points in WGS 84 (EPSG:4326)."""
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
