"""Referral drafts: a referral being written, its content one encrypted JSON field

Revision ID: 27a5ce246fd2
Revises: 54e2155510ff
Create Date: 2026-11-23 13:29:21.649456
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "27a5ce246fd2"
down_revision: str | None = "54e2155510ff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_drafts",
        sa.Column("owner_user_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_referral_drafts_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_referral_drafts_owner_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_referral_drafts_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_drafts")),
    )
    with op.batch_alter_table("referral_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_drafts_owner_user_id"), ["owner_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_drafts_owner_user_id"))

    op.drop_table("referral_drafts")
