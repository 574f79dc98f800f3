"""Everything the page shows for one filter, computed once per filter (no Streamlit here).

``app.py`` caches one :class:`Selection` per (store revision, filter key) and lays it out.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from incidents.filters import IncidentFilter, filter_mask
from incidents.frame import GROUP_PREFIX, take_rows
from incidents.schema import COUNT_COLUMNS
from incidents.totals import casualty_totals, counted_casualties

from ..maps import POINT_LIMIT, MapResult, MapSummary, render_map
from ..maps.plan import placed_mask
from . import columnar
from .columnar import FrameArrays
from .kpis import Kpis, kpis
from .mapview import in_bbox
from .table import TABLE_LIMIT, TableView, table_view
from .timeline import Timeline, timeline

__all__ = ["SLIM_COLUMNS", "Selection", "filter_from_key", "filter_key"]

#: Columns the KPIs, the timeline, the table's ordering and an aggregated map need. A big
#: selection is copied with these only (the notes, sources and actors of a million rows take
#: seconds to copy); the table takes full rows for the rows it shows, exports on click.
SLIM_COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "event_type", "casualty_group", "claim_status",
    "latitude", "longitude", "geo_precision",
    *COUNT_COLUMNS, *(GROUP_PREFIX + c for c in COUNT_COLUMNS),
)  # fmt: skip


def filter_key(flt: IncidentFilter) -> str:
    """A canonical string of a filter (its URL parameters as sorted JSON), for cache keys."""
    return json.dumps(flt.to_query_params(), sort_keys=True)


def filter_from_key(key: str) -> IncidentFilter:
    """The filter of a :func:`filter_key`."""
    return IncidentFilter.from_query_params(json.loads(key))


class Selection:
    """Everything the page shows for one filter. Holds row positions, not a copy of the rows.

    ``count`` incidents match; ``kpis``, ``timeline`` (None when nothing matches), ``table``,
    and the map's data layer with its caption (``map``, a :class:`~dashboard.maps.MapResult`,
    and ``map_summary``; None when nothing matches).
    """

    positions: np.ndarray | None  # positions of the selected rows in the frame; None: all rows
    count: int
    kpis: Kpis
    timeline: Timeline | None
    table: TableView
    map: MapResult | None
    map_summary: MapSummary | None

    def __init__(self, frame: pd.DataFrame, flt: IncidentFilter, arrays: FrameArrays | None = None):
        self.positions = None if flt.is_empty else np.flatnonzero(filter_mask(frame, flt))
        self.count = len(frame) if self.positions is None else len(self.positions)
        if arrays is not None and self.count > POINT_LIMIT:
            self._from_arrays(frame, arrays)
        else:
            self._init_rows(frame)

    def _init_rows(self, frame: pd.DataFrame) -> None:
        small = self.count <= POINT_LIMIT
        slim = self.rows(frame) if small else self._slim(frame)
        # The map (the heaviest part) is built on the second core while the rest is computed.
        with ThreadPoolExecutor(max_workers=1) as pool:
            drawing = pool.submit(self._map, frame, slim, small) if self.count else None
            totals = casualty_totals(slim)
            self.kpis = kpis(totals, slim)
            self.timeline = timeline(slim, counted_casualties(slim)) if self.count else None
            self.table = table_view(slim, rows_of=lambda pos: take_rows(frame, self._absolute(pos)))
            drawn = drawing.result() if drawing is not None else None
            self.map, self.map_summary = drawn, (drawn.summary if drawn is not None else None)

    def _from_arrays(self, frame: pd.DataFrame, arrays: FrameArrays) -> None:
        """A big selection from the revision's arrays (:mod:`.columnar`): no row is copied but
        the coordinates and the table's newest rows; the same figures as the row-wise path."""
        rows = np.arange(len(frame)) if self.positions is None else self.positions
        if (
            int(arrays.placed[rows].sum()) <= POINT_LIMIT
        ):  # few on the map: drawn one by one, full rows
            self._init_rows(frame)
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            quiet = columnar.silent(arrays, rows)
            drawing = pool.submit(self._big_map, frame, arrays, rows, quiet)
            self.kpis = kpis(
                columnar.totals(arrays, rows, quiet), grouped=columnar.grouped_count(arrays, rows)
            )
            self.timeline = columnar.timeline(arrays, rows, quiet)
            shown = rows[columnar.newest(arrays, rows, TABLE_LIMIT)]
            self.table = table_view(
                take_rows(frame, shown),
                total=len(rows),
                group_sizes=columnar.group_sizes(arrays, rows),
            )
            self.map = drawing.result()
            self.map_summary = self.map.summary

    def _big_map(
        self, frame: pd.DataFrame, arrays: FrameArrays, rows: np.ndarray, quiet: np.ndarray
    ) -> MapResult:
        times = columnar.row_times(arrays, rows, quiet)
        return render_map(
            columnar.map_frame(frame, arrays, rows),
            zoom_to_points=True,
            cells=columnar.cells(arrays, rows, times),
            times=times,
        )

    def _absolute(self, pos: np.ndarray) -> np.ndarray:
        return pos if self.positions is None else self.positions[pos]

    def _slim(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = [c for c in SLIM_COLUMNS if c in frame.columns]
        return frame[columns] if self.positions is None else frame[columns].iloc[self.positions]

    def _map(self, frame: pd.DataFrame, slim: pd.DataFrame, small: bool) -> MapResult:
        # zoom_to_points: the page redraws the map for the view the analyst zooms to (zoomed_map).
        # At most POINT_LIMIT placed rows are drawn one by one, and their popups need every
        # column: a big selection with few coordinates takes its full rows, not the slim copy.
        lat, lon = (
            slim["latitude"].to_numpy(dtype=float, na_value=np.nan),
            slim["longitude"].to_numpy(dtype=float, na_value=np.nan),
        )
        drawn_one_by_one = int(placed_mask(lat, lon).sum()) <= POINT_LIMIT
        return render_map(
            self.rows(frame) if drawn_one_by_one and not small else slim, zoom_to_points=True
        )

    def zoomed_rows(
        self, frame: pd.DataFrame, bbox: tuple[float, float, float, float]
    ) -> pd.DataFrame | None:
        """Rows for a map of ``bbox``: full rows inside it (their popups need every column),
        slim rows outside (counted in hexagons); None unless 1..POINT_LIMIT incidents are inside."""
        positions = np.arange(len(frame)) if self.positions is None else self.positions
        lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)[positions]
        lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)[positions]
        inside = in_bbox(lat, lon, bbox)
        count = int(inside.sum())
        if not 0 < count <= POINT_LIMIT:
            return None
        columns = [c for c in SLIM_COLUMNS if c in frame.columns]
        return pd.concat(
            [take_rows(frame, positions[inside]), frame[columns].iloc[positions[~inside]]],
            ignore_index=True,
        )

    def zoomed_map(
        self,
        frame: pd.DataFrame,
        bbox: tuple[float, float, float, float],
        arrays: FrameArrays | None = None,
    ) -> MapResult | None:
        """The map of a big selection with the incidents inside ``bbox`` drawn one by one, or None
        (see :meth:`zoomed_rows`). With the revision's ``arrays`` the hexagons outside are summed
        from them and only the rows inside are gathered (1M incidents: 1.9 s -> 0.2 s)."""
        if arrays is None:
            rows = self.zoomed_rows(frame, bbox)
            return None if rows is None else render_map(rows, bbox=bbox, zoom_to_points=True)
        positions = np.arange(len(frame)) if self.positions is None else self.positions
        coords = columnar.map_frame(frame, arrays, positions)
        inside = in_bbox(coords["latitude"].to_numpy(), coords["longitude"].to_numpy(), bbox)
        if not 0 < int(inside.sum()) <= POINT_LIMIT:
            return None
        drawn = positions[inside & arrays.placed[positions]]
        return render_map(
            coords,
            bbox=bbox,
            zoom_to_points=True,
            cells=columnar.cells(arrays, positions[~inside]),
            points=take_rows(frame, drawn),
            times=columnar.row_times(arrays, positions),
        )

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The selected rows, all columns (a copy, except for the unfiltered view)."""
        if self.positions is None:
            return frame
        return (
            take_rows(frame, self.positions)
            if self.count <= POINT_LIMIT
            else frame.iloc[self.positions]
        )
