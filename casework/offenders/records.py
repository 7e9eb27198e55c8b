"""What is recorded against a nominal: offences and other events, custody, resettlement
pathways, Prevent and Deter interventions and risk factors, and PPO classifications.

Writing needs the sharing engine's ``edit`` verb on the field the record belongs to (the
offender protocol gives it to the panel's coordinator and chair for adults, and to police,
youth offending and children's services for young people). A nominal the caller cannot see
answers 404; one they can see but not change answers 403. Every change is audited with the
field names written, never the values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings.models import Meeting
from casework.offenders.actions import member_panels, readable
from casework.offenders.dump import current, record_type_name
from casework.offenders.models import (
    Classification,
    CustodyPeriod,
    Intervention,
    Nominal,
    OffenderEvent,
    PathwayNeed,
)
from casework.offenders.schemas import (
    ClassificationIn,
    CustodyIn,
    EventIn,
    InterventionIn,
    InterventionUpdate,
    OffenceIn,
    PathwayIn,
    PathwayUpdate,
    RiskFactorsIn,
)
from casework.panels.models import Panel
from casework.roles import COHORT_ENTERERS, MANAGERS
from casework.schemas import load
from casework.services import Services

LABELS = {
    "offences": "offences, reports, warrants or custody",
    "drug_tests": "drug tests",
    "pathways": "resettlement pathways",
    "interventions": "interventions",
    "risk_factors": "risk factors",
    "classification": "a classification",
}
DEFAULT_CATEGORIES = (
    *("burglary", "robbery", "vehicle_crime", "theft_from_person", "shoplifting"),
    *("violence", "criminal_damage", "drugs", "public_order", "other"),
)


def offence_categories(svc: Services) -> tuple[str, ...]:
    return tuple(svc.settings.get("OFFENCE_CATEGORIES") or DEFAULT_CATEGORIES)


def field_of(kind: str) -> str:
    """The protocol field an event of this kind is shared and changed under."""
    return "drug_tests" if kind == "drug_test" else "offences"


def editable(svc: Services, actor: Actor, nominal_id: Any, field: str) -> Nominal:
    """The nominal if ``actor`` may change ``field`` of it: 404 if they cannot see it at all,
    403 if they can see it but not change this."""
    nominal, _ = readable(svc, actor, nominal_id)
    if field not in svc.sharing.visible_fields(svc.session, actor, nominal, "edit"):
        raise Forbidden(f"Your agency may not record {LABELS[field]} on this record")
    return nominal


def _changed(svc: Services, actor: Actor, nominal: Nominal, fields: list[str]) -> None:
    svc.session.flush()
    audit.record(svc.session, actor, "update", record_type_name(nominal), nominal.id, fields)


def check_event(svc: Services, values: dict[str, Any]) -> dict[str, Any]:
    """The rules an event needs beyond its schema (shared with the import)."""
    if values["kind"] == "offence" and values["category"] not in offence_categories(svc):
        raise Invalid({"category": [f"Choose one of {', '.join(offence_categories(svc))}"]})
    return values


def add_event(
    svc: Services, actor: Actor, nominal: Nominal, values: dict[str, Any]
) -> OffenderEvent:
    """Write a checked event for a nominal the caller may change (the import uses this)."""
    if nominal.date_of_birth and values["date"] < nominal.date_of_birth:
        raise Invalid({"date": ["The date must be after the person's date of birth"]})
    event = OffenderEvent(
        nominal_id=nominal.id,
        kind=values["kind"],
        event_date=values["date"],
        category=values.get("category"),
        outcome=values.get("outcome"),
        positive=values.get("positive"),
    )
    svc.session.add(event)
    written = [f"{field_of(values['kind'])}.{k}" for k, v in values.items() if v is not None]
    _changed(svc, actor, nominal, written)
    return event


@action(changes=("nominal", "youth_record"))
def record_offence(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> OffenderEvent:
    """CONTRACT.md: ``POST /nominals/{id}/offences`` ``{"date", "category", "outcome"}``."""
    nominal = editable(svc, actor, nominal_id, "offences")
    values = check_event(svc, {"kind": "offence", "positive": None, **load(OffenceIn(), data)})
    return add_event(svc, actor, nominal, values)


@action(changes=("nominal", "youth_record"))
def record_event(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> OffenderEvent:
    """An offence, intelligence report, warrant or drug test (``kind`` says which)."""
    readable(svc, actor, nominal_id)  # 404 before any validation answer
    values = check_event(svc, load(EventIn(), data))
    nominal = editable(svc, actor, nominal_id, field_of(values["kind"]))
    return add_event(svc, actor, nominal, values)


@action(changes=("nominal", "youth_record"))
def record_custody(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> CustodyPeriod:
    nominal = editable(svc, actor, nominal_id, "offences")
    values = load(CustodyIn(), data)
    period = CustodyPeriod(
        nominal_id=nominal.id, start_date=values["start_date"], end_date=values["end_date"]
    )
    svc.session.add(period)
    _changed(svc, actor, nominal, ["offences.custody"])
    return period


@action(changes=("nominal", "youth_record"))
def record_pathway(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> PathwayNeed:
    nominal = editable(svc, actor, nominal_id, "pathways")
    values = load(PathwayIn(), data)
    need = PathwayNeed(nominal_id=nominal.id)
    for key, value in values.items():
        setattr(need, key, value)
    svc.session.add(need)
    _changed(svc, actor, nominal, [f"pathways.{k}" for k, v in values.items() if v is not None])
    return need


def _owned(svc: Services, model: type, record_id: Any, nominal: Nominal) -> Any:
    row = svc.session.get(model, as_uuid(record_id)) if as_uuid(record_id) else None
    if row is None or row.nominal_id != nominal.id:
        raise NotVisible()
    return row


def _update(row: Any, values: dict[str, Any], check: Callable[[Any], None]) -> list[str]:
    for key, value in values.items():
        setattr(row, key, value)
    check(row)
    return list(values)


@action(changes=("nominal", "youth_record"))
def update_pathway(
    svc: Services, actor: Actor, nominal_id: Any, pathway_id: Any, data: Any
) -> PathwayNeed:
    """Move a need on: its status, whether it is achieved, when it ended, notes."""
    nominal = editable(svc, actor, nominal_id, "pathways")
    need = _owned(svc, PathwayNeed, pathway_id, nominal)
    values = load(PathwayUpdate(), data)

    def check(row: PathwayNeed) -> None:
        load(PathwayIn(), _as_input(row))  # the same rules as a new need

    written = _update(need, values, check)
    _changed(svc, actor, nominal, [f"pathways.{k}" for k in written])
    return need


def _as_input(row: PathwayNeed) -> dict[str, Any]:
    out = {"pathway": row.pathway, "status": row.status, "achieved": row.achieved}
    for key in ("start_date", "end_date"):
        if getattr(row, key) is not None:
            out[key] = getattr(row, key).isoformat()
    return out


@action(changes=("nominal", "youth_record"))
def record_intervention(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> Intervention:
    nominal = editable(svc, actor, nominal_id, "interventions")
    values = load(InterventionIn(), data)
    done = Intervention(nominal_id=nominal.id)
    for key, value in values.items():
        setattr(done, key, value)
    svc.session.add(done)
    written = [f"interventions.{k}" for k, v in values.items() if v is not None]
    _changed(svc, actor, nominal, written)
    return done


@action(changes=("nominal", "youth_record"))
def update_intervention(
    svc: Services, actor: Actor, nominal_id: Any, intervention_id: Any, data: Any
) -> Intervention:
    """Record how an intervention ended (its outcome and end date)."""
    nominal = editable(svc, actor, nominal_id, "interventions")
    done = _owned(svc, Intervention, intervention_id, nominal)
    values = load(InterventionUpdate(), data)

    def check(row: Intervention) -> None:
        if row.end_date is not None and row.end_date < row.start_date:
            raise Invalid({"end_date": ["End date must be on or after the start date"]})

    written = _update(done, values, check)
    _changed(svc, actor, nominal, [f"interventions.{k}" for k in written])
    return done


@action(changes=("nominal", "youth_record"))
def set_risk_factors(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> Nominal:
    """Replace a young person's risk factors (names from RISK_FACTORS, each with notes)."""
    nominal = editable(svc, actor, nominal_id, "risk_factors")
    values = load(RiskFactorsIn(), data)
    nominal.risk_factors = values["risk_factors"] or None
    _changed(svc, actor, nominal, ["risk_factors"])
    return nominal


