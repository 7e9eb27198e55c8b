"""Case by case at the meeting: the minutes of each case and the actions agreed.

Minutes are written by the panel's chair or coordinator once the meeting is ready
(``conduct.readiness``) and read by the agencies that attended, through the sharing engine's
``attendee`` condition: an agency that sent apologies, or did not come, reads nothing. Actions
name an owning agency from the panel and a due date that has not passed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import minutes_signoff
from casework.meetings.action_changes import action_errors
from casework.meetings.conduct import chair_meeting, readiness, require_ready
from casework.meetings.conduct_schemas import ActionIn, MinuteIn
from casework.meetings.meeting_access import (
    agenda_cases,
    case_on_agenda,
    case_summaries,
    kind_case_on_agenda,
    kind_case_type,
    member_meeting,
    not_closed,
    panel_agencies,
    sees_case,
)
from casework.meetings.models import AgendaItem, CaseAction, Meeting, Minute
from casework.meetings.tracking import action_views
from casework.offenders.models import Nominal
from casework.roles import CASE_ROLES
from casework.schemas import load
from casework.services import Services
from casework.upsert import find_or_insert


def _visible_minutes(svc: Services, actor: Actor, meeting: Meeting) -> dict[Any, Minute]:
    stmt = select(Minute).where(
        Minute.meeting_id == meeting.id, svc.sharing.visible_clause(actor, "view", Minute)
    )
    return {m.referral_id: m for m in svc.session.scalars(stmt)}


def minute_parts(svc: Services, actor: Actor, minute: Minute | None) -> dict[str, str | None]:
    """The information shared (``text``) and the risks identified (``risks``) as far as the
    engine grants them to the reader (None where not granted or not written); the read is
    audited with the fields shown, no more (no risks written: none shown)."""
    if minute is None:
        return {"text": None, "risks": None}
    fields = svc.sharing.visible_fields(svc.session, actor, minute)
    shown = fields & ({"text", "risks"} if minute.risks else {"text"})
    audit.record(svc.session, actor, "view", "minute", minute.id, shown)
    return {name: getattr(minute, name) if name in shown else None for name in ("text", "risks")}


def _case_actions(svc: Services, actor: Actor, meeting: Meeting, rid: Any) -> list[dict[str, Any]]:
    return _actions_by_case(svc, actor, meeting, [rid]).get(rid, [])


def _actions_by_case(
    svc: Services, actor: Actor, meeting: Meeting, rids: list[Any]
) -> dict[Any, list[dict[str, Any]]]:
    """The actions agreed at this meeting for these cases, as the reader may see them (the
    engine is asked once, even when there are none)."""
    stmt = (
        select(CaseAction)
        .where(CaseAction.meeting_id == meeting.id, CaseAction.referral_id.in_(rids))
        .order_by(CaseAction.created_at)
    )
    found: dict[Any, list[dict[str, Any]]] = {}
    for view in action_views(svc, actor, list(svc.session.scalars(stmt)), "view"):
        found.setdefault(as_uuid(view["referral_id"]), []).append(view)
    return found


def _manageable(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark the open actions the case page offers to change or delete: its reader is the
    panel's chair or coordinator (``chair_meeting``), who may correct them at any time."""
    for view in views:
        view["may_manage"] = view.get("status") == "open"
    return views


@action(reads=("referral", "minute", "action"))
def case_view(svc: Services, actor: Actor, meeting_id: Any, referral_id: Any) -> dict[str, Any]:
    """One case at the meeting, for the chair: summary, minutes, actions agreed, and the
    earlier actions it is on the agenda to review."""
    meeting = chair_meeting(svc, actor, meeting_id)
    rid = case_on_agenda(svc, meeting, referral_id)
    summary = case_summaries(svc, actor, [rid]).get(rid)
    if summary is None:
        raise NotVisible()
    cases = agenda_cases(svc, meeting)
    reviewed = [c.action for c in cases if c.referral_id == rid and c.action is not None]
    return {
        "meeting": meeting,
        "case": summary,
        "position": min(c.item.position for c in cases if c.referral_id == rid),
        **_minute_and_risks(svc, actor, _visible_minutes(svc, actor, meeting).get(rid)),
        "actions": _manageable(_case_actions(svc, actor, meeting, rid)),
        "reviews": _manageable(action_views(svc, actor, reviewed, "view") if reviewed else []),
        "agencies": panel_agencies(svc, meeting),
        "problems": readiness(svc, actor, meeting),
        "closed": meeting.status == "closed",
    }


def _minute_and_risks(svc: Services, actor: Actor, minute: Minute | None) -> dict[str, Any]:
    """The case page's ``minute`` (the text) and ``risks``, as the reader may see them."""
    parts = minute_parts(svc, actor, minute)
    return {"minute": parts["text"], "risks": parts["risks"]}


