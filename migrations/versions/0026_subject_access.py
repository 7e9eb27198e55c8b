"""Subject access requests and per-item decisions

Revision ID: 0026f6a7b8c9
Revises: 0025e5f6a7b8
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0026f6a7b8c9"
down_revision: str | None = "0025e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_access_requests",
        sa.Column("requester_type", sa.String(length=16), nullable=False),
        sa.Column("reference", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_subject_access_requests_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_requests")),
    )
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_access_requests_received_on"), ["received_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subject_access_requests_due_on"), ["due_on"], unique=False
        )

    op.create_table(
        "subject_access_items",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("title", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("content", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("default_decision", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_subject_access_items_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_requests.id"],
            name=op.f("fk_subject_access_items_request_id_subject_access_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_items")),
    )
    with op.batch_alter_table("subject_access_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_access_items_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subject_access_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_access_items_request_id"))
    op.drop_table("subject_access_items")
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_access_requests_due_on"))
        batch_op.drop_index(batch_op.f("ix_subject_access_requests_received_on"))
    op.drop_table("subject_access_requests")
