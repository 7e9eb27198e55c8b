"""Community Trigger (ASB case review, Anti-social Behaviour, Crime and Policing Act 2014
s.104): an application is checked against the local threshold, decided within the configured
number of working days, heard at the panel, and the decision letter's facts are kept.

The threshold is local (each partnership publishes its own), so it is configuration:
``ASB_TRIGGER_THRESHOLD`` complaints about the behaviour within ``ASB_TRIGGER_WINDOW_DAYS``
days before the application; the decision is due ``ASB_TRIGGER_DECISION_DAYS`` working days
after it was received, counted on the panel's nation's calendar as meeting deadlines are.
A decision after that day is still recorded (the applicant is owed one) but shown as late.

Only the panel's coordinator and chair record applications and decisions, and only where the
case's protocol grants them ``edit`` on its ``community_triggers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from casework import clock
from casework.actors import Actor
from casework.asb.dump import trigger_row
from casework.asb.enforcement_access import changed, editable_case, load_all
from casework.asb.enforcement_schemas import AsbDecisionIn, AsbTriggerIn
from casework.asb.models import AsbCase, AsbIncident, CommunityTrigger
from casework.asb.policies import RECORD_TYPE
from casework.authz import action
from casework.db import as_uuid
from casework.errors import Conflict, Invalid, NotVisible
from casework.meetings.calendar import local_date, working_days_after
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.models import Panel
from casework.schemas import load, parse_date
from casework.services import Services

FIELD = "community_triggers"


def threshold(svc: Services) -> tuple[int, int]:
    """(complaints, window in days) of the local threshold."""
    return (
        int(svc.settings.get("ASB_TRIGGER_THRESHOLD", 3)),
        int(svc.settings.get("ASB_TRIGGER_WINDOW_DAYS", 183)),
    )


def decision_days(svc: Services) -> int:
    return int(svc.settings.get("ASB_TRIGGER_DECISION_DAYS", 10))


def complaints_in_window(svc: Services, case: AsbCase, received_on: date) -> int:
    """The case's incidents in the window that ends on the day the application came in."""
    _, window = threshold(svc)
    stmt = select(func.count(AsbIncident.id)).where(
        AsbIncident.case_id == case.id,
        AsbIncident.occurred_on > received_on - timedelta(days=window),
        AsbIncident.occurred_on <= received_on,
    )
    return int(svc.session.scalar(stmt) or 0)


def shown(svc: Services, trigger: CommunityTrigger) -> dict[str, Any]:
    """One application as the case page and the API show it (the case's
    ``community_triggers`` field; the caller decides whether that field is granted)."""
    meeting = svc.session.get(Meeting, trigger.meeting_id) if trigger.meeting_id else None
    heard_on = local_date(meeting.starts_at) if meeting is not None else None
    return trigger_row(trigger, heard_on, clock.today())


def _managing(svc: Services, actor: Actor, case_id: Any) -> AsbCase:
    """404 before anything else, then the engine's ``edit`` on the case's Community Triggers
    (403): the shipped protocol gives it to the panel's coordinator and chair."""
    return editable_case(svc, actor, case_id, FIELD)


@action(reads=(RECORD_TYPE,), changes=(RECORD_TYPE,))
def record_trigger(svc: Services, actor: Actor, case_id: Any, data: Any) -> dict[str, Any]:
    """``POST /asb/cases/{id}/community-triggers``: log an application and check it against
    the local threshold."""
    case = _managing(svc, actor, case_id)
    values = load(AsbTriggerIn(), data)
    received = values["received_on"]
    counted = values["complaints_counted"]
    if counted is None:
        counted = complaints_in_window(svc, case, received)
    needed, _ = threshold(svc)
    met = counted >= needed
    panel = svc.session.get(Panel, case.panel_id)
    trigger = CommunityTrigger(
        case_id=case.id,
        received_on=received,
        applicant=values["applicant"] or None,
        complaints_counted=counted,
        threshold_met=met,
        status="review" if met else "threshold_not_met",
        decision_due_on=working_days_after(received, decision_days(svc), panel.nation),
        recorded_by_id=actor.user_id,
    )
    svc.session.add(trigger)
    written = ["received_on", "complaints_counted", "threshold_met", "status", "decision_due_on"]
    if trigger.applicant:
        written.append("applicant")
    changed(svc, actor, case, [f"{FIELD}.{name}" for name in written])
    return shown(svc, trigger)


