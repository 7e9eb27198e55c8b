"""Accounts and sessions: agency disabling ends sessions for good; rate-limit counters

Revision ID: 0014e1f2a3b4
Revises: 0013d8e9f0a1
Create Date: 2026-12-06 06:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0014e1f2a3b4"
down_revision: str | None = "0013d8e9f0a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counts",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_counts")),
    )
    with op.batch_alter_table("rate_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counts_expires_at"), ["expires_at"], unique=False)
    _end_sessions_of_disabled_agencies()


def _end_sessions_of_disabled_agencies() -> None:
    """Until now a disabled agency's sessions and tokens were only refused while it stayed
    disabled; end them for good, as disabling now does, so enabling it revives none."""
    now = datetime.now(UTC)
    agencies = sa.table("agencies", sa.column("id", sa.Uuid()), sa.column("active", sa.Boolean()))
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("agency_id", sa.Uuid()))
    disabled = (
        sa.select(users.c.id)
        .join(agencies, agencies.c.id == users.c.agency_id)
        .where(agencies.c.active.is_(False))
    )
    for table, column in (("user_sessions", "ended_at"), ("api_tokens", "revoked_at")):
        rows = sa.table(
            table,
            sa.column("user_id", sa.Uuid()),
            sa.column(column, casework.db.UTCDateTime(timezone=True)),
        )
        op.execute(
            rows.update()
            .where(rows.c.user_id.in_(disabled), rows.c[column].is_(None))
            .values({column: now})
        )


def downgrade() -> None:
    # The sessions and tokens ended above stay ended: reviving them is what this revision fixed.
    with op.batch_alter_table("rate_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counts_expires_at"))
    op.drop_table("rate_counts")
