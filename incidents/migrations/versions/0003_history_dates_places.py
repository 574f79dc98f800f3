"""The change history, the UCDP-era optional columns and the team's places.

- ``history``: one row per changed field (:mod:`incidents.history`); stores that made it on
  first use already have it and keep it.
- ``incidents.event_date_end`` and ``incidents.source_event_type`` (optional, empty = unknown).
- ``places``: the team's own places (:mod:`geodata.places`), so the app's role on a team server
  never needs the right to create tables.

Every step is skipped where the store already has it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    with warnings.catch_warnings():  # PostGIS's "geometry" is a type SQLAlchemy does not know
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        have = {c["name"] for c in inspector.get_columns("incidents")}
    for name, kind in (("event_date_end", sa.String(10)), ("source_event_type", sa.Text())):
        if name not in have:
            op.add_column("incidents", sa.Column(name, kind, nullable=True))
    if "history" not in tables:
        op.create_table(
            "history",
            sa.Column("change_id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("at", sa.String(32), nullable=False),
            sa.Column("who", sa.Text()),
            sa.Column("event_id", sa.Text()),
            sa.Column("field", sa.Text(), nullable=False),
            sa.Column("old", sa.Text()),
            sa.Column("new", sa.Text()),
            sa.Column("why", sa.Text()),
            sa.Column("kind", sa.String(16), nullable=False),
        )
    if "ix_history_event_id" not in {ix["name"] for ix in _indexes(inspector, "history")}:
        op.create_index("ix_history_event_id", "history", ["event_id"])
    if "places" not in tables:
        op.create_table(
            "places",
            sa.Column("place_id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("name", sa.Text(), nullable=False),
            sa.Column("aliases", sa.Text(), nullable=False),
            sa.Column("latitude", sa.Float(), nullable=False),
            sa.Column("longitude", sa.Float(), nullable=False),
            sa.Column("country", sa.Text()),
            sa.Column("admin1", sa.Text()),
            sa.Column("kind", sa.Text(), nullable=False),
            sa.Column("provenance", sa.Text(), nullable=False),
            sa.Column("author", sa.Text(), nullable=False),
            sa.Column("created", sa.Text(), nullable=False),
            sa.Column("note", sa.Text()),
        )


def _indexes(inspector: sa.Inspector, table: str) -> list:
    inspector.clear_cache()
    return inspector.get_indexes(table) if inspector.has_table(table) else []


def downgrade() -> None:
    op.drop_table("history")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("source_event_type")
        batch.drop_column("event_date_end")
