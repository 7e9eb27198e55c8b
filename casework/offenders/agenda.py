"""Offender-panel agenda items: candidates from the targeting matrix and classification reviews.

``offender_agenda_items`` is what the draft agenda (``casework.meetings.agenda.build_draft``)
adds for a PPO, Prevent and Deter or IOM meeting, after the cases it lists itself:

* **review** items: nominals of a PPO cohort whose classification review is due by the
  meeting day (casework/offenders/classification.py);
* **candidate** items: the top ``TARGETING_AGENDA_CANDIDATES`` (10) of the matrix on the day
  the draft is built, leaving out anyone already proposed on another scheduled meeting of the
  panel and anyone the panel rejected in the last ``TARGETING_REJECTED_QUIET_DAYS`` (90).

It is idempotent like ``build_draft``: a nominal already on the agenda is not added again, so
running it twice adds nothing new unless the matrix or the cohort changed (someone selected
as a candidate earlier in the meeting then gets a review item). Items carry only the nominal
id; what each reader sees of them is decided when they are read (``meeting_offender_items``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.errors import Invalid
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders.actions import OFFENDER_PANELS, member_panels
from casework.offenders.classification import disclose_reviews, reviews
from casework.offenders.models import Classification
from casework.offenders.models import TargetingDecision as Decision
from casework.offenders.targeting import (
    Scored,
    disclose,
    meeting_day,
    offender_meeting,
    quiet_since,
    ranked,
)
from casework.panels.models import Panel
from casework.roles import MANAGERS
from casework.services import Services

RECENT_DAYS = 90


def agenda_size(svc: Services) -> int:
    return int(svc.settings.get("TARGETING_AGENDA_CANDIDATES", 10))


def _next_position(svc: Services, meeting: Meeting) -> int:
    last = svc.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    return (last or 0) + 1


def offender_agenda_items(svc: Services, meeting: Meeting) -> list[AgendaItem]:
    """Add the due reviews and top candidates to a scheduled offender-panel meeting's agenda
    (module docstring); returns the items added (none for a MARAC meeting)."""
    panel = svc.session.get(Panel, meeting.panel_id)
    if panel is None or panel.kind not in OFFENDER_PANELS or meeting.status != "scheduled":
        return []
    day = meeting_day(meeting)
    as_of = min(clock.today(), day)
    here = {
        (kind, nid)
        for kind, nid in svc.session.execute(
            select(AgendaItem.kind, AgendaItem.nominal_id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.nominal_id.is_not(None)
            )
        )
    }
    proposed_elsewhere = (
        select(AgendaItem.nominal_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Meeting.panel_id == panel.id,
            Meeting.status == "scheduled",
            Meeting.id != meeting.id,
            AgendaItem.kind == "candidate",
            AgendaItem.nominal_id.is_not(None),
        )
    )
    rejected = select(Decision.nominal_id).where(
        Decision.panel_id == panel.id,
        Decision.decision == "rejected",
        Decision.decided_on >= quiet_since(svc, as_of),
    )
    wanted: list[tuple[str, uuid.UUID]] = [
        ("review", r.nominal_id) for r in reviews(svc, panel, day, due_only=True)
    ]
    top = ranked(svc, panel.id, as_of, agenda_size(svc), exclude=[proposed_elsewhere, rejected])
    wanted += [("candidate", s.nominal_id) for s in top]
    position = _next_position(svc, meeting)
    added = []
    for kind, nominal_id in wanted:
        # A review once per person; a candidate only if not on this agenda at all (someone
        # selected earlier in the meeting is reviewed as a member, not proposed again).
        listed = {n for _, n in here} if kind == "candidate" else {n for k, n in here if k == kind}
        if nominal_id in listed:
            continue
        item = AgendaItem(
            meeting_id=meeting.id, position=position, kind=kind, nominal_id=nominal_id
        )
        svc.session.add(item)
        here.add((kind, nominal_id))
        added.append(item)
        position += 1
    if added:
        svc.session.flush()
        svc.session.expire(meeting, ["items"])
    return added


@action
def add_offender_items(svc: Services, actor: Actor, meeting_id: Any) -> list[AgendaItem]:
    """The coordinator's button for the same thing the draft agenda does."""
    meeting, _ = offender_meeting(svc, actor, meeting_id)
    if meeting.status != "scheduled":
        raise Invalid(
            {"_schema": [f"The meeting is {meeting.status}: its agenda can no longer change"]},
            code="meeting_not_open",
        )
    svc.session.flush()
    svc.session.refresh(meeting, with_for_update=True)  # one builder at a time per meeting
    added = offender_agenda_items(svc, meeting)
    if added:
        if meeting.agenda_status == "none":
            meeting.agenda_status = "draft"
        audit.record(svc.session, actor, "update", "meeting", meeting.id, ["agenda"])
    return added


