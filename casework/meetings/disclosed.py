"""How meeting records are shown when disclosed (``RecordType.dump``, ``Sharing.disclose``).

Each dump receives a batch of records with the fields the reader is shown of each and returns
only those (plus the record header), so every page, list and agenda shows a record alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.agencies.models import Agency
from casework.meetings.models import CaseAction, ResearchNote
from casework.sharing.catalogue import FIELDS
from casework.sharing.engine import header_fields, prune

RESEARCH = "research_note"


def research_notes(
    session: Session, notes: Sequence[ResearchNote], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    """An agency's note on a case: each field where shown (else None), whether its agency
    shared it before the meeting (a flag, not personal data), and when it changed."""
    return {
        note.id: {
            "id": str(note.id),
            **{f: getattr(note, f) if f in shown[note.id] else None for f in FIELDS[RESEARCH]},
            "shared_before_meeting": note.shared_before_meeting,
            "updated_at": note.updated_at,
        }
        for note in notes
    }


def action_row(act: CaseAction, owner_code: str | None) -> dict[str, Any]:
    """Everything about an action on an agenda; the dump prunes it to the fields shown."""
    return {
        "id": str(act.id),
        "meeting_id": str(act.meeting_id),
        "referral_id": str(act.referral_id) if act.referral_id else None,
        "description": act.description,
        "owner_agency": owner_code,
        "due_date": act.due_on.isoformat(),
        "status": act.status,
        "outcome": act.outcome,
    }


def actions(
    session: Session, rows: Sequence[CaseAction], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    """Actions as an agenda shows them: the header and the fields shown."""
    owners = {a.owner_agency_id for a in rows}
    codes = dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(owners))).all())
    header = header_fields("action")
    return {
        a.id: prune(action_row(a, codes.get(a.owner_agency_id)), shown[a.id], header) for a in rows
    }
