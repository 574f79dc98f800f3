"""Exports of exactly the selected incidents: CSV, GeoJSON and GeoPackage.

- Columns: :data:`EXPORT_COLUMNS`, i.e. ours (ACLED's names where ACLED has the concept) then
  the shared figure ``group_fatalities``... columns.
- A figure shared by several incidents (a casualty group) is written once: on the incident
  that carries it in the exported selection (:func:`incidents.totals.group_carriers`, the
  earliest by date then id, the rule the KPIs use); the group columns are empty on the
  others and an incident's own figures stay empty when its figure is shared. Summing any
  column counts every figure once.
- CSV: UTF-8; ``excel=True`` adds a BOM and CRLF line ends. Text cells a spreadsheet would
  run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading ``'``
  (OWASP "CSV injection"); numbers are never touched.
- GeoJSON: an RFC 7946 FeatureCollection of Points (longitude, latitude; WGS 84), properties
  = the columns, dates as ``YYYY-MM-DD``.
- GeoPackage: layer ``incidents`` (points, EPSG:4326), a non-spatial table
  ``casualty_groups`` and, from a store with curated places, a ``places`` layer
  (:mod:`geodata.places`).

From a :class:`~incidents.store.Store`, exports stream in chunks (memory stays bounded);
from a DataFrame (the dashboard's filtered view, with the ``group_*`` columns of
:func:`incidents.load_frame`), they use it as given.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .exc import ExportError
from .filters import IncidentFilter, filter_mask
from .formats._groups import GROUP_FIGURE_COLUMNS
from .frame import CRS, with_group_figures
from .schema import COLUMNS, COUNT_COLUMNS, GROUP_COLUMNS
from .snapshot import iter_snapshot, iter_snapshot_tables
from .store import Store
from .totals import group_carriers

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "FORMULA_PREFIXES",
    "export_incidents",
    "export_table",
    "to_csv_bytes",
    "to_geojson_bytes",
    "to_gpkg_bytes",
]

ExportFormat = Literal["csv", "geojson", "gpkg"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "geojson", "gpkg")
EXPORT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS) + GROUP_FIGURE_COLUMNS
#: A text cell starting with one of these is prefixed with ``'`` in CSV exports.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_KIND = {c.name: c.kind for c in COLUMNS} | {name: "count" for name in GROUP_FIGURE_COLUMNS}
_ARROW = {
    "text": pa.string(),
    "json": pa.string(),
    "date": pa.date32(),
    "int": pa.int64(),
    "count": pa.int64(),
    "float": pa.float64(),
}
_SCHEMA = pa.schema([(name, _ARROW[_KIND[name]]) for name in EXPORT_COLUMNS])
_OWN_FIGURES = tuple(COUNT_COLUMNS)
_DATES = tuple(c.name for c in COLUMNS if c.kind == "date")
BOM = b"\xef\xbb\xbf"


# -- the exported table ---------------------------------------------------------------
def _check(frame: pd.DataFrame) -> None:
    missing = [c.name for c in COLUMNS if c.name not in frame.columns]
    if missing:
        raise ExportError(f"the table lacks column(s): {', '.join(missing)}")
    grouped = frame["casualty_group"].notna().any()
    if grouped and any(c not in frame.columns for c in GROUP_FIGURE_COLUMNS):
        raise ExportError(
            "incidents with shared casualty figures need the group_* columns "
            "(use incidents.load_frame or incidents.with_group_figures)"
        )


def _shape(frame: pd.DataFrame, carrier: np.ndarray) -> pd.DataFrame:
    """EXPORT_COLUMNS with group figures on carriers only and own figures empty when shared."""
    out = pd.DataFrame(index=frame.index)
    grouped = frame["casualty_group"].notna().to_numpy()
    for name in EXPORT_COLUMNS:
        if name in frame.columns:
            values = frame[name]
        else:
            values = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        if name in GROUP_FIGURE_COLUMNS:
            values = values.where(carrier)
        elif name in _OWN_FIGURES and grouped.any():
            values = values.where(~grouped)
        out[name] = values
    return out


def export_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` as exported: :data:`EXPORT_COLUMNS`, each shared figure once."""
    _check(frame)
    return _shape(frame, group_carriers(frame))


