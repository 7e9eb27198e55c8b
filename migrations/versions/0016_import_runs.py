"""Import runs: each CSV import has a run record; re-runs skip rows already imported

Revision ID: 0016a3b4c5d6
Revises: 0015f2a3b4c5
Create Date: 2026-12-06 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0016a3b4c5d6"
down_revision: str | None = "0015f2a3b4c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows imported before this revision have no identity: the offence import still finds
    # them as identical events; a referral file imported before it is not recognised.
    op.create_table(
        "import_runs",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("already_imported", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_import_runs_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_runs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_fingerprint"), ["fingerprint"])
        batch_op.create_index(batch_op.f("ix_import_runs_panel_id"), ["panel_id"])
    op.create_table(
        "import_rows",
        sa.Column("row_key", sa.String(length=80), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["offender_events.id"],
            name=op.f("fk_import_rows_event_id_offender_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_import_rows_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["import_runs.id"], name=op.f("fk_import_rows_run_id_import_runs")
        ),
        sa.PrimaryKeyConstraint("row_key", name=op.f("pk_import_rows")),
    )
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_rows_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_import_rows_referral_id"), ["referral_id"])
        batch_op.create_index(batch_op.f("ix_import_rows_run_id"), ["run_id"])


def downgrade() -> None:
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_rows_run_id"))
        batch_op.drop_index(batch_op.f("ix_import_rows_referral_id"))
        batch_op.drop_index(batch_op.f("ix_import_rows_event_id"))
    op.drop_table("import_rows")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_panel_id"))
        batch_op.drop_index(batch_op.f("ix_import_runs_fingerprint"))
    op.drop_table("import_runs")
