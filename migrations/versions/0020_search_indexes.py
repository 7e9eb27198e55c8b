"""Search: keyed blind indexes of normalised name tokens and their phonetic codes

Revision ID: 0020e7f8a9b0
Revises: 0019d6e7f8a9
Create Date: 2026-12-06 09:00:00.000000

Only the table: the tokens of people already on file are made by ``casework init`` after the
upgrade (``casework.search.maintain.fill_missing``), where the key ring is configured.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020e7f8a9b0"
down_revision: str | None = "0019d6e7f8a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_tokens",
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("token", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_tokens")),
    )
    op.create_index(
        "ix_search_tokens_lookup",
        "search_tokens",
        ["token", "record_type", "record_id", "person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_search_tokens_record_id"), "search_tokens", ["record_id"], unique=False
    )
    op.create_index(
        op.f("ix_search_tokens_person_id"), "search_tokens", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_search_tokens_person_id"), table_name="search_tokens")
    op.drop_index(op.f("ix_search_tokens_record_id"), table_name="search_tokens")
    op.drop_index("ix_search_tokens_lookup", table_name="search_tokens")
    op.drop_table("search_tokens")
