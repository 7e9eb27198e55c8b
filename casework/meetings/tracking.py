"""Actions agreed at meetings, tracked to done or not done by the agency that owns them.

DOMAIN.md splits an action not done by why: the circumstances changed, or the agency did not
act. The split is recorded with an outcome note so the next meeting's review of incomplete
actions (and the partnership's figures) can tell the two apart. An action stays "open" until
its agency records an outcome; open actions are what the next draft agenda brings back as
review items.

Only the owning agency records the outcome. The coordinator and chair may see every action
of their panel (the protocol grants it), but an outcome written for another agency would be
hearsay, so they get 403 here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, or_, select

from casework import clock
from casework.actors import Actor
from casework.agencies.actions import codes_of
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid, utcnow
from casework.errors import Forbidden, Invalid
from casework.meetings.action_changes import changers, history_of, history_view, managed_action
from casework.meetings.action_schemas import ActionQuery, CompleteIn, NotDoneIn
from casework.meetings.conduct_schemas import ActionUpdateIn
from casework.meetings.meeting_access import case_summaries, panel_agencies
from casework.meetings.models import ActionChange, CaseAction, Meeting
from casework.panels.models import PanelMember
from casework.referrals.models import Referral
from casework.roles import CASE_ROLES, MANAGERS
from casework.schemas import load
from casework.services import Services
from casework.sharing.engine import header_fields, prune

REASON_NAMES = {
    "circumstances_changed": "Circumstances changed",
    "agency_did_not_act": "Agency did not act",
}
STATUS_NAMES = {"open": "Open", "done": "Done", "not_done": "Not done", "deleted": "Deleted"}


def dump_action(act: CaseAction, owner_code: str | None) -> dict[str, Any]:
    """Everything about an action; callers prune it to what the reader may see.

    ``not_done_reason`` travels with ``status`` (it is part of where the action stands).
    """
    return {
        "id": str(act.id),
        "meeting_id": str(act.meeting_id),
        "referral_id": None if act.referral_id is None else str(act.referral_id),
        "nominal_id": None if act.nominal_id is None else str(act.nominal_id),
        "case_type": act.case_type,
        "case_id": None if act.case_id is None else str(act.case_id),
        "description": act.description,
        "owner_agency": owner_code,
        "due_date": act.due_on.isoformat(),
        "status": act.status,
        "not_done_reason": act.not_done_reason,
        "outcome": act.outcome,
    }


def action_views(
    svc: Services, actor: Actor, actions: list[CaseAction], verb: str
) -> list[dict[str, Any]]:
    """The actions as ``actor`` may see them (invisible ones dropped), each read audited,
    each with its corrections and deletion (``history``: see ``action_changes``) as far as
    the reader may see the fields they changed."""
    codes = codes_of(svc, (a.owner_agency_id for a in actions))
    today = clock.today()
    histories = history_of(svc, (a.id for a in actions))  # shown only as far as granted
    who = changers(svc, (c for changes in histories.values() for c in changes))

    def shape(act: CaseAction, fields: frozenset[str]) -> dict[str, Any]:
        allowed = set(fields) | ({"not_done_reason"} if "status" in fields else set())
        dumped = dump_action(act, codes.get(act.owner_agency_id))
        view = prune(dumped, allowed, header_fields("action"))
        # which person an offender panel's action is about: an id, like ``referral_id``
        view["nominal_id"] = dumped["nominal_id"]
        view["case_type"], view["case_id"] = dumped["case_type"], dumped["case_id"]
        view["overdue"] = (
            {"due_date", "status"} <= fields and act.status == "open" and (act.due_on < today)
        )
        view["history"] = [history_view(c, fields, who) for c in histories.get(act.id, [])]
        if act.status == "deleted" and "status" in fields:
            view["deleted_reason"] = next(
                (h.get("reason") for h in view["history"] if h["kind"] == "deleted"), None
            )
        return view

    read = "list" if verb == "list" else "view"
    return svc.sharing.disclose(
        svc.session, actor, CaseAction, actions, verb=verb, audit_as=read, shape=shape
    )


@action(reads=("action", "referral"))
def my_actions(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Open actions owned by the caller's agency, soonest due first, each with its case's
    reference, the meeting's date and (where the protocol still shows the case) the victim's
    name, so the agency knows which case it is about."""
    require_role(actor, *CASE_ROLES)
    if actor.agency_id is None:
        return _listed(svc, actor, [])  # nothing, as the engine answers for no records
    stmt = (
        select(CaseAction)
        .where(
            CaseAction.owner_agency_id == actor.agency_id,
            CaseAction.status == "open",
            svc.sharing.visible_clause(actor, "list", CaseAction),
        )
        .order_by(CaseAction.due_on, CaseAction.created_at)
    )
    return _listed(svc, actor, list(svc.session.scalars(stmt)))


