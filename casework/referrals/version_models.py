"""A referral's amendments, each kept as a version (``casework.referrals.amend``).

Who changed it, when, and the names of the fields that changed stay in clear: they are what a
coordinator scans and what the audit log already says. The reason and the values before and
after are personal data, so they are sealed, bound to the version row's own id.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import Sealed, encrypted
from casework.db import Base, UUIDPrimaryKey, utcnow


class ReferralVersion(UUIDPrimaryKey, Base):
    """One amendment: version ``number`` (1 for the first amendment; the referral as
    submitted is version 0 and has no row). ``fields`` names each changed path
    (``victim.last_name``, ``perpetrators[0].first_name``, ``risk.dash.7``), including what
    the service recomputed (``risk.band``, ``repeat.is_repeat``); ``changes`` maps each to
    ``[before, after]``."""

    __tablename__ = "referral_versions"
    __table_args__ = (UniqueConstraint("referral_id", "number"),)

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status_then: Mapped[str] = mapped_column(String(16), default="submitted")
    fields: Mapped[list] = mapped_column(JSON, default=list)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", Sealed())
    reason = encrypted("reason_ct")
    changes_ct: Mapped[bytes | None] = mapped_column("changes", Sealed())
    changes = encrypted("changes_ct", kind="json")
