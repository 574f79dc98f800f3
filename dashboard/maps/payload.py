"""The JSON the browser receives: incidents drawn one by one, and hexagon cells per resolution."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from ..safe import js_json
from ._common import is_na
from .aggregate import HEX_MIN_ZOOM, STAT_COLUMNS
from .popups import POINT_PAYLOAD_BUDGET, TEXT_CAPS, popup_records
from .style import marker_style, size_casualties

__all__ = ["cell_payload", "points_payload"]


@functools.lru_cache(maxsize=1 << 16)
def _cell_geometry(cell: int) -> tuple[int, int, tuple[int, ...]]:
    """A cell's centre and its 6 vertex offsets, in 1e-4 degrees (cells recur from one
    selection to the next: each is computed once per process)."""
    clat, clon = h3i.cell_to_latlng(cell)
    ilat, ilon = round(clat * 1e4), round(clon * 1e4)
    boundary = list(h3i.cell_to_boundary(cell))
    while len(boundary) < 6:  # pentagon: repeat a vertex so every cell has 6
        boundary.append(boundary[-1])
    verts: list[int] = []
    for vlat, vlon in boundary[:6]:
        dlon = round(vlon * 1e4) - ilon
        if dlon > 1_800_000:
            dlon -= 3_600_000
        elif dlon < -1_800_000:
            dlon += 3_600_000
        verts.extend((round(vlat * 1e4) - ilat, dlon))
    return ilat, ilon, tuple(verts)


def cell_payload(table: pd.DataFrame, res: int) -> dict:
    """Compact columns of one resolution: centres and vertex offsets in 1e-4 degrees."""
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
        "v": _deltas(verts, 12),
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


_STYLE_KEYS = ("kind", "radius", "color", "weight", "fillColor", "fillOpacity", "dashArray", "halo")


def points_payload(frame: pd.DataFrame, group_sizes: Mapping[str, int]) -> dict:
    """Coordinates, a style table, and dictionary-encoded popup columns of ``frame``'s rows."""
    killed = size_casualties(frame)

    def plain(series: pd.Series) -> list:
        return [None if is_na(v) else v for v in series.astype(object).tolist()]

    combos: dict[tuple, int] = {}
    keys = zip(
        plain(frame["event_type"]),
        plain(killed),
        plain(frame["geo_precision"]),
        plain(frame["claim_status"]),
    )
    style_codes = np.array([combos.setdefault(k, len(combos)) for k in keys], dtype=np.int64)
    styles = [marker_style(*combo) for combo in combos]
    # Draw order: areas first, then big circles under small ones; ties keep the frame's order.
    kind_rank = np.array([0 if s["kind"] == "area" else 1 for s in styles])[style_codes]
    radius = np.array([s["radius"] if s["kind"] == "marker" else 0 for s in styles], dtype=float)[
        style_codes
    ]
    order = np.lexsort((np.arange(len(frame)), -radius, kind_rank))
    frame = frame.iloc[order]
    style_codes = style_codes[order]
    lat = np.round(frame["latitude"].to_numpy(dtype=float) * 1e5).astype(np.int64).tolist()
    lon = np.round(frame["longitude"].to_numpy(dtype=float) * 1e5).astype(np.int64).tolist()

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
            "lat": lat,
            "lon": lon,
            "style": style_codes.tolist(),
            "styles": [[s[k] for k in _STYLE_KEYS] for s in styles],
            "cols": cols,
        }

    for caps in TEXT_CAPS:
        payload = build(*caps)
        if len(js_json(payload).encode()) <= POINT_PAYLOAD_BUDGET:
            break
    return payload
