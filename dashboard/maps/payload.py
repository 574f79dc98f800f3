"""The JSON the browser receives: incidents drawn one by one, and hexagon cells per resolution."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from ..safe import js_json
from ._common import is_na
from .aggregate import HEX_MIN_ZOOM, STAT_COLUMNS
from .popups import POINT_PAYLOAD_BUDGET, TEXT_CAPS, popup_records
from .style import marker_style, size_casualties

__all__ = [
    "CELL_SCALE",
    "CELL_VERTICES",
    "POINT_SCALE",
    "cell_payload",
    "draw_order",
    "points_payload",
]

#: Coordinates in the payload are integers: degrees x scale (``static/payload.schema.json``).
POINT_SCALE = 100_000
CELL_SCALE = 10_000
#: What a region-level incident's popup says of its location when drawn as its region.
REGION_PRECISION = (
    "region-level: somewhere in the shaded region, not at a town (ACLED geo-precision 3)"
)
#: Vertices sent per hexagon (a pentagon repeats one).
CELL_VERTICES = 6


@functools.lru_cache(maxsize=1 << 16)
def _cell_geometry(cell: int) -> tuple[int, int, tuple[int, ...]]:
    """A cell's centre and its vertex offsets, in 1/:data:`CELL_SCALE` degrees (cells recur
    from one selection to the next: each is computed once per process)."""
    clat, clon = h3i.cell_to_latlng(cell)
    ilat, ilon = round(clat * CELL_SCALE), round(clon * CELL_SCALE)
    boundary = list(h3i.cell_to_boundary(cell))
    while len(boundary) < CELL_VERTICES:  # pentagon: repeat a vertex so every cell has 6
        boundary.append(boundary[-1])
    verts: list[int] = []
    half_turn = 180 * CELL_SCALE
    for vlat, vlon in boundary[:CELL_VERTICES]:
        dlon = round(vlon * CELL_SCALE) - ilon
        if dlon > half_turn:
            dlon -= 2 * half_turn
        elif dlon < -half_turn:
            dlon += 2 * half_turn
        verts.extend((round(vlat * CELL_SCALE) - ilat, dlon))
    return ilat, ilon, tuple(verts)


def cell_payload(table: pd.DataFrame, res: int) -> dict:
    """Compact columns of one resolution (a ``level`` of ``static/payload.schema.json``):
    centres and vertex offsets in 1/:data:`CELL_SCALE` degrees, sums per cell."""
    lat_c: list[int] = []
    lon_c: list[int] = []
    verts: list[int] = []
    for cell in table["cell"].tolist():
        ilat, ilon, offsets = _cell_geometry(int(cell))
        lat_c.append(ilat)
        lon_c.append(ilon)
        verts.extend(offsets)
    payload = {
        "res": res,
        "minZoom": HEX_MIN_ZOOM.get(res, 0),
        "km": round(2 * math.sqrt(h3i.average_hexagon_area(res, "km^2") / 2.598), 1),
        # Neighbouring cells (sorted by id) have close centres and nearly the same shape: each
        # value is sent as its difference from the previous cell's (the browser adds them up).
        "lat": _deltas(lat_c, 1),
        "lon": _deltas(lon_c, 1),
        "v": _deltas(verts, 2 * CELL_VERTICES),
    }
    for name in STAT_COLUMNS:
        values = table[name].tolist()
        base = name.rsplit("_", 1)[0]
        # A range equal to the best figure (no uncertainty anywhere in the level) is not repeated.
        payload[name] = (
            None if name.endswith(("_low", "_high")) and values == payload[base] else values
        )
    return payload


def _deltas(values: list[int], stride: int) -> list[int]:
    """``values[i] - values[i - stride]`` (the first ``stride`` values as they are)."""
    return values[:stride] + [values[i] - values[i - stride] for i in range(stride, len(values))]


def _encode(values: list) -> dict:
    """A column as ``{"v": values}`` or, when values repeat, ``{"d": distinct, "i": codes}``."""
    index: dict = {}
    codes = [index.setdefault(v, len(index)) for v in values]
    if len(index) * 2 <= len(values):
        return {"d": list(index), "i": codes}
    return {"v": values}


def _styles(frame: pd.DataFrame) -> tuple[np.ndarray, list[dict]]:
    """Per row, an index into the distinct symbol styles of ``frame`` (:func:`marker_style`)."""
    killed = size_casualties(frame)

    def plain(series: pd.Series) -> list:
        return [None if is_na(v) else v for v in series.astype(object).tolist()]

    combos: dict[tuple, int] = {}
    keys = zip(
        plain(frame["event_type"]),
        plain(killed),
        plain(frame["geo_precision"]),
        plain(frame["claim_status"]),
        strict=True,
    )
    codes = np.array([combos.setdefault(k, len(combos)) for k in keys], dtype=np.int64)
    return codes, [marker_style(*combo) for combo in combos]


def draw_order(frame: pd.DataFrame) -> np.ndarray:
    """Positions of ``frame``'s rows in drawing order: areas first, then big circles under
    small ones; ties keep the frame's order."""
    codes, styles = _styles(frame)
    kind_rank = np.array([0 if s["kind"] == "area" else 1 for s in styles], dtype=np.int64)[codes]
    radius = np.array([s["radius"] if s["kind"] == "marker" else 0 for s in styles], dtype=float)[
        codes
    ]
    return np.lexsort((np.arange(len(frame)), -radius, kind_rank))


