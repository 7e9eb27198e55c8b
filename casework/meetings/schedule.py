"""Putting meetings in the diary: the next three per panel, moving and cancelling them.

A panel's cadence (``Cadence``) gives its meeting times in UK wall-clock time; meetings are
stored in UTC with their working-day deadlines (referral cut-off, agenda circulation, minutes
due) worked out for the panel's nation when they are scheduled or moved.

``schedule_meetings`` is idempotent and safe to call from the panel's creation, its settings
page and the scheduler's "keep three ahead" job at once: it serialises on the panel and never
re-creates a cadence slot that already had a meeting, even one later moved or cancelled
(``moved_from`` keeps the slot a moved meeting came from).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, inspect, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.dates import long_date
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.meetings.calendar import (
    from_local,
    local,
    local_date,
    working_days_after,
    working_days_before,
)
from casework.meetings.models import (
    AgendaItem,
    AgendaVersion,
    Attendance,
    Attendee,
    CaseAction,
    Meeting,
    Minute,
    ResearchNote,
)
from casework.panels.access import member_panel
from casework.panels.cadence import Cadence
from casework.panels.models import Panel, PanelMember
from casework.roles import MANAGERS
from casework.services import Services

AHEAD = 3  # meetings kept in the diary per active panel (the issue: "the next three")
MINUTES_DUE_WORKING_DAYS = 3  # DOMAIN.md: minutes circulated within about 3 working days


def set_deadlines(svc: Services, panel: Panel, meeting: Meeting) -> None:
    """Cut-off, circulation and minutes-due dates, in working days of the panel's nation."""
    day = local_date(meeting.starts_at)
    meeting.cutoff_on = working_days_before(day, panel.cutoff_working_days, panel.nation)
    meeting.circulate_on = working_days_before(day, panel.circulation_working_days, panel.nation)
    after = int(svc.settings.get("MINUTES_DUE_WORKING_DAYS", MINUTES_DUE_WORKING_DAYS))
    meeting.minutes_due_on = working_days_after(day, after, panel.nation)


fill_deadlines = set_deadlines  # the name the agenda code looks for (extra meetings)


def _slots(cadence: Cadence, now: datetime) -> Any:
    """Cadence times after ``now``, as UTC moments, one at a time."""
    moment = local(now).replace(tzinfo=None)
    while True:
        (wall,) = cadence.next_after(moment, 1)
        yield from_local(wall)
        moment = wall


def schedule_meetings(svc: Services, panel: Panel, now: datetime) -> list[Meeting]:
    """Make sure ``panel`` has ``AHEAD`` meetings after ``now``; returns those added.

    Not an action: the scheduler calls it with no one signed in, and the panel actions call it
    after their own checks. Runs in the caller's transaction.
    """
    session = svc.session
    session.flush()  # a panel made in this transaction gets its id and defaults
    if not panel.active:
        return []
    svc.db.lock(session, f"schedule:{panel.id}")
    ahead = int(svc.settings.get("MEETINGS_AHEAD", AHEAD))
    future = session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.panel_id == panel.id, Meeting.starts_at > now, Meeting.status != "cancelled"
        )
    )
    need = ahead - (future or 0)
    if need <= 0:
        return []
    taken: set[datetime] = set()
    for starts_at, moved_from in session.execute(
        select(Meeting.starts_at, Meeting.moved_from).where(
            Meeting.panel_id == panel.id,
            (Meeting.starts_at > now) | (Meeting.moved_from > now),
        )
    ):
        taken.add(starts_at)
        if moved_from is not None:
            taken.add(moved_from)
    added: list[Meeting] = []
    slots = _slots(Cadence.parse(panel.schedule), now)
    for _ in range(need + len(taken) + 1):
        slot = next(slots)
        if slot in taken:
            continue
        meeting = Meeting(
            panel_id=panel.id,
            starts_at=slot,
            status="scheduled",
            length_minutes=panel.meeting_minutes,
            minutes_per_case=panel.minutes_per_case,
        )
        set_deadlines(svc, panel, meeting)
        session.add(meeting)
        added.append(meeting)
        if len(added) == need:
            break
    session.flush()
    return added


def _has_history(svc: Services, meeting: Meeting) -> bool:
    """Anything recorded against the meeting beyond the diary entry itself."""
    if meeting.agenda_status != "none" or meeting.circulated_at is not None:
        return True
    models = (AgendaItem, Attendance, Attendee, ResearchNote, Minute, CaseAction, AgendaVersion)
    for model in models:
        count = svc.session.scalar(
            select(func.count()).select_from(model).where(model.meeting_id == meeting.id)
        )
        if count:
            return True
    return False


