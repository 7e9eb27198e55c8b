"""Meetings, agenda items and attendance.

The sharing engine reads these to decide the "on the agenda" and "attended" conditions: an
agency sees a case from the moment the agenda is circulated until a set number of days after
the meeting, and minutes only if it attended.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import Base, UUIDPrimaryKey, utcnow

MEETING_STATUSES = ("scheduled", "cancelled", "held", "closed")
ITEM_KINDS = ("referral", "review", "candidate")
ATTENDANCE = ("present", "apologies")


class Meeting(UUIDPrimaryKey, Base):
    __tablename__ = "meetings"

    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # Set when the agenda is circulated to member agencies; sharing starts here.
    circulated_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position", lazy="selectin"
    )


class AgendaItem(UUIDPrimaryKey, Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16), default="referral")
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"), index=True)


class Attendance(Base):
    __tablename__ = "attendance"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="present")
