"""The incident store: SQLAlchemy Core over SQLite (embedded, the default) or PostgreSQL.

- ``INCIDENTS_DB`` (a SQLAlchemy URL) chooses the store; the default is
  ``sqlite:///<project>/data/incidents.sqlite``; ``postgresql+psycopg://user@host/db`` (or
  ``postgresql://...``) a PostgreSQL database.
- A store that does not exist yet is created and loaded with the seed incidents.
- Every write is one transaction and bumps :attr:`Store.revision`, which caches key on.
  Writers take the write lock first (SQLite ``BEGIN IMMEDIATE``, elsewhere a row lock on the
  revision), so the ids a write checks are the ids it writes against: two imports at once
  queue (up to :data:`BUSY_TIMEOUT` seconds) instead of failing, and each reports its own
  revision.
- The schema is versioned with Alembic (:mod:`incidents.migrate`): an embedded SQLite store
  made by an older version is upgraded when opened; a PostgreSQL store is upgraded by
  ``python -m incidents migrate`` (its owner runs it, the app's role may lack the rights).
- Opening checks the tables and says what is damaged and how to repair it (:meth:`Store.repair`).
- On PostgreSQL, bulk loads go through ``COPY``, and when the ``postgis`` extension is
  available the incidents' points are also a geometry column (``geom``, SRID 4326, generated
  from longitude/latitude) with a GiST index, which :meth:`Store.in_box` uses.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from . import postgres
from .exc import ImportRejected, RowError, StoreError, StoreSchemaError
from .schema import COLUMNS, COUNT_COLUMNS, GROUP_COLUMNS

__all__ = [
    "DEFAULT_DB_PATH",
    "SCHEMA_VERSION",
    "ChunkWriter",
    "InsertResult",
    "OnConflict",
    "Store",
    "default_url",
]

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_DIR / "data" / "incidents.sqlite"
OnConflict = Literal["error", "skip", "replace"]
#: The Alembic revision of the schema this code writes (``incidents/migrations/versions``).
SCHEMA_VERSION = "0004"
#: The revision of a store made before the schema was versioned (no ``alembic_version``).
BASELINE_VERSION = "0001"
_BATCH = 20_000
#: From this many rows, an insert into an empty table rebuilds the indexes after loading.
_REINDEX_ROWS = 50_000
#: Seconds a writer waits for another writer's transaction to end (SQLite) before giving up.
BUSY_TIMEOUT = 60
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
    # Not a field of the data model: the store revision of the row's last edit (0 = never
    # edited), the version an editor loaded and must still find when saving.
    sa.Column("row_version", sa.Integer, server_default="0"),
)
#: The data model's columns of the incidents (the table has ``row_version`` besides).
DATA_COLUMNS = tuple(incidents_table.c[c.name] for c in COLUMNS)
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
#: Every change to stored incidents (see :mod:`incidents.history`).
history_table = sa.Table(
    "history",
    metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("who", sa.Text),
    sa.Column("event_id", sa.Text, index=True),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
    sa.Column("why", sa.Text),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer),  # the store revision the change made
)
_INDEXES = (
    # (date, id) is the order of Store.iter_frames: SQLite walks this index instead of sorting
    # every row in memory, so streaming exports stay bounded in memory at any size.
    sa.Index("ix_incidents_date_id", incidents_table.c.event_date, incidents_table.c.event_id),
    sa.Index("ix_incidents_event_type", incidents_table.c.event_type),
    sa.Index("ix_incidents_country", incidents_table.c.country),
    sa.Index("ix_incidents_casualty_group", incidents_table.c.casualty_group),
)


#: Columns the tables gained after stores were first made: an older store gets them (empty)
#: from the migrations. Any other missing column is damage (:func:`_schema_problems`).
ADDED_COLUMNS = {
    "incidents": ("event_date_end", "source_event_type", "row_version"),
    "history": ("revision",),
}
#: Tables the migrations add to an older store.
ADDED_TABLES = ("history",)


def default_url() -> str:
    """``INCIDENTS_DB`` if set, else the SQLite file under ``data/``."""
    return os.environ.get("INCIDENTS_DB") or f"sqlite:///{DEFAULT_DB_PATH}"


def engine_url(url: str) -> sa.URL:
    """The SQLAlchemy URL of ``url``; plain ``postgresql://`` means the psycopg (3) driver."""
    try:
        sa_url = sa.make_url(url)
    except sa.exc.ArgumentError as err:
        raise StoreError(f"INCIDENTS_DB is not a database URL: {url!r}") from err
    if sa_url.drivername in ("postgresql", "postgres"):
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    return sa_url