def reschedule_after_change(svc: Services, panel: Panel, changed: set[str], now: datetime) -> None:
    """Carry a change of panel settings into its future meetings.

    A new cadence replaces future meetings nobody has touched yet (no agenda, research,
    attendance, and not moved by hand); the rest stay for the coordinator to move or cancel.
    New deadlines or lengths apply to future meetings still scheduled (lengths only while
    the agenda is unpublished). Then the diary is filled up to three ahead again.
    """
    future = list(
        svc.session.scalars(
            select(Meeting).where(
                Meeting.panel_id == panel.id,
                Meeting.starts_at > now,
                Meeting.status == "scheduled",
            )
        )
    )
    if "schedule" in changed or ("active" in changed and not panel.active):
        for meeting in future:
            if meeting.moved_from is None and not _has_history(svc, meeting):
                svc.session.delete(meeting)
        svc.session.flush()
        future = [m for m in future if not inspect(m).was_deleted]
    for meeting in future:
        if changed & {"nation", "cutoff_working_days", "circulation_working_days"}:
            set_deadlines(svc, panel, meeting)
        if meeting.agenda_status != "published":
            meeting.length_minutes = panel.meeting_minutes
            meeting.minutes_per_case = panel.minutes_per_case
    schedule_meetings(svc, panel, now)


def _managed(
    svc: Services, actor: Actor, meeting_id: Any, lock: bool = True
) -> tuple[Meeting, Panel]:
    """A meeting of a panel the caller's agency belongs to, for its coordinator or chair:
    403 for other roles, 404 for a meeting outside the caller's panels (as for none)."""
    require_role(actor, *MANAGERS)
    mid = as_uuid(meeting_id)
    meeting = svc.session.get(Meeting, mid) if mid is not None else None
    if meeting is None or actor.agency_id is None:
        raise NotVisible()
    if svc.session.get(PanelMember, (meeting.panel_id, actor.agency_id)) is None:
        raise NotVisible()
    if lock:  # two coordinators at once: the second sees what the first did
        svc.session.refresh(meeting, with_for_update=True)
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None  # a foreign key
    return meeting, panel


@action
def managed_view(svc: Services, actor: Actor, meeting_id: Any) -> Meeting:
    """The meeting for its move and cancel pages (same checks as the changes themselves)."""
    meeting, _ = _managed(svc, actor, meeting_id, lock=False)
    return meeting


def _only_scheduled(meeting: Meeting, what: str) -> None:
    if meeting.status != "scheduled":
        raise Invalid(
            {"_schema": [f"The meeting is {meeting.status}, so it cannot be {what}"]},
            message=f"This meeting is {meeting.status}, so it cannot be {what}.",
            code="meeting_not_scheduled",
        )


def parse_new_start(data: Any) -> datetime:
    """A form's or API body's date and time (UK time) as a UTC moment."""
    from casework.panels.schemas import MoveMeetingIn
    from casework.schemas import load

    values = load(MoveMeetingIn(), data)
    return from_local(datetime.combine(values["date"], values["time"]))


MOVE_AHEAD_YEARS = 2


def furthest_move(today: date) -> date:
    """The latest day a meeting may be moved to: two years ahead. A diary further out is a
    typing slip (2062 for 2026), and deadlines worked out from it mean nothing."""
    try:
        return today.replace(year=today.year + MOVE_AHEAD_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MOVE_AHEAD_YEARS, day=28)


@action
def move_meeting(
    svc: Services,
    actor: Actor,
    meeting_id: Any,
    new_start: datetime | Mapping[str, Any],
    now: datetime | None = None,
) -> Meeting:
    """Move a scheduled meeting; its deadlines follow and ``moved_from`` keeps the cadence
    slot it first had (so the diary does not fill that slot again)."""
    meeting, panel = _managed(svc, actor, meeting_id)
    now = now or utcnow()
    _only_scheduled(meeting, "moved")
    if not isinstance(new_start, datetime):  # a body: the loader refuses anything not an object
        new_start = parse_new_start(new_start)
    elif new_start.tzinfo is None:
        new_start = from_local(new_start)
    if new_start <= now:
        raise Invalid({"date": ["The new date and time must be in the future"]})
    day = local_date(new_start)
    latest = furthest_move(local_date(now))
    if day > latest:
        when = long_date(latest)
        raise Invalid({"date": [f"The new date must be within two years: {when} at the latest"]})
    clash = svc.session.scalars(
        select(Meeting).where(
            Meeting.panel_id == panel.id,
            Meeting.id != meeting.id,
            Meeting.status != "cancelled",
            Meeting.starts_at > new_start - timedelta(days=1),
            Meeting.starts_at < new_start + timedelta(days=1),
        )
    )
    if any(local_date(other.starts_at) == day for other in clash):
        raise Invalid({"date": ["The panel already has a meeting on that date"]})
    if meeting.moved_from is None:
        meeting.moved_from = meeting.starts_at
    meeting.starts_at = new_start
    set_deadlines(svc, panel, meeting)
    svc.session.flush()
    audit.record(
        svc.session,
        actor,
        "update",
        "meeting",
        meeting.id,
        ["starts_at", "moved_from", "cutoff_on", "circulate_on", "minutes_due_on"],
    )
    return meeting


