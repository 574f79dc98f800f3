"""The incident store: SQLAlchemy Core over SQLite by default (PostgreSQL can follow).

- ``INCIDENTS_DB`` (a SQLAlchemy URL) chooses the store; the default is
  ``sqlite:///<project>/data/incidents.sqlite``.
- A store that does not exist yet is created and loaded with the seed incidents.
- Every write is one transaction and bumps :attr:`Store.revision`, which caches key on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from .exc import ImportRejected, RowError, StoreError
from .schema import COLUMNS, COUNT_COLUMNS, GROUP_COLUMNS

__all__ = ["DEFAULT_DB_PATH", "InsertResult", "OnConflict", "Store", "default_url"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_DIR / "data" / "incidents.sqlite"
OnConflict = Literal["error", "skip", "replace"]
_BATCH = 20_000
#: From this many rows, an insert into an empty table rebuilds the indexes after loading.
_REINDEX_ROWS = 50_000
_SQL_TYPES: dict[str, Callable[[], sa.types.TypeEngine[Any]]] = {
    "text": sa.Text,
    "json": sa.Text,
    "date": lambda: sa.String(10),
    "int": sa.Integer,
    "count": sa.Integer,
    "float": sa.Float,
}

metadata = sa.MetaData()
incidents_table = sa.Table(
    "incidents",
    metadata,
    *[
        sa.Column(
            c.name, _SQL_TYPES[c.kind](), primary_key=c.name == "event_id", nullable=not c.required
        )
        for c in COLUMNS
    ],
)
groups_table = sa.Table(
    "casualty_groups",
    metadata,
    sa.Column("group_id", sa.Text, primary_key=True),
    *[sa.Column(name, sa.Integer) for name in COUNT_COLUMNS],
    sa.Column("description", sa.Text),
    sa.Column("sources", sa.Text),
)
meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
_INDEXES = (
    # (date, id) is the order of Store.iter_frames: SQLite walks this index instead of sorting
    # every row in memory, so streaming exports stay bounded in memory at any size.
    sa.Index("ix_incidents_date_id", incidents_table.c.event_date, incidents_table.c.event_id),
    sa.Index("ix_incidents_event_type", incidents_table.c.event_type),
    sa.Index("ix_incidents_country", incidents_table.c.country),
    sa.Index("ix_incidents_casualty_group", incidents_table.c.casualty_group),
)


def _add_missing_columns(conn: sa.Connection) -> None:
    """Stores made before a column was added to the model get it (empty) once."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("incidents")}
    for column in incidents_table.columns:
        if column.name not in have:
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE incidents ADD COLUMN {column.name} {kind}")


def default_url() -> str:
    """``INCIDENTS_DB`` if set, else the SQLite file under ``data/``."""
    return os.environ.get("INCIDENTS_DB") or f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass
class InsertResult:
    inserted: int = 0
    replaced: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    revision: int = 0


