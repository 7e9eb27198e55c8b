"""Meetings, agenda items and attendance.

The sharing engine reads these to decide the "on the agenda" and "attended" conditions: an
agency sees a case from the moment the agenda is circulated until a set number of days after
the meeting, and minutes only if it attended.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    false,
    select,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow
from casework.referrals.models import Referral

# "reopened": closed, then opened again for corrections (MeetingReopening); not yet held again.
MEETING_STATUSES = ("scheduled", "cancelled", "held", "closed", "reopened")
AGENDA_STATUSES = ("none", "draft", "published")
# "joined": another referral of the same victim as a referral item, heard with it (lead_id).
ITEM_KINDS = ("referral", "review", "candidate", "joined")
ATTENDANCE = ("present", "apologies")
# "deleted": taken back by the chair or coordinator with a reason (ActionChange); kept, not
# erased, so the owning agency sees what happened to it.
ACTION_STATUSES = ("open", "done", "not_done", "deleted")
# DOMAIN.md: incomplete actions are split by why.
NOT_DONE_REASONS = ("circumstances_changed", "agency_did_not_act")


class Meeting(UUIDPrimaryKey, Base):
    __tablename__ = "meetings"

    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    length_minutes: Mapped[int] = mapped_column(default=180)
    minutes_per_case: Mapped[int] = mapped_column(default=15)
    # Working-day deadlines worked out when the meeting is scheduled or moved.
    cutoff_on: Mapped[date | None] = mapped_column()
    circulate_on: Mapped[date | None] = mapped_column()
    minutes_due_on: Mapped[date | None] = mapped_column()
    # Where the meeting is held (a room, or "online"): on the minutes' SafeLives checklist.
    venue: Mapped[str | None] = mapped_column(String(200))
    agenda_status: Mapped[str] = mapped_column(String(16), default="none")
    agenda_version: Mapped[int] = mapped_column(default=0)
    # Set when the agenda is circulated to member agencies; sharing starts here.
    circulated_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    moved_from: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The agenda's items; referrals joined to an item are rows of their own (see AgendaItem).
    items: Mapped[list[AgendaItem]] = relationship(
        primaryjoin="and_(Meeting.id == AgendaItem.meeting_id, AgendaItem.lead_id.is_(None))",
        cascade="all, delete-orphan",
        order_by="AgendaItem.position",
        lazy="selectin",
    )


class AgendaItem(UUIDPrimaryKey, Base):
    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "referral_id"),
        UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),
        # Cases heard at a meeting, counted without opening any row (casework/stats/marac.py).
        Index(
            "ix_agenda_items_heard",
            "meeting_id",
            "kind",
            "referral_id",
            "case_repeat",
            "case_children",
        ),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16), default="referral")
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    # Offender panels: a nominal under review, or a candidate from the targeting matrix.
    nominal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("nominals.id"), index=True)
    # A case of a panel kind's own record type (``PanelKind.case_record``, for example an ASB
    # case): its record type's name and the row's id. Kinds added since offender panels list
    # their cases here, so a new kind needs no column of its own on this table.
    case_type: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # A review item: an incomplete action from an earlier meeting.
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_actions.id"))
    # A "joined" row: the item this referral of the same victim is heard with. Joined rows
    # are not items of the agenda (no slot, not counted as cases heard) but they are on it,
    # so the sharing engine's "on the agenda" condition and the builder's checks see them.
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A referral item's repeat flag and number of children, copied from the referral and kept
    # in step with it (see the events below): the statistics count cases heard from the agenda
    # alone, without a look-up per case.
    case_repeat: Mapped[bool | None] = mapped_column()
    case_children: Mapped[int | None] = mapped_column()


class Attendance(Base):
    __tablename__ = "attendance"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="present")


class AgendaVersion(UUIDPrimaryKey, Base):
    """What was published, and when: changes after publication are versioned and re-notified.

    ``items`` holds positions, kinds and record ids only (never personal values).
    """

    __tablename__ = "agenda_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    items: Mapped[list] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Attendee(UUIDPrimaryKey, Base):
    """A person at the meeting; each acknowledges the confidentiality statement."""

    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # A staff name: sealed like every other name, so lists sort it in Python, not in SQL.
    name_ct: Mapped[bytes] = mapped_column("name", Sealed())
    name = encrypted("name_ct")
    acknowledged_at: Mapped[datetime | None] = mapped_column()

    # Plain text until migration 0015; the values it carried over are sealed by
    # casework.crypto.backfill (run by ``casework init``).
    __sealed_from_plain__ = ("name",)


class ResearchNote(UUIDPrimaryKey, Base):
    """What one agency found in its own systems about a listed case: visible to it alone."""

    __tablename__ = "research_notes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "referral_id", "agency_id"),
        UniqueConstraint("meeting_id", "case_id", "agency_id", name="uq_research_notes_case"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    # Or a case of a panel kind's own record type (see ``AgendaItem.case_type``).
    case_type: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    text_ct: Mapped[bytes | None] = mapped_column("text", Sealed())
    text = encrypted("text_ct")
    has_information_ct: Mapped[bytes | None] = mapped_column("has_information", Sealed())
    has_information = encrypted("has_information_ct", kind="bool")
    # SafeLives' research form: what the agency's records show, kept apart from the
    # practitioner's professional opinion; and information held but not shared, with why.
    facts_ct: Mapped[bytes | None] = mapped_column("facts", Sealed())
    facts = encrypted("facts_ct")
    opinion_ct: Mapped[bytes | None] = mapped_column("opinion", Sealed())
    opinion = encrypted("opinion_ct")
    held_not_shared_ct: Mapped[bytes | None] = mapped_column("held_not_shared", Sealed())
    held_not_shared = encrypted("held_not_shared_ct")
    not_shared_reason_ct: Mapped[bytes | None] = mapped_column("not_shared_reason", Sealed())
    not_shared_reason = encrypted("not_shared_reason_ct")
    # The author agency's choice to share the note with the panel's chair and coordinator
    # before the meeting. In clear, not sealed: it is the agency's decision, not a fact about
    # a person, and the sharing engine's "shared_research" condition reads it in SQL.
    shared_before_meeting: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Minute(UUIDPrimaryKey, Base):
    """The minutes of one case at one meeting: restricted to attendees' agencies."""

    __tablename__ = "minutes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "referral_id"),
        UniqueConstraint("meeting_id", "case_id", name="uq_minutes_meeting_case"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    # Or a case of a panel kind's own record type (see ``AgendaItem.case_type``).
    case_type: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    text_ct: Mapped[bytes | None] = mapped_column("text", Sealed())
    text = encrypted("text_ct")
    # "Information shared" is ``text``; the risks identified are minuted beside it (SafeLives).
    risks_ct: Mapped[bytes | None] = mapped_column("risks", Sealed())
    risks = encrypted("risks_ct")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseAction(UUIDPrimaryKey, Base):
    """An action agreed at a meeting: what, which agency, by when; tracked to done or not."""

    __tablename__ = "case_actions"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    nominal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("nominals.id"), index=True)
    # Or a case of a panel kind's own record type (see ``AgendaItem.case_type``).
    case_type: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    description_ct: Mapped[bytes | None] = mapped_column("description", Sealed())
    description = encrypted("description_ct")
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    not_done_reason: Mapped[str | None] = mapped_column(String(32))
    outcome_ct: Mapped[bytes | None] = mapped_column("outcome", Sealed())
    outcome = encrypted("outcome_ct")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    last_reminded_on: Mapped[date | None] = mapped_column()


