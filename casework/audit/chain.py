"""The tamper-evident audit chain.

Requests write entries unsealed, inside their own transaction, so concurrent requests never
queue on a shared "last entry" row. A short sealing step then numbers pending entries in order
and chains them: mac(n) = HMAC(key, mac(n-1) || canonical(entry n)). Every so often it writes a
checkpoint signing (seq, mac) so removing the newest entries is detected as well. The key lives
outside the database (CASEWORK_AUDIT_KEY), so someone who can edit tables cannot re-chain them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import utcnow
from casework.services import Services

GENESIS = "0" * 64
CHECKPOINT_AGE = timedelta(minutes=10)  # a quiet log still gets a fresh signed head
SEAL_LOCK_ID = 0x43415345  # PostgreSQL advisory lock: one sealer at a time


def canonical(entry: AuditEntry) -> bytes:
    """Every recorded column, in a fixed order: altering any of them breaks the chain."""
    return json.dumps(
        [
            entry.seq,
            str(entry.id),
            entry.at.isoformat(),
            str(entry.actor_user_id or ""),
            entry.actor_email,
            entry.agency_code,
            entry.roles,
            entry.via,
            entry.action,
            entry.record_type,
            entry.record_id,
            list(entry.fields or []),
            entry.recipient_agency,
            entry.purpose,
        ],
        separators=(",", ":"),
    ).encode()


def _mac(key: str, previous: str, entry: AuditEntry) -> str:
    return hmac.new(key.encode(), previous.encode() + canonical(entry), hashlib.sha256).hexdigest()


def _sign(key: str, seq: int, mac: str) -> str:
    message = f"checkpoint:{seq}:{mac}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def seal_pending(svc: Services, batch: int = 5000) -> int:
    """Chain every unsealed entry; returns how many were sealed.

    Safe to run from several processes: sealers are serialised (advisory lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite)."""
    key = svc.settings["AUDIT_KEY"]
    every = svc.settings["AUDIT_CHECKPOINT_EVERY"]
    sealed = 0
    with svc.db.serialised() as session:
        if session.bind.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SEAL_LOCK_ID})
        head = session.execute(
            select(AuditEntry.seq, AuditEntry.mac)
            .where(AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
        seq, mac = (head.seq, head.mac) if head else (0, GENESIS)
        pending = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq.is_(None))
            .order_by(AuditEntry.at, AuditEntry.id)
            .limit(batch)
        ).all()
        last_point = session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.at)
            .order_by(AuditCheckpoint.seq.desc())
            .limit(1)
        ).first()
        for entry in pending:
            seq += 1
            entry.seq = seq
            mac = entry.mac = _mac(key, mac, entry)
            sealed += 1
            if seq % every == 0:
                session.add(AuditCheckpoint(seq=seq, mac=mac, signature=_sign(key, seq, mac)))
        stale = last_point is None or utcnow() - last_point.at > CHECKPOINT_AGE
        if sealed and seq % every != 0 and stale:
            session.add(AuditCheckpoint(seq=seq, mac=mac, signature=_sign(key, seq, mac)))
    return sealed


@dataclass
class Verdict:
    ok: bool
    checked: int
    pending: int
    problem: str | None = None


def _entries(session: Session) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(2000)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(svc: Services) -> Verdict:
    """Walk the chain; name the first altered, missing or reordered entry."""
    key = svc.settings["AUDIT_KEY"]
    with svc.db.transaction() as session:
        checkpoints = {c.seq: c for c in session.scalars(select(AuditCheckpoint))}
        for c in checkpoints.values():
            if not hmac.compare_digest(c.signature, _sign(key, c.seq, c.mac)):
                return Verdict(False, 0, 0, f"checkpoint at entry {c.seq} has a bad signature")
        pending = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
        )
        expected, mac, checked = 1, GENESIS, 0
        for entry in _entries(session):
            if entry.seq != expected:
                return Verdict(
                    False,
                    checked,
                    pending,
                    f"entry {expected} is missing (next found is {entry.seq})",
                )
            mac = _mac(key, mac, entry)
            if not hmac.compare_digest(mac, entry.mac or ""):
                return Verdict(
                    False,
                    checked,
                    pending,
                    f"entry {entry.seq} (id {entry.id}) was altered or reordered",
                )
            point = checkpoints.get(entry.seq)
            if point is not None and point.mac != mac:
                return Verdict(
                    False,
                    checked,
                    pending,
                    f"entry {entry.seq} does not match its signed checkpoint",
                )
            checked += 1
            expected += 1
        last = max(checkpoints, default=0)
        if last >= expected:
            return Verdict(
                False,
                checked,
                pending,
                f"entries {expected} to {last} are missing (signed checkpoint at {last})",
            )
        return Verdict(True, checked, pending)
