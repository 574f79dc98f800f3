"""Alembic's environment: migrations run on the connection :mod:`incidents.migrate` passes in
(``config.attributes["connection"]``), or on the store named by ``sqlalchemy.url``."""

from __future__ import annotations

from alembic import context

from incidents.store import create_engine, metadata


def _run(connection) -> None:
    # render_as_batch: SQLite alters tables by copying them; Alembic's batch mode does that.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main(config) -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


# Alembic runs this file with its context set up; imported otherwise, it does nothing.
_config = getattr(context, "config", None)
if _config is not None:
    main(_config)
