"""ASB risk assessment panels; agenda items, minutes, research and actions name a case of a
panel kind's own record type (case_type, case_id) instead of a foreign key per kind
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0017b4c5d6e7"
down_revision: str | None = "0016a3b4c5d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asb_cases",
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("referring_agency_id", sa.Uuid(), nullable=False),
        sa.Column("referred_by_id", sa.Uuid(), nullable=True),
        sa.Column("victim_first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_date_of_birth", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_address", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_phone", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_ix", sa.String(length=80), nullable=True),
        sa.Column("location", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("summary", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("risk_answers", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("risk_band", sa.String(length=16), nullable=False),
        sa.Column("repeat_victim", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_asb_cases_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["users.id"], name=op.f("fk_asb_cases_referred_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referring_agency_id"],
            ["agencies.id"],
            name=op.f("fk_asb_cases_referring_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_asb_cases_reference")),
    )
    with op.batch_alter_table("asb_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asb_cases_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asb_cases_referral_date"), ["referral_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_asb_cases_referring_agency_id"), ["referring_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_asb_cases_risk_band"), ["risk_band"], unique=False)
        batch_op.create_index(batch_op.f("ix_asb_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_asb_cases_victim_ix"), ["victim_ix"], unique=False)

    op.create_table(
        "asb_incidents",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("reference", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asb_incidents_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_asb_incidents_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_incidents")),
    )
    with op.batch_alter_table("asb_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asb_incidents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asb_incidents_occurred_on"), ["occurred_on"], unique=False
        )

    op.create_table(
        "asb_perpetrators",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("date_of_birth", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("group_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("description", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_asb_perpetrators_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_perpetrators")),
    )
    with op.batch_alter_table("asb_perpetrators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asb_perpetrators_case_id"), ["case_id"], unique=False)

    op.create_table(
        "community_triggers",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("applicant", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("complaints_counted", sa.Integer(), nullable=False),
        sa.Column("threshold_met", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("decision_due_on", sa.Date(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("letter_sent_on", sa.Date(), nullable=True),
        sa.Column("letter_summary", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("recommendations", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_community_triggers_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_community_triggers_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_community_triggers_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_triggers")),
    )
    with op.batch_alter_table("community_triggers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_triggers_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_triggers_received_on"), ["received_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_triggers_status"), ["status"], unique=False)

    op.create_table(
        "asb_interventions",
        sa.Column("perpetrator_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("notes", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_asb_interventions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["asb_cases.id"],
            name=op.f("fk_asb_interventions_case_id_asb_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["perpetrator_id"],
            ["asb_perpetrators.id"],
            name=op.f("fk_asb_interventions_perpetrator_id_asb_perpetrators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_asb_interventions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_interventions")),
    )
    with op.batch_alter_table("asb_interventions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asb_interventions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asb_interventions_issued_on"), ["issued_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_asb_interventions_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_asb_interventions_perpetrator_id"), ["perpetrator_id"], unique=False
        )

    op.create_table(
        "asb_breaches",
        sa.Column("intervention_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("action_taken", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["asb_interventions.id"],
            name=op.f("fk_asb_breaches_intervention_id_asb_interventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asb_breaches")),
    )
    with op.batch_alter_table("asb_breaches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asb_breaches_intervention_id"), ["intervention_id"], unique=False
        )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_agenda_items_case_id"), ["case_id"], unique=False)
        batch_op.create_unique_constraint("uq_agenda_items_meeting_case", ["meeting_id", "case_id"])

    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_actions_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_minutes_case_id"), ["case_id"], unique=False)
        batch_op.create_unique_constraint("uq_minutes_meeting_case", ["meeting_id", "case_id"])

    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_research_notes_case_id"), ["case_id"], unique=False)
        batch_op.create_unique_constraint(
            "uq_research_notes_case", ["meeting_id", "case_id", "agency_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_research_notes_case", type_="unique")
        batch_op.drop_index(batch_op.f("ix_research_notes_case_id"))
        batch_op.drop_column("case_id")
        batch_op.drop_column("case_type")

    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_minutes_meeting_case", type_="unique")
        batch_op.drop_index(batch_op.f("ix_minutes_case_id"))
        batch_op.drop_column("case_id")
        batch_op.drop_column("case_type")

    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_actions_case_id"))
        batch_op.drop_column("case_id")
        batch_op.drop_column("case_type")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_agenda_items_meeting_case", type_="unique")
        batch_op.drop_index(batch_op.f("ix_agenda_items_case_id"))
        batch_op.drop_column("case_id")
        batch_op.drop_column("case_type")

    with op.batch_alter_table("asb_breaches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_breaches_intervention_id"))

    op.drop_table("asb_breaches")
    with op.batch_alter_table("asb_interventions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_interventions_perpetrator_id"))
        batch_op.drop_index(batch_op.f("ix_asb_interventions_kind"))
        batch_op.drop_index(batch_op.f("ix_asb_interventions_issued_on"))
        batch_op.drop_index(batch_op.f("ix_asb_interventions_case_id"))

    op.drop_table("asb_interventions")
    with op.batch_alter_table("community_triggers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_triggers_status"))
        batch_op.drop_index(batch_op.f("ix_community_triggers_received_on"))
        batch_op.drop_index(batch_op.f("ix_community_triggers_case_id"))

    op.drop_table("community_triggers")
    with op.batch_alter_table("asb_perpetrators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_perpetrators_case_id"))

    op.drop_table("asb_perpetrators")
    with op.batch_alter_table("asb_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_incidents_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_asb_incidents_case_id"))

    op.drop_table("asb_incidents")
    with op.batch_alter_table("asb_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asb_cases_victim_ix"))
        batch_op.drop_index(batch_op.f("ix_asb_cases_status"))
        batch_op.drop_index(batch_op.f("ix_asb_cases_risk_band"))
        batch_op.drop_index(batch_op.f("ix_asb_cases_referring_agency_id"))
        batch_op.drop_index(batch_op.f("ix_asb_cases_referral_date"))
        batch_op.drop_index(batch_op.f("ix_asb_cases_panel_id"))

    op.drop_table("asb_cases")
