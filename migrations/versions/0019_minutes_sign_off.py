"""Minutes that are signed off: versions, approval, circulation

Revision ID: 0019d6e7f8a9
Revises: 0018c5d6e7f8
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0019d6e7f8a9"
down_revision: str | None = "0018c5d6e7f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue", sa.String(length=200), nullable=True))
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risks", casework.crypto.fields.Sealed(), nullable=True))

    op.create_table(
        "minutes_signoffs",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=False),
        sa.Column("chair_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("observers", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_signoffs_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_signoffs")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_minutes_signoffs_meeting_id")),
    )

    op.create_table(
        "minutes_versions",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("before", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("after", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("snapshot", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_minutes_versions_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_minutes_versions_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_versions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_versions")),
        sa.UniqueConstraint("meeting_id", "version", name=op.f("uq_minutes_versions_meeting_id")),
    )
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_versions_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_versions_meeting_id"))
    op.drop_table("minutes_versions")
    op.drop_table("minutes_signoffs")
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_column("risks")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("venue")