def _classifying_panel(
    svc: Services, actor: Actor, nominal: Nominal, wanted: Any, today: date
) -> Panel:
    """A panel of the caller's where the nominal is in the cohort now (PPO first)."""
    mine = {p.id: p for p in member_panels(svc, actor)}
    open_on = [
        mine[m.panel_id] for m in nominal.memberships if current(m, today) and m.panel_id in mine
    ]
    if wanted is not None:
        open_on = [p for p in open_on if p.id == wanted]
    if not open_on:
        raise Invalid({"panel_id": ["Choose a panel of yours where this person is in the cohort"]})
    return sorted(open_on, key=lambda p: (p.kind != "ppo", p.name))[0]


@action(changes=("nominal", "youth_record"))
def record_classification(
    svc: Services, actor: Actor, nominal_id: Any, data: Any
) -> Classification:
    """R&R or C&C with date, reason (encrypted) and, when known, the deciding meeting.

    CONTRACT.md: ``POST /nominals/{id}/classifications``. The coordinator or chair of a panel
    where the nominal is in the cohort decides it.
    """
    require_role(actor, *MANAGERS)
    nominal = editable(svc, actor, nominal_id, "classification")
    values = load(ClassificationIn(), data)
    panel = _classifying_panel(svc, actor, nominal, values["panel_id"], clock.today())
    if values["meeting_id"] is not None:
        meeting = svc.session.get(Meeting, values["meeting_id"])
        if meeting is None or meeting.panel_id != panel.id:
            raise Invalid({"meeting_id": ["Choose a meeting of the panel that decided this"]})
    decision = Classification(
        nominal_id=nominal.id,
        panel_id=panel.id,
        classification=values["classification"],
        decided_on=values["date"],
        meeting_id=values["meeting_id"],
        decided_by_id=actor.user_id,
    )
    decision.reason = values["reason"]
    svc.session.add(decision)
    _changed(svc, actor, nominal, ["classification", "classification.reason"])
    return decision


