"""Preparing a meeting's agenda: the draft at cut-off, the coordinator's changes, publication.

``build_draft`` is what the scheduler runs at the referral cut-off (and the coordinator's
"build draft" button, through ``build_agenda``). It is idempotent: a referral or review item
already on the agenda is never added twice and keeps its place, so a second scheduler, a
retry or an impatient coordinator changes nothing.

The draft lists the panel's accepted referrals submitted on or before the cut-off date (UK
calendar) that are on no other open agenda, then review items: actions from earlier meetings
of the panel that are still open (DOMAIN.md: "review of incomplete actions"). Listing moves a
referral to ``listed`` through ``casework.referrals.lifecycle``; taking it off moves it back.

Publishing (``agenda_publish``) circulates the agenda and e-mails member agencies once per
version. Changes after publication keep the agenda published (they are visible at once, as the
engine reads the live agenda) and show as "changed since publication" until the coordinator
publishes the next version, which notifies again.

Only the panel's coordinators and chairs change an agenda: any other role gets 403 whatever
the meeting; a meeting of a panel their agency is not on gets 404.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.clock import UK
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.meetings import victims
from casework.meetings.agenda_publish import changed_since_publication, publish
from casework.meetings.agenda_schemas import AddItemIn, ExtraMeetingIn, ItemsIn
from casework.meetings.agenda_view import capacity, is_member, items_of, overflow, slot
from casework.meetings.meeting_access import require_manage_cases, require_manage_items
from casework.meetings.models import AgendaItem, AgendaVersion, CaseAction, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.roles import MANAGERS
from casework.schemas import load
from casework.services import Services

SCHEDULER = Actor.system("scheduler")


# --- the draft ------------------------------------------------------------------------------


def _cutoff_boundary(meeting: Meeting) -> datetime:
    """Submitted "on or before the cut-off": before midnight at the end of that UK day."""
    if meeting.cutoff_on is None:
        return meeting.starts_at
    end = datetime.combine(meeting.cutoff_on + timedelta(days=1), time(0), tzinfo=UK)
    return end.astimezone(UTC)


def _eligible_referrals(svc: Services, meeting: Meeting) -> list[Referral]:
    on_open_agenda = exists(
        select(AgendaItem.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.referral_id == Referral.id, Meeting.status == "scheduled")
    )
    stmt = (
        select(Referral)
        .where(
            Referral.panel_id == meeting.panel_id,
            Referral.status == "accepted",
            Referral.created_at < _cutoff_boundary(meeting),
            ~on_open_agenda,
        )
        .order_by(Referral.referral_date, Referral.created_at, Referral.reference)
    )
    return list(svc.session.scalars(stmt))


def _open_actions(svc: Services, meeting: Meeting) -> list[CaseAction]:
    earlier = select(Meeting.id).where(
        Meeting.panel_id == meeting.panel_id,
        Meeting.id != meeting.id,
        Meeting.starts_at < meeting.starts_at,
    )
    here = exists().where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.action_id == CaseAction.id
    )
    stmt = (
        select(CaseAction)
        .where(CaseAction.status == "open", CaseAction.meeting_id.in_(earlier), ~here)
        .order_by(CaseAction.due_on, CaseAction.created_at)
    )
    return list(svc.session.scalars(stmt))


def _append(svc: Services, meeting: Meeting, **values: Any) -> AgendaItem:
    last = max((i.position for i in items_of(svc, meeting)), default=0)
    item = AgendaItem(meeting_id=meeting.id, position=last + 1, **values)
    svc.session.add(item)
    svc.session.flush()
    return item


def _list(svc: Services, meeting: Meeting, referral: Referral) -> AgendaItem:
    """A new item for the referral, or the item of the same victim it joins
    (``casework.meetings.victims``)."""
    item = victims.item_for_victim(svc, meeting, referral)
    if item is not None:
        return victims.join(svc, item, referral)
    return _append(svc, meeting, kind="referral", referral_id=referral.id)


def _changed(svc: Services, actor: Actor, *meetings: Meeting) -> None:
    for meeting in meetings:
        svc.session.expire(meeting, ["items"])
        audit.record(svc.session, actor, "update", "meeting", meeting.id, ["agenda"])


def _lock_referral(svc: Services, referral: Referral) -> Referral:
    svc.session.flush()
    svc.session.refresh(referral, with_for_update=True)
    return referral


def build_draft(svc: Services, meeting: Meeting, actor: Actor | None = None) -> list[AgendaItem]:
    """Add what is due and not yet listed; return the whole agenda in order (module docstring).

    Without ``actor`` (the scheduler) changes are audited as the scheduler. A meeting that is
    no longer scheduled is left alone.
    """
    actor = actor or SCHEDULER
    svc.session.flush()  # keep the caller's pending changes: refreshing would drop them
    svc.session.refresh(meeting, with_for_update=True)  # one builder at a time per meeting
    if meeting.status != "scheduled":
        return items_of(svc, meeting)
    added = 0
    for act in _open_actions(svc, meeting):
        _append(svc, meeting, kind="review", action_id=act.id)
        added += 1
    for referral in _eligible_referrals(svc, meeting):
        _lock_referral(svc, referral)
        if referral.status != "accepted":
            continue  # moved meanwhile by someone else
        lifecycle.mark_listed(svc, actor, referral)
        _list(svc, meeting, referral)
        added += 1
    added += _kind_items(svc, meeting)
    if meeting.agenda_status == "none":
        meeting.agenda_status = "draft"
    if added:
        _changed(svc, actor, meeting)
    svc.session.flush()
    return items_of(svc, meeting)


def _kind_items(svc: Services, meeting: Meeting) -> int:
    """What the panel's kind adds of its own (``casework.panels.kinds``: an offender panel's
    candidates and classification reviews); a MARAC meeting adds none."""
    panel = svc.session.get(Panel, meeting.panel_id)
    draft = panel_kinds.agenda_hooks(panel.kind).draft if panel is not None else None
    return draft(svc, meeting) if draft is not None else 0


# --- access ---------------------------------------------------------------------------------


def managed_meeting(svc: Services, actor: Actor, meeting_id: Any, lock: bool = True) -> Meeting:
    """The meeting a coordinator or chair of its panel may change (locked, unless only read):
    403 for any other role, 404 for a meeting of a panel their agency is not on (or none)."""
    require_role(actor, *MANAGERS)
    mid = as_uuid(meeting_id)
    meeting = svc.session.get(Meeting, mid) if mid is not None else None
    if meeting is None or not is_member(svc, actor, meeting.panel_id):
        raise NotVisible()
    if lock:
        svc.session.flush()
        svc.session.refresh(meeting, with_for_update=True)
    return meeting


def require_open(meeting: Meeting) -> None:
    """An agenda changes only while its meeting is scheduled (a stale page learns why)."""
    if meeting.status != "scheduled":
        raise Invalid(
            {"_schema": [f"The meeting is {meeting.status}: its agenda can no longer change"]},
            message=f"This meeting is {meeting.status}, so its agenda can no longer be changed.",
            code="meeting_not_open",
        )


def _item(svc: Services, meeting: Meeting, item_id: Any) -> AgendaItem:
    iid = as_uuid(item_id)
    item = svc.session.get(AgendaItem, iid) if iid is not None else None
    if item is None or item.meeting_id != meeting.id:
        raise Invalid(
            {"items": ["That item is no longer on this agenda"]},
            message="That item is no longer on this agenda. Reload the page to see it now.",
            code="stale_agenda",
        )
    return item


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position


# --- coordinator's changes ------------------------------------------------------------------


@action(changes=("referral",))
def build_agenda(svc: Services, actor: Actor, meeting_id: Any) -> list[AgendaItem]:
    """The coordinator's "build draft agenda" button: the scheduler's job, run now."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    require_manage_cases(svc, actor, _eligible_referrals(svc, meeting))  # the cases it lists
    return build_draft(svc, meeting, actor)


