"""What the store does differently on PostgreSQL: ``COPY`` loads, server-side reads, PostGIS.

- :func:`copy_in` loads rows through ``COPY ... FROM STDIN`` in CSV written by Arrow (a NULL
  is an unquoted empty field, an empty text a quoted one: exactly what ``COPY`` reads).
- :func:`copy_out` reads through ``COPY ... TO STDOUT`` parsed by Arrow; :func:`iter_rows`
  through a server-side cursor of the driver, a chunk at a time.
- :func:`add_geometry` gives the incidents a PostGIS point column ``geom`` (SRID 4326,
  generated from longitude and latitude, so every write keeps it right) and a GiST index,
  when the ``postgis`` extension is installed or may be created by the role.
- :func:`lock_writes`: writers take turns on the revision row.
- :func:`ids_sort_bytewise`: whether the incidents' ids sort as SQLite and Arrow sort them.

Every function takes an open SQLAlchemy connection on PostgreSQL (psycopg 3).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

__all__ = [
    "GEOM_INDEX",
    "add_geometry",
    "before_index_build",
    "copy_in",
    "copy_out",
    "has_geometry",
    "has_postgis",
    "ids_sort_bytewise",
    "iter_rows",
    "lock_writes",
    "stored_ids",
]

GEOM_INDEX = "CREATE INDEX IF NOT EXISTS ix_incidents_geom ON incidents USING gist (geom)"
_COPY_ROWS = 100_000
_LOOKUP_ROWS = 250_000


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


#: Collations that compare text byte by byte (for UTF-8: by code point).
_BYTEWISE = ("C", "POSIX", "ucs_basic")


def ids_sort_bytewise(conn: sa.Connection) -> bool:
    """Whether ``ORDER BY event_id`` compares the ids byte by byte (collation ``C``), as
    SQLite and Arrow do; a language's collation (``en_US``, ICU) orders them otherwise.
    True on other databases."""
    if conn.dialect.name != "postgresql":
        return True
    found = conn.exec_driver_sql(
        "SELECT c.collname, d.datcollate, to_jsonb(d) ->> 'datlocprovider' "
        "FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation, pg_database d "
        "WHERE a.attrelid = 'incidents'::regclass AND a.attname = 'event_id' "
        "AND d.datname = current_database()"
    ).first()
    if found is None:
        return False
    collation, database, provider = found
    if collation == "default":  # the database's: libc's unless the provider is ICU ('i')
        return database in _BYTEWISE and provider in (None, "c")
    return collation in _BYTEWISE


def before_index_build(conn: sa.Connection) -> None:
    """Give this transaction's index builds after a bulk load more sort memory than the
    server's default (64 MB sorts a million ids on disk); nothing on other databases."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")


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
    and floats as such (missing = null), everything else text. Arrow-backed text columns
    are handed over as they are (no Python objects: that cost seconds per million rows)."""
    arrays = []
    for name in names:
        arrays.append(_arrow_column(frame[name]))
    return pa.Table.from_arrays(arrays, names=names)


def _arrow_column(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is None:  # date32 as text is YYYY-MM-DD (strftime: slow)
            days = pc.cast(pa.array(s, from_pandas=True), pa.date32(), safe=False)
            return days.cast(pa.string())
        s = s.dt.strftime("%Y-%m-%d")
    if isinstance(s.dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(s):
        return pa.array(s, type=pa.int64(), from_pandas=True)
    if pd.api.types.is_float_dtype(s):
        return pa.array(s, type=pa.float64(), from_pandas=True)
    if isinstance(s.dtype, pd.StringDtype):
        array = pa.array(s, from_pandas=True)
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            return array.cast(pa.string())
    return pa.array(s.astype(object), type=pa.string(), from_pandas=True)


def stored_ids(conn: sa.Connection, table: str, column: str, values: list[str]) -> set[str]:
    """Which of ``values`` are in ``table.column``: one query with the values as one array
    parameter (an ``IN`` list of literals costs the client more than the server's lookups)."""
    found: set[str] = set()
    with _driver(conn).cursor() as cursor:
        for start in range(0, len(values), _LOOKUP_ROWS):
            cursor.execute(
                f"SELECT {column} FROM {table} WHERE {column} = ANY(%s::text[])",
                (values[start : start + _LOOKUP_ROWS],),
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


class _CopyReader(io.RawIOBase):
    """The data of a ``COPY ... TO STDOUT`` as a readable file (for Arrow's CSV reader): the
    driver hands over one row at a time, a read joins them up to the size asked."""

    def __init__(self, copy) -> None:
        self._copy = copy
        self._rest = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts, held = [self._rest], len(self._rest)
        while not self._done and (size < 0 or held < size):
            data = self._copy.read()
            if not data:
                self._done = True
                break
            parts.append(data)
            held += len(data)
        joined = b"".join(parts)
        if size < 0 or len(joined) <= size:
            self._rest = b""
            return joined
        self._rest = joined[size:]
        return joined[:size]

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def copy_out(
    conn: sa.Connection, query: sa.Select, types: dict[str, pa.DataType], chunksize: int
) -> Iterator[pa.Table]:
    """The rows of ``query`` as Arrow tables of about ``chunksize`` rows, through
    ``COPY (query) TO STDOUT`` in CSV parsed by Arrow (no Python object per value).
    ``types`` gives each selected column's Arrow type. A NULL is an unquoted empty field, an
    empty text a quoted one, as ``COPY`` writes them."""
    sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
    names = list(types)
    read = pacsv.ReadOptions(column_names=names, block_size=1 << 22, use_threads=False)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    with (
        _driver(conn).cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
    ):
        reader = pacsv.open_csv(
            _CopyReader(copy), read_options=read, parse_options=parse, convert_options=convert
        )
        batches: list[pa.RecordBatch] = []
        held = 0
        for batch in reader:
            batches.append(batch)
            held += batch.num_rows
            if held >= chunksize:
                yield pa.Table.from_batches(batches).combine_chunks()
                batches, held = [], 0
        if batches:
            yield pa.Table.from_batches(batches).combine_chunks()


def iter_rows(conn: sa.Connection, query: sa.Select, chunksize: int) -> Iterator[list[tuple]]:
    """The rows of ``query``, ``chunksize`` at a time, through a server-side cursor of the
    driver (no SQLAlchemy row objects). The connection must stay in its transaction."""
    sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
    with _driver(conn).cursor(name=f"incidents_{uuid.uuid4().hex[:8]}") as cursor:
        cursor.itersize = chunksize
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunksize):
            yield rows
