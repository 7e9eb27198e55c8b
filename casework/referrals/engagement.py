"""IDVA engagement: whether the victim was offered an IDVA and engaged (SafeLives measure).

Recorded by the case's assigned IDVA or the panel's coordinator or chair: whoever the
protocol lets edit the case. The answers are plain flags because the engagement rate is
counted in SQL; they say nothing about who the victim is.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Forbidden
from casework.referrals.models import Referral
from casework.roles import ENGAGEMENT_RECORDERS
from casework.schemas import StrictSchema, load
from casework.services import Services


class EngagementIn(StrictSchema):
    offered = fields.Boolean(required=True)
    engaged = fields.Boolean(required=True)

    @validates_schema
    def _engaged_needs_offer(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("engaged") and not data.get("offered"):
            raise ValidationError(
                "A victim can only engage with an IDVA they were offered", "engaged"
            )


@action(changes=("referral",))
def record_engagement(svc: Services, actor: Actor, referral_id: Any, data: Any) -> dict[str, Any]:
    require_role(actor, *ENGAGEMENT_RECORDERS)
    referral, _ = svc.sharing.get(svc.session, actor, Referral, as_uuid(referral_id))
    if not svc.sharing.may(svc.session, actor, "edit", referral):
        raise Forbidden("Only the case's IDVA or the panel's coordinator or chair records this")
    values = load(EngagementIn(), data)
    changed = [
        name for name in ("offered", "engaged") if getattr(referral, f"idva_{name}") != values[name]
    ]
    referral.idva_offered, referral.idva_engaged = values["offered"], values["engaged"]
    if changed:
        audit.record(
            svc.session, actor, "update", "referral", referral.id, [f"idva_{n}" for n in changed]
        )
    return {
        "id": str(referral.id),
        "idva": {"offered": referral.idva_offered, "engaged": referral.idva_engaged},
    }
