"""SafeLives referral fields: referrer contact, DASH comments, who the victim fears, safe contacts, previous MARAC elsewhere

Revision ID: 0021a1b2c3d4
Revises: 0020e7f8a9b0
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.crypto.fields

revision: str = "0021a1b2c3d4"
down_revision: str | None = "0020e7f8a9b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each sealed per field with the referral's id as associated data; referrals made before
# have none of them (NULL), which reads as "not given".
SEALED = (
    "referrer_name",
    "referrer_phone",
    "referrer_email",
    "dash_comments",
    "victim_afraid_of",
    "victim_safe_to_talk_to",
    "victim_not_safe_to_talk_to",
    "previous_marac_elsewhere",
    "previous_marac_area",
    "previous_marac_date",
)


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name in SEALED:
            batch_op.add_column(sa.Column(name, casework.crypto.fields.Sealed(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        for name in reversed(SEALED):
            batch_op.drop_column(name)
