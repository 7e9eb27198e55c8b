"""API: managing MARAC referrals (status, IDVA) and deciding possible matches.

Only a panel's coordinator or chair may call these. Each answers the referral's new state, so
an agency system can follow the change without a second request.
"""

from __future__ import annotations

from typing import Any

from flask import request

from casework.api.answer_schemas import EngagementOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.referrals import engagement, lifecycle, matches
from casework.referrals.engagement import EngagementIn
from casework.referrals.manage_schemas import (
    AssignIdvaIn,
    PossibleMatchOut,
    ReferralStateOut,
    WithdrawIn,
)
from casework.roles import ENGAGEMENT_RECORDERS, MANAGERS


def _status_endpoint(summary: str, body: Any = None) -> Any:
    return endpoint(
        summary=summary,
        tag="referrals",
        policy=("referral",),
        body=body,
        response=ReferralStateOut,
        roles=MANAGERS,
    )


@blueprint.post("/referrals/<referral_id>/accept")
@_status_endpoint("Accept a submitted referral")
def accept_referral(referral_id: str) -> Any:
    return lifecycle.accept_referral(services(), current_actor(), referral_id)


@blueprint.post("/referrals/<referral_id>/withdraw")
@_status_endpoint("Withdraw a referral, giving the reason (any status before closed)", WithdrawIn)
def withdraw_referral(referral_id: str) -> Any:
    return lifecycle.withdraw_referral(services(), current_actor(), referral_id, json_body())


@blueprint.post("/referrals/<referral_id>/close")
@_status_endpoint("Close a referral that has been heard")
def close_referral(referral_id: str) -> Any:
    return lifecycle.close_referral(services(), current_actor(), referral_id)


@blueprint.post("/referrals/<referral_id>/assign-idva")
@_status_endpoint("Assign an active IDVA (from any agency) to a referral", AssignIdvaIn)
def assign_idva(referral_id: str) -> Any:
    return lifecycle.assign_idva(services(), current_actor(), referral_id, json_body())


@blueprint.post("/referrals/<referral_id>/unassign-idva")
@_status_endpoint("Take a referral from its IDVA (the case then has none)")
def unassign_idva(referral_id: str) -> Any:
    return lifecycle.unassign_idva(services(), current_actor(), referral_id)


@blueprint.get("/referral-matches")
@endpoint(
    summary="Pending possible matches the caller can decide (the review queue)",
    tag="referrals",
    policy=("referral",),
    response=PossibleMatchOut,
    many=True,
    roles=MANAGERS,
    query={"panel_id": "Only matches whose newer referral is on this panel"},
)
def list_possible_matches() -> Any:
    return matches.list_possible_matches(services(), current_actor(), request.args.get("panel_id"))


@blueprint.post("/referral-matches/<match_id>/confirm")
@endpoint(
    summary="Confirm a possible match: same victim; recomputes the newer referral's repeat flag",
    tag="referrals",
    policy=("referral",),
    response=PossibleMatchOut,
    roles=MANAGERS,
)
def confirm_match(match_id: str) -> Any:
    return matches.confirm_match(services(), current_actor(), match_id)


@blueprint.post("/referral-matches/<match_id>/reject")
@endpoint(
    summary="Reject a possible match: different people; the repeat flag is unchanged",
    tag="referrals",
    policy=("referral",),
    response=PossibleMatchOut,
    roles=MANAGERS,
)
def reject_match(match_id: str) -> Any:
    return matches.reject_match(services(), current_actor(), match_id)


@blueprint.post("/referrals/<referral_id>/idva-engagement")
@endpoint(
    summary="Record whether the victim was offered an IDVA and engaged (assigned IDVA, "
    "coordinator or chair)",
    tag="referrals",
    policy=("referral",),
    body=EngagementIn,
    response=EngagementOut,
    roles=ENGAGEMENT_RECORDERS,
)
def record_idva_engagement(referral_id: str) -> Any:
    return engagement.record_engagement(services(), current_actor(), referral_id, json_body())
