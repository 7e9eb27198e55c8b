"""Offender management: nominals, cohorts, events, custody, classifications, pathways, interventions, targeting decisions

Revision ID: 0006b0ffe4de
Revises: 0005a1c0ffee
Create Date: 2026-11-23 13:36:06.606511
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0006b0ffe4de"
down_revision: str | None = "0005a1c0ffee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nominals",
        sa.Column("first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("date_of_birth", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("pnc_id", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("address", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("school", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("risk_factors", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("lead_agency_id", sa.Uuid(), nullable=True),
        sa.Column("lead_officer", sa.String(length=200), nullable=True),
        sa.Column("is_youth", sa.Boolean(), nullable=False),
        sa.Column("name_dob_ix", sa.String(length=80), nullable=True),
        sa.Column("pnc_ix", sa.String(length=80), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_nominals_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lead_agency_id"], ["agencies.id"], name=op.f("fk_nominals_lead_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominals")),
    )
    with op.batch_alter_table("nominals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominals_is_youth"), ["is_youth"], unique=False)
        batch_op.create_index(batch_op.f("ix_nominals_name_dob_ix"), ["name_dob_ix"], unique=False)
        batch_op.create_index(batch_op.f("ix_nominals_pnc_ix"), ["pnc_ix"], unique=False)

    op.create_table(
        "classifications",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("classification", sa.String(length=2), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_classifications_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_classifications_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_classifications_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_classifications_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifications")),
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classifications_decided_on"), ["decided_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_classifications_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_classifications_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "cohort_memberships",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(length=32), nullable=True),
        sa.Column("cohort", sa.String(length=8), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_cohort_memberships_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_cohort_memberships_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_cohort_memberships_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_memberships")),
    )
    with op.batch_alter_table("cohort_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_memberships_entry_date"), ["entry_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cohort_memberships_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cohort_memberships_panel_id"), ["panel_id"], unique=False
        )

    op.create_table(
        "custody_periods",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_custody_periods_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_periods")),
    )
    with op.batch_alter_table("custody_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_periods_nominal_id"), ["nominal_id"], unique=False
        )

    op.create_table(
        "interventions",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("outcome", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_interventions_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interventions")),
    )
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interventions_nominal_id"), ["nominal_id"], unique=False
        )

    op.create_table(
        "offender_events",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("positive", sa.Boolean(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_offender_events_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offender_events")),
    )
    with op.batch_alter_table("offender_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offender_events_event_date"), ["event_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offender_events_nominal_id"), ["nominal_id"], unique=False
        )

    op.create_table(
        "pathway_needs",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("pathway", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("achieved", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("notes", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_pathway_needs_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_needs")),
    )
    with op.batch_alter_table("pathway_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pathway_needs_nominal_id"), ["nominal_id"], unique=False
        )

    op.create_table(
        "targeting_decisions",
        sa.Column("nominal_id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_targeting_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_targeting_decisions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["nominal_id"],
            ["nominals.id"],
            name=op.f("fk_targeting_decisions_nominal_id_nominals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_targeting_decisions_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targeting_decisions")),
    )
    with op.batch_alter_table("targeting_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_targeting_decisions_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_targeting_decisions_panel_id"), ["panel_id"], unique=False
        )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominal_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_agenda_items_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_nominal_id_nominals"), "nominals", ["nominal_id"], ["id"]
        )

    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominal_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_actions_nominal_id"), ["nominal_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_actions_nominal_id_nominals"), "nominals", ["nominal_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_actions_nominal_id_nominals"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_case_actions_nominal_id"))
        batch_op.drop_column("nominal_id")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agenda_items_nominal_id_nominals"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agenda_items_nominal_id"))
        batch_op.drop_column("nominal_id")

    with op.batch_alter_table("targeting_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_targeting_decisions_panel_id"))
        batch_op.drop_index(batch_op.f("ix_targeting_decisions_nominal_id"))

    op.drop_table("targeting_decisions")
    with op.batch_alter_table("pathway_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_needs_nominal_id"))

    op.drop_table("pathway_needs")
    with op.batch_alter_table("offender_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offender_events_nominal_id"))
        batch_op.drop_index(batch_op.f("ix_offender_events_event_date"))

    op.drop_table("offender_events")
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interventions_nominal_id"))

    op.drop_table("interventions")
    with op.batch_alter_table("custody_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_periods_nominal_id"))

    op.drop_table("custody_periods")
    with op.batch_alter_table("cohort_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_memberships_panel_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_memberships_nominal_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_memberships_entry_date"))

    op.drop_table("cohort_memberships")
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classifications_panel_id"))
        batch_op.drop_index(batch_op.f("ix_classifications_nominal_id"))
        batch_op.drop_index(batch_op.f("ix_classifications_decided_on"))

    op.drop_table("classifications")
    with op.batch_alter_table("nominals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominals_pnc_ix"))
        batch_op.drop_index(batch_op.f("ix_nominals_name_dob_ix"))
        batch_op.drop_index(batch_op.f("ix_nominals_is_youth"))

    op.drop_table("nominals")
