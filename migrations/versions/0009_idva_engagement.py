"""IDVA engagement on referrals (offered, engaged) for the SafeLives engagement rate

Revision ID: 0009d1a9e7a0
Revises: 0008c0ffee01
Create Date: 2026-11-23 15:10:32.089398
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009d1a9e7a0"
down_revision: str | None = "0008c0ffee01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STATS_COLUMNS = [
    "panel_id",
    "referral_date",
    "referring_agency_id",
    "status",
    "crit_repeat",
    "crit_visible_high_risk",
    "crit_professional_judgement",
    "crit_potential_escalation",
    "victim_bme",
    "victim_lgbt",
    "victim_disability",
    "victim_male",
    "victim_aged_16_17",
    "children_count",
]


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idva_offered", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("idva_engaged", sa.Boolean(), nullable=True))
    # The statistics read IDVA engagement from the same covering index as the other flags.
    op.drop_index("ix_referrals_stats", table_name="referrals")
    op.create_index(
        "ix_referrals_stats", "referrals", [*STATS_COLUMNS, "idva_offered", "idva_engaged"]
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_stats", table_name="referrals")
    op.create_index("ix_referrals_stats", "referrals", STATS_COLUMNS)
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("idva_engaged")
        batch_op.drop_column("idva_offered")
