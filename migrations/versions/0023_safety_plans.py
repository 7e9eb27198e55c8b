"""IDVA safety plans per case

Revision ID: 0023c3d4e5f6
Revises: 0022b2c3d4e5
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0023c3d4e5f6"
down_revision: str | None = "0022b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safety_plans",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("risks", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("measures", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_safety_plans_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_safety_plans_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_plans")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_safety_plans_referral_id")),
    )
    with op.batch_alter_table("safety_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safety_plans_review_date"), ["review_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("safety_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_plans_review_date"))
    op.drop_table("safety_plans")