def create_engine(url: str) -> sa.Engine:
    """An engine for the store at ``url`` with the settings the store relies on."""
    sa_url = engine_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database not in (None, "", ":memory:"):
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(sa_url, connect_args={"timeout": BUSY_TIMEOUT})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: a team server restarts or drops idle connections; the pool reconnects.
    return sa.create_engine(sa_url, pool_pre_ping=True)


@dataclass
class InsertResult:
    inserted: int = 0
    replaced: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    revision: int = 0


#: How SQLite is sent a missing value: NaN, which SQLite stores as NULL (``sqlite3_bind_double``
#: turns NaN into NULL). The driver binds a float as it is, but looks every None up in its
#: adapters first: with a third of an ACLED row's cells empty, None doubles the binding cost.
_SQLITE_NULL = float("nan")


def _records(frame: pd.DataFrame, columns: list[str], missing: Any = None) -> list[tuple]:
    """Rows as tuples of plain Python values (``missing`` for missing), fast."""
    cols = [_values(frame[name], missing) for name in columns]
    return list(zip(*cols)) if cols else []


def _values(s: pd.Series, missing: Any, *, absent: np.ndarray | None = None) -> list:
    """One column's cells as plain Python values (``missing`` for missing)."""
    if absent is None:
        absent = s.isna().to_numpy()
    if s.dtype.kind == "M":  # naive dates: as text, in one numpy call (strftime is per cell)
        days = s.to_numpy().astype("datetime64[D]")
        values = np.datetime_as_string(days, unit="D").tolist()
    elif pd.api.types.is_datetime64_any_dtype(s):
        values = s.dt.strftime("%Y-%m-%d").tolist()
    elif isinstance(s.dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(s):
        values = s.fillna(0).astype("int64").tolist()
    elif s.dtype == np.float64 and missing is _SQLITE_NULL:
        return s.to_numpy().tolist()  # a missing float is NaN already
    else:
        values = s.astype(object).tolist()
    if absent.any():
        cells = np.array(values, dtype=object)
        cells[absent] = missing
        values = cells.tolist()
    return values


def _sqlite_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[list[str], list[tuple]]:
    """The columns of ``columns`` holding a value in some row of ``frame``, and the rows as
    tuples of their values (NaN for missing, see :data:`_SQLITE_NULL`). A column missing in
    every row is left out of the insert: the table's columns have no default, so SQLite
    stores NULL in it all the same, without binding a value per row."""
    names, cols = [], []
    for name in columns:
        s = frame[name]
        absent = s.isna().to_numpy()
        if absent.all() and name != columns[0]:  # (the key is always sent)
            continue
        names.append(name)
        cols.append(_values(s, _SQLITE_NULL, absent=absent))
    return names, list(zip(*cols))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a batch of rows is tens of thousands of
    tuples, which would otherwise set off collections that walk every object alive (half
    the cost of making the rows). The tuples hold no cycles; the collector resumes after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class Store:
    """An incident store. Open with :meth:`open`; the default seeds a new store."""

    def __init__(self, engine: sa.Engine, *, url: str):
        self.engine = engine
        self.url = url
        self._store_id: str | None = None

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, seed: bool = True) -> Store:
        """Open (and if new, create and seed) the store at ``url`` (default: :func:`default_url`).

        Raises :class:`~incidents.exc.StoreSchemaError` when the tables are damaged (a table or
        column missing, no revision), naming each problem and the repair.
        """
        store = cls._connect(url)
        try:
            created = store._create_if_missing()
        except sa.exc.DBAPIError as err:
            raise StoreError(f"cannot open the store {store._label}: {err.orig}") from err
        if created and seed:
            from .seed import load_seed

            incidents, groups = load_seed()
            result = store.insert(incidents, groups=groups)
            if result.errors:  # pragma: no cover - the seed is validated by its tests
                raise StoreError(f"seed data is invalid: {result.errors[0]}")
        return store

    @classmethod
    def _connect(cls, url: str | None) -> Store:
        url = url or default_url()
        try:
            engine = create_engine(url)
        except ImportError as err:  # a dialect whose driver is not installed
            raise StoreError(f"cannot open the store {engine_url(url)!r}: {err}") from err
        return cls(engine, url=url)

    @property
    def _label(self) -> str:
        return repr(self.engine.url.render_as_string(hide_password=True))

    def _create_if_missing(self) -> bool:
        version = SCHEMA_VERSION
        with self.engine.begin() as conn:
            present = set(sa.inspect(conn).get_table_names()) & set(metadata.tables)
            if present:
                version = _schema_version(conn)
                # What the migrations add is not damage yet; anything else is reported first.
                problems, repairable = _schema_problems(conn, older=version != SCHEMA_VERSION)
                if problems:
                    raise _schema_error(self._label, problems, repairable)
        if present:
            if version != SCHEMA_VERSION:
                self._upgrade_on_open(version)
                with self.engine.begin() as conn:
                    problems, repairable = _schema_problems(conn)
                if problems:  # pragma: no cover - the migrations make every table and column
                    raise _schema_error(self._label, problems, repairable)
            return False
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two processes opening a new database at once: the second waits, then sees it.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
                if sa.inspect(conn).has_table("meta"):
                    return False
            metadata.create_all(conn)
            for index in _INDEXES:
                index.create(conn, checkfirst=True)
            postgres.add_geometry(conn)
            conn.execute(
                meta_table.insert(),
                [
                    {"key": "revision", "value": "0"},
                    {"key": "store_id", "value": uuid.uuid4().hex},
                ],
            )
            version_table.create(conn)
            conn.execute(version_table.insert().values(version_num=SCHEMA_VERSION))
        return True

    def _upgrade_on_open(self, version: str) -> None:
        """An embedded store is upgraded in place; a server's owner runs the migration."""
        if version > SCHEMA_VERSION:  # revisions are zero-padded numbers
            raise StoreError(
                f"the store's schema is at version {version}, newer than this version of the "
                f"software knows ({SCHEMA_VERSION}): install the newer version"
            )
        if self.engine.dialect.name == "sqlite":
            from .migrate import upgrade

            upgrade(self.url)
            return
        raise StoreError(
            f"the store's schema is at version {version}, this version of the software needs "
            f"{SCHEMA_VERSION}: upgrade it with `python -m incidents migrate` (as the "
            "database's owner; back it up first)"
        )

    @classmethod
    def repair(cls, url: str | None = None) -> list[str]:
        """Repair what :meth:`open` reports as damaged, where nothing stored is lost by it.

        Recreates a missing ``meta`` table or revision (with a new revision, the current Unix
        time, so no cache keyed on an old one is reused), a missing ``casualty_groups`` table
        (empty: the shared figures are lost, their incidents show them as unknown) and missing
        optional columns (empty = unknown). A missing ``incidents`` table or required column
        cannot be rebuilt: :class:`~incidents.exc.StoreSchemaError` says so and nothing is
        changed. Returns what was done, one line per step.
        """
        store = cls._connect(url)
        done: list[str] = []
        with store.engine.begin() as conn:
            problems, repairable = _schema_problems(conn)
            if not repairable:
                raise _schema_error(store._label, problems, repairable)
            tables = set(sa.inspect(conn).get_table_names())
            for table in (groups_table, meta_table, history_table):
                if table.name not in tables:
                    table.create(conn)
                    done.append(f"created the missing table {table.name}")
            if "incidents" not in tables:  # pragma: no cover - not repairable, raised above
                raise _schema_error(store._label, problems, False)
            have = _column_names(sa.inspect(conn), "incidents")
            for column in incidents_table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE incidents ADD COLUMN {column.name} {kind}")
                    done.append(f"added the missing column incidents.{column.name} (empty)")
            value = str(int(time.time()))
            conn.execute(meta_table.delete().where(meta_table.c.key == "revision"))
            conn.execute(meta_table.insert(), [{"key": "revision", "value": value}])
            done.append(f"set the revision to {value}")
            if (
                conn.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == "store_id")
                ).first()
                is None
            ):
                conn.execute(meta_table.insert(), [{"key": "store_id", "value": uuid.uuid4().hex}])
                done.append("gave the store a new id (store_id)")
            for index in _INDEXES:
                index.create(conn, checkfirst=True)
        return done

    # -- reading -----------------------------------------------------------------------
    @property
    def revision(self) -> int:
        """A number that changes on every write (cache on it)."""
        with self.engine.connect() as conn:
            return _revision(conn)

    @property
    def store_id(self) -> str:
        """A random id given to the database when it was created (it never changes)."""
        if self._store_id is None:
            with self.engine.connect() as conn:
                value = conn.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == "store_id")
                ).scalar_one_or_none()
            if value is None:
                raise StoreError("the store has no id (meta store_id); see Store.repair")
            self._store_id = value
        return self._store_id

    @property
    def cache_key(self) -> str:
        """Identifies this store and its revision, for caches shared between stores, processes
        and machines: the URL's digest, the database's own :attr:`store_id` (a database
        dropped and made again at the same URL is another store) and the revision."""
        return self.key_for(self.revision)

    def key_for(self, revision: int) -> str:
        """The :attr:`cache_key` of ``revision`` of this store."""
        digest = hashlib.sha1(self.url.encode()).hexdigest()[:8]
        return f"{digest}{self.store_id[:8]}-r{revision}"

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(incidents_table)
            ).scalar_one()

    def groups(self) -> pd.DataFrame:
        """The shared casualty figures, one row per group."""
        with self.engine.connect() as conn:
            return _groups(conn)

    def iter_frames(self, *, chunksize: int = 100_000) -> Iterator[pd.DataFrame]:
        """The incidents in chunks of typed rows, ordered by date and id (streaming export)."""
        with self.engine.connect() as conn:
            yield from _iter_frames(conn, chunksize)

    def iter_tables(self, *, chunksize: int = 100_000) -> Iterator[pa.Table]:
        """The incidents as Arrow tables of about ``chunksize`` rows (the data model's
        columns; dates as ``date32``, counts as ``int64``), ordered by date and id. On
        PostgreSQL straight from ``COPY``, with no DataFrame in between."""
        with self.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                for frame in _iter_frames(conn, chunksize):
                    yield pa.Table.from_pandas(frame, preserve_index=False)
                return
            query = sa.select(*DATA_COLUMNS).order_by(
                incidents_table.c.event_date, incidents_table.c.event_id
            )
            types = {
                c.name: pa.date32() if c.kind == "date" else _ARROW_TYPES[c.kind] for c in COLUMNS
            }
            yield from postgres.copy_out(conn, query, types, chunksize)

    def read_consistent(self) -> tuple[int, pd.DataFrame, pd.DataFrame]:
        """(revision, all incidents, the shared figures), read in one transaction: no write
        lands between them, so the rows are exactly those of the revision."""
        with _read_transaction(self.engine) as conn:
            revision = _revision(conn)
            groups = _groups(conn)
            chunks = list(_iter_frames(conn, 250_000))
        return revision, _concat(chunks), groups

    @contextmanager
    def consistent_frames(
        self, *, chunksize: int = 100_000
    ) -> Iterator[tuple[int, pd.DataFrame, Iterator[pd.DataFrame]]]:
        """(revision, the shared figures, the incidents in chunks) read in one transaction,
        like :meth:`read_consistent` but never holding every row at once."""
        with _read_transaction(self.engine) as conn:
            yield _revision(conn), _groups(conn), _iter_frames(conn, chunksize)

    def note(self, key: str) -> str | None:
        """A value kept in the store's ``meta`` table next to the revision (None if absent)."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == key)
            ).scalar_one_or_none()

    def set_note(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key`` in ``meta`` (not a write of incidents: the revision stays)."""
        if key == "revision":
            raise StoreError("the revision is written by Store.insert only")
        try:
            with self.engine.begin() as conn:
                conn.execute(meta_table.delete().where(meta_table.c.key == key))
                conn.execute(meta_table.insert(), [{"key": key, "value": value}])
        except sa.exc.DBAPIError as err:
            raise StoreError(f"the store could not be written: {err.orig}") from err

    def in_box(self, west: float, south: float, east: float, north: float) -> pd.DataFrame:
        """The incidents whose point lies in the box (degrees, WGS 84), ordered by date and id.

        On PostgreSQL with PostGIS the GiST index on ``geom`` finds them; elsewhere the
        coordinates are compared."""
        table = incidents_table
        where: sa.ColumnElement[bool] | sa.TextClause
        with self.engine.connect() as conn:
            if postgres.has_geometry(conn):
                where = sa.text(
                    "geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)"
                ).bindparams(west=west, south=south, east=east, north=north)
            else:
                where = sa.and_(
                    table.c.longitude.between(west, east), table.c.latitude.between(south, north)
                )
            query = (
                sa.select(*DATA_COLUMNS).where(where).order_by(table.c.event_date, table.c.event_id)
            )
            result = conn.execute(query)
            rows = result.fetchall()
            if not rows:
                return _concat([])
            return _typed_rows(rows, list(result.keys()))

    def frame(self) -> pd.DataFrame:
        """All incidents as one typed DataFrame (see :mod:`incidents.frame` for the cached form)."""
        return _concat(list(self.iter_frames(chunksize=250_000)))

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
        rejected (:class:`~incidents.exc.ImportRejected` is raised then). The transaction
        holds the write lock from its start, so another writer's rows are either all seen
        or not yet written; ``revision`` is the one this write made. ``progress`` is called
        with (rows written, rows to write) after each batch.
        """
        line_arr = np.arange(1, len(incidents) + 1) if lines is None else np.asarray(lines)
        incidents = incidents.reset_index(drop=True)
        result = InsertResult()
        try:
            with self.engine.begin() as conn:
                _lock_for_write(conn)
                has_groups = groups is not None and len(groups) > 0
                if groups is not None and has_groups:
                    self._upsert_groups(conn, groups)
                keep = self._known_groups(conn, incidents, line_arr, result)
                existing = self._resolve_conflicts(
                    conn, incidents, keep, line_arr, on_conflict, result
                )
                if strict and result.errors:
                    raise ImportRejected(sorted(result.errors, key=lambda e: e.line))
                rows = incidents[keep]
                self._write_rows(conn, rows, bulk=not existing, progress=progress)
                result.inserted = len(rows) - result.replaced
                result.errors.sort(key=lambda e: e.line)
                if len(rows) or has_groups:
                    _bump_revision(conn)
                result.revision = _revision(conn)
                if result.replaced:
                    replaced = rows["event_id"][rows["event_id"].isin(existing)].tolist()
                    _move_versions(conn, replaced, result.revision)
        except sa.exc.DBAPIError as err:
            raise StoreError(
                f"the store could not be written, nothing was changed: {err.orig}"
            ) from err
        return result

    @contextmanager
    def writer(
        self,
        *,
        on_conflict: OnConflict = "error",
        strict: bool = False,
        big: bool = False,
    ) -> Iterator[ChunkWriter]:
        """One write transaction that takes validated incidents part by part
        (:meth:`ChunkWriter.add`), for files too big to hold whole: every part lands, or none.

        Each part is handled as :meth:`insert` handles its rows (conflicts, unknown casualty
        groups); the part's ids must not repeat an earlier part's. With ``strict`` any
        rejected row raises :class:`~incidents.exc.ImportRejected` when the block ends and
        nothing is written; so does any exception raised inside the block. ``big`` says a
        large load is coming: into an empty table, the indexes are built once at the end.
        ``ChunkWriter.result`` holds the totals and the revision made;
        ``ChunkWriter.started_empty`` says the table held no incident when the block began
        (the rows written are then the whole table when it ends).
        """
        try:
            with self.engine.begin() as conn:
                _lock_for_write(conn)
                empty = self._is_empty(conn)
                rebuild = big and empty
                geometry = rebuild and _drop_indexes(conn)
                chunks = ChunkWriter(self, conn, on_conflict)
                chunks.started_empty = empty
                yield chunks
                result = chunks.result
                if strict and result.errors:
                    raise ImportRejected(sorted(result.errors, key=lambda e: e.line))
                if rebuild:
                    _build_indexes(conn, geometry=geometry)
                if chunks.wrote:
                    _bump_revision(conn)
                result.errors.sort(key=lambda e: e.line)
                result.revision = _revision(conn)
                _move_versions(conn, chunks.replaced, result.revision)
        except sa.exc.DBAPIError as err:
            raise StoreError(
                f"the store could not be written, nothing was changed: {err.orig}"
            ) from err

    def stored_ids(self, ids: Sequence[str] | pd.Series) -> set[str]:
        """Which of ``ids`` the store holds (read only: what a dry run reports)."""
        with self.engine.connect() as conn:
            return self._existing_ids(conn, pd.Series(list(ids), dtype="object"))

    def _known_groups(
        self, conn: sa.Connection, incidents: pd.DataFrame, line_arr, result: InsertResult
    ) -> np.ndarray:
        """Rows to keep: those naming no casualty group or a stored one (the others rejected)."""
        known = set(conn.execute(sa.select(groups_table.c.group_id)).scalars())
        group_col = incidents["casualty_group"]
        unknown = (group_col.notna() & ~group_col.isin(known)).to_numpy()
        for pos in np.flatnonzero(unknown).tolist():
            result.errors.append(
                RowError(
                    int(line_arr[pos]),
                    "casualty_group",
                    f"{group_col.iat[pos]!r} is not a known casualty group",
                    str(incidents["event_id"].iat[pos]),
                )
            )
        return ~unknown

    def _resolve_conflicts(
        self,
        conn: sa.Connection,
        incidents: pd.DataFrame,
        keep: np.ndarray,
        line_arr,
        on_conflict: OnConflict,
        result: InsertResult,
    ) -> set[str]:
        """Apply ``on_conflict`` to the rows whose id is stored (``keep`` is updated in place);
        returns the stored ids met."""
        ids = incidents["event_id"]
        existing = self._existing_ids(conn, ids[keep])
        if not existing:
            return existing
        clash = ids.isin(existing).to_numpy() & keep
        if on_conflict == "replace":
            doomed = ids[clash].tolist()
            for start in range(0, len(doomed), _BATCH):
                part = doomed[start : start + _BATCH]
                conn.execute(incidents_table.delete().where(incidents_table.c.event_id.in_(part)))
            result.replaced = len(doomed)
            return existing
        if on_conflict == "skip":
            result.skipped = int(clash.sum())
        else:
            hint = "already in the store (import with on_conflict 'replace' or 'skip')"
            for pos in np.flatnonzero(clash).tolist():
                result.errors.append(
                    RowError(int(line_arr[pos]), "event_id", hint, str(ids.iat[pos]))
                )
        keep &= ~clash
        return existing

    def _write_rows(
        self,
        conn: sa.Connection,
        rows: pd.DataFrame,
        *,
        bulk: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Insert ``rows``; a big load into an empty table builds the indexes once, at the end.
        ``progress`` hears (rows written, rows to write) after each batch."""
        names = [c.name for c in COLUMNS]
        rebuild = bulk and len(rows) >= _REINDEX_ROWS and self._is_empty(conn)
        geometry = rebuild and _drop_indexes(conn)
        if progress is None:
            self._bulk_insert(conn, incidents_table, rows, names)
        else:
            for start in range(0, len(rows), _BATCH):
                part = rows.iloc[start : start + _BATCH]
                self._bulk_insert(conn, incidents_table, part, names)
                progress(start + len(part), len(rows))
        if rebuild:
            _build_indexes(conn, geometry=geometry)

    def _bulk_insert(
        self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, names: list[str]
    ) -> None:
        if conn.dialect.name == "postgresql":
            postgres.copy_in(conn, table.name, frame, names)
            return
        for start in range(0, len(frame), _BATCH):
            chunk = frame.iloc[start : start + _BATCH]
            if conn.dialect.name == "sqlite":
                with _gc_paused():
                    present, records = _sqlite_rows(chunk, names)
                    placeholders = ", ".join("?" for _ in present)
                    conn.exec_driver_sql(
                        f"INSERT INTO {table.name} ({', '.join(present)}) VALUES ({placeholders})",
                        records,
                    )
                    del records
            else:
                records = _records(chunk, names)
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
        if conn.dialect.name == "postgresql":
            return postgres.stored_ids(conn, "incidents", "event_id", ids.astype(object).tolist())
        if Store._is_empty(conn):  # (not a count: that reads the whole table, every part)
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


