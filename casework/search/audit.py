"""A search's audit entry: who searched and what they were shown, the query itself sealed.

What someone typed into a search box is personal data (a name, a date of birth), so the entry
keeps it only as an AEAD envelope bound to the entry's own id, in the entry's ``purpose``
(which the audit chain covers, so it cannot be swapped unnoticed). The data protection
officer's pages open it with ``open_query``; the database file never holds the text.
"""

from __future__ import annotations

import base64
import uuid
from datetime import date

from sqlalchemy.orm import Session

from casework.actors import Actor
from casework.audit import log as audit
from casework.crypto import current_ring, open_, seal

PREFIX = "q1:"
_SEP = "\x1f"  # the query's text rules refuse control characters, so it cannot occur in it
_TABLE, _COLUMN = "audit_entries", "purpose"


def _encode(envelope: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(envelope).decode("ascii").rstrip("=")


def seal_query(entry_id: uuid.UUID, text: str, born: date | None) -> str:
    plain = text if born is None else f"{text}{_SEP}{born.isoformat()}"
    return _encode(seal(current_ring(), _TABLE, _COLUMN, entry_id, plain.encode("utf-8")))


def open_query(entry_id: uuid.UUID | str, purpose: str | None) -> tuple[str, str | None] | None:
    """(query, date of birth or None) of a search entry; None for any other purpose."""
    if not purpose or not purpose.startswith(PREFIX):
        return None
    body = purpose[len(PREFIX) :]
    envelope = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    text = open_(current_ring(), _TABLE, _COLUMN, entry_id, envelope).decode("utf-8")
    query, _, born = text.partition(_SEP)
    return query, born or None


def record_search(
    session: Session, actor: Actor, text: str, born: date | None, shown: list[str]
) -> audit.Entry:
    """One entry per search: ``fields`` names the records shown (``referral:<id>``)."""
    entry = audit.record(session, actor, "list", "search", None, shown)
    entry.purpose = seal_query(entry.id, text, born)
    return entry
