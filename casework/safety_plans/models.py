"""A safety plan per MARAC case: the risks the IDVA sees, the measures agreed, when to review.

Risks and measures say who the victim is afraid of and where they can be safe: sealed, with
this row as associated data. The review date stays plain: it names nobody, and the reminder
job and the IDVA's home page find plans due for review with it in SQL.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow


class SafetyPlan(UUIDPrimaryKey, Base):
    __tablename__ = "safety_plans"

    # One per case. Its own id (not the referral's) binds the sealed fields to this row.
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), unique=True
    )
    risks_ct: Mapped[bytes | None] = mapped_column("risks", Sealed())
    risks = encrypted("risks_ct", kind="json")  # list of short texts
    measures_ct: Mapped[bytes | None] = mapped_column("measures", Sealed())
    measures = encrypted("measures_ct", kind="json")  # list of {what, who, status}
    review_date: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
