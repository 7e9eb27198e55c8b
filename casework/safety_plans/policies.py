"""How the sharing conditions read for a safety plan: exactly as for its case.

A plan is shared under its referral's panel's protocol, and each condition (panel member,
assigned IDVA, ...) holds for the plan when it holds for its referral. Which categories a
protocol grants under those conditions is the protocol's business (``config/isp/marac.toml``
gives the plan to the IDVA service and the panel's coordinator only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from casework.panels.models import Panel
from casework.referrals.models import Referral
from casework.referrals.policies import REFERRAL
from casework.safety_plans.models import SafetyPlan
from casework.safety_plans.serialise import dump_plans
from casework.sharing import catalogue
from casework.sharing.asking import Asking
from casework.sharing.engine import RecordType, register
from casework.sharing.protocols import Protocol

RECORD_TYPE = "safety_plan"
FIELDS = ("risks", "measures", "review_date")
# Not personal: which case, and which member of staff last changed the plan, and when.
HEADER = ("id", "referral_id", "reference", "updated_at", "updated_by")

catalogue.declare(RECORD_TYPE, FIELDS, HEADER)


def _protocol_key() -> ColumnElement[str]:
    return (
        select(Panel.protocol)
        .join(Referral, Referral.panel_id == Panel.id)
        .where(Referral.id == SafetyPlan.referral_id)
        .scalar_subquery()
    )


def _conditions(asking: Asking, protocol: Protocol) -> dict[str, ColumnElement[bool]]:
    """Each of the referral's conditions, asked of the plan's referral."""
    on_case = REFERRAL.conditions(asking, protocol)
    return {
        # its own referrals row even when the outer query joins the case too
        name: exists()
        .where(Referral.id == SafetyPlan.referral_id, condition)
        .correlate_except(Referral)
        for name, condition in on_case.items()
    }


def _dump(
    session: Session, plans: Sequence[SafetyPlan], shown: Mapping[Any, frozenset[str]]
) -> dict[Any, dict[str, Any]]:
    return dump_plans(session, plans, shown)


SAFETY_PLAN = register(RecordType(RECORD_TYPE, SafetyPlan, _protocol_key, _conditions, dump=_dump))
