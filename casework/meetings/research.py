"""Research before the meeting: each member agency looks up every listed case in its own
systems and notes what it found and whether it has information to share.

SafeLives' research form keeps what the agency's records show (``facts``) apart from the
practitioner's professional opinion (``opinion``), and records information held but not
shared and why (``held_not_shared``, ``not_shared_reason``); ``text`` stays as a summary.

DOMAIN.md: research notes stay inside the agency unless the agency itself chooses "share with
the chair and coordinator before the meeting" (``shared_before_meeting``). A note is read and
written only through the sharing engine: its own agency under ``own_research``; a shared
note's readers are whoever the panel's protocol grants under ``shared_research`` (the shipped
MARAC protocol: the panel's chair and coordinator, until 28 days after the meeting). A note
the caller may not see answers 404 like one that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError, validate, validates_schema
from sqlalchemy import select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import utcnow
from casework.errors import NotVisible
from casework.meetings.meeting_access import (
    agenda_cases,
    case_on_agenda,
    case_summaries,
    is_circulated,
    kind_case_on_agenda,
    kind_case_type,
    member_meeting,
    not_closed,
    sees_case,
)
from casework.meetings.models import Meeting, ResearchNote
from casework.panels.models import Panel, PanelMember
from casework.roles import CASE_ROLES
from casework.schemas import PlainString, StrictSchema, TrimmedString, load
from casework.services import Services
from casework.upsert import find_or_insert

TOO_LONG = "Research notes must be 5,000 characters or fewer"
# The free-text parts of a note, each sealed and each granted by name in the protocols.
TEXTS = ("text", "facts", "opinion", "held_not_shared", "not_shared_reason")
YES_NO = ("yes", "no")


def _long_text(too_long: str) -> TrimmedString:
    return TrimmedString(
        load_default=None, validate=validate.Length(max=5000, error=too_long), multiline=True
    )


class ResearchNoteIn(StrictSchema):
    has_information = PlainString(
        required=True,
        validate=validate.OneOf(("yes", "no"), error="Select yes or no"),
        error_messages={"required": "Select whether your agency has information to share"},
    )
    text = _long_text(TOO_LONG)
    facts = _long_text("The facts must be 5,000 characters or fewer")
    opinion = _long_text("Your professional opinion must be 5,000 characters or fewer")
    held_not_shared = _long_text("Information not shared must be 5,000 characters or fewer")
    not_shared_reason = _long_text("Why it is not shared must be 5,000 characters or fewer")
    # The page's checkbox sends "yes" when ticked and nothing when not: not shared.
    shared_before_meeting = PlainString(
        load_default="no",
        validate=validate.OneOf(YES_NO, error="Select whether to share it before the meeting"),
    )

    @validates_schema
    def _complete(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        said = any(data.get(f) for f in ("text", "facts", "opinion"))
        if data.get("has_information") == "yes" and not said:
            errors["text"] = [
                "Describe what your agency holds that it will share at the meeting: a summary, "
                "the facts its records show or your professional opinion"
            ]
        if data.get("held_not_shared") and not data.get("not_shared_reason"):
            errors["not_shared_reason"] = ["Say why this information is not shared"]
        if errors:
            raise ValidationError(errors)


def research_meeting(svc: Services, actor: Actor, meeting_id: Any) -> Meeting:
    """A meeting open to the caller's agency for research: its panel's, agenda circulated.

    Before circulation the cases are not yet shared with member agencies (the engine's
    ``on_agenda`` starts at circulation), so there is nothing to research: 404.
    """
    meeting = member_meeting(svc, actor, meeting_id, *CASE_ROLES)
    if not is_circulated(meeting):
        raise NotVisible()
    return meeting


def _own_notes(svc: Services, actor: Actor, meeting: Meeting, verb: str) -> list[ResearchNote]:
    stmt = select(ResearchNote).where(
        ResearchNote.meeting_id == meeting.id,
        svc.sharing.visible_clause(actor, verb, ResearchNote),
    )
    return list(svc.session.scalars(stmt))


@action(reads=("referral", "research_note"))
def research_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The caller's agency's research page: each listed case it may see, with its own note.

    Cases the engine shows the agency nothing of are left off; notes are only the agency's
    own (the engine's list filter), each read audited with the field names shown.
    """
    meeting = research_meeting(svc, actor, meeting_id)
    cases = [c for c in agenda_cases(svc, meeting) if c.referral_id is not None]
    ordered: dict[uuid.UUID, int] = {}
    for case in cases:
        ordered.setdefault(case.referral_id, case.item.position)  # type: ignore[arg-type]
    summaries = case_summaries(svc, actor, list(ordered))
    notes = _own_notes(svc, actor, meeting, "view")
    found = svc.sharing.disclosures(svc.session, actor, ResearchNote, notes, only=filled)
    by_case: dict[Any, dict[str, Any]] = {d.record.referral_id: d.data for d in found}
    rows = [
        {"case": summaries[rid], "note": by_case.get(rid)}
        for rid in sorted(ordered, key=lambda r: ordered[r])
        if rid in summaries
    ]
    return {
        "meeting": meeting,
        "cases": rows,
        "editable": meeting.status != "closed",
        "done": sum(1 for r in rows if r["note"] is not None),
    }


