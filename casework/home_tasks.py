"""What the home page lists: the work waiting for the signed-in person today, by role.

Every number here is a count of records the caller may see (the sharing engine's
``visible_clause`` is in each query over case records) or of meetings of panels the
caller's agency sits on (meetings carry no case data). Lists of cases go through
``disclose`` so each row shown is audited as a list read. Nothing here changes anything.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select

from casework import clock
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Forbidden
from casework.meetings import triage
from casework.meetings.minutes_models import MinutesSignOff
from casework.meetings.models import AgendaItem, CaseAction, Meeting, ResearchNote
from casework.panels.models import Panel, PanelMember
from casework.referrals import matches
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES, ENGAGEMENT_RECORDERS, MANAGERS
from casework.safety_plans import actions as safety_plans
from casework.services import Services

# Referral states in which an IDVA still works the case.
OPEN_STATES = ("submitted", "accepted", "listed", "heard")


def _my_panels(actor: Actor) -> Any:
    """The panels the caller's agency is a member of, as a subquery of ids."""
    return select(PanelMember.panel_id).where(PanelMember.agency_id == actor.agency_id)


def _meetings_ahead(actor: Actor) -> Any:
    return (
        select(Meeting, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Meeting.panel_id.in_(_my_panels(actor)),
            Meeting.status == "scheduled",
            Meeting.starts_at > clock.now(),
        )
    )


def _meeting_row(meeting: Meeting, panel_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(meeting.id),
        "panel_name": panel_name,
        "starts_at": meeting.starts_at,
        **extra,
    }