def _stream(store: Store, flt: IncidentFilter | None, chunksize: int) -> Iterator[pd.DataFrame]:
    """Store rows in (date, id) order, filtered, with each group carried by its first row."""
    groups = store.groups()
    seen: set[str] = set()
    # The columnar snapshot of this revision, when there is one, reads ~10x faster than SQLite.
    source = iter_snapshot(store) or store.iter_frames(chunksize=chunksize)
    for chunk in source:
        chunk = with_group_figures(chunk, groups)
        if flt is not None and not flt.is_empty:
            chunk = chunk[filter_mask(chunk, flt)]
        names = chunk["casualty_group"]
        carrier = np.zeros(len(chunk), dtype=bool)
        if names.notna().any():
            firsts = names.notna() & ~names.duplicated() & ~names.isin(seen)
            carrier = firsts.to_numpy(dtype=bool)
            seen.update(names[carrier].tolist())
        yield _shape(chunk, carrier)


def _chunks(source, flt: IncidentFilter | None, chunksize: int) -> Iterator[pd.DataFrame]:
    if isinstance(source, Store):
        yield from _stream(source, flt, chunksize)
        return
    if not isinstance(source, pd.DataFrame):
        raise ExportError(f"can export a Store or a DataFrame, not {type(source).__name__}")
    _check(source)
    frame = source if flt is None or flt.is_empty else source[filter_mask(source, flt)]
    table = _shape(frame, group_carriers(frame))
    for start in range(0, max(len(table), 1), chunksize):
        yield table.iloc[start : start + chunksize]


# -- the Arrow path: a whole store to CSV without DataFrames -------------------------------
def _arrow_stream(store: Store, chunksize: int) -> Iterator[pa.Table]:
    """What :func:`_stream` gives for a whole store (no filter), as Arrow tables of
    :data:`_SCHEMA`: read from the snapshot's record batches or :meth:`Store.iter_tables`
    (on PostgreSQL, ``COPY`` parsed by Arrow) and shaped in Arrow, with no DataFrame."""
    groups = store.groups()
    ids = pa.array(groups["group_id"].astype(object), type=pa.string())
    figures = {n: pa.array(groups[n], type=pa.int64(), from_pandas=True) for n in COUNT_COLUMNS}
    seen: set[str] = set()
    source = iter_snapshot_tables(store) or store.iter_tables(chunksize=chunksize)
    for table in source:
        yield _shape_arrow(table, ids, figures, seen)


def _shape_arrow(
    table: pa.Table, ids: pa.Array, figures: dict[str, pa.Array], seen: set[str]
) -> pa.Table:
    """:func:`_shape` in Arrow: each group's figures on its first incident not ``seen``
    before (``seen`` is updated), own figures empty where a group's figure is shared."""
    names = table.column("casualty_group").cast(pa.string())
    grouped = pc.is_valid(names)
    rows = np.flatnonzero(grouped.to_numpy(zero_copy_only=False))
    carrier = np.zeros(len(table), dtype=bool)
    for pos, name in zip(rows.tolist(), names.take(pa.array(rows)).to_pylist()):
        if name not in seen:
            seen.add(name)
            carrier[pos] = True
    columns = []
    for name, field in zip(EXPORT_COLUMNS, _SCHEMA):
        if name in GROUP_FIGURE_COLUMNS:
            if len(rows):
                which = pc.index_in(names, value_set=ids)
                values = figures[name.removeprefix("group_")].take(which)
                values = pc.if_else(pa.array(carrier), values, pa.scalar(None, pa.int64()))
            else:
                values = pa.nulls(len(table), pa.int64())
        else:
            values = table.column(name)
            if name in _OWN_FIGURES and len(rows):
                values = pc.if_else(grouped, pa.scalar(None, values.type), values)
        columns.append(values.cast(field.type))
    return pa.Table.from_arrays(columns, schema=_SCHEMA)