def points_payload(
    frame: pd.DataFrame,
    group_sizes: Mapping[str, int],
    *,
    regions: Sequence[Mapping[str, Any] | None] | None = None,
) -> dict:
    """Coordinates, a style table, and dictionary-encoded popup columns of ``frame``'s rows,
    drawn in the frame's order (sort it with :func:`draw_order` first). ``regions``: per row,
    the outline to draw a region-level incident as (``{"name", "code", "rings"}``, see
    :func:`region_payload`), or None."""
    style_codes, styles = _styles(frame)
    lat = np.round(frame["latitude"].to_numpy(dtype=float) * POINT_SCALE).astype(np.int64).tolist()
    lon = np.round(frame["longitude"].to_numpy(dtype=float) * POINT_SCALE).astype(np.int64).tolist()
    region_codes, outlines = _region_codes(regions, len(frame))

    def build(
        notes_cap: int, quote_cap: int, outlet_cap: int, url_cap: int, max_sources: int
    ) -> dict:
        records = popup_records(
            frame,
            notes_cap=notes_cap,
            quote_cap=quote_cap,
            max_sources=max_sources,
            outlet_cap=outlet_cap,
            url_cap=url_cap,
            group_sizes=group_sizes,
        )
        for r, code in zip(records, region_codes, strict=True):
            if code >= 0:
                r["precision"] = REGION_PRECISION
        cols = {}
        for name in (
            "id",
            "title",
            "event_type",
            "date",
            "place",
            "place_short",
            "precision",
            "killed",
            "injured",
            "status",
            "actors",
            "notes",
        ):
            cols[name] = _encode([r[name] for r in records])
        cols["sources"] = {"v": [r["sources"] for r in records]}
        cols["shortened"] = _encode([1 if r["shortened"] else 0 for r in records])
        return {
            "scale": POINT_SCALE,
            "lat": lat,
            "lon": lon,
            "style": style_codes.tolist(),
            "styles": styles,
            "region": region_codes,
            "regions": outlines,
            "cols": cols,
        }

    for caps in TEXT_CAPS:
        payload = build(*caps)
        if len(js_json(payload).encode()) <= POINT_PAYLOAD_BUDGET:
            break
    return payload


def _region_codes(
    regions: Sequence[Mapping[str, Any] | None] | None, n: int
) -> tuple[list[int], list[dict]]:
    """Per row, an index into the distinct outlines (-1: none), and those outlines."""
    if regions is None:
        return [-1] * n, []
    index: dict[int, int] = {}
    outlines: list[dict] = []
    codes: list[int] = []
    for outline in regions:
        if outline is None:
            codes.append(-1)
            continue
        key = id(outline)
        if key not in index:
            index[key] = len(outlines)
            outlines.append(dict(outline))
        codes.append(index[key])
    return codes, outlines
