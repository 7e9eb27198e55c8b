"""A closed meeting can be reopened within five working days, with a reason

Revision ID: 0012c4d5e6f7
Revises: 0011b7c3e2a1
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields
import casework.db

revision: str = "0012c4d5e6f7"
down_revision: str | None = "0011b7c3e2a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Meeting.status is a plain String(16): "reopened" needs no column change.
    op.create_table(
        "meeting_reopenings",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("reopened_by_id", sa.Uuid(), nullable=True),
        sa.Column("reopened_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_reopenings_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_reopenings_reopened_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_reopenings")),
    )
    with op.batch_alter_table("meeting_reopenings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_reopenings_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    # The older schema knows no reopened meeting: one open for corrections goes back to how
    # it stood when last closed (closed, its new cases heard), so no figure or page breaks.
    op.execute(
        "UPDATE referrals SET status = 'heard' WHERE status = 'listed' AND id IN ("
        " SELECT ai.referral_id FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id"
        " WHERE m.status = 'reopened' AND ai.kind IN ('referral', 'joined'))"
    )
    op.execute(
        "UPDATE meetings SET status = 'closed', closed_at = ("
        " SELECT MAX(r.closed_at) FROM meeting_reopenings r WHERE r.meeting_id = meetings.id)"
        " WHERE status = 'reopened'"
    )
    with op.batch_alter_table("meeting_reopenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_reopenings_meeting_id"))
    op.drop_table("meeting_reopenings")
