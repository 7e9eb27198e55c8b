"""A covering index for the targeting matrix over offender events

Revision ID: 0008c0ffee01
Revises: 0007a5e1d3c2
Create Date: 2026-11-23 14:56:07.160373
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008c0ffee01"
down_revision: str | None = "0007a5e1d3c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offender_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offender_events_targeting",
            ["nominal_id", "event_date", "kind", "category", "outcome", "positive"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("offender_events", schema=None) as batch_op:
        batch_op.drop_index("ix_offender_events_targeting")
