"""Search: keyed blind indexes of normalised name tokens and their phonetic codes

Revision ID: 0020e7f8a9b0
Revises: 0019d6e7f8a9
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0020e7f8a9b0"
down_revision: str | None = "0019d6e7f8a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
