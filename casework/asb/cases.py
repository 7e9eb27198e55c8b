"""ASB cases: referring a victim to an ASB risk assessment panel, reading cases through the
sharing engine, adding incidents and closing a case.

A referral is scored on the server against the configured matrix (``casework.asb.risk``) and
flagged by the repeat victim rule (``casework.asb.repeat``), so no client decides a band.
Referrers, agency representatives and coordinators of an agency on an ASB panel may refer;
what anyone then sees of a case is what the panel's protocol grants (``config/isp/asb.toml``),
disclosed and audited by ``Sharing.disclose``. A case the caller may not see is 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from casework import clock
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.asb import repeat
from casework.asb.models import AsbCase, AsbIncident, AsbPerpetrator
from casework.asb.policies import RECORD_TYPE
from casework.asb.risk import matrix_for
from casework.asb.schemas import AsbCaseQuery, AsbCloseIn, AsbIncidentsIn, AsbReferralIn
from casework.audit import log as audit
from casework.authz import action, require_role, signed_in
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid
from casework.panels import kinds as panel_kinds
from casework.panels.access import agency_panels
from casework.panels.models import Panel
from casework.roles import ASB_REFERRERS
from casework.schemas import load
from casework.services import Services

LIST_LIMIT = 1000
VICTIM_KEYS = ("first_name", "last_name", "date_of_birth", "address", "phone")
PERPETRATOR_KEYS = ("first_name", "last_name", "date_of_birth", "group_name", "description")


def asb_kinds() -> tuple[str, ...]:
    """The panel kinds whose own cases are ASB cases (the registry, not a kind's code)."""
    return tuple(k.code for k in panel_kinds.all_kinds() if k.case_record == RECORD_TYPE)


def member_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The active ASB panels the caller's agency sits on."""
    return agency_panels(svc, actor, asb_kinds())


@action(reads=())
def referral_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The ASB panels the caller may refer a victim to (the referral form's choice)."""
    require_role(actor, *ASB_REFERRERS)
    return member_panels(svc, actor)


def _loaded(schema: Any, data: Any) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    try:
        return load(schema, data), {}
    except Invalid as exc:
        return None, {k: list(v) for k, v in exc.fields.items()}


def _agency_problems(svc: Services, incidents: Any) -> tuple[dict, dict[str, uuid.UUID]]:
    """Incidents naming an agency code nobody registered, and the codes' agency ids."""
    if not isinstance(incidents, list):
        return {}, {}
    named = {
        i: item["agency"].strip().upper()
        for i, item in enumerate(incidents)
        if isinstance(item, Mapping) and isinstance(item.get("agency"), str)
    }
    stmt = select(Agency.code, Agency.id).where(Agency.code.in_(set(named.values())))
    known = {code: agency_id for code, agency_id in svc.session.execute(stmt)}
    errors = {
        f"incidents.{i}.agency": ["Choose an agency the service knows"]
        for i, code in named.items()
        if code and code not in known
    }
    return errors, known


def _panel_problem(svc: Services, actor: Actor, raw: Any) -> dict[str, list[str]]:
    chosen = as_uuid(raw)
    if chosen is None or chosen not in {p.id for p in member_panels(svc, actor)}:
        return {"panel_id": ["Choose an ASB panel your agency sits on"]}
    return {}


def _checked_referral(svc: Services, actor: Actor, data: Any) -> tuple[dict, dict]:
    """The referral's values, or ``Invalid`` naming every bad field: the schema's, the risk
    answers' (against the configured matrix), the panel's and the incidents' agencies'."""
    values, errors = _loaded(AsbReferralIn(), data)
    if not isinstance(data, Mapping):
        raise Invalid(errors)
    if not any(k.startswith("risk_answers") for k in errors):
        errors.update(matrix_for(svc.settings).problems(data.get("risk_answers")))
    if "panel_id" not in errors:
        errors.update(_panel_problem(svc, actor, data.get("panel_id")))
    agency_errors, agencies = _agency_problems(svc, data.get("incidents"))
    for key, messages in agency_errors.items():
        errors.setdefault(key, messages)
    if errors or values is None:
        raise Invalid(errors)
    return values, agencies


def next_reference(svc: Services, year: int) -> str:
    """``ASB-<year>-0001`` onwards, one number after the year's highest, under a lock."""
    svc.db.lock(svc.session, "asb-reference")
    prefix = f"ASB-{year}-"
    last = svc.session.scalar(
        select(AsbCase.reference)
        .where(AsbCase.reference.like(f"{prefix}%"))
        .order_by(func.length(AsbCase.reference).desc(), AsbCase.reference.desc())
        .limit(1)
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _incident(values: Mapping[str, Any], agencies: Mapping[str, uuid.UUID]) -> AsbIncident:
    incident = AsbIncident(
        occurred_on=values["date"],
        kind=values["type"],
        agency_id=agencies[values["agency"].upper()],
    )
    incident.reference = values["reference"]
    return incident


def _perpetrator(values: Mapping[str, Any]) -> AsbPerpetrator:
    person = AsbPerpetrator(is_group=bool(values.get("group_name")))
    for key in PERPETRATOR_KEYS:
        setattr(person, key, values.get(key))
    return person


def _written(values: Mapping[str, Any]) -> list[str]:
    """The catalogue fields a referral wrote (the audit names fields, never values)."""
    out = [f"victim.{k}" for k in VICTIM_KEYS if values["victim"].get(k)]
    out += ["location", "risk.answers", "risk.score", "risk.band", "repeat_victim", "incidents"]
    if values.get("summary"):
        out.append("summary")
    if any(i.get("reference") for i in values["incidents"]):
        out.append("incidents.reference")
    out += sorted({f"perpetrators.{k}" for p in values["perpetrators"] for k in p if p.get(k)})
    return out


def _answer(svc: Services, actor: Actor, case: AsbCase) -> dict[str, Any]:
    """What the referrer is told back: the id and reference, and the score, band and repeat
    flag only as far as the protocol lets their agency see them."""
    granted = svc.sharing.fields_for(svc.session, actor, "view", [case])[case.id]
    out: dict[str, Any] = {"id": str(case.id), "reference": case.reference}
    risk = {k: getattr(case, f"risk_{k}") for k in ("score", "band") if f"risk.{k}" in granted}
    if risk:
        out["risk"] = risk
    if "repeat_victim" in granted:
        out["repeat_victim"] = case.repeat_victim
    return out


@action(changes=(RECORD_TYPE,))
def refer_case(svc: Services, actor: Actor, data: Any) -> dict[str, Any]:
    """Refer a victim of anti-social behaviour to an ASB panel (``POST /asb/cases``)."""
    require_role(actor, *ASB_REFERRERS)
    values, agencies = _checked_referral(svc, actor, data)
    score, band = matrix_for(svc.settings).score(values["risk_answers"])
    rule = repeat.RepeatRule.from_settings(svc.settings)
    day = values["referral_date"] or clock.today()
    case = AsbCase(
        panel_id=values["panel_id"],
        reference=next_reference(svc, day.year),
        status="open",
        referral_date=day,
        referring_agency_id=actor.agency_id,
        referred_by_id=actor.user_id,
        risk_score=score,
        risk_band=band,
    )
    for key in VICTIM_KEYS:
        setattr(case, f"victim_{key}", values["victim"].get(key))
    case.location, case.summary = values["location"], values["summary"]
    case.risk_answers = dict(values["risk_answers"])
    case.incidents.extend(_incident(i, agencies) for i in values["incidents"])
    case.perpetrators.extend(_perpetrator(p) for p in values["perpetrators"])
    svc.session.add(case)
    svc.session.flush()
    repeat.evaluate(svc.session, case, rule)
    audit.record(svc.session, actor, "create", RECORD_TYPE, case.id, _written(values))
    return _answer(svc, actor, case)


@action(reads=(RECORD_TYPE,))
def get_case(svc: Services, actor: Actor, case_id: Any) -> dict[str, Any]:
    """One case as the caller's agency may see it (404 if nothing), with ``may_edit``."""
    case, shown = svc.sharing.disclose_one(svc.session, actor, AsbCase, as_uuid(case_id))
    editable = svc.sharing.visible_fields(svc.session, actor, case, "edit")
    return {**shown, "may_edit": sorted(editable)}


@action(reads=(RECORD_TYPE,))
def list_cases(svc: Services, actor: Actor, query: Any) -> list[dict[str, Any]]:
    """The cases the caller may list, newest referral first, each pruned to what is granted."""
    q = load(AsbCaseQuery(), query)
    stmt = select(AsbCase).where(svc.sharing.visible_clause(actor, "list", AsbCase))
    if q["status"]:
        stmt = stmt.where(AsbCase.status == q["status"])
    if q["panel_id"]:
        stmt = stmt.where(AsbCase.panel_id == q["panel_id"])
    if q["band"]:
        stmt = stmt.where(AsbCase.risk_band == q["band"])
    stmt = stmt.order_by(AsbCase.referral_date.desc(), AsbCase.reference.desc()).limit(LIST_LIMIT)
    cases = list(svc.session.scalars(stmt))
    return svc.sharing.disclose(svc.session, actor, AsbCase, cases, verb="list")


def editable_case(svc: Services, actor: Actor, case_id: Any, field: str) -> AsbCase:
    """The case, locked, if the caller may change ``field`` of it: 404 when they may not see
    it, 403 when they see it but the protocol does not let their agency change that."""
    case, _ = svc.sharing.get(svc.session, actor, AsbCase, as_uuid(case_id))
    if field not in svc.sharing.visible_fields(svc.session, actor, case, "edit"):
        raise Forbidden("Your agency may not change this on this case")
    svc.session.flush()
    svc.session.refresh(case, with_for_update=True)
    return case


def _require_open(case: AsbCase) -> None:
    if case.status != "open":
        raise Invalid(
            {"_schema": ["The case is closed"]},
            message="This case is closed, so it can no longer be changed.",
            code="case_closed",
        )


@action(changes=(RECORD_TYPE,))
def add_incidents(svc: Services, actor: Actor, case_id: Any, data: Any) -> dict[str, Any]:
    """Record more incidents on an open case and evaluate the repeat victim rule again."""
    case = editable_case(svc, actor, case_id, "incidents")
    _require_open(case)
    values, errors = _loaded(AsbIncidentsIn(), data)
    agency_errors, agencies = _agency_problems(
        svc, data.get("incidents") if isinstance(data, Mapping) else None
    )
    for key, messages in agency_errors.items():
        errors.setdefault(key, messages)
    if errors or values is None:
        raise Invalid(errors)
    added = [_incident(i, agencies) for i in values["incidents"]]
    case.incidents.extend(added)
    svc.session.flush()
    repeat.evaluate(svc.session, case, repeat.RepeatRule.from_settings(svc.settings))
    fields = ["incidents", "repeat_victim"]
    if any(i["reference"] for i in values["incidents"]):
        fields.append("incidents.reference")
    audit.record(svc.session, actor, "update", RECORD_TYPE, case.id, fields)
    out = _answer(svc, actor, case)
    out["incidents"] = [str(i.id) for i in added]
    return out


@action(changes=(RECORD_TYPE,))
def close_case(svc: Services, actor: Actor, case_id: Any, data: Any) -> dict[str, Any]:
    """Close a case with its outcome (``CASE_OUTCOMES``) and the day it closed: the panel's
    decision: the protocol says who may change a case's outcome (the shipped one: the
    panel's coordinator and chair), 403 for anyone else who may see the case."""
    case = editable_case(svc, actor, case_id, "outcome")
    _require_open(case)
    values = load(AsbCloseIn(), data)
    if values["closed_on"] < case.referral_date:
        raise Invalid({"closed_on": ["The case cannot close before it was referred"]})
    case.status, case.outcome, case.closed_on = "closed", values["outcome"], values["closed_on"]
    svc.session.flush()
    audit.record(svc.session, actor, "update", RECORD_TYPE, case.id, ["outcome"])
    return {
        "id": str(case.id),
        "status": case.status,
        "outcome": {"outcome": case.outcome, "closed_on": case.closed_on.isoformat()},
    }


@action(reads=())
def incident_agencies(svc: Services, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the agencies an incident may have been reported to: any the service
    knows, not only the panel's (a victim reports to whoever they can reach)."""
    signed_in(actor)
    return [
        (a.code, a.name)
        for a in svc.session.scalars(
            select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
        )
    ]


def visible_after_referral(svc: Services, actor: Actor, case_id: Any) -> bool:
    """Whether whoever just referred the case may open it now (the protocol decides; a
    protocol without an "own agency" rule would send them back to the list)."""
    case = svc.session.get(AsbCase, as_uuid(case_id))
    return case is not None and svc.sharing.may(svc.session, actor, "view", case)


def in_asb_panel(svc: Services, actor: Actor) -> bool:
    """For pages only: does the caller's agency sit on any ASB panel?"""
    return bool(member_panels(svc, actor))
