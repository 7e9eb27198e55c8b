"""Writing audit entries inside the caller's transaction, so no change commits without one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.audit.models import AUDIT_ACTIONS
from casework.db import utcnow


@dataclass(slots=True)
class Entry:
    """An audit entry waiting for its transaction to commit, which numbers, chains and
    inserts it (``casework.audit.chain``): a plain object, as it is never loaded or changed
    through the ORM, and a list of 500 cases records 500 of them."""

    at: datetime
    actor_user_id: uuid.UUID | None
    actor_email: str
    agency_code: str | None
    roles: str
    via: str
    action: str
    record_type: str | None
    record_id: str | None
    fields: list[str]
    recipient_agency: str | None
    purpose: str | None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    seq: int | None = None
    mac: str | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str | None = None,
    record_id: object | None = None,
    fields: Iterable[str] = (),
    recipient_agency: str | None = None,
    purpose: str | None = None,
) -> Entry:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = Entry(
        at=utcnow(),
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        agency_code=actor.agency_code,
        roles=",".join(sorted(actor.roles)),
        via=actor.via,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        fields=sorted(set(fields)),
        recipient_agency=recipient_agency,
        purpose=purpose,
    )
    _add(session, entry)
    return entry


def _add(session: Session, entry: Entry) -> None:
    # Kept with the transaction, not added to the session: the transaction chains them and
    # inserts them together as it commits (casework.audit.chain), a list of 40 cases in one
    # statement, and no query before that flushes one unsealed. The transaction is begun
    # (without connecting) so that its rollback, even before any query, forgets the entry.
    if not session.in_transaction():
        session.begin()
    session.info.setdefault("audit_entries", []).append(entry)


# What was shown to someone stays shown even when the request's changes are undone.
READS = frozenset({"view", "list", "export", "disclose"})
_COPIED = (
    "actor_user_id",
    "actor_email",
    "agency_code",
    "roles",
    "via",
    "action",
    "record_type",
    "record_id",
    "fields",
    "recipient_agency",
    "purpose",
)


def pending_reads(session: Session) -> list[dict[str, object]]:
    """The read entries of the open transaction, to write again after a rollback.

    A form answered with 422 still showed the case data it re-displays, so its rollback
    (which protects against partial writes) must not erase the record of that disclosure.
    """
    entries = session.info.pop("audit_entries", [])
    return [{k: getattr(e, k) for k in _COPIED} for e in entries if e.action in READS]


def take(session: Session) -> list[Entry]:
    """The open transaction's entries, removed from it: a read request ends its snapshot
    (a rollback, which would forget them) and then writes them in a short transaction of
    their own with ``put`` (``casework.http``)."""
    return session.info.pop("audit_entries", [])


def put(session: Session, entries: Iterable[Entry]) -> None:
    for entry in entries:
        _add(session, entry)


def rewrite(session: Session, values: list[dict[str, object]]) -> None:
    for item in values:
        _add(session, Entry(at=utcnow(), **item))  # type: ignore[arg-type]


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    session.info.pop("audit_entries", None)
    session.info.pop("audit_marks", None)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    if transaction.nested:  # entries recorded from here go if the savepoint is rolled back
        marks = session.info.setdefault("audit_marks", {})
        marks[transaction] = len(session.info.get("audit_entries", []))


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint within it
        session.info.pop("audit_entries", None)
        session.info.pop("audit_marks", None)
        return
    mark = session.info.get("audit_marks", {}).pop(previous, None)
    if mark is not None:  # what the undone savepoint recorded is undone with it
        del session.info.get("audit_entries", [])[mark:]
