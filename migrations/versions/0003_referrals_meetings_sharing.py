"""Referrals (encrypted people, blind indexes), meetings and agendas, panel protocols

Revision ID: 54e2155510ff
Revises: 4a5e4ae39155
Create Date: 2026-11-23 13:15:41.690072
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "54e2155510ff"
down_revision: str | None = "4a5e4ae39155"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("circulated_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_meetings_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_attendance_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "agency_id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("referring_agency_id", sa.Uuid(), nullable=False),
        sa.Column("referrer_user_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_idva_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("victim_first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_dob", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_gender", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_ethnicity", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_address", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_postcode", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_phone", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_safe_to_call", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("victim_ix", sa.String(length=80), nullable=True),
        sa.Column("victim_bme", sa.Boolean(), nullable=True),
        sa.Column("victim_lgbt", sa.Boolean(), nullable=True),
        sa.Column("victim_disability", sa.Boolean(), nullable=True),
        sa.Column("victim_male", sa.Boolean(), nullable=False),
        sa.Column("victim_aged_16_17", sa.Boolean(), nullable=False),
        sa.Column("children_count", sa.Integer(), nullable=False),
        sa.Column("dash_answers", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("police_incidents_12m", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("judgement_reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("dash_score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("crit_visible_high_risk", sa.Boolean(), nullable=False),
        sa.Column("crit_professional_judgement", sa.Boolean(), nullable=False),
        sa.Column("crit_potential_escalation", sa.Boolean(), nullable=False),
        sa.Column("crit_repeat", sa.Boolean(), nullable=False),
        sa.Column("previous_referral_id", sa.Uuid(), nullable=True),
        sa.Column("previous_referral_date", sa.Date(), nullable=True),
        sa.Column("victim_aware", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("consent", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("summary", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("withdrawn_reason", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_idva_id"], ["users.id"], name=op.f("fk_referrals_assigned_idva_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_referrals_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["previous_referral_id"],
            ["referrals.id"],
            name=op.f("fk_referrals_previous_referral_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["referrer_user_id"], ["users.id"], name=op.f("fk_referrals_referrer_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referring_agency_id"],
            ["agencies.id"],
            name=op.f("fk_referrals_referring_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("reference", name=op.f("uq_referrals_reference")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referrals_assigned_idva_id"), ["assigned_idva_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_referral_date"), ["referral_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_referring_agency_id"), ["referring_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_victim_ix"), ["victim_ix"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_agenda_items_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint("meeting_id", "referral_id", name=op.f("uq_agenda_items_meeting_id")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_items_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "referral_children",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("date_of_birth", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_children_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_children")),
    )
    with op.batch_alter_table("referral_children", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_children_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "referral_perpetrators",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("last_name", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("date_of_birth", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("relationship_to_victim", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("aged_17_or_under", sa.Boolean(), nullable=False),
        sa.Column("name_dob_ix", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_perpetrators_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_perpetrators")),
    )
    with op.batch_alter_table("referral_perpetrators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_perpetrators_name_dob_ix"), ["name_dob_ix"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_perpetrators_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "referral_possible_matches",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("other_referral_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", casework.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_referral_possible_matches_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["other_referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_possible_matches_other_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_possible_matches_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_possible_matches")),
    )
    with op.batch_alter_table("referral_possible_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_possible_matches_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_possible_matches_status"), ["status"], unique=False
        )

    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("protocol", sa.String(length=64), nullable=True))
    # Existing panels take the shipped protocol for their kind.
    op.execute(
        "UPDATE panels SET protocol = CASE WHEN kind = 'marac' THEN 'marac' ELSE 'offender' END"
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.alter_column("protocol", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    op.drop_table("referral_possible_matches")
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_column("protocol")

    with op.batch_alter_table("referral_perpetrators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_perpetrators_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_perpetrators_name_dob_ix"))

    op.drop_table("referral_perpetrators")
    with op.batch_alter_table("referral_children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_children_referral_id"))

    op.drop_table("referral_children")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_referral_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_victim_ix"))
        batch_op.drop_index(batch_op.f("ix_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_referrals_referring_agency_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_referral_date"))
        batch_op.drop_index(batch_op.f("ix_referrals_panel_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_assigned_idva_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_agency_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meetings_panel_id"))

    op.drop_table("meetings")
