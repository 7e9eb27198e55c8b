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

from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.actions import codes_of
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid, utcnow
from casework.errors import Forbidden, Invalid
from casework.meetings.conduct_schemas import ActionUpdateIn
from casework.meetings.meeting_access import CASE_ROLES, case_summaries, uk_today
from casework.meetings.models import CaseAction, Meeting
from casework.referrals.models import Referral
from casework.schemas import load
from casework.services import Services
from casework.sharing.engine import header_fields, prune

REASON_NAMES = {
    "circumstances_changed": "Circumstances changed",
    "agency_did_not_act": "Agency did not act",
}
STATUS_NAMES = {"open": "Open", "done": "Done", "not_done": "Not done"}


def dump_action(act: CaseAction, owner_code: str | None) -> dict[str, Any]:
    """Everything about an action; callers prune it to what the reader may see.

    ``not_done_reason`` travels with ``status`` (it is part of where the action stands).
    """
    return {
        "id": str(act.id),
        "meeting_id": str(act.meeting_id),
        "referral_id": None if act.referral_id is None else str(act.referral_id),
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
    """The actions as ``actor`` may see them (invisible ones dropped), each read audited."""
    granted = svc.sharing.fields_for(svc.session, actor, verb, actions)
    codes = codes_of(svc, (a.owner_agency_id for a in actions))
    today = uk_today()
    out = []
    for act in actions:
        fields = granted[act.id]
        if not fields:
            continue
        read = "list" if verb == "list" else "view"
        audit.record(svc.session, actor, read, "action", act.id, fields)
        allowed = set(fields) | ({"not_done_reason"} if "status" in fields else set())
        dumped = dump_action(act, codes.get(act.owner_agency_id))
        view = prune(dumped, allowed, header_fields("action"))
        view["overdue"] = (
            {"due_date", "status"} <= fields and act.status == "open" and (act.due_on < today)
        )
        out.append(view)
    return out


@action
def my_actions(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """Open actions owned by the caller's agency, soonest due first, each with its case's
    reference, the meeting's date and (where the protocol still shows the case) the victim's
    name, so the agency knows which case it is about."""
    require_role(actor, *CASE_ROLES)
    if actor.agency_id is None:
        return []
    stmt = (
        select(CaseAction)
        .where(
            CaseAction.owner_agency_id == actor.agency_id,
            CaseAction.status == "open",
            svc.sharing.visible_clause(actor, "list", CaseAction),
        )
        .order_by(CaseAction.due_on, CaseAction.created_at)
    )
    actions = list(svc.session.scalars(stmt))
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
        view["meeting_starts_at"] = dates.get(act.meeting_id)


def _owned(svc: Services, actor: Actor, action_id: Any) -> CaseAction:
    require_role(actor, *CASE_ROLES)
    act, _ = svc.sharing.get(svc.session, actor, CaseAction, as_uuid(action_id), verb="edit")
    if act.owner_agency_id != actor.agency_id:
        raise Forbidden("Only the agency that owns this action can record its outcome")
    return act


@action
def action_for_update(svc: Services, actor: Actor, action_id: Any) -> dict[str, Any]:
    """One action of the caller's agency, for its outcome form."""
    act = _owned(svc, actor, action_id)
    views = action_views(svc, actor, [act], "edit")
    _add_context(svc, actor, [act], views)
    return views[0]


@action
def update_action(svc: Services, actor: Actor, action_id: Any, data: Any) -> CaseAction:
    """Record the outcome: done, or not done with why (one of DOMAIN.md's two reasons)."""
    act = _owned(svc, actor, action_id)
    svc.session.refresh(act, with_for_update=True)
    if act.status != "open":
        raise Invalid(
            {"status": [f"This action is already recorded as {STATUS_NAMES[act.status].lower()}"]},
            message="Someone in your agency has already recorded this action's outcome.",
            code="already_updated",
        )
    values = load(ActionUpdateIn(), data)
    act.status = values["status"]
    act.not_done_reason = values["not_done_reason"] if act.status == "not_done" else None
    act.outcome = values["outcome"]
    act.completed_at = utcnow()
    svc.session.flush()
    written = ["status", "outcome", *(["not_done_reason"] if act.not_done_reason else [])]
    audit.record(svc.session, actor, "update", "action", act.id, written)
    return act
