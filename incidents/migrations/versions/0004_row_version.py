"""Optimistic concurrency for edits: a version on each incident, the revision of each change.

- ``incidents.row_version``: the store revision of the row's last edit (0 = never edited). An
  editor saves only if the row still has the version they loaded.
- ``history.revision``: the store revision each recorded change made, so a refused save can
  say what changed since the version the editor loaded, by whom and when.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    with warnings.catch_warnings():  # PostGIS's "geometry" is a type SQLAlchemy does not know
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if "row_version" not in _columns("incidents"):
        op.add_column("incidents", sa.Column("row_version", sa.Integer(), server_default="0"))
    if "revision" not in _columns("history"):
        op.add_column("history", sa.Column("revision", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("row_version")
