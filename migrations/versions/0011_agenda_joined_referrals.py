"""Referrals of one victim waiting for the same meeting are one agenda item

Revision ID: 0011b7c3e2a1
Revises: 0010a9e4d1c2
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0011b7c3e2a1"
down_revision: str | None = "0010a9e4d1c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
