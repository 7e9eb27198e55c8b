"""Who has viewed this case: the audit log's reads of one referral, for its panel's
coordinator and the data protection officer.

People referred to MARAC ask who has looked at their case, and a coordinator who suspects
browsing needs to see it without asking the DPO for a search. The list names the staff, their
agencies and when they read, listed or exported the case (or its safety plan); it holds no
case values. Reading it is itself an audit entry, which the DPO's search finds by the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select

from casework.accounts.models import User
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.audit.models import AuditEntry
from casework.authz import action, require_role
from casework.db import as_uuid, utcnow
from casework.errors import Forbidden, NotVisible
from casework.panels.models import PanelMember
from casework.referrals.models import Referral
from casework.roles import CASE_VIEWERS_READERS
from casework.safety_plans.models import SafetyPlan
from casework.services import Services

READS = ("view", "list", "export", "disclose")
LIMIT = 200
PURPOSE = "who has viewed this case"


@dataclass(frozen=True)
class Reading:
    at: datetime
    name: str
    email: str
    agency: str | None
    action: str
    what: str  # "case" or "safety plan"


def _referral_for(svc: Services, actor: Actor, referral_id: Any) -> Referral:
    """The DPO reads the log of any case (and is shown no case data, only its reference);
    a coordinator only a case of a panel their agency sits on and may manage."""
    rid = as_uuid(referral_id)
    if "dpo" in actor.roles:
        svc.sharing.fields_for(svc.session, actor, "view", [], Referral)  # no case data shown
        referral = svc.session.get(Referral, rid) if rid else None
        if referral is None:
            raise NotVisible()
        return referral
    referral, _ = svc.sharing.get(svc.session, actor, Referral, rid)
    member = svc.session.scalar(
        select(
            exists().where(
                PanelMember.panel_id == referral.panel_id,
                PanelMember.agency_id == actor.agency_id,
            )
        )
    )
    if not member or not svc.sharing.may(svc.session, actor, "edit", referral):
        raise Forbidden("Only the panel's coordinator can see who has viewed this case")
    return referral


@action(reads=("referral",))
def case_viewers(svc: Services, actor: Actor, referral_id: Any) -> dict[str, Any]:
    """The newest ``LIMIT`` reads of the case and its safety plan, and how many in all."""
    require_role(actor, *CASE_VIEWERS_READERS)
    referral = _referral_for(svc, actor, referral_id)
    plan_id = svc.session.scalar(select(SafetyPlan.id).where(SafetyPlan.referral_id == referral.id))
    what = {str(referral.id): "case"} | ({str(plan_id): "safety plan"} if plan_id else {})
    where = (
        AuditEntry.record_id.in_(list(what)),
        AuditEntry.record_type.in_(("referral", "safety_plan")),
        AuditEntry.action.in_(READS),
        AuditEntry.at <= utcnow(),
    )
    total = svc.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = svc.session.execute(
        select(AuditEntry, User.name, Agency.name)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(Agency, Agency.code == AuditEntry.agency_code)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(LIMIT)
    ).all()
    readings = [
        Reading(
            at=entry.at,
            name=name or entry.actor_email,
            email=entry.actor_email,
            agency=agency or entry.agency_code,
            action=entry.action,
            what=what.get(entry.record_id or "", "case"),
        )
        for entry, name, agency in rows
    ]
    # Written after reading, so this look is not in its own list (the next one shows it in
    # the DPO's search, found by the case's reference).
    audit.record(svc.session, actor, "list", "audit_log", referral.id, ("record",), purpose=PURPOSE)
    return {
        "id": str(referral.id),
        "reference": referral.reference,
        "readings": readings,
        "total": total,
    }
