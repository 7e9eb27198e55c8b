"""Queueing e-mail in the caller's transaction, so a notice is sent only if the change commits.

Messages say what awaits and link to the service; they never carry personal data (names,
addresses, case details). The scheduler's send job delivers them over SMTP with retries.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.mail.models import OutboxMessage


def queue(
    session: Session, to: str, subject: str, body: str, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Add a message; with ``dedupe_key``, a message already queued for that key is kept."""
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    message = OutboxMessage(to_address=to, subject=subject, body=body, dedupe_key=dedupe_key)
    session.add(message)
    return message
