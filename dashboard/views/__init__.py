"""What the dashboard page shows, as pure functions over the typed incident frame.

``app.py`` only lays these results out with Streamlit widgets; everything that can be
computed and tested without a browser lives here: KPI texts, the timeline aggregation, the
table of incidents, the filter options found in the data, and the mapping between an
:class:`~incidents.filters.IncidentFilter` and the sidebar's widget values. ``streamlit`` is
never imported here.

Honesty rules (the same as :mod:`incidents.totals`): a casualty figure shared by several
incidents counts once; an unknown figure is never shown or drawn as zero.

Modules: :mod:`.selection` (everything the page shows for one filter, :class:`Selection`),
:mod:`.columnar` (the per-revision arrays big selections are summed from, :class:`FrameArrays`),
:mod:`.kpis` (the metrics), :mod:`.timeline` (the chart's data, colours and caption),
:mod:`.table` (the incident table), :mod:`.widgets` (filter options, widget values, URL
parameters), :mod:`.mapview` (the map's view box) and :mod:`.text` (Markdown escaping,
clipping, summaries).
"""

from __future__ import annotations

from .columnar import FrameArrays, frame_arrays
from .kpis import Kpis, figure_value, kpis
from .mapview import in_bbox, map_box
from .selection import SLIM_COLUMNS, Selection, filter_from_key, filter_key
from .table import TABLE_COLUMNS, TABLE_LIMIT, TableView, casualty_cell, first_link, table_view
from .text import TEXT_LIMIT, clip, escape_markdown, filter_summary, store_label
from .timeline import (
    AXIS_STEPS,
    Timeline,
    event_type_colors,
    padded_domain,
    stacked,
    timeline,
    timeline_freq,
    timeline_note,
)
from .widgets import (
    ACTOR_LIMIT,
    UNKNOWN_LABELS,
    FilterOptions,
    WidgetValues,
    dependent_options,
    filter_from_widgets,
    filter_options,
    parse_query_params,
    same_params,
    widget_values,
    with_values,
)

__all__ = [
    "ACTOR_LIMIT",
    "AXIS_STEPS",
    "SLIM_COLUMNS",
    "TABLE_COLUMNS",
    "TABLE_LIMIT",
    "TEXT_LIMIT",
    "UNKNOWN_LABELS",
    "FilterOptions",
    "FrameArrays",
    "Kpis",
    "Selection",
    "TableView",
    "Timeline",
    "WidgetValues",
    "casualty_cell",
    "clip",
    "dependent_options",
    "escape_markdown",
    "event_type_colors",
    "figure_value",
    "filter_from_key",
    "filter_from_widgets",
    "filter_key",
    "filter_options",
    "filter_summary",
    "first_link",
    "frame_arrays",
    "in_bbox",
    "kpis",
    "map_box",
    "padded_domain",
    "parse_query_params",
    "same_params",
    "stacked",
    "store_label",
    "table_view",
    "timeline",
    "timeline_freq",
    "timeline_note",
    "widget_values",
    "with_values",
]
