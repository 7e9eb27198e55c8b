"""Legal holds, the review list the scheduler keeps, and the record of each erasure.

None of these rows holds a value about a person in clear: a record is named by its type and
id (and a referral by its reference), and the DPO's reasons, free text that may name someone,
are sealed like every other free text.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow


class LegalHold(UUIDPrimaryKey, Base):
    """A case the DPO has put beyond erasure (a claim, an inquiry, a subject's request):
    never listed as due while the hold stands. Lifted holds are kept, as the history."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_record", "record_type", "record_id"),)

    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column()
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column()


class RetentionDue(UUIDPrimaryKey, Base):
    """A record that reached the end of its retention period, as the daily review job found
    it: the DPO's list to review. Listing erases nothing."""

    __tablename__ = "retention_due"
    __table_args__ = (UniqueConstraint("record_type", "record_id"),)

    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column()
    # The day the period ended, and the day the job first listed it.
    due_on: Mapped[date] = mapped_column(index=True)
    listed_on: Mapped[date] = mapped_column()


class Erasure(UUIDPrimaryKey, Base):
    """One record erased: by whom, when and why, and how many rows of each kind went. The
    counts and the reference stay so the DPO can answer "what happened to it"; the values
    never were here."""

    __tablename__ = "erasures"

    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reference: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[uuid.UUID] = mapped_column(index=True)
    erased_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
