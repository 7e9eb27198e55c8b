"""Writing audit entries inside the caller's transaction, so no change commits without one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.audit.models import AUDIT_ACTIONS, AuditEntry


def record(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str | None = None,
    record_id: object | None = None,
    fields: Iterable[str] = (),
    recipient_agency: str | None = None,
    purpose: str | None = None,
) -> AuditEntry:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
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
    session.add(entry)
    session.flush([entry])
    session.info["audited"] = True  # the request layer seals the chain after commit
    return entry
