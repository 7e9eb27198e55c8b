"""Covering indexes for the performance statistics

Referral figures read (panel, date, agency, status, flags) from one index in its own order;
cases heard join their referrals through a narrow (id, repeat, children) index; agenda items
of a meeting and young perpetrators are found without opening rows. See casework/stats/marac.py
and bench/bench_stats.py.

Revision ID: 0007a5e1d3c2
Revises: 0006b0ffe4de
Create Date: 2026-11-23 14:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007a5e1d3c2"
down_revision: str | None = "0006b0ffe4de"
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
    op.create_index("ix_referrals_stats", "referrals", STATS_COLUMNS)
    op.create_index(
        "ix_referrals_heard", "referrals", ["id", "crit_repeat", "children_count"], unique=True
    )
    op.create_index(
        "ix_referral_perpetrators_young",
        "referral_perpetrators",
        ["aged_17_or_under", "referral_id"],
    )
    op.create_index("ix_agenda_items_heard", "agenda_items", ["meeting_id", "kind", "referral_id"])


def downgrade() -> None:
    op.drop_index("ix_agenda_items_heard", table_name="agenda_items")
    op.drop_index("ix_referral_perpetrators_young", table_name="referral_perpetrators")
    op.drop_index("ix_referrals_heard", table_name="referrals")
    op.drop_index("ix_referrals_stats", table_name="referrals")
