"""Closing a meeting with its gaps in view, and reopening it for a few days afterwards.

Closing cannot be undone by editing: attendance, minutes and research become read-only and
the figures count the meeting as held and its cases as heard. So the chair first sees what is
missing (``close_view``: cases without minutes, member agencies with no attendance recorded,
new cases with no action) and then closes (``conduct.close_meeting``).

A mistake found afterwards is put right by reopening, within ``REOPEN_WORKING_DAYS`` working
days (the panel's nation's) of the meeting's *first* closing, so reopening and closing again
cannot stretch the window indefinitely and figures reported a week later stay put. A reopened
meeting is not held: its heard referrals go back to listed and the statistics leave it out
until it is closed again, when both return, once. Every reopening keeps its reason
(encrypted) in ``MeetingReopening`` and is audited in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.dates import long_day
from casework.db import utcnow
from casework.errors import Conflict, Invalid
from casework.meetings import conduct
from casework.meetings.calendar import local, local_date, working_days_after
from casework.meetings.closing_schemas import ReopenIn
from casework.meetings.meeting_access import (
    agenda_cases,
    case_summaries,
    heard_referral_ids,
    panel_agencies,
    panel_of,
)
from casework.meetings.models import CaseAction, Meeting, MeetingReopening
from casework.meetings.schedule import meeting_row
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.schemas import load
from casework.services import Services

REOPEN_WORKING_DAYS = 5


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else local(moment).isoformat()


def reopen_until(svc: Services, meeting: Meeting) -> date | None:
    """The last day the meeting may be reopened: five working days after its first closing
    (None for a meeting never closed)."""
    first = svc.session.scalar(
        select(func.min(MeetingReopening.closed_at)).where(
            MeetingReopening.meeting_id == meeting.id
        )
    )
    anchor = first or meeting.closed_at
    if anchor is None:
        return None
    nation = panel_of(svc, meeting).nation
    return working_days_after(local_date(anchor), REOPEN_WORKING_DAYS, nation)


def _within(until: date | None) -> bool:
    """Whether today is still inside the reopening window that ends on ``until``."""
    return until is not None and clock.today() <= until


def _action_counts(svc: Services, actor: Actor, meeting: Meeting) -> dict[uuid.UUID, int]:
    """Actions agreed at this meeting per case, as far as the reader may see actions."""
    rows = svc.session.execute(
        select(CaseAction.referral_id, func.count(CaseAction.id))
        .where(
            CaseAction.meeting_id == meeting.id,
            svc.sharing.visible_clause(actor, "view", CaseAction),
        )
        .group_by(CaseAction.referral_id)
    )
    return {rid: int(n) for rid, n in rows if rid is not None}


@action(reads=("referral", "minute", "action"))
def close_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The confirmation page: what closing will do, what is still missing, and what stops it.

    Every action has an owning agency (the model cannot store one without), so "actions
    without an owner" cannot happen; what can be checked is a new case with no action agreed.
    """
    meeting = conduct.chair_meeting(svc, actor, meeting_id)
    cases = [c for c in agenda_cases(svc, meeting) if c.referral_id is not None]
    summaries = case_summaries(svc, actor, [c.referral_id for c in cases])
    with_minutes = conduct.minuted(svc, actor, meeting)
    actions = _action_counts(svc, actor, meeting)
    seen: set[uuid.UUID] = set()
    rows = []
    for c in cases:
        if c.referral_id in seen:
            continue
        seen.add(c.referral_id)
        rows.append(
            {
                "position": c.item.position,
                "kind": c.item.kind,
                "referral_id": c.referral_id,
                "case": summaries.get(c.referral_id),
                "minuted": c.referral_id in with_minutes,
                "actions": actions.get(c.referral_id, 0),
            }
        )
    recorded = conduct.attendance(svc, meeting)
    statuses = dict(
        svc.session.execute(
            select(Referral.id, Referral.status).where(
                Referral.id.in_(heard_referral_ids(svc, meeting))
            )
        ).all()
    )
    closed = meeting.status == "closed"
    until = reopen_until(svc, meeting) if closed else None
    return {
        "meeting": meeting,
        "panel": panel_of(svc, meeting),
        "closed": closed,
        "not_started": None if closed else conduct.not_started(meeting),
        "attendance_taken": "present" in recorded.values(),
        "no_minutes": [r for r in rows if not r["minuted"]],
        "no_actions": [r for r in rows if r["kind"] == "referral" and not r["actions"]],
        "no_attendance": [a for a in panel_agencies(svc, meeting) if a.id not in recorded],
        "to_hear": sum(1 for s in statuses.values() if s in ("accepted", "listed")),
        "reopen_days": REOPEN_WORKING_DAYS,
        "reopen_until": until,
        "may_reopen": _within(until),
    }


