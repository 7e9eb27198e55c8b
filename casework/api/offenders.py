"""API: nominals, cohorts and what is recorded against them (CONTRACT.md, Offenders).

The contract's three writes (nominals, offences, classifications) are here exactly as it
shows them; reads, cohort moves and the other records are extensions. Every read goes
through the sharing engine: a nominal the caller may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import request

from casework.api.answer_schemas import (
    CohortCountOut,
    CreatedOut,
    ExitOut,
    NominalDetailOut,
    NominalOut,
)
from casework.api.blueprint import blueprint
from casework.api.registry import endpoint, json_body, query_of
from casework.http import current_actor, services
from casework.offenders import actions as nominals
from casework.offenders import records
from casework.offenders.schemas import (
    ClassificationIn,
    CohortIn,
    CustodyIn,
    EventIn,
    ExitIn,
    InterventionIn,
    InterventionUpdate,
    NominalIn,
    NominalQuery,
    OffenceIn,
    PathwayIn,
    PathwayUpdate,
    RiskFactorsIn,
)
from casework.roles import COHORT_ENTERERS, MANAGERS

POLICY = ("nominal", "youth_record")
TAG = "offenders"


def _created(row: Any) -> tuple[dict[str, str], int]:
    return {"id": str(row.id)}, 201


@blueprint.post("/nominals")
@endpoint(
    summary="Enter a person on a PPO, Prevent and Deter or IOM panel's cohort",
    tag=TAG,
    policy=POLICY,
    body=NominalIn,
    status=201,
    response=CreatedOut,
    roles=COHORT_ENTERERS,
)
def create_nominal() -> Any:
    return _created(nominals.create_nominal(services(), current_actor(), json_body()))


@blueprint.get("/nominals/<nominal_id>")
@endpoint(
    summary="One nominal, with only the fields the caller may see",
    tag=TAG,
    policy=POLICY,
    response=NominalDetailOut,
)
def get_nominal(nominal_id: str) -> Any:
    return nominals.get_nominal(services(), current_actor(), nominal_id)


@blueprint.get("/nominals")
@endpoint(
    summary="Nominals the caller may see",
    tag=TAG,
    policy=POLICY,
    response=NominalOut,
    many=True,
    query=query_of(NominalQuery, {"panel_id": "Only this panel's current cohort"}),
)
def list_nominals() -> Any:
    return nominals.list_nominals(services(), current_actor(), request.args.to_dict())


@blueprint.get("/cohorts")
@endpoint(
    summary="Per offender panel: cohort size, by IOM cohort, entries and exits (counts only)",
    tag=TAG,
    policy=(),
    response=CohortCountOut,
    many=True,
)
def cohort_overview() -> Any:
    return nominals.cohort_overview(services(), current_actor())


@blueprint.post("/nominals/<nominal_id>/cohorts")
@endpoint(
    summary="Add a nominal to another panel's cohort (a new spell; history is kept)",
    tag=TAG,
    policy=POLICY,
    body=CohortIn,
    status=201,
    response=CreatedOut,
    roles=COHORT_ENTERERS,
)
def join_cohort(nominal_id: str) -> Any:
    return _created(nominals.join_cohort(services(), current_actor(), nominal_id, json_body()))


@blueprint.post("/nominals/<nominal_id>/exit")
@endpoint(
    summary="End a nominal's spell on a panel's cohort, with the date and reason",
    tag=TAG,
    policy=POLICY,
    body=ExitIn,
    response=ExitOut,
    roles=MANAGERS,
)
def leave_cohort(nominal_id: str) -> Any:
    spell = nominals.leave_cohort(services(), current_actor(), nominal_id, json_body())
    return {"id": str(spell.id), "exit_date": spell.exit_date.isoformat()}


@blueprint.post("/nominals/<nominal_id>/offences")
@endpoint(
    summary="Record an offence",
    tag=TAG,
    policy=POLICY,
    body=OffenceIn,
    status=201,
    response=CreatedOut,
)
def record_offence(nominal_id: str) -> Any:
    return _created(records.record_offence(services(), current_actor(), nominal_id, json_body()))


@blueprint.post("/nominals/<nominal_id>/events")
@endpoint(
    summary="Record an offence, intelligence report, warrant or drug test",
    tag=TAG,
    policy=POLICY,
    body=EventIn,
    status=201,
    response=CreatedOut,
)
def record_event(nominal_id: str) -> Any:
    return _created(records.record_event(services(), current_actor(), nominal_id, json_body()))


@blueprint.post("/nominals/<nominal_id>/custody")
@endpoint(
    summary="Record a period in custody",
    tag=TAG,
    policy=POLICY,
    body=CustodyIn,
    status=201,
    response=CreatedOut,
)
def record_custody(nominal_id: str) -> Any:
    return _created(records.record_custody(services(), current_actor(), nominal_id, json_body()))


@blueprint.post("/nominals/<nominal_id>/pathways")
@endpoint(
    summary="Record a need on a resettlement pathway",
    tag=TAG,
    policy=POLICY,
    body=PathwayIn,
    status=201,
    response=CreatedOut,
)
def record_pathway(nominal_id: str) -> Any:
    return _created(records.record_pathway(services(), current_actor(), nominal_id, json_body()))


@blueprint.patch("/nominals/<nominal_id>/pathways/<pathway_id>")
@endpoint(
    summary="Update a pathway need",
    tag=TAG,
    policy=POLICY,
    body=PathwayUpdate,
    response=CreatedOut,
)
def update_pathway(nominal_id: str, pathway_id: str) -> Any:
    need = records.update_pathway(services(), current_actor(), nominal_id, pathway_id, json_body())
    return {"id": str(need.id)}


@blueprint.post("/nominals/<nominal_id>/interventions")
@endpoint(
    summary="Record a Prevent and Deter intervention",
    tag=TAG,
    policy=POLICY,
    body=InterventionIn,
    status=201,
    response=CreatedOut,
)
def record_intervention(nominal_id: str) -> Any:
    svc, actor = services(), current_actor()
    return _created(records.record_intervention(svc, actor, nominal_id, json_body()))


@blueprint.patch("/nominals/<nominal_id>/interventions/<intervention_id>")
@endpoint(
    summary="Record how an intervention ended",
    tag=TAG,
    policy=POLICY,
    body=InterventionUpdate,
    response=CreatedOut,
)
def update_intervention(nominal_id: str, intervention_id: str) -> Any:
    svc, actor = services(), current_actor()
    done = records.update_intervention(svc, actor, nominal_id, intervention_id, json_body())
    return {"id": str(done.id)}


@blueprint.put("/nominals/<nominal_id>/risk_factors")
@endpoint(
    summary="Replace a young person's risk factors",
    tag=TAG,
    policy=POLICY,
    body=RiskFactorsIn,
    response=CreatedOut,
)
def set_risk_factors(nominal_id: str) -> Any:
    nominal = records.set_risk_factors(services(), current_actor(), nominal_id, json_body())
    return {"id": str(nominal.id)}


@blueprint.post("/nominals/<nominal_id>/classifications")
@endpoint(
    summary="Classify a nominal R&R or C&C, with date and reason",
    tag=TAG,
    policy=POLICY,
    body=ClassificationIn,
    status=201,
    response=CreatedOut,
    roles=MANAGERS,
)
def record_classification(nominal_id: str) -> Any:
    svc, actor = services(), current_actor()
    return _created(records.record_classification(svc, actor, nominal_id, json_body()))
