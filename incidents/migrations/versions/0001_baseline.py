"""Baseline: the schema of the first released store (incidents, casualty_groups, meta).

A store made before the schema was versioned has exactly these tables; it is stamped at this
revision (``incidents.migrate``) instead of running it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("event_id", sa.Text(), primary_key=True, nullable=False),
        sa.Column("event_date", sa.String(10), nullable=False),
        sa.Column("time_precision", sa.Integer(), nullable=False),
        sa.Column("disorder_type", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("sub_event_type", sa.Text(), nullable=False),
        sa.Column("actor1", sa.Text(), nullable=True),
        sa.Column("actor2", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("iso", sa.Integer(), nullable=True),
        sa.Column("admin1", sa.Text(), nullable=True),
        sa.Column("admin2", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("geo_precision", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("fatalities", sa.Integer(), nullable=True),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("injured_low", sa.Integer(), nullable=True),
        sa.Column("injured_high", sa.Integer(), nullable=True),
        sa.Column("casualty_group", sa.Text(), nullable=True),
        sa.Column("claim_status", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=True),
        sa.Column("geo_source", sa.Text(), nullable=True),
        sa.Column("geonames_id", sa.Integer(), nullable=True),
    )
    op.create_table(
        "casualty_groups",
        sa.Column("group_id", sa.Text(), primary_key=True),
        *[
            sa.Column(name, sa.Integer())
            for name in (
                "fatalities",
                "fatalities_low",
                "fatalities_high",
                "injured",
                "injured_low",
                "injured_high",
            )
        ],
        sa.Column("description", sa.Text()),
        sa.Column("sources", sa.Text()),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_index("ix_incidents_date_id", "incidents", ["event_date", "event_id"])
    op.create_index("ix_incidents_event_type", "incidents", ["event_type"])
    op.create_index("ix_incidents_country", "incidents", ["country"])
    op.create_index("ix_incidents_casualty_group", "incidents", ["casualty_group"])
    op.bulk_insert(meta, [{"key": "revision", "value": "0"}])


def downgrade() -> None:
    for name in ("meta", "casualty_groups", "incidents"):
        op.drop_table(name)
