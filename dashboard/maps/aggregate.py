"""H3 aggregation: incident counts and casualty sums per hexagon cell, at several resolutions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from incidents.totals import counted_casualties, figure_parts

from .plan import Plan, placed_mask

__all__ = [
    "CELL_LIMIT", "HEX_MIN_ZOOM", "HEX_RESOLUTIONS", "STAT_COLUMNS", "CellIndex",
    "aggregate_cells", "cell_index", "cell_stats", "embedded_cells", "key_sums", "row_stats", "sum_cells",
]  # fmt: skip

#: H3 resolutions embedded in aggregated maps and the zoom level from which each is used.
HEX_RESOLUTIONS: tuple[int, ...] = (3, 4, 5, 6)
HEX_MIN_ZOOM: Mapping[int, int] = MappingProxyType({3: 0, 4: 6, 5: 8, 6: 9})
#: A resolution with more cells than this is not embedded (the coarser one is used instead).
CELL_LIMIT = 12000


@dataclass(frozen=True, eq=False)
class CellIndex:
    """Every row's H3 cell at each resolution, as codes into sorted lists of cells.

    ``codes``: per row, the index of its finest cell in ``fine`` (-1: no usable coordinates);
    ``parents[res]`` = ``(index into cells per fine cell, cells)`` for every resolution.
    Built once (:func:`cell_index`), it serves any subset of the rows (:func:`sum_cells`).
    """

    codes: np.ndarray
    fine: np.ndarray
    parents: Mapping[int, tuple[np.ndarray, np.ndarray]]


def cell_index(
    lat: np.ndarray, lon: np.ndarray, resolutions: Sequence[int] = HEX_RESOLUTIONS
) -> CellIndex:
    """The :class:`CellIndex` of points; h3 runs once per distinct coordinate (1e-5 degree)
    at the finest resolution and once per distinct cell for the coarser ones."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    placed = placed_mask(lat, lon)
    lat_i = np.round(np.where(placed, lat, 0) * 1e5).astype(np.int64)
    lon_i = np.round(np.where(placed, lon, 0) * 1e5).astype(np.int64)
    key = (lat_i + 9_000_000) * (1 << 25) + (lon_i + 18_000_000)
    key_codes, uniq = pd.factorize(key[placed])
    u_lat = ((uniq // (1 << 25)) - 9_000_000) / 1e5
    u_lon = ((uniq % (1 << 25)) - 18_000_000) / 1e5
    finest = max(resolutions)
    to_cell = h3i.latlng_to_cell
    per_key = np.fromiter(
        (to_cell(a, b, finest) for a, b in zip(u_lat.tolist(), u_lon.tolist())),
        dtype=np.uint64,
        count=len(uniq),
    )
    fine, key_fine = np.unique(per_key, return_inverse=True)
    codes = np.full(len(lat), -1, dtype=np.int64)
    codes[placed] = key_fine.reshape(-1)[key_codes]
    parents: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for res in resolutions:
        if res == finest:
            parents[res] = (np.arange(len(fine), dtype=np.int64), fine)
            continue
        up = np.fromiter(
            (h3i.cell_to_parent(int(c), res) for c in fine.tolist()),
            dtype=np.uint64,
            count=len(fine),
        )
        cells, up_codes = np.unique(up, return_inverse=True)
        parents[res] = (up_codes.reshape(-1).astype(np.int64), cells)
    return CellIndex(codes, fine, MappingProxyType(parents))


def sum_cells(
    index: CellIndex, rows: np.ndarray, stats: Mapping[str, np.ndarray]
) -> dict[int, pd.DataFrame]:
    """Sums of ``stats`` (per-row arrays for ``rows``, named as :data:`STAT_COLUMNS`) per cell
    of each resolution of ``index``: one row per cell holding some of ``rows``, sorted by cell."""
    codes = index.codes[rows]
    if (codes < 0).any():
        raise ValueError("rows without usable coordinates cannot be counted in cells")
    n_fine = len(index.fine)
    fine_sums = {name: key_sums(codes, stats[name], n_fine) for name in STAT_COLUMNS}
    held = np.flatnonzero(fine_sums["incidents"])  # fine cells holding some of the rows
    out = {}
    for res, (up, cells) in index.parents.items():
        up_held = up[held]
        counts = np.bincount(up_held, weights=fine_sums["incidents"][held], minlength=len(cells))
        present = np.flatnonzero(counts)
        table = {"cell": cells[present]}
        for name in STAT_COLUMNS:
            table[name] = (
                np.bincount(up_held, weights=fine_sums[name][held], minlength=len(cells))[present]
                .round()
                .astype(np.int64)
            )
        out[res] = pd.DataFrame(table)
    return out


def key_sums(keys: np.ndarray, weights: np.ndarray, minlength: int) -> np.ndarray:
    """``np.bincount(keys, weights, minlength)`` (float64), cheaper for what per-row stats
    mostly hold: all ones (a plain count), all zeros, 0/1 flags (a count of the flagged rows),
    or mostly zeros (the other rows summed); other weights are summed as given. ``keys``:
    non-negative integers."""
    weights = np.asarray(weights)
    if not len(weights) or weights.dtype.kind not in "biu":
        return np.bincount(keys, weights=weights, minlength=minlength)
    low, high = int(weights.min()), int(weights.max())
    if low == high == 0:
        return np.zeros(max(minlength, int(keys.max()) + 1))
    if low == high == 1:
        return np.bincount(keys, minlength=minlength).astype(np.float64)
    if low == 0 and high == 1:
        flagged = np.bincount(keys[weights.astype(bool)], minlength=minlength)
        out = np.zeros(max(minlength, int(keys.max()) + 1))
        out[: len(flagged)] = flagged
        return out
    if 10 * int(np.count_nonzero(weights)) < len(weights):  # mostly zeros: the others only
        some = np.flatnonzero(weights)
        out = np.zeros(max(minlength, int(keys.max()) + 1))
        summed = np.bincount(keys[some], weights=weights[some], minlength=minlength)
        out[: len(summed)] = summed
        return out
    return np.bincount(keys, weights=weights, minlength=minlength)


STAT_COLUMNS = (
    "incidents",
    "killed",
    "killed_low",
    "killed_high",
    "killed_unknown",
    "injured",
    "injured_low",
    "injured_high",
    "injured_unknown",
    "unconfirmed",
)


def row_stats(
    parts: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    real: np.ndarray,
    unconfirmed: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-row contributions to the cell sums (:data:`STAT_COLUMNS`), summed as
    :func:`incidents.totals.casualty_totals` sums them: ``parts["killed"]`` and
    ``parts["injured"]`` are :func:`~incidents.totals.figure_parts` of the counted figures,
    ``real`` is False on rows whose figure is carried by another row, ``unconfirmed`` marks
    claimed or disputed incidents."""
    stats: dict[str, np.ndarray] = {"incidents": np.ones(len(real), dtype=np.int64)}
    for ours in ("killed", "injured"):
        best, low, high, known = parts[ours]
        counted = known & real
        stats[ours], stats[ours + "_low"], stats[ours + "_high"] = (
            np.where(counted, v, 0) for v in (best, low, high)
        )
        stats[ours + "_unknown"] = (real & ~known).astype(np.int64)
    stats["unconfirmed"] = np.asarray(unconfirmed, dtype=np.int64)
    return stats


def cell_stats(counted: pd.DataFrame, claim_status: pd.Series) -> dict[str, np.ndarray]:
    """:func:`row_stats` from :func:`~incidents.totals.counted_casualties` and the claim status."""
    parts = {
        ours: figure_parts(counted[ours], counted[ours + "_low"], counted[ours + "_high"])
        for ours in ("killed", "injured")
    }
    real = ~counted["in_group"].to_numpy(dtype=bool)
    unconfirmed = claim_status.isin(["claimed", "disputed"]).fillna(False).to_numpy(dtype=bool)
    return row_stats(parts, real, unconfirmed)


def aggregate_cells(
    frame: pd.DataFrame,
    resolutions: Sequence[int] = HEX_RESOLUTIONS,
    *,
    index: CellIndex | None = None,
) -> dict[int, pd.DataFrame]:
    """Incident counts and casualty sums per H3 cell, for each resolution.

    One row per cell holding incidents, sorted by cell id: ``cell`` (uint64), ``incidents``,
    ``killed``/``killed_low``/``killed_high`` and ``injured...`` summed as
    :func:`incidents.totals.casualty_totals` sums them (a shared figure counted once, in the
    cell of the incident that carries it), ``killed_unknown``/``injured_unknown`` (incidents
    with an unknown figure) and ``unconfirmed`` (claimed or disputed). The columns of each
    resolution add up to the frame's totals. Rows need finite coordinates. ``index``: the
    :func:`cell_index` of the frame's rows, when the caller has it.
    """
    n = len(frame)
    if n == 0:
        return {
            r: pd.DataFrame(
                {
                    "cell": np.array([], dtype=np.uint64),
                    **{c: np.array([], dtype=np.int64) for c in STAT_COLUMNS},
                }
            )
            for r in resolutions
        }
    if index is None:
        index = cell_index(
            frame["latitude"].to_numpy(dtype=float),
            frame["longitude"].to_numpy(dtype=float),
            resolutions,
        )
    stats = cell_stats(counted_casualties(frame), frame["claim_status"])
    return sum_cells(index, np.arange(n), stats)


def embedded_cells(
    frame: pd.DataFrame, plan: Plan, index: CellIndex | None = None
) -> dict[int, pd.DataFrame]:
    """Cells of the plan's aggregated rows, per resolution holding at most :data:`CELL_LIMIT`
    cells (``index``: the :func:`cell_index` of those rows, when the caller has it)."""
    tables = aggregate_cells(frame[plan.aggregated], index=index)
    return {res: t for res, t in tables.items() if len(t) <= CELL_LIMIT}