def _listed(svc: Services, actor: Actor, actions: list[CaseAction]) -> list[dict[str, Any]]:
    """A list of actions as ``actor`` may see them, with their cases' context."""
    views = action_views(svc, actor, actions, "list")
    _add_context(svc, actor, actions, views)
    return views


def _add_context(
    svc: Services, actor: Actor, actions: list[CaseAction], views: list[dict[str, Any]]
) -> None:
    """Reference and meeting date identify a case without naming anyone; the name is added
    only where the engine grants it to this reader."""
    rids = {a.referral_id for a in actions if a.referral_id}
    refs: dict[Any, str] = {}
    if rids:
        refs = dict(
            svc.session.execute(
                select(Referral.id, Referral.reference).where(Referral.id.in_(rids))
            ).all()
        )
    names = case_summaries(
        svc, actor, list(rids), only=frozenset({"victim.first_name", "victim.last_name"})
    )
    mids = {a.meeting_id for a in actions}
    dates = {}
    if mids:
        stmt = select(Meeting.id, Meeting.starts_at).where(Meeting.id.in_(mids))
        dates = dict(svc.session.execute(stmt).all())
    by_id = {str(a.id): a for a in actions}
    for view in views:
        act = by_id[view["id"]]
        view["case_reference"] = refs.get(act.referral_id)
        view["case"] = names.get(act.referral_id)
        starts = dates.get(act.meeting_id)
        view["meeting_starts_at"] = starts.isoformat() if starts else None


def _owned(svc: Services, actor: Actor, action_id: Any) -> CaseAction:
    require_role(actor, *CASE_ROLES)
    act, _ = svc.sharing.get(svc.session, actor, CaseAction, as_uuid(action_id), verb="edit")
    if act.owner_agency_id != actor.agency_id:
        raise Forbidden("Only the agency that owns this action can record its outcome")
    return act


@action(reads=("action", "referral"))
def action_for_update(svc: Services, actor: Actor, action_id: Any) -> dict[str, Any]:
    """One action of the caller's agency, for its outcome form."""
    act = _owned(svc, actor, action_id)
    views = action_views(svc, actor, [act], "edit")
    _add_context(svc, actor, [act], views)
    return views[0]


def _record_outcome(
    svc: Services, actor: Actor, action_id: Any, read: Callable[[], tuple[str, str | None, str]]
) -> CaseAction:
    """The one way an outcome is written (page and API): the owning agency only, once, for an
    action still open; ``read`` loads the caller's input as (status, reason, outcome) after
    the stale-state check, so a stale form learns what happened before any field error."""
    act = _owned(svc, actor, action_id)
    svc.session.refresh(act, with_for_update=True)
    if act.status != "open":
        name = STATUS_NAMES[act.status].lower()
        raise Invalid(
            {"status": [f"This action is already recorded as {name}"]},
            message=(
                "The panel's chair or coordinator has deleted this action."
                if act.status == "deleted"
                else "Someone in your agency has already recorded this action's outcome."
            ),
            code="already_updated",
        )
    status, reason, outcome = read()
    act.status = status
    act.not_done_reason = reason if status == "not_done" else None
    act.outcome = outcome
    act.completed_at = utcnow()
    svc.session.flush()
    written = ["status", "outcome", *(["not_done_reason"] if act.not_done_reason else [])]
    audit.record(svc.session, actor, "update", "action", act.id, written)
    return act