@action(changes=("referral",))
def add_item(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> AgendaItem:
    """List one more accepted referral of the panel (e.g. one accepted after the cut-off)."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    values = load(AddItemIn(), data)
    referral, _ = lifecycle.managed_referral(svc, actor, values["referral_id"])
    if referral.panel_id != meeting.panel_id:
        raise Invalid({"referral_id": ["Choose an accepted referral of this meeting's panel"]})
    if referral.status != "accepted":
        raise Invalid(
            {"referral_id": [f"Referral {referral.reference} is {referral.status}"]},
            message=f"Referral {referral.reference} is {referral.status}: only accepted "
            "referrals can be listed. Reload the page to see the current agenda.",
            code="stale_agenda",
        )
    lifecycle.mark_listed(svc, actor, referral)
    item = _list(svc, meeting, referral)
    if meeting.agenda_status == "none":
        meeting.agenda_status = "draft"
    _changed(svc, actor, meeting)
    return item


def _take_off(svc: Services, actor: Actor, item: AgendaItem) -> None:
    """Remove an item; its referrals (with those joined to it) go back to accepted, ready to
    be listed again."""
    for row in [*victims.rows_of(svc, item), item]:
        referral = svc.session.get(Referral, row.referral_id) if row.referral_id else None
        if referral is not None:
            _lock_referral(svc, referral)
            if referral.status == "listed":
                lifecycle.mark_unlisted(svc, actor, referral)
        svc.session.delete(row)
        svc.session.flush()


def take_off(svc: Services, actor: Actor, meeting: Meeting, item: AgendaItem) -> None:
    """Remove one item from a meeting's agenda, close up the rest, and audit the change
    (the coordinator's "remove", and a deleted action's review items)."""
    _take_off(svc, actor, item)
    _renumber(items_of(svc, meeting))
    _changed(svc, actor, meeting)


@action(changes=("referral",))
def remove_item(svc: Services, actor: Actor, meeting_id: Any, item_id: Any) -> None:
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    item = _item(svc, meeting, item_id)
    require_manage_items(svc, actor, [item])
    take_off(svc, actor, meeting, item)


@action(changes=("referral",))
def move_item(svc: Services, actor: Actor, meeting_id: Any, item_id: Any, direction: str) -> None:
    """One place up or down; at the top or bottom nothing changes."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    if direction not in ("up", "down"):
        raise Invalid({"direction": ["Choose up or down"]})
    item = _item(svc, meeting, item_id)
    require_manage_items(svc, actor, [item])
    items = items_of(svc, meeting)
    at = items.index(item)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
        _renumber(items)
        _changed(svc, actor, meeting)


@action(changes=("referral",))
def set_order(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> None:
    """Set every position at once: ``{"items": [item ids in the new order]}``."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    wanted = load(ItemsIn(), data)["items"]
    items = items_of(svc, meeting)
    by_id = {i.id: i for i in items}
    if len(wanted) != len(items) or set(wanted) != set(by_id):
        raise Invalid(
            {"items": ["List every item on the agenda once"]},
            message="The agenda has changed since you loaded it. Reload the page and try again.",
            code="stale_agenda",
        )
    require_manage_items(svc, actor, items)
    _renumber([by_id[i] for i in wanted])
    _changed(svc, actor, meeting)


def _move_items(
    svc: Services, actor: Actor, source: Meeting, target: Meeting, item_ids: list[Any]
) -> int:
    """Move items (in their current order) to the end of ``target``'s agenda."""
    chosen = [_item(svc, source, i) for i in dict.fromkeys(item_ids)]
    chosen.sort(key=lambda i: i.position)
    existing = items_of(svc, target)
    there = {i.action_id or i.nominal_id or i.case_id for i in existing}
    last = max((i.position for i in existing), default=0)
    for item in chosen:
        if (item.action_id or item.nominal_id or item.case_id) in there - {None}:
            svc.session.delete(item)  # already there: one item for it is enough
            continue
        rows = victims.rows_of(svc, item)
        lead = svc.session.get(Referral, item.referral_id) if item.referral_id else None
        same = victims.item_for_victim(svc, target, lead) if lead is not None else None
        if lead is not None and same is not None:
            # The victim is already listed there: one case, heard together.
            moving = [lead.id, *(r.referral_id for r in rows if r.referral_id)]
            for row in [*rows, item]:
                svc.session.delete(row)
            svc.session.flush()
            for referral_id in moving:
                referral = svc.session.get(Referral, referral_id)
                if referral is not None:
                    victims.join(svc, same, referral)
            continue
        last += 1
        item.meeting_id, item.position = target.id, last
        for row in rows:  # joined referrals go with the case they are heard with
            row.meeting_id = target.id
    svc.session.flush()
    _renumber(items_of(svc, source))
    if target.agenda_status == "none":
        target.agenda_status = "draft"
    _changed(svc, actor, source, target)
    return len(chosen)


def next_meeting(svc: Services, panel_id: uuid.UUID, after: datetime) -> Meeting | None:
    """The panel's first scheduled meeting starting after ``after``."""
    stmt = (
        select(Meeting)
        .where(
            Meeting.panel_id == panel_id,
            Meeting.status == "scheduled",
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    return svc.session.scalar(stmt)


@action(changes=("referral",))
def defer_items(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> Meeting:
    """Move chosen items to the panel's next scheduled meeting; referrals stay listed."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    values = load(ItemsIn(), data)
    target = next_meeting(svc, meeting.panel_id, meeting.starts_at)
    if target is None:
        raise Invalid(
            {"items": ["There is no later meeting of this panel: arrange an extra meeting"]},
            code="no_next_meeting",
        )
    require_manage_items(svc, actor, [_item(svc, meeting, i) for i in values["items"]])
    svc.session.flush()
    svc.session.refresh(target, with_for_update=True)
    _move_items(svc, actor, meeting, target, values["items"])
    return target


def _fill_deadlines(svc: Services, panel: Panel, meeting: Meeting) -> None:
    """Working-day deadlines come from the scheduling code (``casework.meetings.schedule``),
    imported only when needed; without it the extra meeting has its start and no deadlines."""
    try:
        from casework.meetings import schedule
    except ImportError:
        return
    fill = getattr(schedule, "fill_deadlines", None)
    if fill is not None:
        fill(svc, panel, meeting)


@action(changes=("referral",))
def add_extra_meeting(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> Meeting:
    """When the cases overflow: one more meeting of the panel at a chosen UK date and time,
    taking the chosen items."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    values = load(ExtraMeetingIn(), data)
    hour, minute = (int(p) for p in values["time"].split(":"))
    starts = datetime.combine(values["date"], time(hour, minute), tzinfo=UK).astimezone(UTC)
    if starts <= utcnow():
        raise Invalid({"date": ["The extra meeting must be in the future"]})
    # a stale choice fails before anything is created
    require_manage_items(svc, actor, [_item(svc, meeting, i) for i in values["items"]])
    panel = svc.session.get(Panel, meeting.panel_id)
    assert panel is not None  # a foreign key
    extra = Meeting(
        panel_id=panel.id,
        starts_at=starts,
        status="scheduled",
        length_minutes=panel.meeting_minutes,
        minutes_per_case=panel.minutes_per_case,
        agenda_status="draft",
    )
    svc.session.add(extra)
    svc.session.flush()
    _fill_deadlines(svc, panel, extra)
    audit.record(svc.session, actor, "create", "meeting", extra.id, ["starts_at"])
    _move_items(svc, actor, meeting, extra, values["items"])
    return extra


@action(changes=("referral",))
def split_item(svc: Services, actor: Actor, meeting_id: Any, row_id: Any) -> AgendaItem:
    """The chair or coordinator says a joined referral is not the same person: it becomes an
    item of its own at the end of the agenda (audited on the meeting and the referral)."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    rid = as_uuid(row_id)
    row = svc.session.get(AgendaItem, rid) if rid is not None else None
    if row is None or row.meeting_id != meeting.id or row.kind != "joined":
        raise Invalid(
            {"items": ["That referral is no longer joined to a case on this agenda"]},
            message="That referral is no longer joined to a case on this agenda. Reload the "
            "page to see the agenda now.",
            code="stale_agenda",
        )
    require_manage_items(svc, actor, [row])
    last = max((i.position for i in items_of(svc, meeting)), default=0)
    row.kind, row.lead_id, row.position = "referral", None, last + 1
    svc.session.flush()
    _changed(svc, actor, meeting)
    audit.record(svc.session, actor, "update", "referral", row.referral_id, ["agenda_item"])
    return row


@action(changes=("referral",))
def publish_agenda(svc: Services, actor: Actor, meeting_id: Any) -> AgendaVersion:
    """Circulate the agenda (first time) or its changes (later versions): see
    ``agenda_publish``. Only the panel's coordinators and chairs, while it is scheduled."""
    meeting = managed_meeting(svc, actor, meeting_id)
    require_open(meeting)
    require_manage_items(svc, actor, items_of(svc, meeting))  # circulating shares the cases
    return publish(svc, actor, meeting)


@action(reads=("referral",))
def addable_referrals(svc: Services, actor: Actor, meeting_id: Any) -> list[dict[str, Any]]:
    """Accepted referrals of the panel on no open agenda, for the "add a case" list: their
    reference and date only (the builder's table shows who a listed case is about)."""
    meeting = managed_meeting(svc, actor, meeting_id, lock=False)
    on_open_agenda = exists(
        select(AgendaItem.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.referral_id == Referral.id, Meeting.status == "scheduled")
    )
    stmt = (
        select(Referral.id, Referral.reference, Referral.referral_date)
        .where(
            Referral.panel_id == meeting.panel_id,
            Referral.status == "accepted",
            ~on_open_agenda,
            svc.sharing.visible_clause(actor, "edit", Referral),
        )
        .order_by(Referral.referral_date, Referral.reference)
    )
    return [
        {"id": str(rid), "reference": ref, "referral_date": day}
        for rid, ref, day in svc.session.execute(stmt)
    ]


@action(reads=())  # the layout: positions, kinds, references; ``agenda_for`` shows the cases
def builder_state(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """What the coordinator's page needs beside the agenda itself: every item (even one the
    engine shows nothing of, so it can still be moved), the overflow, the version state."""
    meeting = managed_meeting(svc, actor, meeting_id, lock=False)
    items = items_of(svc, meeting)
    room = capacity(meeting)
    joined = victims.joined_references(svc, meeting.id)
    return {
        "meeting": meeting,
        "items": [
            {
                "item_id": str(i.id),
                "position": i.position,
                "kind": i.kind,
                "joined": joined.get(i.id, []),
                "start_time": f"{slot(meeting, i.position)[0]:%H:%M}",
                "end_time": f"{slot(meeting, i.position)[1]:%H:%M}",
                "overflows": i.position > room,
            }
            for i in items
        ],
        "overflow": overflow(meeting, len(items)),
        "changed": changed_since_publication(svc, meeting),
        "next_meeting": next_meeting(svc, meeting.panel_id, meeting.starts_at),
        "open": meeting.status == "scheduled",
    }
