"""Actions can be corrected and deleted with a reason; their history is kept

Revision ID: 0013d8e9f0a1
Revises: 0012c4d5e6f7
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0013d8e9f0a1"
down_revision: str | None = "0012c4d5e6f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A deleted action keeps its row (status "deleted"); case_actions needs no new column.
    op.create_table(
        "case_action_changes",
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("before", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("after", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("owner_before_id", sa.Uuid(), nullable=True),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["case_actions.id"],
            name=op.f("fk_case_action_changes_action_id_case_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_case_action_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_before_id"],
            ["agencies.id"],
            name=op.f("fk_case_action_changes_owner_before_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_action_changes")),
    )
    with op.batch_alter_table("case_action_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_action_changes_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_action_changes_owner_before_id"), ["owner_before_id"], unique=False
        )


def downgrade() -> None:
    # The code before this revision knows no "deleted" status. A deleted action must not come
    # back to open lists, reminders and agendas, so it becomes the nearest state that code
    # understands: not done because circumstances changed (the reason itself is dropped).
    op.execute(
        "UPDATE case_actions SET status = 'not_done', not_done_reason = 'circumstances_changed'"
        " WHERE status = 'deleted'"
    )
    with op.batch_alter_table("case_action_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_action_changes_owner_before_id"))
        batch_op.drop_index(batch_op.f("ix_case_action_changes_action_id"))
    op.drop_table("case_action_changes")
