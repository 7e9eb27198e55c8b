"""Live chair mode: the meeting walked case by case, as the chair runs it from a screen while
the coordinator types.

SafeLives expects 12 to 15 minutes a case, so the page a chair works from shows each case's
planned slot and how far ahead or behind the meeting is running against it (``pace``), the
case's summary as the engine lets the reader see it, the minutes and the actions agreed so
far. Nothing here writes: minutes and actions go through ``minutes.save_minute`` and
``minutes.add_action``/``agree_action``, the one way they are written (``write_minute`` and
``agree`` below only pick which door a panel's cases use).

The opening of the meeting comes first, as ``conduct`` enforces: until attendance is taken and
everyone present has accepted the confidentiality statement (``conduct.readiness``), the live
page shows what is missing and no case at all.

Works for MARAC (the agenda lists referrals, and reviews of earlier actions) and for panels
whose kind lists its own cases (``AgendaItem.case_type``/``case_id``, an ASB case): those are
shown through the kind's own agenda hook, the same filter as its agenda.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.actors import Actor
from casework.authz import action
from casework.errors import NotVisible
from casework.meetings import minutes
from casework.meetings.agenda_view import slot
from casework.meetings.conduct import (
    CONFIDENTIALITY_STATEMENT,
    attendance,
    attendees,
    chair_meeting,
    readiness,
)
from casework.meetings.meeting_access import (
    Case,
    agenda_cases,
    case_summaries,
    kind_case_type,
    panel_agencies,
    panel_of,
)
from casework.meetings.models import CaseAction, Meeting, Minute
from casework.meetings.tracking import action_views
from casework.panels import kinds as panel_kinds
from casework.referrals.models import Referral
from casework.services import Services
from casework.sharing.engine import record_type_named

# SafeLives' chairing sequence, shown as prompts beside the minutes: (key, prompt, what for).
CHAIRING_SEQUENCE = (
    ("present", "Present the case", "The referring agency summarises the risk and why now."),
    ("share", "Share information", "Each agency shares what its research found."),
    (
        "risks",
        "Identify risks",
        "To the victim, the children and others, and from the perpetrator.",
    ),
    ("actions", "Agree actions", "Each with an owning agency and a due date."),
    ("conclude", "Conclude", "The chair summarises the safety plan and the actions agreed."),
)


def duration(minutes_: int) -> str:
    """'1 minute', '14 minutes', '1 hour 5 minutes': how the timer writes a gap."""
    if minutes_ < 1:
        return "less than a minute"
    hours, mins = divmod(minutes_, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


def _whole_minutes(delta: timedelta) -> int:
    """A gap rounded to the nearest minute (live.js rounds alike, so the two agree)."""
    return (int(delta.total_seconds()) + 30) // 60


def pace(start: datetime, end: datetime, meeting_start: datetime, now: datetime) -> dict[str, Any]:
    """How the meeting runs against the current case's slot ``start``-``end``.

    Behind: the slot has ended and the case is still open. Ahead: the case was opened before
    its slot began. Otherwise on time, with what is left of the slot. Before the meeting has
    started there is nothing to run against. ``static/live.js`` mirrors this each second.
    """
    if now < meeting_start:
        return {"state": "not_started", "minutes": 0, "text": "The meeting has not started yet"}
    if now > end:
        gap = _whole_minutes(now - end)
        return {"state": "behind", "minutes": gap, "text": f"Running {duration(gap)} behind"}
    if now < start:
        gap = _whole_minutes(start - now)
        return {"state": "ahead", "minutes": gap, "text": f"Running {duration(gap)} ahead"}
    left = _whole_minutes(end - now)
    return {
        "state": "on_time",
        "minutes": left,
        "text": f"On time: {duration(left)} left in this case's slot",
    }


def live_view(svc: Services, actor: Actor, meeting_id: Any, position: int | None) -> dict:
    """The live page: the opening (attendance and statement) when ``position`` is None or the
    meeting is not ready, else the case at that agenda position. The chair or coordinator of
    the panel only (403 other roles, 404 other agencies), as the meeting page."""
    meeting = chair_meeting(svc, actor, meeting_id)
    if kind_case_type(svc, meeting) is not None:
        return _kind_live(svc, actor, meeting, position)
    return _referral_live(svc, actor, meeting, position)


def _opening(svc: Services, actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """What every live page carries: the meeting, its readiness and the statement."""
    present = {a for a, s in attendance(svc, meeting).items() if s == "present"}
    people = attendees(svc, meeting)
    return {
        "meeting": meeting,
        "panel": panel_of(svc, meeting),
        "agencies": panel_agencies(svc, meeting),
        "present_count": len(present),
        "people_count": len(people),
        "acknowledged_count": sum(1 for p in people if p.acknowledged_at is not None),
        "statement": CONFIDENTIALITY_STATEMENT,
        "problems": [] if meeting.status == "closed" else readiness(svc, actor, meeting),
        "closed": meeting.status == "closed",
        "stops": [],
        "current": None,
    }


def _not_shown(svc: Services, actor: Actor, models: tuple[type, ...]) -> None:
    """Ask the engine about none of these (the cases stay hidden until the meeting is ready):
    the guard then knows the page decided, on nothing, what it shows."""
    for model in models:
        svc.sharing.fields_for(svc.session, actor, "view", [], model)


@action(reads=("referral", "minute", "action"))
def _referral_live(
    svc: Services, actor: Actor, meeting: Meeting, position: int | None
) -> dict[str, Any]:
    view = _opening(svc, actor, meeting)
    if view["problems"]:
        _not_shown(svc, actor, (Referral, Minute, CaseAction))
        return view
    cases = agenda_cases(svc, meeting)
    shown = case_summaries(svc, actor, [c.referral_id for c in cases if c.referral_id])
    with_minutes = _minuted(svc, actor, meeting)
    view["stops"] = [
        _stop(meeting, c, shown.get(c.referral_id) if c.referral_id else None)
        | {"minuted": c.referral_id is not None and c.referral_id in with_minutes}
        for c in cases
    ]
    current = _current(view, cases, position)
    if current is None:
        _not_shown(svc, actor, (CaseAction,))
        return view
    case = current.pop("_case")
    rid = case.referral_id if current["case"] is not None else None
    about = CaseAction.referral_id == rid
    view["current"] = current | {
        "case_id": str(rid) if rid else None,
        **_minute_parts(svc, actor, meeting, Minute.referral_id == rid if rid else None),
        "actions": _actions(svc, actor, meeting, about if rid else None, manageable=True),
        "reviews": action_views(svc, actor, [case.action], "view") if case.action else [],
    }
    return view


@action(reads=("case", "minute", "action"))
def _kind_live(
    svc: Services, actor: Actor, meeting: Meeting, position: int | None
) -> dict[str, Any]:
    record = kind_case_type(svc, meeting)
    assert record is not None  # live_view chose this door for it
    model = record_type_named(record).model
    view = _opening(svc, actor, meeting)
    if view["problems"]:
        _not_shown(svc, actor, (model, Minute, CaseAction))
        return view
    cases = agenda_cases(svc, meeting)
    items = [c.item for c in cases]
    show = panel_kinds.agenda_hooks(view["panel"].kind).show
    disclosing = {"verb": "view", "audit_as": "view", "recipient": None, "purpose": None}
    entries = show(svc, actor, items, disclosing).entries if show is not None else {}
    _not_shown(svc, actor, (model,))  # asked even when the hook had nothing to show
    with_minutes = _minuted(svc, actor, meeting, by_case=True)
    view["stops"] = [
        _stop(meeting, c, entries.get(c.item.id)) | {"minuted": c.item.case_id in with_minutes}
        for c in cases
    ]
    current = _current(view, cases, position)
    if current is None:
        _not_shown(svc, actor, (CaseAction,))
        return view
    cid = current.pop("_case").item.case_id if current["case"] is not None else None
    about = (CaseAction.case_type == record) & (CaseAction.case_id == cid)
    view["current"] = current | {
        "case_id": str(cid) if cid else None,
        **_minute_parts(svc, actor, meeting, Minute.case_id == cid if cid else None),
        "actions": _actions(svc, actor, meeting, about if cid else None, manageable=False),
        "reviews": [],
    }
    return view


def _stop(meeting: Meeting, case: Case, shown: dict[str, Any] | None) -> dict[str, Any]:
    """One agenda line of the live page: its place, slot and what the reader sees of it."""
    start, end = slot(meeting, case.item.position)
    return {
        "position": case.item.position,
        "kind": case.item.kind,
        "start": start,
        "end": end,
        "case": shown,
    }


def _current(view: dict[str, Any], cases: list[Case], position: int | None) -> dict | None:
    """The stop at ``position`` with its neighbours and pace; None for the opening page.
    A position not on the agenda is 404, as a case that does not exist."""
    if position is None:
        return None
    stops = view["stops"]
    at = next((i for i, s in enumerate(stops) if s["position"] == position), None)
    if at is None:
        raise NotVisible()
    stop = stops[at]
    meeting = view["meeting"]
    return stop | {
        "_case": cases[at],
        "number": at + 1,
        "previous": stops[at - 1]["position"] if at > 0 else None,
        "next": stops[at + 1]["position"] if at + 1 < len(stops) else None,
        "pace": pace(stop["start"], stop["end"], meeting.starts_at, clock.now()),
        "writable": not view["closed"] and stop["case"] is not None,
    }


def _minuted(svc: Services, actor: Actor, meeting: Meeting, by_case: bool = False) -> set[Any]:
    """The cases (referral ids, or a kind's case ids) with minutes the reader may see."""
    column = Minute.case_id if by_case else Minute.referral_id
    stmt = select(column).where(
        Minute.meeting_id == meeting.id, svc.sharing.visible_clause(actor, "view", Minute)
    )
    return set(svc.session.scalars(stmt))


def _minute_parts(svc: Services, actor: Actor, meeting: Meeting, about: Any) -> dict[str, Any]:
    """The case's ``minute`` (information shared) and ``risks`` as far as the reader may see
    them, the read audited (``minutes.minute_parts``); both None for no case or no minutes."""
    minute = None
    if about is not None:
        stmt = select(Minute).where(
            Minute.meeting_id == meeting.id,
            about,
            svc.sharing.visible_clause(actor, "view", Minute),
        )
        minute = svc.session.scalar(stmt)
    parts = minutes.minute_parts(svc, actor, minute)
    return {"minute": parts["text"], "risks": parts["risks"]}


def _actions(
    svc: Services, actor: Actor, meeting: Meeting, about: Any, manageable: bool
) -> list[dict[str, Any]]:
    """The actions agreed for the case at this meeting, as the reader may see them. Open ones
    on a referral link to their correction pages (``casework.web.actions_manage``)."""
    rows: list[CaseAction] = []
    if about is not None:
        stmt = (
            select(CaseAction)
            .where(CaseAction.meeting_id == meeting.id, about)
            .order_by(CaseAction.created_at)
        )
        rows = list(svc.session.scalars(stmt))
    views = action_views(svc, actor, rows, "view")
    for v in views:
        v["may_manage"] = manageable and v.get("status") == "open"
    return views


def write_minute(svc: Services, actor: Actor, meeting_id: Any, case_id: Any, data: Any) -> Any:
    """The live page's minutes box: ``minutes.save_minute`` (a referral or a kind's case)."""
    return minutes.save_minute(svc, actor, meeting_id, case_id, data)


def agree(svc: Services, actor: Actor, meeting_id: Any, case_id: Any, data: Any) -> Any:
    """The live page's action form: ``minutes.add_action`` for a referral, ``agree_action``
    naming the ``case_id`` for a panel kind's own case (both 404 a case not on the agenda)."""
    meeting = chair_meeting(svc, actor, meeting_id)
    if kind_case_type(svc, meeting) is not None:
        return minutes.agree_action(svc, actor, meeting.id, {**data, "case_id": case_id})
    return minutes.add_action(svc, actor, meeting.id, case_id, data)
