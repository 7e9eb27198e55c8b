"""A subject access request and the items gathered for it, each with the DPO's decision.

Items are copies of what was held when the DPO gathered them: the disclosure is prepared from
them, so a later change to a case does not alter a disclosure already decided. Everything an
item says (its title, its content, the decision's reason) is sealed per field, bound to the
row's id, exactly as the case records they were copied from. Plain columns hold only what the
workbench orders and counts by: the category, the decision, and where the item came from
(record type and id, never a name).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow

REQUESTER_TYPES = ("victim", "perpetrator", "other")
DECISIONS = ("release", "redact", "withhold")


class SubjectAccessRequest(UUIDPrimaryKey, Base):
    __tablename__ = "subject_access_requests"

    requester_type: Mapped[str] = mapped_column(String(16))
    # The DPO's own reference: free text, which may name the requester, so sealed.
    reference_ct: Mapped[bytes | None] = mapped_column("reference", Sealed())
    reference = encrypted("reference_ct")
    received_on: Mapped[date] = mapped_column(index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[SubjectAccessItem]] = relationship(
        cascade="all, delete-orphan", order_by="SubjectAccessItem.position", lazy="selectin"
    )


class SubjectAccessItem(UUIDPrimaryKey, Base):
    __tablename__ = "subject_access_items"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subject_access_requests.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    # Which record (and which part of it) the item was copied from, e.g.
    # "referral:<id>:perpetrator:<person id>": ids only, so gathering twice adds nothing twice.
    source_key: Mapped[str] = mapped_column(String(200))
    source_type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    title_ct: Mapped[bytes | None] = mapped_column("title", Sealed())
    title = encrypted("title_ct")
    # [[label, value], ...] as shown and printed
    content_ct: Mapped[bytes | None] = mapped_column("content", Sealed())
    content = encrypted("content_ct", kind="json")
    default_decision: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
