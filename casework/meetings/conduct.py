"""Running the meeting: attendance and apologies, the people present and their acknowledgement
of the confidentiality statement, and closing the meeting.

The chair or coordinator of the panel runs it. The order matters to the partnership's
protocol, so it is enforced, not just suggested: nothing is minuted until attendance is taken
and everyone in the room has accepted the statement (``readiness``). Attendance is also what
the sharing engine reads to decide who receives the minutes, so it is recorded per agency.
Closing fixes the record and marks the cases heard, so it waits for the meeting's start time:
a meeting closed early would count as held, its cases as heard, with nothing minuted. Closing
is confirmed on its own page (``closing.close_view``) and can be undone for a few days
(``closing.reopen_meeting``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.dates import long_moment
from casework.db import as_uuid, utcnow
from casework.errors import Conflict, Invalid, NotVisible
from casework.meetings import minutes_signoff
from casework.meetings.attendance_state import (
    CONFIDENTIALITY_STATEMENT,
    attendance,
    attendance_taken,
    attendees,
)
from casework.meetings.conduct_schemas import AcknowledgeIn, AttendeeIn, attendance_schema
from casework.meetings.meeting_access import (
    agenda_cases,
    case_summaries,
    heard_referral_ids,
    member_meeting,
    not_closed,
    panel_agencies,
    panel_of,
    require_manage_cases,
)
from casework.meetings.models import Attendance, Attendee, Meeting, Minute
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.roles import MANAGERS
from casework.schemas import load
from casework.services import Services


def chair_meeting(svc: Services, actor: Actor, meeting_id: Any) -> Meeting:
    """The meeting, for the coordinator or chair of its panel (403 other roles, 404 others)."""
    return member_meeting(svc, actor, meeting_id, *MANAGERS)


def minuted(svc: Services, actor: Actor, meeting: Meeting) -> set[Any]:
    """The cases with minutes at this meeting, as far as the reader may see minutes (the
    meeting page and the closing page must agree)."""
    return set(
        svc.session.scalars(
            select(func.coalesce(Minute.referral_id, Minute.case_id)).where(
                Minute.meeting_id == meeting.id,
                svc.sharing.visible_clause(actor, "view", Minute),
            )
        )
    )


def not_started(meeting: Meeting) -> str | None:
    """Why the meeting cannot be closed yet (None once its start time has come)."""
    if meeting.starts_at <= utcnow():
        return None
    return (
        f"This meeting starts on {long_moment(meeting.starts_at)}. "
        "It can be closed once it has started. If it is to be held on another day, move it."
    )


def readiness(svc: Services, actor: Actor, meeting: Meeting) -> list[str]:
    """What still stands between the meeting and its minutes (empty: ready)."""
    present = {a for a, s in attendance(svc, meeting).items() if s == "present"}
    if not present:
        return ["Record which agencies are present before recording minutes"]
    people = attendees(svc, meeting)
    problems = []
    named = {p.agency_id for p in people}
    codes = {a.id: a.code for a in panel_agencies(svc, meeting)}
    unnamed = sorted(codes[a] for a in present - named if a in codes)
    if unnamed:
        problems.append("Add who attended for " + ", ".join(unnamed))
    if any(p.acknowledged_at is None for p in people):
        problems.append("Every attendee must acknowledge the confidentiality statement")
    if actor.agency_id not in present:
        # minutes go to agencies present: one recorded by an absent agency it could not read
        problems.append("Record your own agency as present to record minutes")
    return problems


def require_ready(svc: Services, actor: Actor, meeting: Meeting) -> None:
    problems = readiness(svc, actor, meeting)
    if problems:
        raise Invalid({"_schema": problems}, message=problems[0], code="not_ready")


@action(reads=("referral", "minute"))
def conduct_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The meeting page: attendance, attendees, then the cases in agenda order."""
    meeting = chair_meeting(svc, actor, meeting_id)
    cases = agenda_cases(svc, meeting)
    summaries = case_summaries(svc, actor, [c.referral_id for c in cases if c.referral_id])
    with_minutes = minuted(svc, actor, meeting)
    return {
        "meeting": meeting,
        "panel": panel_of(svc, meeting),
        "agencies": panel_agencies(svc, meeting),
        "attendance": attendance(svc, meeting),
        "attendees": attendees(svc, meeting),
        "statement": CONFIDENTIALITY_STATEMENT,
        "problems": readiness(svc, actor, meeting),
        "cases": [
            {
                "position": c.item.position,
                "kind": c.item.kind,
                "referral_id": c.referral_id,
                "case": summaries.get(c.referral_id) if c.referral_id else None,
                "minuted": c.referral_id in with_minutes,
            }
            for c in cases
        ],
        "closed": meeting.status == "closed",
        "reopened": meeting.status == "reopened",
    }


