"""Referrals of one victim waiting for the same meeting are one agenda item: the others are
kept as rows joined to the item that leads

Revision ID: 0011b7c3e2a1
Revises: 0010a9e4d1c2
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011b7c3e2a1"
down_revision: str | None = "0010a9e4d1c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_agenda_items_lead_id_agenda_items",
            "agenda_items",
            ["lead_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_agenda_items_lead_id", ["lead_id"])


def downgrade() -> None:
    # Joined rows become items of their own again, so no referral leaves its agenda.
    op.execute("UPDATE agenda_items SET kind = 'referral' WHERE kind = 'joined'")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_items_lead_id")
        batch_op.drop_constraint("fk_agenda_items_lead_id_agenda_items", type_="foreignkey")
        batch_op.drop_column("lead_id")