version_table = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), primary_key=True),
)


def _schema_version(conn: sa.Connection) -> str:
    """The store's Alembic revision; a store older than the versioned schema is the baseline."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return BASELINE_VERSION
    return conn.execute(sa.select(version_table.c.version_num)).scalar_one()


def _move_versions(conn: sa.Connection, event_ids: list[str], revision: int) -> None:
    """Rows an import replaced get the import's revision as their row version: an editor who
    loaded one of them must reload it."""
    for start in range(0, len(event_ids), 10_000):
        conn.execute(
            incidents_table.update()
            .where(incidents_table.c.event_id.in_(event_ids[start : start + 10_000]))
            .values(row_version=revision)
        )


class ChunkWriter:
    """Parts of one import inside an open write transaction (see :meth:`Store.writer`)."""

    def __init__(self, store: Store, conn: sa.Connection, on_conflict: OnConflict):
        self.store = store
        self.conn = conn
        self.on_conflict = on_conflict
        self.result = InsertResult()
        self.wrote = False
        self.replaced: list[str] = []
        #: The table held no incident when the transaction began (see :meth:`Store.writer`).
        self.started_empty = False
        #: Called with the rows of each part as inserted (after the rows rejected here).
        self.on_rows: Callable[[pd.DataFrame], None] | None = None

    def add(
        self,
        incidents: pd.DataFrame,
        *,
        groups: pd.DataFrame | None = None,
        lines: pd.Series | np.ndarray | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> pd.Series:
        """Write one part (rows from :func:`incidents.validate.validate_frame`); returns the
        ids written (inserted or replaced). ``progress`` hears the rows written so far of
        this part after each batch."""
        store, conn, result = self.store, self.conn, self.result
        line_arr = np.arange(1, len(incidents) + 1) if lines is None else np.asarray(lines)
        incidents = incidents.reset_index(drop=True)
        if groups is not None and len(groups):
            store._upsert_groups(conn, groups)
            self.wrote = True
        part = InsertResult()
        keep = store._known_groups(conn, incidents, line_arr, part)
        existing = store._resolve_conflicts(conn, incidents, keep, line_arr, self.on_conflict, part)
        rows = incidents[keep]
        if part.replaced:
            self.replaced.extend(rows["event_id"][rows["event_id"].isin(existing)].tolist())
        names = [c.name for c in COLUMNS]
        for start in range(0, len(rows), _BATCH):
            batch = rows.iloc[start : start + _BATCH]
            store._bulk_insert(conn, incidents_table, batch, names)
            if progress is not None:
                progress(start + len(batch))
        if self.on_rows is not None and len(rows):
            self.on_rows(rows)
        self.wrote |= bool(len(rows))
        result.inserted += len(rows) - part.replaced
        result.replaced += part.replaced
        result.skipped += part.skipped
        result.errors.extend(part.errors)
        return rows["event_id"]


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


def _typed_table(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of the store's columns (dates as text) as a typed frame."""
    for i, name in enumerate(table.column_names):
        if _KINDS[name] == "date":
            table = table.set_column(
                i, name, pc.strptime(table.column(i), format="%Y-%m-%d", unit="s")
            )
    return _typed(table.to_pandas(types_mapper=_pandas_type))


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