# -- Arrow conversion --------------------------------------------------------------------
def _arrow_column(values: pd.Series, kind: str) -> pa.Array:
    if kind == "date":
        dates = pd.to_datetime(values)
        return pa.array(dates, type=pa.timestamp("ns"), from_pandas=True).cast(pa.date32())
    if kind in ("text", "json"):
        return pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    return pa.array(values, type=_ARROW[kind], from_pandas=True)


def _arrow(table: pd.DataFrame) -> pa.Table:
    return pa.Table.from_arrays(
        [_arrow_column(table[n], _KIND[n]) for n in EXPORT_COLUMNS], schema=_SCHEMA
    )


_FORMULA_BYTES = np.frombuffer("".join(FORMULA_PREFIXES).encode("ascii"), dtype=np.uint8)


def _starts_risky(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Which cells of a text column start with one of :data:`FORMULA_PREFIXES` (all ASCII:
    the first byte of the UTF-8 text says it), read from the column's buffers with numpy:
    a regular expression over every text of a million rows took seconds."""
    masks = []
    for chunk in column.chunks:
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[chunk.offset :][: len(chunk) + 1]
        starts, ends = offsets[:-1], offsets[1:]
        filled = ends > starts
        first = np.zeros(len(chunk), dtype=np.uint8)
        if data_buffer is not None and filled.any():
            data = np.frombuffer(data_buffer, dtype=np.uint8)
            first[filled] = data[starts[filled]]
        risky = filled & np.isin(first, _FORMULA_BYTES)
        masks.append(pc.and_(pa.array(risky), pc.is_valid(chunk)))
    return pa.chunked_array(masks, type=pa.bool_())


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Prefix ``'`` to text cells a spreadsheet would run as a formula (never to numbers)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_string(f.type):
            column = table.column(i)
            risky = _starts_risky(column)
            if pc.any(risky).as_py():
                safe = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
                table = table.set_column(i, f, safe)
    return table


# -- writers -----------------------------------------------------------------------------
def _write_csv(
    chunks: Iterable[pd.DataFrame] | Iterable[pa.Table], out: BinaryIO, *, excel: bool
) -> int:
    if excel:
        out.write(BOM)
    rows = 0
    first = True
    for chunk in chunks:
        table = neutralise_formulas(chunk if isinstance(chunk, pa.Table) else _arrow(chunk))
        options = pacsv.WriteOptions(
            include_header=first, eol="\r\n" if excel else "\n", quoting_header="none"
        )
        pacsv.write_csv(table, out, write_options=options)
        rows += len(chunk)
        first = False
    return rows


def _write_geojson(chunks: Iterable[pd.DataFrame], out: BinaryIO) -> int:
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    rows = 0
    for chunk in chunks:
        if not len(chunk):
            continue
        props = chunk.copy()
        for name in _DATES:
            props[name] = pd.to_datetime(props[name]).dt.strftime("%Y-%m-%d")
        text = props.to_json(orient="records", lines=True, force_ascii=False)
        # pandas escapes every "/" as "\\/": undo it (valid either way, easier to read).
        records = text.replace("\\/", "/").rstrip("\n").split("\n")
        lon = chunk["longitude"].tolist()
        lat = chunk["latitude"].tolist()
        features = [
            f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{x!r}, {y!r}]}}, "properties": {p}}}'
            for x, y, p in zip(lon, lat, records)
        ]
        out.write(((",\n" if rows else "") + ",\n".join(features)).encode("utf-8"))
        rows += len(chunk)
    out.write(b"\n]}\n")
    return rows


def _groups_for(source, named: pd.DataFrame) -> pd.DataFrame:
    """Shared figures named in the export, with description and sources when the store has them."""
    ids = named["casualty_group"].dropna().unique().tolist()
    if isinstance(source, Store):
        groups = source.groups()
        return groups[groups["group_id"].isin(ids)].reset_index(drop=True)
    has = named[list(GROUP_FIGURE_COLUMNS)].notna().any(axis=1)
    table = (
        named.assign(_has=has)
        .sort_values("_has", ascending=False, kind="stable")
        .drop_duplicates("casualty_group")
    )
    groups = pd.DataFrame({"group_id": table["casualty_group"].astype("string")})
    for name in COUNT_COLUMNS:
        groups[name] = table["group_" + name].astype("Int64")
    groups["description"] = pd.Series(pd.NA, index=groups.index, dtype="string")
    groups["sources"] = pd.Series(pd.NA, index=groups.index, dtype="string")
    return groups[list(GROUP_COLUMNS)].reset_index(drop=True)


def _write_gpkg(source, chunks: Iterable[pd.DataFrame], path: Path) -> int:
    import geopandas as gpd
    import pyogrio

    rows = 0
    written = False
    named = []
    for chunk in chunks:
        if written and not len(chunk):
            continue
        frame = chunk.reset_index(drop=True)
        for name in _DATES:
            frame[name] = pd.to_datetime(frame[name])
        geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
        gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
        pyogrio.write_dataframe(gdf, path, layer="incidents", driver="GPKG", append=written)
        written = True
        named.append(
            frame.loc[frame["casualty_group"].notna(), ["casualty_group", *GROUP_FIGURE_COLUMNS]]
        )
        rows += len(chunk)
    groups = _groups_for(source, pd.concat(named, ignore_index=True))
    pyogrio.write_dataframe(groups, path, layer="casualty_groups", driver="GPKG")
    if isinstance(source, Store):  # the team's own places travel with the export
        from geodata.places import write_places_layer

        write_places_layer(source.engine, path)
    return rows


# -- public API --------------------------------------------------------------------------
def export_incidents(
    source: Store | pd.DataFrame,
    out: str | Path | BinaryIO,
    *,
    format: ExportFormat = "csv",
    flt: IncidentFilter | None = None,
    excel: bool = False,
    chunksize: int = 50_000,
) -> int:
    """Write the incidents of ``source`` that ``flt`` keeps to ``out``; returns the row count.

    ``source`` is a store (streamed in chunks) or a DataFrame with the ``group_*`` columns
    (:func:`incidents.load_frame`). ``out`` is a path (written atomically: a temporary file
    renamed at the end) or, for CSV and GeoJSON, a binary file object such as ``io.BytesIO``.
    """
    if format not in EXPORT_FORMATS:
        raise ExportError(
            f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    chunks: Iterator[pd.DataFrame] | Iterator[pa.Table]
    if format == "csv" and isinstance(source, Store) and (flt is None or flt.is_empty):
        chunks = _arrow_stream(source, chunksize)
    else:
        chunks = _chunks(source, flt, chunksize)
    if not isinstance(out, (str, Path)):
        if format == "gpkg":
            raise ExportError("a GeoPackage is written to a file path, not to a stream")
        return _write_stream(format, chunks, out, excel)
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        if format == "gpkg":
            tmp = tmp.with_suffix(".gpkg")
            rows = _write_gpkg(source, chunks, tmp)
        else:
            with open(tmp, "wb") as handle:
                rows = _write_stream(format, chunks, handle, excel)
        os.replace(tmp, path)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return rows


def _write_stream(format: str, chunks, out: BinaryIO, excel: bool) -> int:
    if format == "csv":
        return _write_csv(chunks, out, excel=excel)
    return _write_geojson(chunks, out)


def to_csv_bytes(frame: pd.DataFrame, *, excel: bool = False) -> bytes:
    """The CSV export of ``frame`` (the dashboard's view, with ``group_*`` columns) in memory."""
    buffer = io.BytesIO()
    export_incidents(frame, buffer, format="csv", excel=excel)
    return buffer.getvalue()


def to_geojson_bytes(frame: pd.DataFrame) -> bytes:
    """The GeoJSON export of ``frame`` (the dashboard's view, with ``group_*`` columns) in memory."""
    buffer = io.BytesIO()
    export_incidents(frame, buffer, format="geojson")
    return buffer.getvalue()


def to_gpkg_bytes(frame: pd.DataFrame) -> bytes:
    """The GeoPackage export of ``frame`` (the dashboard's view, with ``group_*`` columns) in
    memory. GDAL writes GeoPackages to files only: this one goes through a temporary folder."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="incidents-gpkg-") as folder:
        path = Path(folder) / "incidents.gpkg"
        export_incidents(frame, path, format="gpkg")
        return path.read_bytes()
