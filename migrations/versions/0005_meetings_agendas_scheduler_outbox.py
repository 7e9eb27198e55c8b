"""Meetings, agendas, research notes, minutes, actions, scheduler run records, e-mail outbox

Revision ID: 0005a1c0ffee
Revises: 27a5ce246fd2
Create Date: 2026-11-23 13:29:09.302053
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0005a1c0ffee"
down_revision: str | None = "27a5ce246fd2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )

    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("due_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job", "due_at", name=op.f("uq_job_runs_job")),
    )
    op.create_table(
        "outbox",
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "agenda_versions",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("published_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_versions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_agenda_versions_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_versions")),
        sa.UniqueConstraint("meeting_id", "version", name=op.f("uq_agenda_versions_meeting_id")),
    )
    with op.batch_alter_table("agenda_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_versions_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_attendees",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("acknowledged_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_meeting_attendees_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendees_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees")),
    )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_attendees_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "case_actions",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("owner_agency_id", sa.Uuid(), nullable=False),
        sa.Column("description", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("not_done_reason", sa.String(length=32), nullable=True),
        sa.Column("outcome", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", casework.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_reminded_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_case_actions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_case_actions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_case_actions_owner_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_case_actions_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_actions")),
    )
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_actions_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_actions_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_actions_owner_agency_id"), ["owner_agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_actions_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_actions_status"), ["status"], unique=False)

    op.create_table(
        "minutes",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("text", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_minutes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_minutes_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes")),
        sa.UniqueConstraint("meeting_id", "referral_id", name=op.f("uq_minutes_meeting_id")),
    )
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_minutes_referral_id"), ["referral_id"], unique=False)

    op.create_table(
        "research_notes",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("text", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("has_information", casework.crypto.fields.Sealed(), nullable=True),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_research_notes_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_research_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_research_notes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_research_notes_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_notes")),
        sa.UniqueConstraint(
            "meeting_id", "referral_id", "agency_id", name=op.f("uq_research_notes_meeting_id")
        ),
    )
    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_notes_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_notes_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_notes_referral_id"), ["referral_id"], unique=False
        )

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "added_at",
                casework.db.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agenda_items_action_id_case_actions"),
            "case_actions",
            ["action_id"],
            ["id"],
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("length_minutes", sa.Integer(), nullable=False, server_default="180")
        )
        batch_op.add_column(
            sa.Column("minutes_per_case", sa.Integer(), nullable=False, server_default="15")
        )
        batch_op.add_column(sa.Column("cutoff_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("circulate_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("minutes_due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("agenda_status", sa.String(length=16), nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column("agenda_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("closed_at", casework.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("moved_from", casework.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meeting_minutes", sa.Integer(), nullable=False, server_default="180")
        )
        batch_op.add_column(
            sa.Column("minutes_per_case", sa.Integer(), nullable=False, server_default="15")
        )
        batch_op.add_column(
            sa.Column("cutoff_working_days", sa.Integer(), nullable=False, server_default="8")
        )
        batch_op.add_column(
            sa.Column("circulation_working_days", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(sa.Column("adult_female_population", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_column("adult_female_population")
        batch_op.drop_column("circulation_working_days")
        batch_op.drop_column("cutoff_working_days")
        batch_op.drop_column("minutes_per_case")
        batch_op.drop_column("meeting_minutes")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("moved_from")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("agenda_version")
        batch_op.drop_column("agenda_status")
        batch_op.drop_column("minutes_due_on")
        batch_op.drop_column("circulate_on")
        batch_op.drop_column("cutoff_on")
        batch_op.drop_column("minutes_per_case")
        batch_op.drop_column("length_minutes")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agenda_items_action_id_case_actions"), type_="foreignkey"
        )
        batch_op.drop_column("added_at")
        batch_op.drop_column("action_id")

    with op.batch_alter_table("research_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_notes_referral_id"))
        batch_op.drop_index(batch_op.f("ix_research_notes_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_research_notes_agency_id"))

    op.drop_table("research_notes")
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_referral_id"))
        batch_op.drop_index(batch_op.f("ix_minutes_meeting_id"))

    op.drop_table("minutes")
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_actions_status"))
        batch_op.drop_index(batch_op.f("ix_case_actions_referral_id"))
        batch_op.drop_index(batch_op.f("ix_case_actions_owner_agency_id"))
        batch_op.drop_index(batch_op.f("ix_case_actions_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_case_actions_due_on"))

    op.drop_table("case_actions")
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_meeting_id"))

    op.drop_table("meeting_attendees")
    with op.batch_alter_table("agenda_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_versions_meeting_id"))

    op.drop_table("agenda_versions")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_next_attempt_at"))

    op.drop_table("outbox")
    op.drop_table("job_runs")
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))

    op.drop_table("apscheduler_jobs")
