"""Retention: legal holds and erasure records

Revision ID: 0025e5f6a7b8
Revises: 0024d4e5f6a7
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0025e5f6a7b8"
down_revision: str | None = "0024d4e5f6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for table in ("nominals", "asb_cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("erased", sa.Boolean(), nullable=False, server_default=sa.false())
            )

    op.create_table(
        "legal_holds",
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("placed_by_id", sa.Uuid(), nullable=True),
        sa.Column("placed_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lifted_by_id", sa.Uuid(), nullable=True),
        sa.Column("lifted_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["users.id"], name=op.f("fk_legal_holds_placed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(
        "ix_legal_holds_record", "legal_holds", ["record_type", "record_id"], unique=False
    )

    op.create_table(
        "retention_due",
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_due")),
        sa.UniqueConstraint("record_type", "record_id", name=op.f("uq_retention_due_record_type")),
    )
    op.create_index(op.f("ix_retention_due_due_on"), "retention_due", ["due_on"], unique=False)

    op.create_table(
        "erasures",
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("erased_by_id", sa.Uuid(), nullable=True),
        sa.Column("erased_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["erased_by_id"], ["users.id"], name=op.f("fk_erasures_erased_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    op.create_index(op.f("ix_erasures_batch_id"), "erasures", ["batch_id"], unique=False)
    op.create_index(op.f("ix_erasures_erased_at"), "erasures", ["erased_at"], unique=False)
    op.create_index(op.f("ix_erasures_record_id"), "erasures", ["record_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erasures_record_id"), table_name="erasures")
    op.drop_index(op.f("ix_erasures_erased_at"), table_name="erasures")
    op.drop_index(op.f("ix_erasures_batch_id"), table_name="erasures")
    op.drop_table("erasures")
    op.drop_index(op.f("ix_retention_due_due_on"), table_name="retention_due")
    op.drop_table("retention_due")
    op.drop_index("ix_legal_holds_record", table_name="legal_holds")
    op.drop_table("legal_holds")
    for table in ("asb_cases", "nominals", "referrals"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("erased")