@action
def record_attendance(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> None:
    """Present, apologies or absent for every member agency; at least one present."""
    meeting = chair_meeting(svc, actor, meeting_id)
    not_closed(meeting, "attendance")
    agencies = panel_agencies(svc, meeting)
    values = load(attendance_schema([a.code for a in agencies]), data)
    answers = {a.id: values[f"attendance-{a.code}"] for a in agencies}
    if "present" not in answers.values():
        first = f"attendance-{agencies[0].code}" if agencies else "_schema"
        raise Invalid({first: ["Select at least one agency as present"]})
    rows = svc.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    current = {row.agency_id: row for row in rows}
    for agency_id, answer in answers.items():
        row = current.get(agency_id)
        if answer == "absent":
            if row is not None:
                svc.session.delete(row)
        elif row is None:
            svc.session.add(Attendance(meeting_id=meeting.id, agency_id=agency_id, status=answer))
        else:
            row.status = answer
    svc.session.flush()
    audit.record(svc.session, actor, "update", "meeting", meeting.id, ["attendance"])
    minutes_signoff.note_change(svc, actor, meeting)  # after approval: the next version


@action
def add_attendee(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> Attendee:
    """A person in the room, for an agency recorded as present. Every problem is reported
    at once."""
    meeting = chair_meeting(svc, actor, meeting_id)
    not_closed(meeting, "attendees")
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values = load(AttendeeIn(), data)
    except Invalid as exc:
        errors = exc.fields
    code = data.get("agency") if isinstance(data, dict) else None
    agency = {a.code: a for a in panel_agencies(svc, meeting)}.get(code or "")
    if code and "agency" not in errors:
        if agency is None:
            errors["agency"] = ["Select an agency on the panel"]
        elif attendance(svc, meeting).get(agency.id) != "present":
            errors["agency"] = [f"Record {agency.code} as present before adding who attended"]
    if errors:
        raise Invalid(errors)
    assert agency is not None
    person = Attendee(meeting_id=meeting.id, agency_id=agency.id, name=values["name"])
    svc.session.add(person)
    svc.session.flush()
    audit.record(svc.session, actor, "create", "attendee", person.id, ["name", "agency"])
    minutes_signoff.note_change(svc, actor, meeting)
    return person


@action(reads=())
def remove_attendee(svc: Services, actor: Actor, meeting_id: Any, attendee_id: Any) -> None:
    meeting = chair_meeting(svc, actor, meeting_id)
    not_closed(meeting, "attendees")
    aid = as_uuid(attendee_id)
    person = svc.session.get(Attendee, aid) if aid else None
    if person is None or person.meeting_id != meeting.id:
        raise NotVisible()
    svc.session.delete(person)
    svc.session.flush()
    audit.record(svc.session, actor, "erase", "attendee", aid, ["name", "agency"])
    minutes_signoff.note_change(svc, actor, meeting)


@action
def acknowledge(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> int:
    """Tick who has heard and accepted the statement; unticking withdraws it. Returns how
    many attendees still have to acknowledge."""
    meeting = chair_meeting(svc, actor, meeting_id)
    not_closed(meeting, "acknowledgements")
    values = load(AcknowledgeIn(), data)
    people = {str(p.id): p for p in attendees(svc, meeting)}
    unknown = [v for v in values["acknowledged"] if v not in people]
    if unknown:
        raise Invalid({"acknowledged": ["Select attendees of this meeting"]})
    ticked = set(values["acknowledged"])
    now = utcnow()
    for key, person in people.items():
        if key in ticked and person.acknowledged_at is None:
            person.acknowledged_at = now
            audit.record(svc.session, actor, "update", "attendee", person.id, ["acknowledged_at"])
        elif key not in ticked and person.acknowledged_at is not None:
            person.acknowledged_at = None
            audit.record(svc.session, actor, "update", "attendee", person.id, ["acknowledged_at"])
    svc.session.flush()
    minutes_signoff.note_change(svc, actor, meeting)
    return sum(1 for p in people.values() if p.acknowledged_at is None)


@action(changes=("referral",))
def close_meeting(svc: Services, actor: Actor, meeting_id: Any) -> list[str]:
    """Close the meeting: its minutes, attendance and research become read-only and every
    case listed on it is marked heard. Returns the references marked heard.

    Not before its start time (409 ``meeting_not_started``): the figures count a closed
    meeting as held and its cases as heard. Review items are about actions, not new hearings,
    so their cases keep their status.
    """
    meeting = chair_meeting(svc, actor, meeting_id)
    svc.session.refresh(meeting, with_for_update=True)  # two chairs pressing at once
    not_closed(meeting, "the meeting")
    early = not_started(meeting)
    if early:
        raise Conflict(early, code="meeting_not_started")
    if not attendance_taken(svc, meeting):
        raise Invalid(
            {"_schema": ["Record attendance before closing the meeting"]},
            message="Record attendance before closing the meeting.",
            code="not_ready",
        )
    heard = []
    wanted = heard_referral_ids(svc, meeting)
    locked = select(Referral).where(Referral.id.in_(wanted)).with_for_update()
    found = {r.id: r for r in svc.session.scalars(locked)}
    # the cases' statuses change: the engine decides the chair may manage each one it moves
    moving = [r for r in found.values() if r.status in ("accepted", "listed")]
    require_manage_cases(svc, actor, moving)
    for referral_id in wanted:
        referral = found.get(referral_id)
        if referral is None:
            continue
        if referral.status == "accepted":  # listed on the agenda without being marked listed
            lifecycle.mark_listed(svc, actor, referral)
        if referral.status == "listed":
            lifecycle.mark_heard(svc, actor, referral)
            heard.append(referral.reference)
    meeting.status = "closed"
    meeting.closed_at = utcnow()
    svc.session.flush()
    audit.record(svc.session, actor, "update", "meeting", meeting.id, ["status", "closed_at"])
    return heard
