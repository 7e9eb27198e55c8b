"""Research as SafeLives frames it: facts, opinion, information held but not shared, shared with the chair and coordinator

Revision ID: 0018c5d6e7f8
Revises: 0017b4c5d6e7
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0018c5d6e7f8"
down_revision: str | None = "0017b4c5d6e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