def _items(svc: Services, meeting: Meeting, kind: str) -> list[AgendaItem]:
    stmt = (
        select(AgendaItem)
        .where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.kind == kind,
            AgendaItem.nominal_id.is_not(None),
        )
        .order_by(AgendaItem.position)
    )
    return list(svc.session.scalars(stmt))


def _candidates(
    svc: Services, actor: Actor, meeting: Meeting, panel: Panel, as_of: date
) -> list[dict[str, Any]]:
    items = _items(svc, meeting, "candidate")
    ids = [i.nominal_id for i in items if i.nominal_id]
    decided = {
        d.nominal_id: d
        for d in svc.session.scalars(
            select(Decision).where(Decision.meeting_id == meeting.id, Decision.nominal_id.in_(ids))
        )
    }
    scores = {s.nominal_id: s for s in ranked(svc, panel.id, as_of, None, only=ids)} if ids else {}
    rows = [
        scores.get(nid) or Scored(nid, decided[nid].score if nid in decided else 0, 0, as_of)
        for nid in ids
    ]
    out = disclose(svc, actor, rows, as_of, panel.id)  # the engine is asked even for none
    # Someone the reader may not see is left out of ``out``; the rest keep their agenda place.
    positions = {str(i.nominal_id): i.position for i in items}
    for entry in out:
        entry["position"] = positions[entry["nominal_id"]]
        decision = decided.get(uuid.UUID(entry["nominal_id"]))
        entry["decision"] = (
            {"decision": decision.decision, "score": decision.score, "reason": decision.reason}
            if decision
            else None
        )
    return out


def _reviews(
    svc: Services, actor: Actor, meeting: Meeting, panel: Panel, day: date
) -> list[dict[str, Any]]:
    items = _items(svc, meeting, "review")
    ids = [i.nominal_id for i in items if i.nominal_id]
    if not ids:
        return []
    here = {
        c.nominal_id: c.classification
        for c in svc.session.scalars(
            select(Classification)
            .where(Classification.meeting_id == meeting.id, Classification.nominal_id.in_(ids))
            .order_by(Classification.created_at)
        )
    }
    rows = disclose_reviews(svc, actor, ids, reviews(svc, panel, day), clock.today(), here)
    positions = {str(i.nominal_id): i.position for i in items}
    for row in rows:  # rows the reader may not see are already left out
        row["position"] = positions[row["nominal_id"]]
    return rows


@action(reads=("nominal", "youth_record"))
def meeting_offender_items(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """A meeting's candidates and reviews as its coordinator or chair may see them.

    Candidates show the score on the meeting day (today for a future meeting) and any
    decision already recorded; reviews the current classification and review date.
    """
    meeting, panel = offender_meeting(svc, actor, meeting_id)
    day = meeting_day(meeting)
    today = clock.today()
    return {
        "meeting": meeting,
        "panel": panel,
        "day": day,
        "open": meeting.status == "scheduled",
        "decidable": meeting.status != "cancelled" and day <= today,
        "candidates": _candidates(svc, actor, meeting, panel, min(today, day)),
        "reviews": _reviews(svc, actor, meeting, panel, day),
    }


@action
def offender_meetings(
    svc: Services, actor: Actor, today: date | None = None
) -> list[dict[str, Any]]:
    """For a coordinator or chair: each offender panel of their agency with its meetings from
    ``RECENT_DAYS`` ago onwards (not cancelled), where candidates and reviews are decided."""
    require_role(actor, *MANAGERS)
    today = today or clock.today()
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), time(0), tzinfo=UTC)
    out = []
    for panel in member_panels(svc, actor):
        meetings = svc.session.scalars(
            select(Meeting)
            .where(
                Meeting.panel_id == panel.id,
                Meeting.status != "cancelled",
                Meeting.starts_at >= since,
            )
            .order_by(Meeting.starts_at)
        )
        out.append({"panel": panel, "meetings": [(m, meeting_day(m)) for m in meetings]})
    return out