def _records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as tuples of plain Python values (None for missing), fast."""
    cols = []
    for name in columns:
        s = frame[name]
        missing = s.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        if isinstance(s.dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(s):
            arr = np.array(s.fillna(0).astype("int64").tolist(), dtype=object)
        else:
            arr = np.array(s.astype(object).tolist(), dtype=object)
        arr[missing] = None
        cols.append(arr)
    return list(zip(*cols)) if cols else []


class Store:
    """An incident store. Open with :meth:`open`; the default seeds a new store."""

    def __init__(self, engine: sa.Engine, *, url: str):
        self.engine = engine
        self.url = url

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, seed: bool = True) -> Store:
        """Open (and if new, create and seed) the store at ``url`` (default: :func:`default_url`)."""
        url = url or default_url()
        try:
            sa_url = sa.make_url(url)
        except sa.exc.ArgumentError as err:
            raise StoreError(f"INCIDENTS_DB is not a database URL: {url!r}") from err
        if sa_url.get_backend_name() == "sqlite" and sa_url.database not in (None, "", ":memory:"):
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(sa_url)
        if sa_url.get_backend_name() == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine, url=url)
        try:
            created = store._create_if_missing()
        except sa.exc.DBAPIError as err:
            raise StoreError(f"cannot open the store {sa_url!r}: {err.orig}") from err
        if created and seed:
            from .seed import load_seed

            incidents, groups = load_seed()
            result = store.insert(incidents, groups=groups)
            if result.errors:  # pragma: no cover - the seed is validated by its tests
                raise StoreError(f"seed data is invalid: {result.errors[0]}")
        return store

    def _create_if_missing(self) -> bool:
        with self.engine.begin() as conn:
            exists = sa.inspect(conn).has_table("meta")
            if exists:
                _add_missing_columns(conn)
                for index in _INDEXES:  # stores made before an index was added get it once
                    index.create(conn, checkfirst=True)
                return False
            metadata.create_all(conn)
            for index in _INDEXES:
                index.create(conn, checkfirst=True)
            conn.execute(meta_table.insert(), [{"key": "revision", "value": "0"}])
        return True

    # -- reading -----------------------------------------------------------------------
    @property
    def revision(self) -> int:
        """A number that changes on every write (cache on it)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "revision")
            ).scalar_one()
        return int(value)

    @property
    def cache_key(self) -> str:
        """Identifies this store and its revision, for caches shared between stores."""
        digest = hashlib.sha1(self.url.encode()).hexdigest()[:12]
        return f"{digest}-r{self.revision}"

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(incidents_table)
            ).scalar_one()

    def groups(self) -> pd.DataFrame:
        """The shared casualty figures, one row per group."""
        with self.engine.connect() as conn:
            frame = pd.read_sql_query(sa.select(groups_table), conn)
        for name in COUNT_COLUMNS:
            frame[name] = frame[name].astype("Int64")
        for name in ("group_id", "description", "sources"):
            frame[name] = frame[name].astype("string")
        return frame

    def iter_frames(self, *, chunksize: int = 100_000) -> Iterator[pd.DataFrame]:
        """The incidents in chunks of typed rows, ordered by date and id (streaming export)."""
        query = sa.select(incidents_table).order_by(
            incidents_table.c.event_date, incidents_table.c.event_id
        )
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # The driver's own cursor: SQLAlchemy's row objects cost a third of the time here.
                driver = conn.connection.driver_connection
                assert driver is not None  # an open connection has its driver's
                cursor = driver.cursor()
                cursor.execute(str(query.compile(conn)))
                names = [d[0] for d in cursor.description]
                while rows := cursor.fetchmany(chunksize):
                    yield _typed_rows(rows, names)
                cursor.close()
                return
            result = conn.execution_options(stream_results=True).execute(query)
            names = list(result.keys())
            while rows := result.fetchmany(chunksize):
                yield _typed_rows(rows, names)

    def frame(self) -> pd.DataFrame:
        """All incidents as one typed DataFrame (see :mod:`incidents.frame` for the cached form)."""
        chunks = list(self.iter_frames(chunksize=250_000))
        if not chunks:
            return _typed(pd.DataFrame(columns=[c.name for c in COLUMNS]))
        return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]

    # -- writing -----------------------------------------------------------------------
    def insert(
        self,
        incidents: pd.DataFrame,
        *,
        groups: pd.DataFrame | None = None,
        on_conflict: OnConflict = "error",
        lines: pd.Series | None = None,
        strict: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> InsertResult:
        """Insert validated incidents (and the casualty groups they refer to) in one transaction.

        ``incidents`` must come from :func:`incidents.validate.validate_frame`. Rows whose
        ``event_id`` is already stored are rejected (``error``), left alone (``skip``) or
        overwritten (``replace``); rows naming an unknown casualty group are rejected.
        Nothing is written if the database fails midway, nor with ``strict`` when any row is
        rejected (:class:`~incidents.exc.ImportRejected` is raised then). ``progress`` is
        called with (rows written, rows to write) after each batch.
        """
        line_arr = np.arange(1, len(incidents) + 1) if lines is None else np.asarray(lines)
        result = InsertResult()
        incidents = incidents.reset_index(drop=True)
        try:
            with self.engine.begin() as conn:
                if groups is not None and len(groups):
                    self._upsert_groups(conn, groups)
                keep = np.ones(len(incidents), dtype=bool)
                known_groups = set(conn.execute(sa.select(groups_table.c.group_id)).scalars())
                group_col = incidents["casualty_group"]
                unknown = group_col.notna() & ~group_col.isin(known_groups)
                for pos in np.flatnonzero(unknown.to_numpy()).tolist():
                    result.errors.append(
                        RowError(
                            int(line_arr[pos]),
                            "casualty_group",
                            f"{group_col.iat[pos]!r} is not a known casualty group",
                            str(incidents["event_id"].iat[pos]),
                        )
                    )
                keep &= ~unknown.to_numpy()
                existing = self._existing_ids(conn, incidents["event_id"][keep])
                if existing:
                    clash = incidents["event_id"].isin(existing).to_numpy() & keep
                    if on_conflict == "error":
                        for pos in np.flatnonzero(clash).tolist():
                            result.errors.append(
                                RowError(
                                    int(line_arr[pos]),
                                    "event_id",
                                    "already in the store (import with on_conflict 'replace' or 'skip')",
                                    str(incidents["event_id"].iat[pos]),
                                )
                            )
                        keep &= ~clash
                    elif on_conflict == "skip":
                        result.skipped = int(clash.sum())
                        keep &= ~clash
                    else:
                        ids = incidents["event_id"][clash].tolist()
                        for start in range(0, len(ids), _BATCH):
                            conn.execute(
                                incidents_table.delete().where(
                                    incidents_table.c.event_id.in_(ids[start : start + _BATCH])
                                )
                            )
                        result.replaced = len(ids)
                if strict and result.errors:
                    raise ImportRejected(sorted(result.errors, key=lambda e: e.line))
                rows = incidents[keep]
                names = [c.name for c in COLUMNS]
                # Bulk load into an empty table: build the secondary indexes once, at the end.
                rebuild = len(rows) >= _REINDEX_ROWS and not existing and self._is_empty(conn)
                if rebuild:
                    for index in _INDEXES:
                        index.drop(conn, checkfirst=True)
                if progress is None:
                    self._bulk_insert(conn, incidents_table, rows, names)
                else:
                    for start in range(0, len(rows), _BATCH):
                        part = rows.iloc[start : start + _BATCH]
                        self._bulk_insert(conn, incidents_table, part, names)
                        progress(start + len(part), len(rows))
                if rebuild:
                    for index in _INDEXES:
                        index.create(conn, checkfirst=True)
                result.inserted = len(rows) - result.replaced
                result.errors.sort(key=lambda e: e.line)
                if len(rows) or (groups is not None and len(groups)):
                    conn.execute(
                        meta_table.update()
                        .where(meta_table.c.key == "revision")
                        .values(value=sa.cast(sa.cast(meta_table.c.value, sa.Integer) + 1, sa.Text))
                    )
        except sa.exc.DBAPIError as err:
            raise StoreError(
                f"the store could not be written, nothing was changed: {err.orig}"
            ) from err
        result.revision = self.revision
        return result

    def _bulk_insert(
        self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, names: list[str]
    ) -> None:
        for start in range(0, len(frame), _BATCH):
            chunk = frame.iloc[start : start + _BATCH]
            records = _records(chunk, names)
            if conn.dialect.name == "sqlite":
                placeholders = ", ".join("?" for _ in names)
                conn.exec_driver_sql(
                    f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})",
                    records,
                )
            else:
                conn.execute(table.insert(), [dict(zip(names, r)) for r in records])

    def _upsert_groups(self, conn: sa.Connection, groups: pd.DataFrame) -> None:
        names = list(GROUP_COLUMNS)
        ids = groups["group_id"].tolist()
        conn.execute(groups_table.delete().where(groups_table.c.group_id.in_(ids)))
        self._bulk_insert(conn, groups_table, groups[names], names)

    @staticmethod
    def _is_empty(conn: sa.Connection) -> bool:
        return conn.execute(sa.select(incidents_table.c.event_id).limit(1)).first() is None

    @staticmethod
    def _existing_ids(conn: sa.Connection, ids: pd.Series) -> set[str]:
        if not len(ids):
            return set()
        if conn.execute(sa.select(sa.func.count()).select_from(incidents_table)).scalar_one() == 0:
            return set()
        found: set[str] = set()
        values = ids.tolist()
        for start in range(0, len(values), 10_000):
            part = values[start : start + 10_000]
            found.update(
                conn.execute(
                    sa.select(incidents_table.c.event_id).where(
                        incidents_table.c.event_id.in_(part)
                    )
                ).scalars()
            )
        return found