def filled(note: ResearchNote, granted: frozenset[str]) -> set[str]:
    """The granted fields that hold something: an empty box discloses nothing, so the audit
    names only the parts of a note that were actually shown."""
    return {f for f in granted if getattr(note, f, None) is not None}


def _find_note(
    svc: Services, meeting_id: Any, about: dict[str, Any], agency_id: Any
) -> ResearchNote | None:
    """The agency's note on the case at this meeting, if it has one (at most one: unique)."""
    same = [getattr(ResearchNote, key) == value for key, value in about.items()]
    return svc.session.scalar(
        select(ResearchNote).where(
            ResearchNote.meeting_id == meeting_id, *same, ResearchNote.agency_id == agency_id
        )
    )


def save_note(
    svc: Services, actor: Actor, meeting_id: Any, case_id: Any, data: Any
) -> ResearchNote:
    """Create or replace the caller's agency's note on one listed case (one per agency): a
    referral on a MARAC agenda, or a case of the panel kind's own (an ASB case).

    The case must be on the meeting's agenda and visible to the caller, and the engine must
    grant ``edit`` on the note (its own agency's, under the panel's protocol). Closed meetings
    refuse.
    """
    meeting = research_meeting(svc, actor, meeting_id)
    if kind_case_type(svc, meeting) is not None:
        return _kind_note(svc, actor, meeting, case_id, data)
    return _referral_note(svc, actor, meeting, case_id, data)


@action(reads=("referral",), changes=("research_note",))
def _referral_note(
    svc: Services, actor: Actor, meeting: Meeting, referral_id: Any, data: Any
) -> ResearchNote:
    rid = case_on_agenda(svc, meeting, referral_id)
    if not sees_case(svc, actor, rid):
        raise NotVisible()
    return _write_note(svc, actor, meeting, {"referral_id": rid}, data)


@action(reads=("case",), changes=("research_note",))
def _kind_note(
    svc: Services, actor: Actor, meeting: Meeting, case_id: Any, data: Any
) -> ResearchNote:
    about = kind_case_on_agenda(svc, actor, meeting, case_id)
    return _write_note(svc, actor, meeting, about, data)


def _write_note(
    svc: Services, actor: Actor, meeting: Meeting, about: dict[str, Any], data: Any
) -> ResearchNote:
    not_closed(meeting, "research notes")
    values = load(ResearchNoteIn(), data)
    # made first so the engine decides on the real row; a refusal rolls it back. A note
    # another request inserted first is replaced, as a second save would (last write wins).
    note, created = find_or_insert(
        svc.session,
        lambda: _find_note(svc, meeting.id, about, actor.agency_id),
        lambda: ResearchNote(meeting_id=meeting.id, agency_id=actor.agency_id, **about),
    )
    verb = "create" if created else "update"
    if not svc.sharing.may(svc.session, actor, "edit", note):
        raise NotVisible()
    # a part is written when it is given, or cleared when it held something (named in audit)
    touched = [f for f in TEXTS if values[f] or (verb == "update" and getattr(note, f) is not None)]
    shared = values["shared_before_meeting"] == "yes"
    flag = ["shared_before_meeting"] if shared != bool(note.shared_before_meeting) else []
    note.author_id = actor.user_id
    note.has_information = values["has_information"] == "yes"
    for field in TEXTS:
        setattr(note, field, values[field] or None)
    note.shared_before_meeting = shared
    svc.session.add(note)
    svc.session.flush()
    written = ["has_information", *touched, *flag]
    audit.record(svc.session, actor, verb, "research_note", note.id, written)
    return note


@action
def research_meetings(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Meetings of the caller's panels whose agendas are circulated, soonest first, from those
    held within the protocols' sharing window (their minutes are read there too). Dates and
    panel names only: no case data."""
    require_role(actor, *CASE_ROLES)
    if actor.agency_id is None:
        return []
    now = utcnow()
    window = max((p.agenda_days_after_meeting for p in svc.sharing.protocols.values()), default=0)
    stmt = (
        select(Meeting, Panel)
        .join(Panel, Panel.id == Meeting.panel_id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(
            PanelMember.agency_id == actor.agency_id,
            Meeting.status != "cancelled",
            Meeting.circulated_at.is_not(None),
            Meeting.circulated_at <= now,
            Meeting.starts_at >= now - timedelta(days=window),
        )
        .order_by(Meeting.starts_at)
    )
    return [
        {"meeting": meeting, "panel": panel, "items": len(meeting.items)}
        for meeting, panel in svc.session.execute(stmt)
    ]
