"""Schema migrations of the store (Alembic), for SQLite and PostgreSQL alike.

>>> upgrade("postgresql+psycopg://owner@db.example/incidents")   # to the newest schema
'0003'

The migration scripts live in ``incidents/migrations/versions``. A store made before the
schema was versioned (it has no ``alembic_version`` table) is the baseline ``0001``: it is
stamped so and then upgraded. An empty database gets the whole schema from the migrations.
Embedded SQLite stores are upgraded when opened; PostgreSQL stores with
``python -m incidents migrate`` (the error on opening an old one says so).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .exc import StoreError
from .store import BASELINE_VERSION, create_engine, engine_url

__all__ = ["alembic_config", "current_version", "head_version", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration for our migrations (and ``url``'s store, when given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_version() -> str:
    """The newest revision of the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the scripts have one head
    return head


def current_version(conn: sa.Connection) -> str | None:
    """The store's revision: None for an empty database, the baseline for an unversioned store."""
    inspector = sa.inspect(conn)
    if inspector.has_table("alembic_version"):
        return MigrationContext.configure(conn).get_current_revision()
    return BASELINE_VERSION if inspector.has_table("meta") else None


def upgrade(url: str, revision: str = "head") -> str:
    """Upgrade the store at ``url`` to ``revision`` (default the newest) in place, in one
    transaction; returns the revision it is at."""
    engine = create_engine(url)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")  # one at a time
            if current_version(conn) == BASELINE_VERSION and not sa.inspect(conn).has_table(
                "alembic_version"
            ):
                config.attributes["connection"] = conn
                command.stamp(config, BASELINE_VERSION)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            version = current_version(conn)
    except sa.exc.DBAPIError as err:
        raise StoreError(
            f"cannot upgrade the store {engine_url(url)!r}, nothing was changed: {err.orig}"
        ) from err
    finally:
        engine.dispose()
    assert version is not None
    return version
