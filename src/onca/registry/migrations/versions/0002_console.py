"""For the console: each user's interface language, and screening alerts to triage.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    op.create_table(
        "alerts",
        sa.Column("id", ID, nullable=False),
        sa.Column("agency_id", ID, nullable=False),
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("typology", sa.String(length=80), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("party", sa.String(length=120), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("triaged_by", ID, nullable=True),
        sa.Column("triaged_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["triaged_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "source_id", name="uq_alert_source"),
    )
    op.create_index("ix_alerts_agency_id", "alerts", ["agency_id"])
    op.create_index("ix_alerts_status", "alerts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_alerts_status", "alerts")
    op.drop_index("ix_alerts_agency_id", "alerts")
    op.drop_table("alerts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