def agendas_due(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Meetings ahead whose cut-off or circulation date has come and whose agenda is not
    published: ``draft`` when nothing is built yet, else ``publish``."""
    today = clock.today()
    stmt = _meetings_ahead(actor).where(
        Meeting.agenda_status != "published",
        or_(Meeting.cutoff_on <= today, Meeting.circulate_on <= today),
    )
    return [
        _meeting_row(m, name, todo="draft" if m.agenda_status == "none" else "publish")
        for m, name in svc.session.execute(stmt.order_by(Meeting.starts_at))
    ]


def minutes_due(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Meetings whose minutes were due by today and are not approved."""
    approved = exists().where(
        MinutesSignOff.meeting_id == Meeting.id, MinutesSignOff.status == "approved"
    )
    stmt = (
        select(Meeting, Panel.name)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(
            Meeting.panel_id.in_(_my_panels(actor)),
            Meeting.status != "cancelled",
            Meeting.minutes_due_on <= clock.today(),
            ~approved,
        )
        .order_by(Meeting.minutes_due_on)
    )
    return [_meeting_row(m, name, due_on=m.minutes_due_on) for m, name in svc.session.execute(stmt)]


def _actions(svc: Services, actor: Actor) -> Any:
    return [CaseAction.status == "open", svc.sharing.visible_clause(actor, "list", CaseAction)]


def overdue_by_agency(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Open actions past their due date, counted by the agency that owns them."""
    stmt = (
        select(Agency.code, func.count())
        .join(CaseAction, CaseAction.owner_agency_id == Agency.id)
        .where(*_actions(svc, actor), CaseAction.due_on < clock.today())
        .group_by(Agency.code)
        .order_by(Agency.code)
    )
    return [{"agency": code, "overdue": n} for code, n in svc.session.execute(stmt)]


def agency_actions(svc: Services, actor: Actor) -> dict[str, int]:
    """The caller's agency's open actions, and how many of them are overdue.

    An agency's own open actions are few: they are found by index, then the engine's prepared
    statement says which the caller may list (``Sharing.which``). Every page's navigation
    asks (``overdue_count``), and building ``visible_clause`` for actions under every protocol
    cost a sixth of a page (``docs/benchmarks.md``)."""
    if actor.agency_id is None:
        return {"open": 0, "overdue": 0}
    mine = select(CaseAction.id, CaseAction.due_on).where(
        CaseAction.status == "open", CaseAction.owner_agency_id == actor.agency_id
    )
    due = dict(svc.session.execute(mine).tuples().all())
    listed = svc.sharing.which(svc.session, actor, "list", CaseAction, list(due))
    today = clock.today()
    late = [i for i in listed if due[i] < today]
    return {"open": len(listed), "overdue": len(late)}


def research_due(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Circulated agendas of the caller's panels whose meeting is ahead, each with how many
    of its cases (that the caller may see) have no note from the caller's agency yet."""
    rows = []
    listed = svc.sharing.visible_clause(actor, "list", Referral)
    stmt = _meetings_ahead(actor).where(
        Meeting.circulated_at.is_not(None), Meeting.circulated_at <= clock.now()
    )
    for meeting, name in svc.session.execute(stmt.order_by(Meeting.starts_at)):
        noted = exists().where(
            ResearchNote.meeting_id == meeting.id,
            ResearchNote.agency_id == actor.agency_id,
            ResearchNote.referral_id == AgendaItem.referral_id,
        )
        count = (
            select(func.count(func.distinct(AgendaItem.referral_id)))
            .join(Referral, Referral.id == AgendaItem.referral_id)
            .where(
                AgendaItem.meeting_id == meeting.id,
                listed,
                ~noted,
            )
        )
        rows.append(_meeting_row(meeting, name, to_research=int(svc.session.scalar(count) or 0)))
    return rows


def next_meeting_pack(svc: Services, actor: Actor) -> dict[str, Any] | None:
    """The caller's panels' next meeting, and how many of its cases have at least one
    member agency whose research the caller cannot yet read ("not researched yet" on the
    collated page; the caller's own agency counts once it has written anything)."""
    listed = svc.sharing.visible_clause(actor, "list", Referral)
    readable = svc.sharing.visible_clause(actor, "view", ResearchNote)
    found = svc.session.execute(_meetings_ahead(actor).order_by(Meeting.starts_at).limit(1))
    first = found.first()
    if first is None:
        return None
    meeting, name = first
    members = select(PanelMember.agency_id).where(PanelMember.panel_id == meeting.panel_id)
    researched = exists().where(
        ResearchNote.meeting_id == meeting.id,
        ResearchNote.referral_id == AgendaItem.referral_id,
        ResearchNote.agency_id == PanelMember.agency_id,
        or_(ResearchNote.shared_before_meeting, ResearchNote.agency_id == actor.agency_id),
        readable,
    )
    gap = exists(members.where(~researched).correlate(AgendaItem))
    cases = (
        select(AgendaItem.referral_id)
        .join(Referral, Referral.id == AgendaItem.referral_id)
        .where(
            AgendaItem.meeting_id == meeting.id,
            listed,
        )
    )
    total = svc.session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    gaps = select(func.count()).select_from(cases.where(gap).subquery())
    return _meeting_row(
        meeting,
        name,
        cases=int(total),
        gaps=int(svc.session.scalar(gaps) or 0),
        first_case=svc.session.scalar(cases.order_by(AgendaItem.position).limit(1)),
    )


def _next_meetings(svc: Services, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Each referral's next scheduled meeting it is listed at."""
    if not ids:
        return {}
    stmt = (
        select(AgendaItem.referral_id, func.min(Meeting.starts_at))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.referral_id.in_(ids),
            Meeting.status == "scheduled",
            Meeting.starts_at > clock.now(),
        )
        .group_by(AgendaItem.referral_id)
    )
    return dict(svc.session.execute(stmt).all())


def engagement_status(referral: Referral) -> str:
    """One word for the IDVA's list (the SafeLives measure: offered, then engaged)."""
    if referral.idva_engaged:
        return "Engaged"
    if referral.idva_offered:
        return "Offered, not engaged"
    if referral.idva_offered is False:
        return "Not offered (unable to contact)"
    return "Not recorded"


def my_cases(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """The open cases assigned to this IDVA, as the engine lets them be listed."""
    stmt = (
        select(Referral)
        .where(
            Referral.assigned_idva_id == actor.user_id,
            Referral.status.in_(OPEN_STATES),
            svc.sharing.visible_clause(actor, "list", Referral),
        )
        .order_by(Referral.referral_date, Referral.reference)
        .limit(100)
    )
    referrals = list(svc.session.scalars(stmt))
    shown = svc.sharing.disclosures(
        svc.session, actor, Referral, referrals, verb="list", only=frozenset()
    )
    nxt = _next_meetings(svc, [d.record.id for d in shown])
    return [
        {
            "id": str(d.record.id),
            "reference": d.record.reference,
            "status": d.record.status,
            "next_meeting": nxt.get(d.record.id),
            "engagement": engagement_status(d.record),
        }
        for d in shown
    ]


def my_referrals(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Referrals the caller submitted that they may still list, newest first."""
    stmt = (
        select(Referral)
        .where(
            Referral.referrer_user_id == actor.user_id,
            svc.sharing.visible_clause(actor, "list", Referral),
        )
        .order_by(Referral.created_at.desc())
        .limit(20)
    )
    referrals = list(svc.session.scalars(stmt))
    shown = svc.sharing.disclosures(
        svc.session, actor, Referral, referrals, verb="list", only=frozenset()
    )
    return [
        {"id": str(d.record.id), "reference": d.record.reference, "status": d.record.status}
        for d in shown
    ]


def next_return(today: date) -> dict[str, date]:
    """The SafeLives return is made per calendar quarter once it has ended: the next one
    due covers the current quarter and is due the day after it ends; the last complete
    quarter is the one before (its return can be made now)."""
    start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    after = (start + timedelta(days=95)).replace(day=1)
    last_start = (start - timedelta(days=80)).replace(day=1)
    return {
        "covers_from": start,
        "covers_to": after - timedelta(days=1),
        "due_on": after,
        "last_from": last_start,
        "last_to": start - timedelta(days=1),
    }


@action(reads=("referral", "action"))
def case_tasks(svc: Services, actor: Actor) -> dict[str, Any]:
    """For every case role: research due, the agency's actions, referrals submitted."""
    require_role(actor, *CASE_ROLES)
    return {
        "actions": agency_actions(svc, actor),
        "research": research_due(svc, actor),
        "submitted": my_referrals(svc, actor),
    }


@action(reads=("referral", "action"))
def manager_tasks(svc: Services, actor: Actor) -> dict[str, Any]:
    """For a coordinator or chair: what waits for them on their panels."""
    require_role(actor, *MANAGERS)
    return {
        "waiting": triage.waiting_count(svc, actor),
        "matches": matches.pending_match_count(svc, actor),
        "agendas": agendas_due(svc, actor),
        "minutes": minutes_due(svc, actor),
        "overdue_by_agency": overdue_by_agency(svc, actor),
    }


@action(reads=("referral", "research_note"))
def chair_pack(svc: Services, actor: Actor) -> dict[str, Any] | None:
    """For a chair: the next meeting's pack and its research gaps."""
    require_role(actor, "chair")
    return next_meeting_pack(svc, actor)


@action(reads=("referral",))
def idva_cases(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """For an IDVA: their open cases, next meeting and engagement."""
    require_role(actor, "idva")
    return my_cases(svc, actor)


def home_tasks(svc: Services, actor: Actor) -> dict[str, Any]:
    """Everything the home page lists for this person's roles; a section is absent when
    the person holds none of the roles it is for. Each part is its own checked action."""
    roles = set(actor.roles)
    out: dict[str, Any] = {}
    if roles & set(CASE_ROLES) and actor.agency_id is not None:
        out.update(case_tasks(svc, actor))
    if roles & set(MANAGERS):
        out.update(manager_tasks(svc, actor))
    if "chair" in roles:
        out["pack"] = chair_pack(svc, actor)
    if "idva" in roles:
        out["cases"] = idva_cases(svc, actor)
        out["plan_reviews"] = safety_plans.reviews_due(svc, actor)
    if "analyst" in roles:
        out["return"] = next_return(clock.today())
    return out


@action(reads=("action",))
def overdue_count(svc: Services, actor: Actor) -> int:
    """For the navigation's Actions link: the caller's agency's overdue open actions."""
    require_role(actor, *CASE_ROLES)
    return agency_actions(svc, actor)["overdue"]


# The engagement page's choices and the flags each records (``engagement.EngagementIn``).
# "offered" and "declined" both store offered, not engaged: the record keeps two flags.
CHOICES: dict[str, tuple[bool, bool]] = {
    "offered": (True, False),
    "engaged": (True, True),
    "declined": (True, False),
    "unable": (False, False),
}


def choice_of(referral: Referral) -> str | None:
    """The radio to select for what is recorded now (None when nothing is)."""
    if referral.idva_offered is None:
        return None
    if referral.idva_engaged:
        return "engaged"
    return "offered" if referral.idva_offered else "unable"


@action(reads=("referral",))
def engagement_form(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """What the engagement page shows: the case's reference and what is recorded, to
    those who may record it (others get the same 404 or 403 as the API)."""
    require_role(actor, *ENGAGEMENT_RECORDERS)
    rid = as_uuid(referral_id)
    referral, _ = svc.sharing.disclose_one(svc.session, actor, Referral, rid, only=frozenset())
    if not svc.sharing.may(svc.session, actor, "edit", referral):
        raise Forbidden("Only the case's IDVA or the panel's coordinator or chair records this")
    return {
        "id": str(referral.id),
        "reference": referral.reference,
        "choice": choice_of(referral),
        "status": engagement_status(referral),
    }
