"""Reading and keeping a case's safety plan, and finding the plans due for review.

Who may is the protocol's answer for the ``safety_plan`` record type (``policies.py``). A
case that has no plan yet has no row to ask about, so the engine is asked what its
conditions on the case grant a plan of that case: the same conditions the plan row would
have, so the answer is the same before and after the first save.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.accounts.models import User
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid, utcnow
from casework.errors import Forbidden, NotVisible
from casework.referrals.models import Referral
from casework.roles import SAFETY_PLAN_KEEPERS as KEEPERS
from casework.safety_plans.models import SafetyPlan
from casework.safety_plans.policies import FIELDS, RECORD_TYPE
from casework.safety_plans.schemas import SafetyPlanIn
from casework.safety_plans.serialise import plan_answer
from casework.schemas import load
from casework.services import Services
from casework.sharing.engine import granted

# Referral states in which a plan is still worked (closed and withdrawn cases are not).
OPEN_STATES = ("submitted", "accepted", "listed", "heard")
CANNOT_EDIT = "Only the case's IDVA service or the panel's coordinator can change its safety plan"


def _plan_of(svc: Services, referral_id: Any) -> SafetyPlan | None:
    return svc.session.scalar(select(SafetyPlan).where(SafetyPlan.referral_id == referral_id))


def plan_fields(
    svc: Services, actor: Actor, verb: str, referral: Referral, plan: SafetyPlan | None
) -> frozenset[str]:
    """The plan's fields ``actor`` may take ``verb`` on, whether or not it exists yet."""
    if plan is not None:
        return svc.sharing.visible_fields(svc.session, actor, plan, verb)
    svc.sharing.fields_for(svc.session, actor, verb, [], SafetyPlan)  # decided here, not below
    fields: set[str] = set()
    for protocol, held in svc.sharing.holding(svc.session, actor, [referral])[referral.id]:
        fields |= granted(protocol, actor, verb, RECORD_TYPE, held)
    return frozenset(fields)


def _case(svc: Services, actor: Actor, referral_id: Any) -> Referral:
    require_role(actor, *KEEPERS)
    referral, _ = svc.sharing.get(svc.session, actor, Referral, as_uuid(referral_id))
    return referral


def _updated_by(svc: Services, plan: SafetyPlan | None) -> str | None:
    if plan is None or plan.updated_by_id is None:
        return None
    return svc.session.scalar(select(User.name).where(User.id == plan.updated_by_id))


@action(reads=("referral", "safety_plan"))
def get_safety_plan(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """The case's plan as the caller may see it (read and audited through ``disclose``), or
    an empty plan if none is kept yet; 404 for anyone the protocol does not give it to."""
    referral = _case(svc, actor, referral_id)
    plan = _plan_of(svc, referral.id)
    if plan is not None:
        _, answer = svc.sharing.disclose_one(svc.session, actor, SafetyPlan, plan.id)
    else:
        shown = plan_fields(svc, actor, "view", referral, None)
        if not shown:
            raise NotVisible()
        answer = plan_answer(None, referral, shown)
    may_edit = set(FIELDS) <= plan_fields(svc, actor, "edit", referral, plan)
    return {**answer, "may_edit": may_edit}


def _measures(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"what": m["what"], "who": m.get("who"), "status": m["status"]} for m in values]


@action(reads=("referral",), changes=("safety_plan",))
def save_safety_plan(svc: Services, actor: Actor, referral_id: Any, data: Any) -> dict[str, Any]:
    """Replace the plan's risks, measures and review date (the whole plan, as the form and
    ``PUT`` send it); who changed it and when is kept on the plan and in the audit log."""
    referral = _case(svc, actor, referral_id)
    svc.session.refresh(referral, with_for_update=True)  # two first saves: one plan
    plan = _plan_of(svc, referral.id)
    shown = plan_fields(svc, actor, "view", referral, plan)
    if not shown:
        raise NotVisible()
    if not set(FIELDS) <= plan_fields(svc, actor, "edit", referral, plan):
        raise Forbidden(CANNOT_EDIT)
    values = load(SafetyPlanIn(), data)
    new = {
        "risks": values["risks"],
        "measures": _measures(values["measures"]),
        "review_date": values["review_date"],
    }
    created = plan is None
    if plan is None:
        plan = SafetyPlan(referral_id=referral.id)
        svc.session.add(plan)
    changed = [name for name in FIELDS if created or getattr(plan, name) != new[name]]
    for name in changed:
        setattr(plan, name, new[name])
    if changed:
        plan.updated_at = utcnow()
        plan.updated_by_id = actor.user_id
        svc.session.flush()
        audit.record(
            svc.session, actor, "create" if created else "update", RECORD_TYPE, plan.id, changed
        )
    answer = plan_answer(plan, referral, shown, _updated_by(svc, plan))
    return {**answer, "may_edit": True}


def due_plans(on: date) -> Any:
    """Plans of open cases with an IDVA whose review date has come by ``on``, with the case's
    reference and IDVA (read as columns: nothing here needs the case's sealed fields)."""
    return (
        select(SafetyPlan, Referral.reference, Referral.assigned_idva_id)
        .join(Referral, Referral.id == SafetyPlan.referral_id)
        .where(
            SafetyPlan.review_date <= on,
            Referral.status.in_(OPEN_STATES),
            Referral.assigned_idva_id.is_not(None),
        )
    )


@action(reads=("safety_plan",))
def reviews_due(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """For an IDVA's home page: their cases' plans due for review (references and dates
    only; each row shown is audited as a list read)."""
    require_role(actor, "idva")
    stmt = (
        due_plans(clock.today())
        .where(
            Referral.assigned_idva_id == actor.user_id,
            svc.sharing.visible_clause(actor, "list", SafetyPlan),
        )
        .order_by(SafetyPlan.review_date, Referral.reference)
        .limit(100)
    )
    rows = svc.session.execute(stmt).all()
    references = {plan.id: reference for plan, reference, _ in rows}
    shown = svc.sharing.disclosures(
        svc.session,
        actor,
        SafetyPlan,
        [plan for plan, _, _ in rows],
        verb="list",
        only=frozenset({"review_date"}),
    )
    return [
        {
            "referral_id": str(d.record.referral_id),
            "reference": references[d.record.id],
            "review_date": d.record.review_date,
        }
        for d in shown
    ]


@action(reads=("referral", "safety_plan"))
def may_see_plan(svc: Services, actor: Actor, referral_id: Any) -> bool:
    """Whether the referral page links to the case's plan: nothing is read from the plan, so
    nothing is audited here (opening it is)."""
    referral, _ = svc.sharing.get(svc.session, actor, Referral, as_uuid(referral_id))
    if not actor.has_any(*KEEPERS):
        svc.sharing.fields_for(svc.session, actor, "view", [], SafetyPlan)
        return False
    return bool(plan_fields(svc, actor, "view", referral, _plan_of(svc, referral.id)))