@action(changes=("action",))
def update_action(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """Record the outcome: done, or not done with why (one of DOMAIN.md's two reasons)."""

    def read() -> tuple[str, str | None, str]:
        values = load(ActionUpdateIn(), data)
        return values["status"], values["not_done_reason"], values["outcome"]

    return _record_outcome(svc, actor, action_id, read)


@action(changes=("action",))
def complete_action(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """The API's "done", with its outcome (the same rules as the outcome page)."""

    def read() -> tuple[str, str | None, str]:
        return "done", None, load(CompleteIn(), data)["outcome"]

    return _record_outcome(svc, actor, action_id, read)


@action(changes=("action",))
def action_not_done(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """The API's "not done": DOMAIN.md's reason and an explanation (stored as the outcome)."""

    def read() -> tuple[str, str | None, str]:
        values = load(NotDoneIn(), data)
        return "not_done", values["reason"], values["explanation"]

    return _record_outcome(svc, actor, action_id, read)


@action(reads=("action", "referral"))
def action_for_change(svc: Services, actor: Actor, action_id: Any) -> dict[str, Any]:
    """An action for its chair's or coordinator's "change" and "delete" pages: as they may
    see it, with the panel's agencies and where the action was agreed."""
    act, meeting = managed_action(svc, actor, action_id)
    views = action_views(svc, actor, [act], "edit")
    _add_context(svc, actor, [act], views)
    return {
        "action": views[0],
        "open": act.status == "open",
        "meeting": meeting,
        "agencies": panel_agencies(svc, meeting),
    }


@action(reads=("action", "referral"))
def get_action(svc: Services, actor: Actor, action_id: Any) -> dict[str, Any]:
    """One action as the caller may see it (404 if not at all), with its history."""
    require_role(actor, *CASE_ROLES)
    act, _ = svc.sharing.get(svc.session, actor, CaseAction, as_uuid(action_id))
    views = action_views(svc, actor, [act], "view")
    _add_context(svc, actor, [act], views)
    return views[0]


@action(reads=("action", "referral"))
def list_actions(svc: Services, actor: Actor, query: Any) -> list[dict[str, Any]]:
    """The caller's agency's actions and, for a coordinator or chair, every action of the
    panels their agency sits on; filtered by ``status``, ``overdue`` and ``meeting_id``,
    soonest due first, through the sharing engine's list filter (each row audited)."""
    require_role(actor, *CASE_ROLES)
    q = load(ActionQuery(), query)
    if actor.agency_id is None:
        return _listed(svc, actor, [])  # nothing, as the engine answers for no records
    scope = [CaseAction.owner_agency_id == actor.agency_id]
    if actor.has_any(*MANAGERS):
        panels = select(PanelMember.panel_id).where(PanelMember.agency_id == actor.agency_id)
        meetings = select(Meeting.id).where(Meeting.panel_id.in_(panels))
        scope.append(CaseAction.meeting_id.in_(meetings))
    stmt = select(CaseAction).where(
        or_(*scope), svc.sharing.visible_clause(actor, "list", CaseAction)
    )
    if q["status"]:
        stmt = stmt.where(CaseAction.status == q["status"])
    late = and_(CaseAction.status == "open", CaseAction.due_on < clock.today())
    if q["overdue"] == "true":
        stmt = stmt.where(late)
    elif q["overdue"] == "false":
        stmt = stmt.where(~late)
    if q["meeting_id"]:
        stmt = stmt.where(CaseAction.meeting_id == q["meeting_id"])
    order = (CaseAction.due_on, CaseAction.created_at)
    return _listed(svc, actor, list(svc.session.scalars(stmt.order_by(*order))))


@action(reads=("action", "referral"))
def changed_actions(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """What the chair or coordinator changed under the caller's agency: its actions that
    were corrected or deleted, and actions moved from it to another agency, latest first."""
    require_role(actor, *CASE_ROLES)
    if actor.agency_id is None:
        return _listed(svc, actor, [])  # nothing, as the engine answers for no records
    touched = select(ActionChange.action_id).where(
        or_(
            ActionChange.owner_before_id == actor.agency_id,
            ActionChange.action_id.in_(
                select(CaseAction.id).where(CaseAction.owner_agency_id == actor.agency_id)
            ),
        )
    )
    latest = (
        select(func.max(ActionChange.changed_at))
        .where(ActionChange.action_id == CaseAction.id)
        .scalar_subquery()
    )
    stmt = (
        select(CaseAction)
        .where(CaseAction.id.in_(touched), svc.sharing.visible_clause(actor, "list", CaseAction))
        .order_by(latest.desc(), CaseAction.id)
    )
    actions = list(svc.session.scalars(stmt))
    views = _listed(svc, actor, actions)
    owners = {str(a.id): a.owner_agency_id for a in actions}
    for view in views:
        view["ours"] = owners[view["id"]] == actor.agency_id
    return views
