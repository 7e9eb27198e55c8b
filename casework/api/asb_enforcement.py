"""API: Community Trigger applications and decisions, and the interventions ladder, on an ASB
case. Reads go through the case itself (its ``community_triggers`` and ``interventions``
fields); a case the caller cannot see answers 404 on every one of these addresses."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body
from casework.asb import interventions, triggers
from casework.asb.enforcement_schemas import (
    AsbBreachIn,
    AsbDecisionIn,
    AsbInterventionIn,
    AsbOutcomeIn,
    AsbTriggerIn,
)
from casework.asb.models import (
    INTERVENTION_OUTCOMES,
    INTERVENTION_TYPES,
    TRIGGER_DECISIONS,
    TRIGGER_STATUSES,
)
from casework.asb.policies import RECORD_TYPE
from casework.http import current_actor, services
from casework.roles import MANAGERS
from casework.schemas import StrictSchema

POLICY = (RECORD_TYPE,)
TAG = "asb"
CASE = "/api/v1/asb/cases/{case_id}"


class AsbTriggerOut(StrictSchema):
    id = fields.String()
    received_on = fields.Date()
    applicant = fields.String(allow_none=True)
    complaints_counted = fields.Integer()
    threshold_met = fields.Boolean()
    status = fields.String(metadata={"enum": list(TRIGGER_STATUSES)})
    decision_due_on = fields.Date()
    meeting_id = fields.String(allow_none=True)
    meeting_date = fields.Date(allow_none=True)
    decision = fields.String(allow_none=True, metadata={"enum": list(TRIGGER_DECISIONS)})
    decided_on = fields.Date(allow_none=True)
    late = fields.Boolean(metadata={"description": "decided after decision_due_on"})
    overdue = fields.Boolean(metadata={"description": "undecided and past decision_due_on"})
    letter_sent_on = fields.Date(allow_none=True)
    letter_summary = fields.String(allow_none=True)
    recommendations = fields.String(allow_none=True)


class AsbBreachOut(StrictSchema):
    id = fields.String()
    intervention_id = fields.String()
    occurred_on = fields.Date()
    action_taken = fields.String(allow_none=True)


class AsbInterventionOut(StrictSchema):
    id = fields.String()
    perpetrator_id = fields.String()
    kind = fields.String(metadata={"enum": list(INTERVENTION_TYPES)})
    agency = fields.String()
    agency_name = fields.String()
    issued_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"enum": list(INTERVENTION_OUTCOMES)})
    outcome_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    breaches = fields.List(fields.Dict())


@blueprint.post("/asb/cases/<case_id>/community-triggers")
@endpoint(
    summary="Log a Community Trigger (ASB case review) application and check its threshold",
    tag=TAG,
    policy=POLICY,
    body=AsbTriggerIn,
    status=201,
    response=AsbTriggerOut,
    roles=MANAGERS,
    location=CASE,
)
def asb_record_trigger(case_id: str) -> Any:
    return triggers.record_trigger(services(), current_actor(), case_id, json_body()), 201


@blueprint.post("/asb/cases/<case_id>/community-triggers/<trigger_id>/decision")
@endpoint(
    summary="Record a Community Trigger decision, the meeting it was heard at and the letter",
    tag=TAG,
    policy=POLICY,
    body=AsbDecisionIn,
    response=AsbTriggerOut,
    roles=MANAGERS,
    errors=(409,),
)
def asb_decide_trigger(case_id: str, trigger_id: str) -> Any:
    return triggers.decide_trigger(services(), current_actor(), case_id, trigger_id, json_body())


@blueprint.post("/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions")
@endpoint(
    summary="Record an intervention against a perpetrator (a rung of the ladder)",
    tag=TAG,
    policy=POLICY,
    body=AsbInterventionIn,
    status=201,
    response=AsbInterventionOut,
    location=CASE,
)
def asb_record_intervention(case_id: str, perpetrator_id: str) -> Any:
    made = interventions.record_intervention(
        services(), current_actor(), case_id, perpetrator_id, json_body()
    )
    return made, 201


@blueprint.post(
    "/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions/<intervention_id>/breaches"
)
@endpoint(
    summary="Record a breach of an intervention and the action taken",
    tag=TAG,
    policy=POLICY,
    body=AsbBreachIn,
    status=201,
    response=AsbBreachOut,
    location=CASE,
)
def asb_record_breach(case_id: str, perpetrator_id: str, intervention_id: str) -> Any:
    made = interventions.record_breach(
        services(), current_actor(), case_id, perpetrator_id, intervention_id, json_body()
    )
    return made, 201


@blueprint.post(
    "/asb/cases/<case_id>/perpetrators/<perpetrator_id>/interventions/<intervention_id>/outcome"
)
@endpoint(
    summary="Record how an intervention ended",
    tag=TAG,
    policy=POLICY,
    body=AsbOutcomeIn,
    response=AsbInterventionOut,
)
def asb_record_outcome(case_id: str, perpetrator_id: str, intervention_id: str) -> Any:
    return interventions.record_outcome(
        services(), current_actor(), case_id, perpetrator_id, intervention_id, json_body()
    )