def _concat(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    if not chunks:
        return _typed(pd.DataFrame(columns=[c.name for c in COLUMNS]))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _groups(conn: sa.Connection) -> pd.DataFrame:
    frame = pd.read_sql_query(sa.select(groups_table), conn)
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype("Int64")
    for name in ("group_id", "description", "sources"):
        frame[name] = frame[name].astype("string")
    return frame


def _iter_frames(conn: sa.Connection, chunksize: int) -> Iterator[pd.DataFrame]:
    query = sa.select(*DATA_COLUMNS).order_by(
        incidents_table.c.event_date, incidents_table.c.event_id
    )
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
    if conn.dialect.name == "postgresql":
        types = {c.name: _ARROW_TYPES[_KINDS[c.name]] for c in query.selected_columns}
        for table in postgres.copy_out(conn, query, types, chunksize):
            yield _typed_table(table)
        return
    result = conn.execution_options(stream_results=True).execute(query)
    names = list(result.keys())
    while rows := result.fetchmany(chunksize):
        yield _typed_rows(rows, names)


def _revision(conn: sa.Connection) -> int:
    value = conn.execute(
        sa.select(meta_table.c.value).where(meta_table.c.key == "revision")
    ).scalar_one_or_none()
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StoreError(
            "the store's revision is missing or damaged (table meta); see Store.repair"
        ) from None


def _drop_indexes(conn: sa.Connection) -> bool:
    """Drop the secondary indexes before a big load into an empty table (they are built once,
    at the end, by :func:`_build_indexes`); True when the PostGIS point index was dropped too."""
    for index in _INDEXES:
        index.drop(conn, checkfirst=True)
    geometry = postgres.has_geometry(conn)
    if geometry:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_incidents_geom")
    return geometry


def _build_indexes(conn: sa.Connection, *, geometry: bool) -> None:
    """Build the indexes :func:`_drop_indexes` dropped."""
    postgres.before_index_build(conn)
    for index in _INDEXES:
        index.create(conn, checkfirst=True)
    if geometry:
        conn.exec_driver_sql(postgres.GEOM_INDEX)


def _bump_revision(conn: sa.Connection) -> None:
    conn.execute(
        meta_table.update()
        .where(meta_table.c.key == "revision")
        .values(value=sa.cast(sa.cast(meta_table.c.value, sa.Integer) + 1, sa.Text))
    )


def _lock_for_write(conn: sa.Connection) -> None:
    """Take the store's write lock at the start of a write transaction (see the module doc)."""
    if conn.dialect.name == "sqlite":
        # The driver has not begun a transaction yet (it does so lazily, before the first
        # write): begin one that holds the write lock now. Other writers wait BUSY_TIMEOUT.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        postgres.lock_writes(conn)


@contextmanager
def _read_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose reads all see one state of the store (no write lands in between)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # WAL: a read transaction sees one snapshot
            try:
                yield conn
            finally:
                conn.rollback()
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn


def _schema_problems(conn: sa.Connection, *, older: bool = False) -> tuple[list[str], bool]:
    """What is wrong with the store's tables, and whether :meth:`Store.repair` can fix it all.
    With ``older`` (a schema version before this code's), what the migrations add is not
    counted (:data:`ADDED_TABLES`, :data:`ADDED_COLUMNS`, the store id)."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    problems: list[str] = []
    repairable = True
    for table in metadata.sorted_tables:
        if older and table.name in ADDED_TABLES:
            continue
        if table.name not in tables:
            problems.append(f"table {table.name} is missing")
            repairable &= table.name != "incidents"
            continue
        have = _column_names(inspector, table.name)
        if older:
            have.update(ADDED_COLUMNS.get(table.name, ()))
        lacking = [c for c in table.columns if c.name not in have]
        if lacking:
            problems.append(
                f"table {table.name} lacks column(s) {', '.join(c.name for c in lacking)}"
            )
            repairable &= table.name == "incidents" and all(c.nullable for c in lacking)
    if "meta" in tables and not any("meta" in p for p in problems):
        value = conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "revision")
        ).scalar_one_or_none()
        if value is None:
            problems.append("table meta holds no revision")
        elif not str(value).strip().lstrip("-").isdigit():
            problems.append(f"the revision {str(value)[:30]!r} is not a number")
        store_id = conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "store_id")
        ).scalar_one_or_none()
        if store_id is None and not older:
            problems.append("table meta holds no store id")
    return problems, repairable


def _column_names(inspector: sa.Inspector, table: str) -> set[str]:
    with warnings.catch_warnings():  # PostGIS's "geometry" is a type SQLAlchemy does not know
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return {c["name"] for c in inspector.get_columns(table)}


def _schema_error(label: str, problems: list[str], repairable: bool) -> StoreSchemaError:
    if repairable:
        how = (
            "Store.repair fixes this without losing stored incidents; make a copy of the "
            "store first"
        )
    else:
        how = (
            "this cannot be repaired in place: restore the store from a backup, or move the "
            "file away to start a new store and import the incidents again"
        )
    return StoreSchemaError(
        f"the store {label} is damaged: {'; '.join(problems)}. {how}",
        problems,
        repairable=repairable,
    )


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(
        "PRAGMA cache_size=-65536"
    )  # 64 MiB page cache: bulk loads keep the id index in memory
    cursor.close()
