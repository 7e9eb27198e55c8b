"""Actions can be corrected and deleted with a reason; their history is kept

Revision ID: 0013d8e9f0a1
Revises: 0012c4d5e6f7
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0013d8e9f0a1"
down_revision: str | None = "0012c4d5e6f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
