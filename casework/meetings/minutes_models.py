"""Minutes that are signed off: the state of a meeting's minutes and every version approved.

The per-case minutes (``Minute``) and actions (``CaseAction``) stay where they are written;
this records what the chair approved of them. An approved version keeps a sealed snapshot of
the whole minutes as approved, so what was circulated can be shown again exactly even after
later corrections; a change after approval opens the next version, with the names of the
fields that changed (in clear: no values) and their text before and after (sealed).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow

MINUTES_STATES = ("draft", "approved")


class MinutesSignOff(UUIDPrimaryKey, Base):
    """Where a meeting's minutes stand, and the parts of their header that are not the
    meeting's own (the venue is ``Meeting.venue``). No row yet: a draft never approved."""

    __tablename__ = "minutes_signoffs"

    # One per meeting. Its own id (not the meeting's) binds the sealed names to this row.
    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The latest version made (approved or the draft after it); 0 before the first approval.
    version: Mapped[int] = mapped_column(default=0)
    # The latest version approved and circulated (what agencies download); 0 for none.
    approved_version: Mapped[int] = mapped_column(default=0)
    # Names of people: sealed like every other name.
    chair_name_ct: Mapped[bytes | None] = mapped_column("chair_name", Sealed())
    chair_name = encrypted("chair_name_ct")
    observers_ct: Mapped[bytes | None] = mapped_column("observers", Sealed())
    observers = encrypted("observers_ct", kind="json")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MinutesVersion(UUIDPrimaryKey, Base):
    """One version of a meeting's minutes: approved (with its snapshot) or the draft that a
    change after approval opened. ``fields`` names what changed since the version before."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="draft")
    fields: Mapped[list] = mapped_column(JSON, default=list)
    before_ct: Mapped[bytes | None] = mapped_column("before", Sealed())
    before = encrypted("before_ct", kind="json")
    after_ct: Mapped[bytes | None] = mapped_column("after", Sealed())
    after = encrypted("after_ct", kind="json")
    snapshot_ct: Mapped[bytes | None] = mapped_column("snapshot", Sealed())
    snapshot = encrypted("snapshot_ct", kind="json")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
