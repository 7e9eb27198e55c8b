"""A closed meeting can be reopened within five working days, with a reason

Revision ID: 0012c4d5e6f7
Revises: 0011b7c3e2a1
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0012c4d5e6f7"
down_revision: str | None = "0011b7c3e2a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
