"""API: ASB cases (referral of a victim of anti-social behaviour, its risk assessment,
incidents and perpetrators). Every read goes through the sharing engine: a case the caller
may not see answers 404, and lists hold only the cases and fields the protocol grants."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body, query_of
from casework.asb import cases
from casework.asb.models import CASE_OUTCOMES, CASE_STATUSES, RISK_BANDS
from casework.asb.schemas import AsbCaseQuery, AsbCloseIn, AsbIncidentsIn, AsbReferralIn
from casework.http import current_actor, services
from casework.roles import ASB_REFERRERS
from casework.schemas import StrictSchema

POLICY = ("asb_case",)
TAG = "asb"
SHOWN = "present only where the caller's agency may see it"


class AsbRiskOut(StrictSchema):
    answers = fields.Dict(metadata={"description": f"question code -> answer code, {SHOWN}"})
    score = fields.Integer()
    band = fields.String(metadata={"enum": list(RISK_BANDS)})


class AsbReferredOut(StrictSchema):
    id = fields.String()
    reference = fields.String(metadata={"description": "ASB-<year>-<number>"})
    risk = fields.Nested(AsbRiskOut, metadata={"description": SHOWN})
    repeat_victim = fields.Boolean(metadata={"description": SHOWN})
    incidents = fields.List(fields.String(), metadata={"description": "ids of those added"})


class AsbCaseOut(StrictSchema):
    """A case's fields as the sharing engine shows them; all but the header only where shown."""

    id = fields.String()
    reference = fields.String()
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    panel_id = fields.String()
    referral_date = fields.Date()
    referring_agency = fields.String(allow_none=True)
    victim = fields.Dict(metadata={"description": SHOWN})
    location = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    risk = fields.Nested(AsbRiskOut)
    repeat_victim = fields.Boolean()
    incidents = fields.List(
        fields.Dict(), metadata={"description": "date, type, agency; reference where shown"}
    )
    perpetrators = fields.List(fields.Dict(), metadata={"description": SHOWN})
    interventions = fields.List(fields.Dict(), metadata={"description": SHOWN})
    community_triggers = fields.List(fields.Dict(), metadata={"description": SHOWN})
    outcome = fields.Dict(
        allow_none=True,
        metadata={"description": f"outcome ({', '.join(CASE_OUTCOMES)}) and closed_on"},
    )
    may_edit = fields.List(fields.String(), metadata={"description": "detail only"})


class AsbClosedOut(StrictSchema):
    id = fields.String()
    status = fields.String()
    outcome = fields.Dict()


@blueprint.post("/asb/cases")
@endpoint(
    summary="Refer a victim of anti-social behaviour to an ASB risk assessment panel",
    tag=TAG,
    policy=POLICY,
    body=AsbReferralIn,
    status=201,
    response=AsbReferredOut,
    roles=ASB_REFERRERS,
)
def refer_asb_case() -> Any:
    return cases.refer_case(services(), current_actor(), json_body()), 201


@blueprint.get("/asb/cases")
@endpoint(
    summary="ASB cases the caller may see",
    tag=TAG,
    policy=POLICY,
    response=AsbCaseOut,
    many=True,
    query=query_of(
        AsbCaseQuery,
        {"status": "open or closed", "panel_id": "Only this panel's", "band": "Risk band"},
    ),
)
def list_asb_cases() -> Any:
    return cases.list_cases(services(), current_actor(), request.args.to_dict())


@blueprint.get("/asb/cases/<case_id>")
@endpoint(
    summary="One ASB case, with only the fields the caller may see",
    tag=TAG,
    policy=POLICY,
    response=AsbCaseOut,
)
def get_asb_case(case_id: str) -> Any:
    return cases.get_case(services(), current_actor(), case_id)


@blueprint.post("/asb/cases/<case_id>/incidents")
@endpoint(
    summary="Record more incidents on an open ASB case (the repeat victim rule runs again)",
    tag=TAG,
    policy=POLICY,
    body=AsbIncidentsIn,
    status=201,
    response=AsbReferredOut,
    location="/api/v1/asb/cases/{case_id}",
)
def add_asb_incidents(case_id: str) -> Any:
    return cases.add_incidents(services(), current_actor(), case_id, json_body()), 201


@blueprint.post("/asb/cases/<case_id>/close")
@endpoint(
    summary="Close an ASB case with its outcome",
    tag=TAG,
    policy=POLICY,
    body=AsbCloseIn,
    response=AsbClosedOut,
)
def close_asb_case(case_id: str) -> Any:
    return cases.close_case(services(), current_actor(), case_id, json_body())
