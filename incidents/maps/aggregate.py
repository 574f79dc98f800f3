"""H3 aggregation: incident counts and casualty sums per hexagon cell, at several resolutions."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, Sequence

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from ..totals import counted_casualties, figure_parts
from .plan import Plan

__all__ = ["CELL_LIMIT", "HEX_MIN_ZOOM", "HEX_RESOLUTIONS", "STAT_COLUMNS", "aggregate_cells", "embedded_cells"]

#: H3 resolutions embedded in aggregated maps and the zoom level from which each is used.
HEX_RESOLUTIONS: tuple[int, ...] = (3, 4, 5, 6)
HEX_MIN_ZOOM: Mapping[int, int] = MappingProxyType({3: 0, 4: 6, 5: 8, 6: 9})
#: A resolution with more cells than this is not embedded (the coarser one is used instead).
CELL_LIMIT = 12000


def _figure_parts(best: pd.Series, low: pd.Series, high: pd.Series, real: np.ndarray):
    """Per-row contributions to a summed figure, exactly as :func:`incidents.totals.casualty_totals`."""
    best_v, low_v, high_v, known = figure_parts(best, low, high)
    known &= real
    unknown = real & ~known
    return np.where(known, best_v, 0), np.where(known, low_v, 0), np.where(known, high_v, 0), unknown


def _row_cells(lat: np.ndarray, lon: np.ndarray, resolutions: Sequence[int]) -> dict[int, np.ndarray]:
    """H3 cell (uint64) of every row at each resolution; h3 runs once per distinct coordinate
    (1e-5 degree) at the finest resolution and once per distinct cell for the coarser ones."""
    lat_i = np.round(lat * 1e5).astype(np.int64)
    lon_i = np.round(lon * 1e5).astype(np.int64)
    key = (lat_i + 9_000_000) * (1 << 25) + (lon_i + 18_000_000)
    codes, uniq = pd.factorize(key)
    u_lat = ((uniq // (1 << 25)) - 9_000_000) / 1e5
    u_lon = ((uniq % (1 << 25)) - 18_000_000) / 1e5
    finest = max(resolutions)
    to_cell = h3i.latlng_to_cell
    fine = np.fromiter((to_cell(a, b, finest) for a, b in zip(u_lat.tolist(), u_lon.tolist())), dtype=np.uint64, count=len(uniq))
    out = {finest: fine[codes]}
    fine_codes, fine_uniq = pd.factorize(fine)
    for res in resolutions:
        if res == finest:
            continue
        parent = np.fromiter((h3i.cell_to_parent(int(c), res) for c in fine_uniq.tolist()), dtype=np.uint64, count=len(fine_uniq))
        out[res] = parent[fine_codes][codes]
    return out


STAT_COLUMNS = (
    "incidents",
    "killed", "killed_low", "killed_high", "killed_unknown",
    "injured", "injured_low", "injured_high", "injured_unknown",
    "unconfirmed",
)


def aggregate_cells(frame: pd.DataFrame, resolutions: Sequence[int] = HEX_RESOLUTIONS) -> dict[int, pd.DataFrame]:
    """Incident counts and casualty sums per H3 cell, for each resolution.

    One row per cell holding incidents, sorted by cell id: ``cell`` (uint64), ``incidents``,
    ``killed``/``killed_low``/``killed_high`` and ``injured...`` summed as
    :func:`incidents.totals.casualty_totals` sums them (a shared figure counted once, in the
    cell of the incident that carries it), ``killed_unknown``/``injured_unknown`` (incidents
    with an unknown figure) and ``unconfirmed`` (claimed or disputed). The columns of each
    resolution add up to the frame's totals. Rows need finite coordinates.
    """
    n = len(frame)
    if n == 0:
        return {r: pd.DataFrame({"cell": np.array([], dtype=np.uint64), **{c: np.array([], dtype=np.int64) for c in STAT_COLUMNS}}) for r in resolutions}
    counted = counted_casualties(frame)
    real = ~counted["in_group"].to_numpy(dtype=bool)
    stats: dict[str, np.ndarray] = {"incidents": np.ones(n, dtype=np.int64)}
    for ours in ("killed", "injured"):
        b, lo, hi, unk = _figure_parts(counted[ours], counted[ours + "_low"], counted[ours + "_high"], real)
        stats[ours], stats[ours + "_low"], stats[ours + "_high"] = b, lo, hi
        stats[ours + "_unknown"] = unk.astype(np.int64)
    stats["unconfirmed"] = frame["claim_status"].isin(["claimed", "disputed"]).fillna(False).to_numpy(dtype=np.int64)
    cells = _row_cells(frame["latitude"].to_numpy(dtype=float), frame["longitude"].to_numpy(dtype=float), resolutions)
    out = {}
    for res in resolutions:
        codes, found = pd.factorize(cells[res])  # hashing: faster than np.unique's sort of all rows
        order = np.argsort(found)
        rank = np.empty(len(found), dtype=np.int64)
        rank[order] = np.arange(len(found))
        uniq, inverse = np.asarray(found)[order], rank[codes]
        table = {"cell": uniq}
        for name in STAT_COLUMNS:
            table[name] = np.bincount(inverse, weights=stats[name], minlength=len(uniq)).astype(np.int64)
        out[res] = pd.DataFrame(table)
    return out


def embedded_cells(frame: pd.DataFrame, plan: Plan) -> dict[int, pd.DataFrame]:
    """Cells of the plan's aggregated rows, per resolution holding at most :data:`CELL_LIMIT` cells."""
    tables = aggregate_cells(frame[plan.aggregated])
    return {res: t for res, t in tables.items() if len(t) <= CELL_LIMIT}
