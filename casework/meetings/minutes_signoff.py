"""Minutes that are signed off: the header, the chair's approval, versions and circulation.

Minutes start as a draft. The chair approves them: that makes version 1, keeps a sealed
snapshot of what was approved (``minutes_snapshot``) and tells the agencies recorded present
that their copy is ready, by a link only (the e-mail holds no personal data). Any change after
approval (a case's minutes, an action agreed, the header) opens the next version as a draft,
with the names of what changed and, sealed, the text before and after; agencies keep
downloading the last approved version until the chair approves the new one. Every version is
kept. Who reads the circulated copy, and what of it, is the sharing engine's decision
(``minutes_pdf``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.accounts.models import User, UserRole
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action
from casework.dates import long_day
from casework.db import utcnow
from casework.errors import Conflict, Forbidden, Invalid
from casework.mail.outbox import queue
from casework.meetings import minutes_snapshot as snapshot
from casework.meetings.attendance_state import attendance, attendance_taken
from casework.meetings.calendar import local_date
from casework.meetings.meeting_access import member_meeting, panel_of
from casework.meetings.minutes_models import MinutesSignOff, MinutesVersion
from casework.meetings.minutes_schemas import MinutesHeaderIn
from casework.meetings.models import CaseAction, Meeting, Minute
from casework.roles import CASE_ROLES, MANAGERS
from casework.scheduler.notices import FOOTER, link
from casework.schemas import load
from casework.services import Services

APPROVER = "chair"


def signoff(svc: Services, meeting: Meeting, lock: bool = False) -> MinutesSignOff | None:
    stmt = select(MinutesSignOff).where(MinutesSignOff.meeting_id == meeting.id)
    return svc.session.scalar(stmt.with_for_update() if lock else stmt)


def _signoff_or_new(svc: Services, meeting: Meeting) -> MinutesSignOff:
    sign = signoff(svc, meeting, lock=True)
    if sign is None:
        sign = MinutesSignOff(meeting_id=meeting.id, status="draft", version=0, approved_version=0)
        svc.session.add(sign)
        svc.session.flush()
    return sign


def version_row(svc: Services, meeting_id: Any, number: int) -> MinutesVersion | None:
    if number <= 0:
        return None
    stmt = select(MinutesVersion).where(
        MinutesVersion.meeting_id == meeting_id, MinutesVersion.version == number
    )
    return svc.session.scalar(stmt)


def is_approved(svc: Services, meeting: Meeting) -> bool:
    sign = signoff(svc, meeting)
    return sign is not None and sign.status == "approved"


def overdue(meeting: Meeting, sign: MinutesSignOff | None, today: date | None = None) -> bool:
    """Due (``Meeting.minutes_due_on``, worked out from the panel's working days) and not
    approved."""
    today = today or clock.today()
    due = meeting.minutes_due_on
    approved = sign is not None and sign.status == "approved"
    return due is not None and due <= today and not approved


def header(svc: Services, meeting: Meeting) -> dict[str, Any]:
    sign = signoff(svc, meeting)
    return {
        "meeting_id": str(meeting.id),
        "date": meeting.starts_at.isoformat(),
        "venue": meeting.venue,
        "chair": sign.chair_name if sign is not None else None,
        "observers": list(sign.observers or []) if sign is not None else [],
        "status": sign.status if sign is not None else "draft",
        "version": sign.version if sign is not None else 0,
        "approved_version": sign.approved_version if sign is not None else 0,
        "minutes_due_on": meeting.minutes_due_on.isoformat() if meeting.minutes_due_on else None,
        "overdue": overdue(meeting, sign),
    }


@action(reads=())
def header_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The minutes' header and where they stand, for the panel's chair and coordinator
    (staff names and the meeting's place: no case data)."""
    meeting = member_meeting(svc, actor, meeting_id, *MANAGERS)
    audit.record(svc.session, actor, "view", "minutes", meeting.id, ["venue", "chair", "observers"])
    return header(svc, meeting)


@action(reads=())
def save_header(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> dict[str, Any]:
    """Venue, chair and observers (the whole header, replaced). After approval this opens
    the next version, like any other change to the minutes."""
    meeting = member_meeting(svc, actor, meeting_id, *MANAGERS)
    values = load(MinutesHeaderIn(), data)
    sign = _signoff_or_new(svc, meeting)
    meeting.venue = values["venue"]
    sign.chair_name = values.get("chair")
    sign.observers = list(values["observers"])
    svc.session.flush()
    audit.record(
        svc.session, actor, "update", "minutes", meeting.id, ["venue", "chair", "observers"]
    )
    note_change(svc, actor, meeting)
    return header(svc, meeting)


def note_change(svc: Services, actor: Actor, meeting: Meeting) -> MinutesVersion | None:
    """Called after anything in the minutes changed: once they have been approved, the
    change opens (or updates) the next version, a draft, recording what differs from the
    approved one. Before the first approval there is nothing to version."""
    sign = signoff(svc, meeting, lock=True)
    if sign is None or sign.approved_version == 0:
        return None
    approved = version_row(svc, meeting.id, sign.approved_version)
    current = snapshot.build(svc, meeting, sign)
    names, before, after = snapshot.diff(approved.snapshot if approved else None, current)
    draft = version_row(svc, meeting.id, sign.version) if sign.status == "draft" else None
    if draft is None:
        if not names:
            return None  # saved as it was: nothing changed
        draft = MinutesVersion(meeting_id=meeting.id, version=sign.version + 1, status="draft")
        svc.session.add(draft)
        sign.version = draft.version
        sign.status = "draft"
    draft.fields = names
    draft.before = before
    draft.after = after
    draft.changed_by_id = actor.user_id
    svc.session.flush()
    audit.record(svc.session, actor, "update", "minutes", meeting.id, ["status", "version"])
    return draft


def _require_reads_all(svc: Services, actor: Actor, meeting: Meeting) -> None:
    """The chair approves what they can read: every case's minutes and every action (403
    otherwise). Asked even when there are none, so approval always consults the engine."""
    minutes = list(svc.session.scalars(select(Minute).where(Minute.meeting_id == meeting.id)))
    acts = list(
        svc.session.scalars(
            select(CaseAction).where(
                CaseAction.meeting_id == meeting.id, CaseAction.status != "deleted"
            )
        )
    )
    seen = svc.sharing.fields_for(svc.session, actor, "view", minutes, Minute)
    seen_acts = svc.sharing.fields_for(svc.session, actor, "view", acts, CaseAction)
    if not all(seen.get(m.id) for m in minutes) or not all(seen_acts.get(a.id) for a in acts):
        raise Forbidden("The protocol does not let you read all of these minutes")


def _approval_errors(svc: Services, meeting: Meeting) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not attendance_taken(svc, meeting):
        errors["attendance"] = ["Record which agencies are present before approving the minutes"]
    if not meeting.venue:
        errors["venue"] = ["Enter where the meeting was held before approving the minutes"]
    return errors


@action(reads=("minute", "action"))
def approve(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The chair approves the minutes as they stand: the next version, circulated to the
    agencies recorded present (409 ``already_approved`` when nothing changed since)."""
    meeting = member_meeting(svc, actor, meeting_id, APPROVER)
    sign = _signoff_or_new(svc, meeting)
    errors = _approval_errors(svc, meeting)
    if errors:
        raise Invalid(errors, message=next(iter(errors.values()))[0], code="not_ready")
    _require_reads_all(svc, actor, meeting)
    if sign.status == "approved":
        raise Conflict(
            f"Version {sign.version} of these minutes is already approved. Change them to "
            "make a new version.",
            code="already_approved",
        )
    if not sign.chair_name:
        user = svc.session.get(User, actor.user_id) if actor.user_id else None
        sign.chair_name = user.name if user is not None else None
    previous = version_row(svc, meeting.id, sign.approved_version)
    current = snapshot.build(svc, meeting, sign)
    row = (
        version_row(svc, meeting.id, sign.version) if sign.version > sign.approved_version else None
    )
    if row is None:
        row = MinutesVersion(meeting_id=meeting.id, version=sign.version + 1)
        svc.session.add(row)
    if previous is not None:
        row.fields, row.before, row.after = snapshot.diff(previous.snapshot, current)
    else:
        row.fields = []
    row.status = "approved"
    row.snapshot = current
    row.approved_at = utcnow()
    row.approved_by_id = actor.user_id
    sign.status = "approved"
    sign.version = sign.approved_version = row.version
    svc.session.flush()
    audit.record(svc.session, actor, "update", "minutes", meeting.id, ["status", "version"])
    codes, emails = circulate(svc, meeting, row.version)
    return {**header(svc, meeting), "circulated_to": codes, "emails": emails}


def circulate(svc: Services, meeting: Meeting, version: int) -> tuple[list[str], int]:
    """Tell each agency recorded present that its copy is ready: a link, no case details, once
    per version and person."""
    present = [a for a, s in attendance(svc, meeting).items() if s == "present"]
    if not present:
        return [], 0
    panel = panel_of(svc, meeting)
    day = long_day(local_date(meeting.starts_at))
    body = (
        f"Version {version} of the minutes of {panel.name} on {day} has been approved by the "
        f"chair. Your agency was present, so its copy is ready: sign in to download it.\n\n"
        f"{link(svc, f'/meetings/{meeting.id}/minutes/approved')}" + FOOTER
    )
    subject = f"Minutes approved: {panel.name}, {day}"
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(
            User.agency_id.in_(present),
            UserRole.role.in_(CASE_ROLES),
            User.active.is_(True),
            Agency.active.is_(True),
        )
        .order_by(User.email)
        .distinct()
    )
    queued = 0
    for user in svc.session.scalars(stmt):
        key = f"minutes-approved:{meeting.id}:v{version}:{user.id}"
        if queue(svc.session, user.email, subject, body, key):
            queued += 1
    codes = sorted(svc.session.scalars(select(Agency.code).where(Agency.id.in_(present))))
    return codes, queued


@action(reads=())
def versions(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """Every version, oldest first, with the names of what changed (no values)."""
    meeting = member_meeting(svc, actor, meeting_id, *MANAGERS)
    rows = svc.session.scalars(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting.id)
        .order_by(MinutesVersion.version)
    )
    audit.record(svc.session, actor, "view", "minutes", meeting.id, ["versions"])
    return {
        "meeting_id": str(meeting.id),
        "versions": [
            {
                "version": r.version,
                "status": r.status,
                "fields_changed": list(r.fields or []),
                "created_at": r.created_at,
                "approved_at": r.approved_at,
            }
            for r in rows
        ],
    }