class ActionChange(UUIDPrimaryKey, Base):
    """A correction or deletion of an action by the panel's chair or coordinator: what
    changed, when and by whom, so an action never changes under its owner unseen.

    ``fields`` names what changed (no values); the values before and after, and a deletion's
    reason, are encrypted like every other free text. ``owner_before_id`` is kept in clear
    (agency ids are not personal data) because the sharing engine reads it: the agency an
    action was moved away from still sees the action and the correction that moved it.
    """

    __tablename__ = "case_action_changes"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_actions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "corrected" or "deleted"
    fields: Mapped[list] = mapped_column(JSON, default=list)
    before_ct: Mapped[bytes | None] = mapped_column("before", Sealed())
    before = encrypted("before_ct", kind="json")
    after_ct: Mapped[bytes | None] = mapped_column("after", Sealed())
    after = encrypted("after_ct", kind="json")
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    owner_before_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingReopening(UUIDPrimaryKey, Base):
    """A closed meeting opened again (within five working days of its first closing), and
    why: the record of what was changed after the partnership's figures first counted it."""

    __tablename__ = "meeting_reopenings"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    reopened_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The closing this undid: the first one starts the five working days.
    closed_at: Mapped[datetime] = mapped_column()
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")


# The copies on agenda items are made and kept here, whatever writes the rows, so no caller can
# forget them: an item listing a referral copies its flags as it is inserted, and a referral
# whose repeat flag or children change passes the change to the items listing it.


@event.listens_for(AgendaItem, "before_insert")
def _copy_case_figures(_mapper: Any, connection: Any, item: AgendaItem) -> None:
    if item.referral_id is None or item.case_repeat is not None:
        return
    found = connection.execute(
        select(Referral.crit_repeat, Referral.children_count).where(Referral.id == item.referral_id)
    ).first()
    if found is not None:
        item.case_repeat, item.case_children = found


@event.listens_for(Referral, "after_update")
def _keep_case_figures(_mapper: Any, connection: Any, referral: Referral) -> None:
    state = sa_inspect(referral)
    if not (
        state.attrs.crit_repeat.history.has_changes()
        or state.attrs.children_count.history.has_changes()
    ):
        return
    connection.execute(
        update(AgendaItem)
        .where(AgendaItem.referral_id == referral.id)
        .values(case_repeat=referral.crit_repeat, case_children=referral.children_count)
    )
