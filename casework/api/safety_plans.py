"""API: a MARAC case's safety plan, for its IDVA service and the panel's coordinator.

``PUT`` replaces the whole plan (risks, measures, review date) and answers it as saved.
"""

from __future__ import annotations

from typing import Any

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.safety_plans import actions
from casework.safety_plans.actions import KEEPERS
from casework.safety_plans.schemas import SafetyPlanIn, SafetyPlanOut

POLICY = ("referral", "safety_plan")


@blueprint.get("/referrals/<referral_id>/safety-plan")
@endpoint(
    summary="The case's safety plan (empty until first saved)",
    tag="referrals",
    policy=POLICY,
    response=SafetyPlanOut,
    roles=KEEPERS,
)
def get_safety_plan(referral_id: str) -> Any:
    return actions.get_safety_plan(services(), current_actor(), referral_id)


@blueprint.put("/referrals/<referral_id>/safety-plan")
@endpoint(
    summary="Replace the case's safety plan: risks, measures and review date",
    tag="referrals",
    policy=POLICY,
    body=SafetyPlanIn,
    response=SafetyPlanOut,
    roles=KEEPERS,
)
def put_safety_plan(referral_id: str) -> Any:
    return actions.save_safety_plan(services(), current_actor(), referral_id, json_body())