def _answer(svc: Services, meeting: Meeting) -> dict[str, Any]:
    until = reopen_until(svc, meeting)
    return {
        **meeting_row(meeting),
        "reopen_until": None if until is None else until.isoformat(),
    }


@action(changes=("referral",))
def close(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """``conduct.close_meeting``, answered as the meeting's new state (the API's answer)."""
    heard = conduct.close_meeting(svc, actor, meeting_id)
    meeting = conduct.chair_meeting(svc, actor, meeting_id)
    return {**_answer(svc, meeting), "closed_at": _iso(meeting.closed_at), "heard": len(heard)}


@action
def reopen_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """The reopening page: until when it is possible, and the reasons given before (read by
    the panel's managers only, each disclosure audited)."""
    meeting = conduct.chair_meeting(svc, actor, meeting_id)
    earlier = list(
        svc.session.scalars(
            select(MeetingReopening)
            .where(MeetingReopening.meeting_id == meeting.id)
            .order_by(MeetingReopening.reopened_at)
        )
    )
    for row in earlier:
        audit.record(svc.session, actor, "view", "meeting_reopening", row.id, ["reason"])
    until = reopen_until(svc, meeting)
    return {
        "meeting": meeting,
        "panel": panel_of(svc, meeting),
        "closed": meeting.status == "closed",
        "reopen_days": REOPEN_WORKING_DAYS,
        "reopen_until": until,
        "may_reopen": _within(until),
        "earlier": earlier,
    }


@action
def reopen_meeting(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> dict[str, Any]:
    """Open a closed meeting again for corrections, with a reason: its heard referrals go
    back to listed (so the figures leave it out until it is closed again) and its record can
    be changed. Refused after the window (409 ``reopen_window_passed``)."""
    meeting = conduct.chair_meeting(svc, actor, meeting_id)
    svc.session.refresh(meeting, with_for_update=True)  # two chairs pressing at once
    if meeting.status != "closed":  # a stale page learns the state before any form error
        raise Invalid(
            {"_schema": ["Only a closed meeting can be reopened"]},
            message="This meeting is not closed, so it cannot be reopened.",
            code="meeting_not_closed",
        )
    until = reopen_until(svc, meeting)
    if not _within(until):
        raise Conflict(
            f"A meeting can be reopened for {REOPEN_WORKING_DAYS} working days after it was "
            f"first closed; for this meeting that ended on {long_day(until)}."
            if until is not None
            else "This meeting has no closing to undo.",
            code="reopen_window_passed",
        )
    values = load(ReopenIn(), data)
    now = utcnow()
    reopening = MeetingReopening(
        meeting_id=meeting.id,
        reopened_by_id=actor.user_id,
        reopened_at=now,
        closed_at=meeting.closed_at or meeting.starts_at,
    )
    reopening.reason = values["reason"]
    svc.session.add(reopening)
    listed_again = 0
    for referral_id in heard_referral_ids(svc, meeting):
        referral = svc.session.get(Referral, referral_id, with_for_update=True)
        # one closed or withdrawn since keeps that status: reopening never undoes more
        if referral is not None and referral.status == "heard":
            lifecycle.mark_unheard(svc, actor, referral)
            listed_again += 1
    meeting.status = "reopened"
    meeting.closed_at = None
    svc.session.flush()
    audit.record(svc.session, actor, "update", "meeting", meeting.id, ["status", "closed_at"])
    audit.record(
        svc.session,
        actor,
        "create",
        "meeting_reopening",
        reopening.id,
        ["meeting_id", "reason", "closed_at"],
    )
    return {**_answer(svc, meeting), "reopened_at": _iso(now), "listed_again": listed_again}
