"""Referral amendments kept as versions

Revision ID: 0022b2c3d4e5
Revises: 0021a1b2c3d4
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0022b2c3d4e5"
down_revision: str | None = "0021a1b2c3d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_versions",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("status_then", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("changes", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_referral_versions_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_versions_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_versions")),
        sa.UniqueConstraint("referral_id", "number", name=op.f("uq_referral_versions_referral_id")),
    )
    with op.batch_alter_table("referral_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_versions_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_versions_referral_id"))
    op.drop_table("referral_versions")
