"""What the store does differently on PostgreSQL: ``COPY`` loads, server-side reads, PostGIS.

- :func:`copy_in` loads rows through ``COPY ... FROM STDIN`` in CSV written by Arrow (a NULL
  is an unquoted empty field, an empty text a quoted one: exactly what ``COPY`` reads).
- :func:`iter_rows` reads through a server-side cursor of the driver, a chunk at a time.
- :func:`add_geometry` gives the incidents a PostGIS point column ``geom`` (SRID 4326,
  generated from longitude and latitude, so every write keeps it right) and a GiST index,
  when the ``postgis`` extension is installed or may be created by the role.
- :func:`lock_writes`: writers take turns on the revision row.

Every function takes an open SQLAlchemy connection on PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

__all__ = [
    "GEOM_INDEX",
    "add_geometry",
    "copy_in",
    "has_geometry",
    "has_postgis",
    "iter_rows",
    "lock_writes",
]

GEOM_INDEX = "CREATE INDEX IF NOT EXISTS ix_incidents_geom ON incidents USING gist (geom)"
_COPY_ROWS = 100_000


def _driver(conn: sa.Connection):
    driver = conn.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    return driver


def has_postgis(conn: sa.Connection) -> bool:
    """Whether the database has the postgis extension (False on other databases)."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").first()
    return found is not None


def has_geometry(conn: sa.Connection) -> bool:
    """Whether the store's incidents have the ``geom`` column."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'incidents' AND column_name = 'geom'"
    ).first()
    return found is not None


def add_geometry(conn: sa.Connection) -> bool:
    """Add the ``geom`` point column and its GiST index to the incidents, creating the postgis
    extension if it is available and the role may. Returns whether the store has the column;
    without it the store works the same, comparing coordinates instead."""
    if conn.dialect.name != "postgresql":
        return False
    if not has_postgis(conn):
        available = conn.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
        ).first()
        if available is None:
            return False
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        except sa.exc.DBAPIError:  # not allowed for this role: the store works without
            return False
    conn.exec_driver_sql(
        "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
        "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED"
    )
    conn.exec_driver_sql(GEOM_INDEX)
    return True


def lock_writes(conn: sa.Connection) -> None:
    """Hold the revision row until the transaction ends: a second writer waits, then sees the
    first one's rows (and its ``on_conflict`` decides about them)."""
    conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'revision' FOR UPDATE")


def copy_in(conn: sa.Connection, table: str, frame: pd.DataFrame, names: list[str]) -> None:
    """The columns ``names`` of ``frame`` into ``table`` through ``COPY ... FROM STDIN``."""
    if not len(frame):
        return
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)"
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with _driver(conn).cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(frame), _COPY_ROWS):
            sink = io.BytesIO()
            pacsv.write_csv(
                _arrow_rows(frame.iloc[start : start + _COPY_ROWS], names),
                sink,
                write_options=options,
            )
            copy.write(sink.getvalue())


def _arrow_rows(frame: pd.DataFrame, names: list[str]) -> pa.Table:
    """The columns ``names`` of ``frame`` as Arrow: dates as ``YYYY-MM-DD`` text, integers
    and floats as such (missing = null), everything else text."""
    arrays = []
    for name in names:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        if isinstance(s.dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(s):
            arrays.append(pa.array(s, type=pa.int64(), from_pandas=True))
        elif pd.api.types.is_float_dtype(s):
            arrays.append(pa.array(s, type=pa.float64(), from_pandas=True))
        else:
            arrays.append(pa.array(s.astype(object), type=pa.string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, names=names)


def iter_rows(conn: sa.Connection, query: sa.Select, chunksize: int) -> Iterator[list[tuple]]:
    """The rows of ``query``, ``chunksize`` at a time, through a server-side cursor of the
    driver (no SQLAlchemy row objects). The connection must stay in its transaction."""
    sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
    with _driver(conn).cursor(name=f"incidents_{uuid.uuid4().hex[:8]}") as cursor:
        cursor.itersize = chunksize
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunksize):
            yield rows
