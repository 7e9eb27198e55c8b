"""API: MARAC referrals (CONTRACT.md, MARAC referrals)."""

from __future__ import annotations

from typing import Any

from flask import request

from casework.api.answer_schemas import ReferralOut, SubmittedOut
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body, query_of
from casework.http import current_actor, services
from casework.referrals import actions as referrals
from casework.referrals.schemas import ReferralIn, ReferralQuery
from casework.roles import REFERRERS

REFERRAL_QUERY = query_of(
    ReferralQuery,
    {
        "panel_id": "Only this panel's referrals",
        "status": "Only referrals with this status",
        "from": "Referral date on or after (YYYY-MM-DD)",
        "to": "Referral date on or before (YYYY-MM-DD)",
        "limit": "At most this many, newest first (1 to 500; 500 when not given)",
    },
)


@blueprint.post("/referrals")
@endpoint(
    summary="Submit a MARAC referral (the referring agency is the caller's agency)",
    tag="referrals",
    policy=("referral",),
    body=ReferralIn,
    response=SubmittedOut,
    status=201,
    roles=REFERRERS,
)
def submit_referral() -> Any:
    referral = referrals.submit_referral(services(), current_actor(), json_body())
    return {
        "id": str(referral.id),
        "reference": referral.reference,
        "status": referral.status,
        "risk": {
            "dash_score": referral.dash_score,
            "band": referral.band,
            "criteria": referral.criteria,
        },
        "repeat": {
            "is_repeat": referral.crit_repeat,
            "previous_referral_date": (
                referral.previous_referral_date.isoformat()
                if referral.previous_referral_date
                else None
            ),
        },
    }, 201


@blueprint.get("/referrals/<referral_id>")
@endpoint(
    summary="One referral, with only the fields the caller may see",
    tag="referrals",
    policy=("referral",),
    response=ReferralOut,
)
def get_referral(referral_id: str) -> Any:
    return referrals.get_referral(services(), current_actor(), referral_id)


@blueprint.get("/referrals")
@endpoint(
    summary="Referrals the caller may see",
    tag="referrals",
    policy=("referral",),
    response=ReferralOut,
    many=True,
    query=REFERRAL_QUERY,
)
def list_referrals() -> Any:
    return referrals.list_referrals(services(), current_actor(), request.args.to_dict())