def _heard_at(svc: Services, case: AsbCase, meeting_id: Any) -> Meeting:
    """The meeting named, if it is one of the case's panel's and the case is on its agenda."""
    meeting = svc.session.get(Meeting, meeting_id)
    if meeting is None or meeting.panel_id != case.panel_id:
        raise Invalid({"meeting_id": ["Choose a meeting of this case's panel"]})
    listed = select(AgendaItem.id).where(
        AgendaItem.meeting_id == meeting.id,
        AgendaItem.case_type == RECORD_TYPE,
        AgendaItem.case_id == case.id,
    )
    if svc.session.scalar(listed.limit(1)) is None:
        raise Invalid({"meeting_id": ["Choose a meeting this case was on the agenda of"]})
    return meeting


@action(reads=(RECORD_TYPE,), changes=(RECORD_TYPE,))
def decide_trigger(
    svc: Services, actor: Actor, case_id: Any, trigger_id: Any, data: Any
) -> dict[str, Any]:
    """``POST .../community-triggers/{tid}/decision``: the review's decision, the meeting it
    was heard at and the letter's facts. Allowed after the due day, and then shown late."""
    case = _managing(svc, actor, case_id)
    tid = as_uuid(trigger_id)
    trigger = svc.session.get(CommunityTrigger, tid) if tid is not None else None
    if trigger is None or trigger.case_id != case.id:
        raise NotVisible()
    values, errors = load_all(AsbDecisionIn(), data)
    raw = data if isinstance(data, Mapping) else {}
    decided = values.get("decided_on") or (
        parse_date(raw.get("decided_on")) if "decided_on" not in errors else None
    )
    if decided is not None and decided < trigger.received_on:
        errors["decided_on"] = ["The decision cannot come before the application was received"]
    meeting = None
    meeting_id = values.get("meeting_id") or (
        as_uuid(raw.get("meeting_id")) if "meeting_id" not in errors else None
    )
    if meeting_id is not None:
        try:
            meeting = _heard_at(svc, case, meeting_id)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    if trigger.status != "review":
        why = (
            "This application did not meet the threshold, so there is no review to decide"
            if trigger.status == "threshold_not_met"
            else "This application has already been decided"
        )
        raise Conflict(why, code=f"trigger_{trigger.status}")
    trigger.decision = values["decision"]
    trigger.decided_on = values["decided_on"]
    trigger.meeting_id = meeting.id if meeting else None
    trigger.letter_sent_on = values["letter_sent_on"]
    trigger.letter_summary = values["letter_summary"] or None
    trigger.recommendations = values["recommendations"] or None
    trigger.status = "decided"
    written = ["decision", "decided_on", "status"]
    written += [
        k
        for k in ("meeting_id", "letter_sent_on", "letter_summary", "recommendations")
        if getattr(trigger, k) is not None
    ]
    changed(svc, actor, case, [f"{FIELD}.{name}" for name in written])
    return shown(svc, trigger)


@action(reads=(RECORD_TYPE,))
def trigger_form(
    svc: Services, actor: Actor, case_id: Any, trigger_id: Any = None
) -> dict[str, Any]:
    """What the trigger forms show (nothing personal): the case's reference, and for a
    decision the application's dates and the meetings of the panel the case was on."""
    case = _managing(svc, actor, case_id)
    out: dict[str, Any] = {"case_id": str(case.id), "reference": case.reference}
    if trigger_id is None:
        return out
    tid = as_uuid(trigger_id)
    trigger = svc.session.get(CommunityTrigger, tid) if tid is not None else None
    if trigger is None or trigger.case_id != case.id:
        raise NotVisible()
    stmt = (
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            Meeting.panel_id == case.panel_id,
            AgendaItem.case_type == RECORD_TYPE,
            AgendaItem.case_id == case.id,
        )
        .order_by(Meeting.starts_at)
    )
    out["trigger"] = {
        "id": str(trigger.id),
        "status": trigger.status,
        "received_on": trigger.received_on,
        "decision_due_on": trigger.decision_due_on,
    }
    out["meetings"] = [(str(m.id), local_date(m.starts_at)) for m in svc.session.scalars(stmt)]
    return out