def _writable_case(svc: Services, actor: Actor, meeting_id: Any, referral_id: Any) -> Any:
    meeting = chair_meeting(svc, actor, meeting_id)
    rid = case_on_agenda(svc, meeting, referral_id)
    if not sees_case(svc, actor, rid):
        raise NotVisible()
    return meeting, rid


def _find_minute(svc: Services, meeting_id: Any, about: dict[str, Any]) -> Minute | None:
    """The case's minutes at this meeting, if written (at most one: unique)."""
    same = [getattr(Minute, key) == value for key, value in about.items()]
    return svc.session.scalar(select(Minute).where(Minute.meeting_id == meeting_id, *same))


def save_minute(svc: Services, actor: Actor, meeting_id: Any, case_id: Any, data: Any) -> Minute:
    """The minutes of one case (one per case per meeting; saving again replaces them): a
    referral on a MARAC agenda, or a case of the panel kind's own (an ASB case)."""
    meeting = chair_meeting(svc, actor, meeting_id)
    if kind_case_type(svc, meeting) is not None:
        return _kind_minute(svc, actor, meeting, case_id, data)
    return _referral_minute(svc, actor, meeting_id, case_id, data)


@action(reads=("referral",), changes=("minute",))
def _referral_minute(
    svc: Services, actor: Actor, meeting_id: Any, referral_id: Any, data: Any
) -> Minute:
    meeting, rid = _writable_case(svc, actor, meeting_id, referral_id)
    return _write_minute(svc, actor, meeting, {"referral_id": rid}, data)


@action(reads=("case",), changes=("minute",))
def _kind_minute(svc: Services, actor: Actor, meeting: Meeting, case_id: Any, data: Any) -> Minute:
    return _write_minute(
        svc, actor, meeting, kind_case_on_agenda(svc, actor, meeting, case_id), data
    )


def _write_minute(
    svc: Services, actor: Actor, meeting: Meeting, about: dict[str, Any], data: Any
) -> Minute:
    not_closed(meeting, "the minutes")
    require_ready(svc, actor, meeting)
    values = load(MinuteIn(), data)
    # minutes another request inserted first are replaced, as a second save would be
    minute, created = find_or_insert(
        svc.session,
        lambda: _find_minute(svc, meeting.id, about),
        lambda: Minute(meeting_id=meeting.id, **about),
    )
    verb = "create" if created else "update"
    minute.author_id = actor.user_id
    minute.text = values["text"]
    if "risks" in values:  # left out: the risks minuted earlier are kept
        minute.risks = (values["risks"] or "").strip() or None
    svc.session.add(minute)
    svc.session.flush()
    if not svc.sharing.may(svc.session, actor, "view", minute):
        # minutes go to the agencies present (``readiness``): the writer's must be one
        raise Forbidden("Minutes are recorded by an agency they are shared with")
    written = ["text", "risks"] if "risks" in values else ["text"]
    audit.record(svc.session, actor, verb, "minute", minute.id, written)
    minutes_signoff.note_change(svc, actor, meeting)  # after approval: the next version
    return minute


