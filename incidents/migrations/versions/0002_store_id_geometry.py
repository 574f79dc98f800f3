"""A store id for caches shared between processes and machines; PostGIS points.

- ``meta.store_id``: a random id of the database, so per-revision snapshots of two stores
  (or of a database dropped and made again at the same URL) never share a cache key.
- PostgreSQL with the postgis extension available: ``incidents.geom``, a point (SRID 4326)
  generated from longitude and latitude, with a GiST index.
- The indexes of the baseline are made where a store older than one of them lacks it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from incidents.postgres import add_geometry

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_incidents_date_id": ["event_date", "event_id"],
    "ix_incidents_event_type": ["event_type"],
    "ix_incidents_country": ["country"],
    "ix_incidents_casualty_group": ["casualty_group"],
}


def upgrade() -> None:
    conn = op.get_bind()
    have = {ix["name"] for ix in sa.inspect(conn).get_indexes("incidents")}
    for name, columns in _INDEXES.items():
        if name not in have:
            op.create_index(name, "incidents", columns)
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "store_id")).first()
    if found is None:
        op.bulk_insert(meta, [{"key": "store_id", "value": uuid.uuid4().hex}])
    add_geometry(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_incidents_geom")
        op.execute("ALTER TABLE incidents DROP COLUMN IF EXISTS geom")
    meta = sa.table("meta", sa.column("key", sa.String))
    op.execute(meta.delete().where(meta.c.key == "store_id"))