_ARROW_TYPES = {
    "text": pa.string(),
    "json": pa.string(),
    "date": pa.string(),
    "int": pa.int64(),
    "count": pa.int64(),
    "float": pa.float64(),
}
_KINDS = {c.name: c.kind for c in COLUMNS}


def _typed_rows(rows: Sequence[Any], names: list[str]) -> pd.DataFrame:
    """Rows from SQL as a typed frame, converted column by column through Arrow (fast)."""
    columns = list(zip(*rows))
    data = {}
    for name, values in zip(names, columns):
        kind = _KINDS[name]
        array = pa.array(values, type=_ARROW_TYPES[kind])
        if kind == "date":
            array = pc.strptime(array, format="%Y-%m-%d", unit="s")
        data[name] = array
    return _typed(pa.table(data).to_pandas(types_mapper=_pandas_type))


def _pandas_type(arrow_type: pa.DataType):
    if pa.types.is_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_int64(arrow_type):
        return pd.Int64Dtype()
    return None


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes for a table read back from SQL (no-ops where already right)."""
    for c in COLUMNS:
        if c.kind in ("text", "json"):
            frame[c.name] = frame[c.name].astype("string")
        elif c.kind == "date":
            frame[c.name] = pd.to_datetime(frame[c.name], format="%Y-%m-%d").astype(
                "datetime64[us]"
            )
        elif c.kind in ("int", "count"):
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("Int64")
        else:
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("float64")
    return frame


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(
        "PRAGMA cache_size=-65536"
    )  # 64 MiB page cache: bulk loads keep the id index in memory
    cursor.close()