@dataclass
class Cancelled:
    meeting: Meeting
    moved_to: Meeting | None  # where its agenda items went (None: no next meeting)


@action
def cancel_meeting(
    svc: Services, actor: Actor, meeting_id: Any, now: datetime | None = None
) -> Cancelled:
    """Cancel a scheduled meeting. Its agenda items (and the research agencies did for them)
    go to the panel's next scheduled meeting, after that meeting's own items and in their
    order; referral statuses stay as they are (the cases are still listed)."""
    meeting, panel = _managed(svc, actor, meeting_id)
    now = now or utcnow()
    _only_scheduled(meeting, "cancelled")
    meeting.status = "cancelled"
    svc.session.flush()
    audit.record(svc.session, actor, "update", "meeting", meeting.id, ["status"])
    schedule_meetings(svc, panel, now)
    target = svc.session.scalar(
        select(Meeting)
        .where(
            Meeting.panel_id == panel.id,
            Meeting.status == "scheduled",
            Meeting.starts_at > max(now, meeting.starts_at),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if target is None:  # an inactive panel has no next meeting: the items stay put
        return Cancelled(meeting, None)
    _move_items(svc, actor, meeting, target)
    return Cancelled(meeting, target)


def _items(svc: Services, meeting: Meeting) -> list[AgendaItem]:
    """Read from the database, not the relationship: another request may have changed it."""
    return list(
        svc.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )


def _move_items(svc: Services, actor: Actor, source: Meeting, target: Meeting) -> None:
    session = svc.session
    there = _items(svc, target)
    have_referrals = {i.referral_id for i in there if i.referral_id is not None}
    have_actions = {i.action_id for i in there if i.action_id is not None}
    position = max((i.position for i in there), default=0)
    with session.no_autoflush:
        for item in _items(svc, source):
            duplicate = (item.referral_id is not None and item.referral_id in have_referrals) or (
                item.referral_id is None and item.action_id in have_actions
            )
            if duplicate:  # already on the next agenda: keep that one
                session.delete(item)
                continue
            position += 1
            item.meeting_id, item.position = target.id, position
            audit.record(
                session, actor, "update", "agenda_item", item.id, ["meeting_id", "position"]
            )
    session.flush()
    for item in _items(svc, target):
        if item.referral_id is not None:
            _move_research(svc, source, target, item.referral_id)
    session.expire(source, ["items"])
    session.expire(target, ["items"])
    if position and target.agenda_status == "none":
        target.agenda_status = "draft"
    session.flush()


def _move_research(svc: Services, source: Meeting, target: Meeting, referral_id: Any) -> None:
    """Research done for a case follows it, unless the agency already has a note there."""
    notes = svc.session.scalars(
        select(ResearchNote).where(
            ResearchNote.meeting_id == source.id, ResearchNote.referral_id == referral_id
        )
    )
    for note in notes:
        exists = svc.session.scalar(
            select(ResearchNote.id).where(
                ResearchNote.meeting_id == target.id,
                ResearchNote.referral_id == referral_id,
                ResearchNote.agency_id == note.agency_id,
            )
        )
        if exists is None:
            note.meeting_id = target.id


@action
def panel_meetings(svc: Services, actor: Actor, panel_id: Any) -> tuple[Panel, list[Meeting]]:
    """A panel's meetings, oldest first, for its member agencies (404 for anyone else)."""
    panel = member_panel(svc, actor, panel_id)
    meetings = list(
        svc.session.scalars(
            select(Meeting).where(Meeting.panel_id == panel.id).order_by(Meeting.starts_at)
        )
    )
    return panel, meetings


def meeting_row(meeting: Meeting) -> dict[str, Any]:
    """What the API and pages show of a meeting: no case data."""

    def iso(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    start = local(meeting.starts_at)
    return {
        "id": str(meeting.id),
        "panel_id": str(meeting.panel_id),
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "starts_at": start.isoformat(),
        "status": meeting.status,
        "agenda_status": meeting.agenda_status,
        "cutoff_on": iso(meeting.cutoff_on),
        "circulate_on": iso(meeting.circulate_on),
        "minutes_due_on": iso(meeting.minutes_due_on),
        "length_minutes": meeting.length_minutes,
        "minutes_per_case": meeting.minutes_per_case,
        "moved_from": None if meeting.moved_from is None else local(meeting.moved_from).isoformat(),
    }
