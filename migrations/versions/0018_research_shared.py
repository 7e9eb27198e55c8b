"""Research as SafeLives frames it: facts, opinion, information held but not shared, shared with the chair and coordinator

Revision ID: 0018c5d6e7f8
Revises: 0017b4c5d6e7
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields

revision: str = "0018c5d6e7f8"
down_revision: str | None = "0017b4c5d6e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED = ("facts", "opinion", "held_not_shared", "not_shared_reason")


def upgrade() -> None:
    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        for name in SEALED:
            batch_op.add_column(sa.Column(name, casework.crypto.fields.Sealed(), nullable=True))
        # existing notes were written when nothing was shared: they stay with their agency
        batch_op.add_column(
            sa.Column(
                "shared_before_meeting", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        batch_op.drop_column("shared_before_meeting")
        for name in reversed(SEALED):
            batch_op.drop_column(name)
