"""Agenda items keep their case's repeat flag and children, so cases heard are counted from
the agenda alone; the referrals' index for the old join goes

Revision ID: 0010a9e4d1c2
Revises: 0009d1a9e7a0
Create Date: 2026-11-23 17:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010a9e4d1c2"
down_revision: str | None = "0009d1a9e7a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEARD = ["meeting_id", "kind", "referral_id"]


def upgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_repeat", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("case_children", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE agenda_items SET"
        " case_repeat = (SELECT r.crit_repeat FROM referrals r"
        " WHERE r.id = agenda_items.referral_id),"
        " case_children = (SELECT r.children_count FROM referrals r"
        " WHERE r.id = agenda_items.referral_id)"
        " WHERE referral_id IS NOT NULL"
    )
    op.drop_index("ix_agenda_items_heard", table_name="agenda_items")
    op.create_index(
        "ix_agenda_items_heard", "agenda_items", [*HEARD, "case_repeat", "case_children"]
    )
    # Cases heard were joined to this narrow copy of the referrals; nothing reads it now, and
    # every referral written paid for it.
    op.drop_index("ix_referrals_heard", table_name="referrals")


def downgrade() -> None:
    op.create_index(
        "ix_referrals_heard", "referrals", ["id", "crit_repeat", "children_count"], unique=True
    )
    op.drop_index("ix_agenda_items_heard", table_name="agenda_items")
    op.create_index("ix_agenda_items_heard", "agenda_items", HEARD)
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("case_children")
        batch_op.drop_column("case_repeat")
