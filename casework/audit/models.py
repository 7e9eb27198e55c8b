"""The audit log (s.62 DPA 2018): who did what to which record, never the values."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UUIDPrimaryKey, utcnow

AUDIT_ACTIONS = (
    "create",
    "view",
    "list",
    "update",
    "disclose",
    "export",
    "erase",
    "sign-in",
    "sign-in-failure",
    "sign-out",
    "denied",
    "backup",
    "restore",
)


class AuditEntry(UUIDPrimaryKey, Base):
    __tablename__ = "audit_entries"

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_email: Mapped[str] = mapped_column(String(254))
    agency_code: Mapped[str | None] = mapped_column(String(16), index=True)
    roles: Mapped[str] = mapped_column(String(200), default="")
    via: Mapped[str] = mapped_column(String(16), default="web")
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient_agency: Mapped[str | None] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(200))
    # Set by the sealing step, not by the writer: see casework/audit/chain.py.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(UUIDPrimaryKey, Base):
    """A signed record of the chain's head, so deleting the newest entries is detected too."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    mac: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    signature: Mapped[str] = mapped_column(String(64))
