"""The tamper-evident audit chain.

Entries are numbered and chained as the transaction that wrote them commits (``before_commit``):
mac(n) = HMAC(key, mac(n-1) || canonical(entry n)). Sealing in the writer's own transaction
means no entry is ever committed unsealed and no request pays for a second transaction. Writers
are serialised only for that last moment: SQLite allows one writer anyway, and on PostgreSQL
the transaction flushes everything else first, then takes an advisory lock held to its commit.
Every ``AUDIT_CHECKPOINT_EVERY`` entries a checkpoint signs (seq, mac), so removing the newest
entries is detected as well; ``seal_pending`` (a scheduler job) chains any entry written by a
session without the key and signs a fresh head when the log has been quiet. The key lives
outside the database (CASEWORK_AUDIT_KEY), so someone who can edit tables cannot re-chain them.

Each commit that chains entries also records its new head outside the database once it has
committed (``casework.audit.head``: a head file, and syslog if configured); ``verify`` compares
the log's tail with it (``casework.audit.tail``), which catches the newest entries deleted
after the last checkpoint. Signed checkpoint 0 names the head file, so a fresh one is noticed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.orm import Session

from casework.audit import tail
from casework.audit.head import HeadLog, head_log_for
from casework.audit.log import Entry
from casework.audit.models import AuditCheckpoint, AuditEntry
from casework.db import insert_rows, utcnow

if TYPE_CHECKING:
    from casework.services import Services

GENESIS = "0" * 64
HEAD_FILE_CHECKPOINT = 0  # not a chain position: its "mac" is the id of the log's head file
log = logging.getLogger("casework.audit")
CHECKPOINT_AGE = timedelta(minutes=10)  # a quiet log still gets a fresh signed head
SEAL_LOCK_ID = 0x43415345  # PostgreSQL advisory lock: one sealer at a time


def canonical(entry: AuditEntry | Entry) -> bytes:
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


def _mac(key: str, previous: str, entry: AuditEntry | Entry) -> str:
    return hmac.new(key.encode(), previous.encode() + canonical(entry), hashlib.sha256).hexdigest()


def _sign(key: str, seq: int, mac: str) -> str:
    message = f"checkpoint:{seq}:{mac}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


_HEAD = (
    select(AuditEntry.seq, AuditEntry.mac)
    .where(AuditEntry.seq.is_not(None))
    .order_by(AuditEntry.seq.desc())
    .limit(1)
)


_COLUMNS = tuple(attr.key for attr in inspect(AuditEntry).column_attrs)


def _head(session: Session) -> tuple[int, str]:
    # On the transaction's connection: a plain read, spared the ORM's autoflush and overhead.
    head = session.connection().execute(_HEAD).first()
    return (head.seq, head.mac) if head else (0, GENESIS)


def _chain(
    session: Session,
    key: str,
    every: int,
    entries: Sequence[AuditEntry | Entry],
    seq: int,
    mac: str,
) -> tuple[int, str]:
    for entry in entries:
        seq += 1
        entry.seq = seq
        mac = entry.mac = _mac(key, mac, entry)
        if seq % every == 0:
            session.add(AuditCheckpoint(seq=seq, mac=mac, signature=_sign(key, seq, mac)))
    return seq, mac


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    """Chain the entries this transaction recorded (see the module's docstring) and insert
    them, all in one Core statement. Without the key (a maintenance script) they go in
    unsealed, for ``seal_pending``."""
    entries = [e for e in session.info.get("audit_entries", ()) if e.seq is None]
    if not entries:
        return
    seal = session.info.get("audit_seal")
    if seal:
        if session.get_bind().dialect.name == "postgresql":
            session.flush()  # everything else first: no row lock is awaited while the seal is held
        _one_sealer(session)
        key, every = seal
        seq, mac = _head(session)
        head = session.info.get("audit_head")
        if head is not None:
            keep_head_file(session, key, head, seq)
        seq, mac = _chain(session, key, every, entries, seq, mac)
        if head is not None:
            session.info["audit_head_pending"] = (seq, mac)  # written once committed
    insert_rows(session, AuditEntry, [{k: getattr(e, k) for k in _COLUMNS} for e in entries])


@event.listens_for(Session, "after_commit")
def _record_head(session: Session) -> None:
    """The batch is committed: record its head outside the database (never for a rollback)."""
    pending = session.info.pop("audit_head_pending", None)
    head = session.info.get("audit_head")
    if pending is not None and head is not None:
        head.append(*pending)


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: object) -> None:
    # Runs after ``after_commit``; anything left here belongs to a transaction that failed.
    if getattr(transaction, "parent", None) is None:
        session.info.pop("audit_head_pending", None)


def keep_head_file(
    session: Session, key: str, head: HeadLog, seq: int, *, trust: bool = True
) -> None:
    """With the chain's head held: make sure the head file exists and that the log names it
    in signed checkpoint 0. ``seq`` is the head before this batch (where a new file begins).

    While the file's header names the id this process last saw confirmed, nothing is queried
    (``trust``). A file begun again while the log names another, or one without a header, is
    left for ``verify`` to report; problems with the file are logged, never raised, since the
    entries matter more than their copy of the head."""
    try:
        header = head.header()
        missing = False
    except FileNotFoundError:
        header, missing = None, True
    except OSError as exc:
        log.error("audit head file %s cannot be read: %s", head.path, exc.strerror or exc)
        return
    if trust and header is not None and header.file_id == head.known_id:
        return
    named = session.connection().scalar(
        select(AuditCheckpoint.mac).where(AuditCheckpoint.seq == HEAD_FILE_CHECKPOINT)
    )
    if missing:
        try:
            header = head.create(after=seq)
        except OSError as exc:
            log.error("audit head file %s cannot be made: %s", head.path, exc.strerror or exc)
            return
        if named is not None:
            log.error("audit head file %s was missing and is begun again", head.path)
    if header is None:
        return
    if named is None:
        signature = _sign(key, HEAD_FILE_CHECKPOINT, header.file_id)
        session.add(
            AuditCheckpoint(seq=HEAD_FILE_CHECKPOINT, mac=header.file_id, signature=signature)
        )
    else:
        head.known_id = header.file_id  # confirmed, or reported by verify: no query per commit


def _one_sealer(session: Session) -> None:
    """Hold the chain's head until commit: an advisory lock on PostgreSQL; SQLite's writers
    already hold the only write lock there is."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SEAL_LOCK_ID})


def seal_pending(svc: Services, batch: int = 5000) -> int:
    """Chain every entry left unsealed and sign a fresh head if the last one is old; returns
    how many entries were sealed.

    Entries are sealed as they commit, so this finds only those written by a session not
    configured with the key (a maintenance script). Safe to run from several processes:
    sealers are serialised (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
    key = svc.settings["AUDIT_KEY"]
    every = svc.settings["AUDIT_CHECKPOINT_EVERY"]
    head = head_log_for(svc.settings)
    with svc.db.serialised() as session:
        _one_sealer(session)
        seq, mac = _head(session)
        keep_head_file(session, key, head, seq, trust=False)
        pending = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq.is_(None))
            .order_by(AuditEntry.at, AuditEntry.id)
            .limit(batch)
        ).all()
        last_point = session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.at)
            .where(AuditCheckpoint.seq > HEAD_FILE_CHECKPOINT)
            .order_by(AuditCheckpoint.seq.desc())
            .limit(1)
        ).first()
        seq, mac = _chain(session, key, every, pending, seq, mac)
        sealed = len(pending)
        stale = last_point is None or utcnow() - last_point.at > CHECKPOINT_AGE
        behind = last_point is None or last_point.seq < seq
        if seq and seq % every != 0 and stale and behind:
            session.add(AuditCheckpoint(seq=seq, mac=mac, signature=_sign(key, seq, mac)))
    if sealed:
        head.append(seq, mac)  # committed: the block above has ended without an error
    return sealed


@dataclass
class Verdict:
    ok: bool
    checked: int
    pending: int
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


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
    """Walk the chain; name the first altered, missing or reordered entry; then compare the
    log's tail with the head kept outside the database (``casework.audit.tail``)."""
    key = svc.settings["AUDIT_KEY"]
    head = head_log_for(svc.settings)
    with svc.db.serialised() as session:  # a log with no head file yet gets one now
        _one_sealer(session)
        keep_head_file(session, key, head, _head(session)[0], trust=False)
    seen = tail.survey(head)  # before the log: each head read was committed before it
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
        named = checkpoints.get(HEAD_FILE_CHECKPOINT)
        found = tail.compare(session, seen, named.mac if named else None, expected - 1)
        return Verdict(found.problem is None, checked, pending, found.problem, found.notes)
