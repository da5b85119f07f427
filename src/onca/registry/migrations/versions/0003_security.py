"""Findings of the outside attack: indexes for the person and case look-ups (a person search
scanned seizure_persons on SQLite), keyed audit links, and bulk imports as jobs.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_index("ix_seizure_persons_person_id", "seizure_persons", ["person_id"])
    op.create_index("ix_case_seizures_seizure_id", "case_seizures", ["seizure_id"])
    op.create_index("ix_notes_record", "notes", ["record_kind", "record_id"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(
            sa.Column("keyed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_jobs_agency_id", "import_jobs", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_import_jobs_agency_id", "import_jobs")
    op.drop_table("import_jobs")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("keyed")
    op.drop_index("ix_notes_record", "notes")
    op.drop_index("ix_case_seizures_seizure_id", "case_seizures")
    op.drop_index("ix_seizure_persons_person_id", "seizure_persons")