@action(reads=("nominal", "youth_record"))
def editing(svc: Services, actor: Actor, nominal_id: Any, field: str | None) -> dict[str, Any]:
    """What a form page shows about the nominal it records against.

    ``field`` is the protocol field the form changes (None: joining another cohort, which
    needs only sight of the record and a role that may enter people). The name is shown
    only if granted, and its disclosure is audited like any read.
    """
    if field is None:
        require_role(actor, *COHORT_ENTERERS)
        nominal, _ = readable(svc, actor, nominal_id)
    else:
        nominal = editable(svc, actor, nominal_id, field)
    seen = svc.sharing.visible_fields(svc.session, actor, nominal, "view")
    shown = seen & {"first_name", "last_name", "risk_factors"}
    audit.record(svc.session, actor, "view", record_type_name(nominal), nominal.id, shown)
    today = clock.today()
    mine = {p.id: p for p in member_panels(svc, actor)}
    open_spells = {m.panel_id for m in nominal.memberships if current(m, today)}
    return {
        "id": str(nominal.id),
        "record_type": record_type_name(nominal),
        "name": " ".join(
            v for k in ("first_name", "last_name") if k in shown and (v := getattr(nominal, k))
        ),
        "risk_factors": (nominal.risk_factors or {}) if "risk_factors" in shown else {},
        "open_panels": [(str(p.id), p.name) for pid, p in mine.items() if pid in open_spells],
        "other_panels": [(str(p.id), p.name) for pid, p in mine.items() if pid not in open_spells],
    }
