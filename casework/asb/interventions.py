"""The interventions ladder per perpetrator: warning letter, acceptable behaviour contract,
community protection warning and notice, civil injunction, criminal behaviour order, closure
order (``INTERVENTION_TYPES``, lowest rung first), each with the member agency that issued it,
its dates, its breaches and how it ended.

Recording needs the engine's ``edit`` on the case's ``interventions`` (the protocol gives it
to the coordinator and chair, and to the police, housing and council ASB team members of the
panel, who issue most of them). The issuing agency must be a member of the case's panel.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.asb.dump import intervention_row
from casework.asb.enforcement_access import changed, editable_case, load_all
from casework.asb.enforcement_schemas import AsbBreachIn, AsbInterventionIn, AsbOutcomeIn
from casework.asb.models import AsbBreach, AsbCase, AsbIntervention, AsbPerpetrator
from casework.asb.policies import RECORD_TYPE
from casework.authz import action
from casework.db import as_uuid
from casework.errors import Invalid, NotVisible
from casework.panels.models import PanelMember
from casework.schemas import load
from casework.services import Services

FIELD = "interventions"


def shown(intervention: AsbIntervention, agency: Agency | None) -> dict[str, Any]:
    """As the case's ``interventions`` field shows it, with the issuing agency's name."""
    row = intervention_row(intervention, agency.code if agency else None)
    return {**row, "agency_name": agency.name if agency else None}


def _perpetrator(case: AsbCase, perpetrator_id: Any) -> AsbPerpetrator:
    pid = as_uuid(perpetrator_id)
    found = next((p for p in case.perpetrators if p.id == pid), None)
    if found is None:
        raise NotVisible()
    return found


def _intervention(perpetrator: AsbPerpetrator, intervention_id: Any) -> AsbIntervention:
    iid = as_uuid(intervention_id)
    found = next((i for i in perpetrator.interventions if i.id == iid), None)
    if found is None:
        raise NotVisible()
    return found


def _member_agency(svc: Services, case: AsbCase, code: str) -> uuid.UUID:
    stmt = (
        select(Agency.id)
        .join(PanelMember, PanelMember.agency_id == Agency.id)
        .where(PanelMember.panel_id == case.panel_id, Agency.code == code.upper())
    )
    found = svc.session.scalar(stmt)
    if found is None:
        raise Invalid({"agency": ["Choose a member agency of the case's panel"]})
    return found


def _target(
    svc: Services, actor: Actor, case_id: Any, perpetrator_id: Any
) -> tuple[AsbCase, AsbPerpetrator]:
    """404 for a case the caller cannot see, or a perpetrator not of it."""
    case = editable_case(svc, actor, case_id, FIELD)
    return case, _perpetrator(case, perpetrator_id)


def _existing(
    svc: Services, actor: Actor, case_id: Any, perpetrator_id: Any, intervention_id: Any
) -> tuple[AsbCase, AsbIntervention]:
    """As ``_target``, and 404 for an intervention not against that perpetrator."""
    case, perpetrator = _target(svc, actor, case_id, perpetrator_id)
    return case, _intervention(perpetrator, intervention_id)


def _agency(svc: Services, intervention: AsbIntervention) -> Agency | None:
    return svc.session.get(Agency, intervention.agency_id)


@action(reads=(RECORD_TYPE,), changes=(RECORD_TYPE,))
def record_intervention(
    svc: Services, actor: Actor, case_id: Any, perpetrator_id: Any, data: Any
) -> dict[str, Any]:
    """``POST /asb/cases/{id}/perpetrators/{pid}/interventions``: a rung of the ladder."""
    case, perpetrator = _target(svc, actor, case_id, perpetrator_id)
    values, errors = load_all(AsbInterventionIn(), data)
    code = data.get("agency") if isinstance(data, Mapping) else None
    agency_id = None
    if isinstance(code, str) and code.strip() and "agency" not in errors:
        try:
            agency_id = _member_agency(svc, case, code.strip())
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:  # every bad field in one answer, the panel's agencies included
        raise Invalid(errors)
    done = AsbIntervention(
        perpetrator_id=perpetrator.id,
        case_id=case.id,
        kind=values["kind"],
        agency_id=agency_id,
        issued_on=values["issued_on"],
        ends_on=values["ends_on"],
        notes=values["notes"] or None,
        recorded_by_id=actor.user_id,
    )
    perpetrator.interventions.append(done)
    written = ["kind", "agency", "issued_on"] + [
        k for k in ("ends_on", "notes") if getattr(done, k) is not None
    ]
    changed(svc, actor, case, [f"{FIELD}.{k}" for k in written])
    return shown(done, _agency(svc, done))


@action(reads=(RECORD_TYPE,), changes=(RECORD_TYPE,))
def record_breach(
    svc: Services,
    actor: Actor,
    case_id: Any,
    perpetrator_id: Any,
    intervention_id: Any,
    data: Any,
) -> dict[str, Any]:
    """``POST .../interventions/{iid}/breaches``: a breach and what was done about it."""
    case, done = _existing(svc, actor, case_id, perpetrator_id, intervention_id)
    values = load(AsbBreachIn(), data)
    if values["occurred_on"] < done.issued_on:
        raise Invalid({"occurred_on": ["A breach cannot come before the intervention was issued"]})
    breach = AsbBreach(
        intervention_id=done.id,
        occurred_on=values["occurred_on"],
        action_taken=values["action_taken"] or None,
    )
    done.breaches.append(breach)
    written = ["occurred_on"] + (["action_taken"] if breach.action_taken else [])
    changed(svc, actor, case, [f"{FIELD}.breaches.{k}" for k in written])
    return {
        "id": str(breach.id),
        "intervention_id": str(done.id),
        "occurred_on": breach.occurred_on.isoformat(),
        "action_taken": breach.action_taken,
    }


@action(reads=(RECORD_TYPE,), changes=(RECORD_TYPE,))
def record_outcome(
    svc: Services,
    actor: Actor,
    case_id: Any,
    perpetrator_id: Any,
    intervention_id: Any,
    data: Any,
) -> dict[str, Any]:
    """``POST .../interventions/{iid}/outcome``: how it ended (a later answer replaces an
    earlier one, which the audit log keeps the fact of)."""
    case, done = _existing(svc, actor, case_id, perpetrator_id, intervention_id)
    values = load(AsbOutcomeIn(), data)
    if values["outcome_on"] < done.issued_on:
        raise Invalid(
            {"outcome_on": ["The outcome cannot come before the intervention was issued"]}
        )
    done.outcome = values["outcome"]
    done.outcome_on = values["outcome_on"]
    changed(svc, actor, case, [f"{FIELD}.outcome", f"{FIELD}.outcome_on"])
    return shown(done, _agency(svc, done))


@action(reads=(RECORD_TYPE,))
def ladder_form(
    svc: Services, actor: Actor, case_id: Any, perpetrator_id: Any, intervention_id: Any = None
) -> dict[str, Any]:
    """What the ladder's forms show (nothing personal): the case's reference, which of its
    perpetrators (by position), the panel's agencies, and the intervention being added to."""
    case, perpetrator = _target(svc, actor, case_id, perpetrator_id)
    stmt = (
        select(Agency)
        .join(PanelMember, PanelMember.agency_id == Agency.id)
        .where(PanelMember.panel_id == case.panel_id)
        .order_by(Agency.name)
    )
    out: dict[str, Any] = {
        "case_id": str(case.id),
        "reference": case.reference,
        "perpetrator_id": str(perpetrator.id),
        "position": case.perpetrators.index(perpetrator) + 1,
        "agencies": [(a.code, a.name) for a in svc.session.scalars(stmt)],
    }
    if intervention_id is not None:
        done = _intervention(perpetrator, intervention_id)
        out["intervention"] = {
            "id": str(done.id),
            "kind": done.kind,
            "issued_on": done.issued_on,
        }
    return out