def _record_action(
    svc: Services,
    actor: Actor,
    meeting: Meeting,
    data: Any,
    about: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> CaseAction:
    """The one way an action is agreed, from the case page or the API: the meeting must be
    open and ready; ``about`` names the case (``referral_id``) or nominal (``nominal_id``)."""
    not_closed(meeting, "actions")
    require_ready(svc, actor, meeting)
    errors = dict(errors or {})
    values: dict[str, Any] = {}
    try:
        values = load(ActionIn(), data)
    except Invalid as exc:
        errors.update(exc.fields)
    errors = action_errors(svc, meeting, data, errors, values)
    if errors:
        raise Invalid(errors)
    members = {a.code: a for a in panel_agencies(svc, meeting)}
    act = CaseAction(
        meeting_id=meeting.id,
        owner_agency_id=members[values["owner_agency"]].id,
        due_on=values["due_on"],
        status="open",
        created_by_id=actor.user_id,
        **about,
    )
    act.description = values["description"]
    svc.session.add(act)
    svc.session.flush()
    if not svc.sharing.may(svc.session, actor, "edit", act):
        # the protocol lets the panel's chair and coordinator manage the actions they agree
        raise Forbidden("The protocol does not let you manage this action")
    audit.record(
        svc.session,
        actor,
        "create",
        "action",
        act.id,
        ["description", "owner_agency", "due_date", "status"],
    )
    minutes_signoff.note_change(svc, actor, meeting)  # after approval: the next version
    return act


@action(reads=("referral",), changes=("action",))
def add_action(
    svc: Services, actor: Actor, meeting_id: Any, referral_id: Any, data: Any
) -> CaseAction:
    """An action agreed for a case on the case page: what, which member agency owns it, due
    when (today or later). Every problem with the form is reported at once."""
    meeting, rid = _writable_case(svc, actor, meeting_id, referral_id)
    return _record_action(svc, actor, meeting, data, {"referral_id": rid})


ABOUT_MISSING = (
    "Give the referral_id of a case, the nominal_id of a person, or the case_id of a panel's "
    "own case, on the agenda"
)
ABOUT_KEYS = ("referral_id", "nominal_id", "case_id")


def agree_action(svc: Services, actor: Actor, meeting_id: Any, data: Any) -> CaseAction:
    """The API's door to ``add_action``: the body names the case (``referral_id``, MARAC), the
    person (``nominal_id``, offender panels) or a case of the panel kind's own (``case_id``,
    an ASB case) on the meeting's agenda. It must be on this meeting's agenda and visible to
    the caller, else 404 as if it did not exist. Each kind of case is agreed by an action that
    declares the record type it reads, so the guard knows which the engine must have checked."""
    meeting = chair_meeting(svc, actor, meeting_id)
    body = dict(data) if isinstance(data, dict) else data
    named: dict[str, Any] = {}
    if isinstance(body, dict):
        named = {k: body[k] for k in ABOUT_KEYS if body.get(k) is not None}
        body = {k: v for k, v in body.items() if k not in ABOUT_KEYS}  # nulls: not named
    if len(named) != 1:
        # never returns: the missing case is reported with every other problem of the body
        return _record_action(svc, actor, meeting, body, {}, {"referral_id": [ABOUT_MISSING]})
    key, value = next(iter(named.items()))
    agree = {
        "referral_id": _agree_for_referral,
        "nominal_id": _agree_for_nominal,
        "case_id": _agree_for_case,
    }[key]
    return agree(svc, actor, meeting, value, body)


@action(reads=("referral",), changes=("action",))
def _agree_for_referral(
    svc: Services, actor: Actor, meeting: Meeting, referral_id: Any, body: Any
) -> CaseAction:
    rid = _writable_case(svc, actor, meeting.id, referral_id)[1]
    return _record_action(svc, actor, meeting, body, {"referral_id": rid})


@action(reads=("nominal", "youth_record"), changes=("action",))
def _agree_for_nominal(
    svc: Services, actor: Actor, meeting: Meeting, nominal_id: Any, body: Any
) -> CaseAction:
    nid = _listed_nominal(svc, actor, meeting, nominal_id)
    return _record_action(svc, actor, meeting, body, {"nominal_id": nid})


@action(reads=("case",), changes=("action",))
def _agree_for_case(
    svc: Services, actor: Actor, meeting: Meeting, case_id: Any, body: Any
) -> CaseAction:
    about = kind_case_on_agenda(svc, actor, meeting, case_id)
    return _record_action(svc, actor, meeting, body, about)


def _listed_nominal(svc: Services, actor: Actor, meeting: Meeting, nominal_id: Any) -> Any:
    """A nominal on this meeting's agenda that the caller may see (else 404)."""
    nid = as_uuid(nominal_id)
    listed = nid is not None and svc.session.scalar(
        select(exists().where(AgendaItem.meeting_id == meeting.id, AgendaItem.nominal_id == nid))
    )
    nominal = svc.session.get(Nominal, nid) if listed else None
    if nominal is None or not svc.sharing.may(svc.session, actor, "view", nominal):
        raise NotVisible()
    return nid


@action(reads=("referral", "minute", "action"))
def minutes_view(svc: Services, actor: Actor, meeting_id: Any) -> dict[str, Any]:
    """A meeting's minutes as a member agency receives them: only if it attended (the
    engine's ``attendee`` condition), in agenda order, with the actions it may see."""
    meeting = member_meeting(svc, actor, meeting_id, *CASE_ROLES)
    minutes = _visible_minutes(svc, actor, meeting)
    order: dict[Any, int] = {}
    for case in agenda_cases(svc, meeting):
        if case.referral_id in minutes:
            order.setdefault(case.referral_id, case.item.position)
    summaries = case_summaries(svc, actor, list(order))
    actions = _actions_by_case(svc, actor, meeting, list(order))
    rows = []
    for number, rid in enumerate(sorted(order, key=lambda r: order[r]), start=1):
        rows.append(
            {
                "number": number,
                "case": summaries.get(rid),
                **minute_parts(svc, actor, minutes[rid]),
                "actions": actions.get(rid, []),
            }
        )
    return {"meeting": meeting, "rows": rows, "closed": meeting.status == "closed"}
