"""A covering index for the referral list (a panel's month, filtered by sharing, sorted)

Revision ID: 0027a7b8c9d0
Revises: 0026f6a7b8c9
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027a7b8c9d0"
down_revision: str | None = "0026f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "panel_id",
    "referral_date",
    "erased",
    "referring_agency_id",
    "assigned_idva_id",
    "status",
    "reference",
    "id",
]


def upgrade() -> None:
    op.create_index("ix_referrals_list", "referrals", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_referrals_list", table_name="referrals")
