"""A safety plan as answered: everything dumped, then pruned to the fields shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.accounts.models import User
from casework.referrals.models import Referral
from casework.safety_plans.models import SafetyPlan
from casework.sharing.engine import header_fields, prune


def plan_answer(
    plan: SafetyPlan | None,
    referral: Referral,
    shown: frozenset[str],
    updated_by: str | None = None,
) -> dict[str, Any]:
    """``plan`` None: the case has no plan yet (an empty one, nobody changed it)."""
    data = {
        "id": str(plan.id) if plan else None,
        "referral_id": str(referral.id),
        "reference": referral.reference,
        "risks": list(plan.risks or []) if plan else [],
        "measures": list(plan.measures or []) if plan else [],
        "review_date": plan.review_date.isoformat() if plan and plan.review_date else None,
        "updated_at": plan.updated_at.isoformat() if plan else None,
        "updated_by": updated_by,
    }
    return prune(data, shown, header_fields("safety_plan"))


def dump_plans(
    session: Session, plans: Sequence[SafetyPlan], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    referral_ids = {p.referral_id for p in plans}
    referrals = {
        r.id: r for r in session.scalars(select(Referral).where(Referral.id.in_(referral_ids)))
    }
    user_ids = {p.updated_by_id for p in plans if p.updated_by_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    return {
        p.id: plan_answer(p, referrals[p.referral_id], shown[p.id], names.get(p.updated_by_id))
        for p in plans
    }
