"""Minutes that are signed off: versions, approval, circulation

Revision ID: 0019d6e7f8a9
Revises: 0018c5d6e7f8
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0019d6e7f8a9"
down_revision: str | None = "0018c5d6e7f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
