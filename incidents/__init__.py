"""Conflict incidents you can trust: data model, validation, store, filters, totals.

The curated public API; everything else is internal. ``streamlit`` is never imported here.
"""

from __future__ import annotations

from .casualties import Count, parse_count
from .exc import (
    CountError,
    ExportError,
    ImportFormatError,
    ImportRejected,
    IncidentsError,
    RowError,
    SnapshotWarning,
    StoreError,
    StoreSchemaError,
    ValidationError,
)
from .export import export_incidents, export_table, to_csv_bytes, to_geojson_bytes
from .filters import FilterError, IncidentFilter, apply_filter, filter_mask
from .formats import ReadResult, read_incidents
from .frame import to_geodataframe, with_group_figures
from .importer import ImportReport, import_file
from .schema import CLAIM_STATUSES, COLUMN_NAMES, COLUMNS
from .seed import load_seed
from .snapshot import load_frame
from .store import InsertResult, Store, default_url
from .taxonomy import DISORDER_TYPES, EVENT_TYPES, SUB_EVENT_TYPES
from .totals import Figure, Totals, casualty_totals, counted_casualties
from .validate import ValidationReport, validate_frame, validate_groups

__all__ = [
    "CLAIM_STATUSES",
    "COLUMNS",
    "COLUMN_NAMES",
    "DISORDER_TYPES",
    "EVENT_TYPES",
    "SUB_EVENT_TYPES",
    "Count",
    "CountError",
    "ExportError",
    "Figure",
    "FilterError",
    "ImportFormatError",
    "ImportRejected",
    "ImportReport",
    "IncidentFilter",
    "IncidentsError",
    "InsertResult",
    "ReadResult",
    "RowError",
    "SnapshotWarning",
    "Store",
    "StoreError",
    "StoreSchemaError",
    "Totals",
    "ValidationError",
    "ValidationReport",
    "apply_filter",
    "casualty_totals",
    "counted_casualties",
    "default_url",
    "export_incidents",
    "export_table",
    "filter_mask",
    "import_file",
    "load_frame",
    "load_seed",
    "parse_count",
    "read_incidents",
    "to_csv_bytes",
    "to_geodataframe",
    "to_geojson_bytes",
    "validate_frame",
    "validate_groups",
    "with_group_figures",
]
