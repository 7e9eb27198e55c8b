"""Nominals and cohorts: entering a person on a panel's cohort (never twice), moving them
between panels, ending a spell, and reading them through the sharing engine.

Identity is matched through blind indexes (PNC number; surname + date of birth), then
compared exactly after decrypting, under one lock so two coordinators cannot enter the same
person at once. A duplicate is refused with a pointer to the existing record only when the
caller may see that record; otherwise the answer says the person exists and no more.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select

from casework import clock
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action, require_role
from casework.crypto import candidates, normalise
from casework.db import as_uuid
from casework.errors import Forbidden, Invalid
from casework.offenders.dump import context_for, current, dump, record_type_name, visible_view
from casework.offenders.models import CohortMembership, Nominal
from casework.offenders.policies import current_membership
from casework.offenders.schemas import CohortIn, ExitIn, NominalIn, NominalQuery, canonical_pnc
from casework.panels.access import agency_panels
from casework.panels.models import Panel
from casework.referrals.repeat import minus_months
from casework.referrals.rows import age_on
from casework.roles import COHORT_ENTERERS, COHORT_VIEWERS, MANAGERS
from casework.schemas import load
from casework.services import Services

OFFENDER_PANELS = ("ppo", "prevent_deter", "iom")
YOUTH_PANEL = "prevent_deter"
LIST_LIMIT = 1000


class Duplicate(Invalid):
    """The person is already recorded; ``existing_id`` is set only if the caller may see it."""

    def __init__(self, fields: dict[str, list[str]], existing_id: uuid.UUID | None) -> None:
        if existing_id is None:
            message = (
                "This person is already recorded on a panel whose records you cannot see. "
                "Ask that panel's coordinator to add them to your panel's cohort."
            )
        else:
            message = (
                f"This person is already recorded as nominal {existing_id}. "
                "Add them to your panel's cohort from their record instead."
            )
        super().__init__(fields, message, code="duplicate")
        self.existing_id = existing_id


def member_panels(svc: Services, actor: Actor) -> list[Panel]:
    return agency_panels(svc, actor, OFFENDER_PANELS)


@action(reads=())
def offender_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The active PPO, Prevent and Deter and IOM panels the caller's agency belongs to."""
    require_role(actor, *COHORT_VIEWERS)
    return member_panels(svc, actor)


@action(reads=())
def entry_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The offender panels the caller may enter people on (the add-nominal form's choice)."""
    require_role(actor, *COHORT_ENTERERS)
    return member_panels(svc, actor)


@action(reads=())
def import_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The offender panels whose cohorts a coordinator may import police extracts for."""
    require_role(actor, "coordinator")
    return member_panels(svc, actor)


def _entry_panel(svc: Services, actor: Actor, values: dict[str, Any]) -> Panel:
    """The panel a person is entered on, with the rules that depend on its kind."""
    panel = svc.session.get(Panel, values["panel_id"])
    if panel is not None and panel.kind == "marac":
        raise Invalid(
            {
                "panel_id": [
                    "A MARAC panel has no nominals: choose a PPO, Prevent and Deter or IOM panel"
                ]
            }
        )
    if panel is None or not panel.active or panel not in member_panels(svc, actor):
        raise Invalid({"panel_id": ["Choose an offender panel your agency belongs to"]})
    errors: dict[str, list[str]] = {}
    if panel.kind == "iom" and not values.get("cohort"):
        errors["cohort"] = ["Choose the IOM cohort: fixed, flex or free"]
    if panel.kind != "iom" and values.get("cohort"):
        errors["cohort"] = ["Only IOM panels have fixed, flex and free cohorts"]
    if errors:
        raise Invalid(errors)
    return panel


def _check_youth(panel: Panel, born: date, entry: date) -> None:
    if panel.kind == YOUTH_PANEL and age_on(born, entry) >= 18:
        raise Invalid(
            {"date_of_birth": ["The young person must be under 18 on the entry date"]},
            message=(
                "Prevent and Deter is for young people under 18 on the date they enter the "
                "cohort. Consider the PPO or IOM panel for an adult."
            ),
            code="over_18",
        )


def find_duplicate(
    svc: Services, first_name: str, last_name: str, born: date, pnc: str | None
) -> tuple[Nominal, str] | None:
    """An existing nominal with this PNC number, or this first name, surname and date of
    birth, and the field that matched. Index hits are candidates only (indexes are truncated
    on purpose); each is decrypted and compared exactly."""
    if pnc:
        keys = candidates("nominal_pnc", pnc)
        for n in (
            svc.session.scalars(select(Nominal).where(Nominal.pnc_ix.in_(keys))) if keys else []
        ):
            if n.pnc_id and canonical_pnc(n.pnc_id) == pnc:
                return n, "pnc_id"
    keys = candidates("nominal_name_dob", last_name, born.isoformat())
    for n in (
        svc.session.scalars(select(Nominal).where(Nominal.name_dob_ix.in_(keys))) if keys else []
    ):
        if (
            n.date_of_birth == born
            and normalise(n.last_name or "") == normalise(last_name)
            and normalise(n.first_name or "") == normalise(first_name)
        ):
            return n, "last_name"
    return None


def _refuse_duplicate(svc: Services, actor: Actor, values: dict[str, Any]) -> None:
    svc.db.lock(svc.session, "nominal-identity")
    found = find_duplicate(
        svc, values["first_name"], values["last_name"], values["date_of_birth"], values["pnc_id"]
    )
    if found is None:
        return
    existing, field = found
    visible = bool(svc.sharing.fields_for(svc.session, actor, "view", [existing])[existing.id])
    what = "PNC number" if field == "pnc_id" else "name and date of birth"
    raise Duplicate(
        {field: [f"A nominal with this {what} is already recorded"]},
        existing.id if visible else None,
    )


def _lead_agency(svc: Services, panel: Panel, code: str | None) -> uuid.UUID | None:
    if not code:
        return None
    agency = svc.session.scalar(select(Agency).where(Agency.code == code.upper()))
    if agency is None or agency.id not in {m.agency_id for m in panel.members}:
        raise Invalid({"lead_agency": ["Choose a member agency of the panel as lead agency"]})
    return agency.id


@action
def create_nominal(svc: Services, actor: Actor, data: Any) -> Nominal:
    """Enter a person on an offender panel's cohort (CONTRACT.md: POST /nominals)."""
    require_role(actor, *COHORT_ENTERERS)
    values = load(NominalIn(), data)
    panel = _entry_panel(svc, actor, values)
    _check_youth(panel, values["date_of_birth"], values["entry_date"])
    if panel.kind != YOUTH_PANEL:
        extra = [k for k in ("school", "risk_factors") if values.get(k)]
        if extra:
            raise Invalid({k: ["Only Prevent and Deter records hold this"] for k in extra})
    lead = _lead_agency(svc, panel, values["lead_agency"])
    _refuse_duplicate(svc, actor, values)
    nominal = Nominal(
        is_youth=panel.kind == YOUTH_PANEL,
        lead_agency_id=lead,
        lead_officer=values["lead_officer"],
        created_by_id=actor.user_id,
    )
    for key in ("first_name", "last_name", "date_of_birth", "pnc_id", "address", "school"):
        setattr(nominal, key, values[key])
    nominal.risk_factors = values["risk_factors"] or None
    nominal.memberships.append(
        CohortMembership(
            nominal_id=nominal.id,
            panel_id=panel.id,
            entry_date=values["entry_date"],
            cohort=values["cohort"],
        )
    )
    svc.session.add(nominal)
    svc.session.flush()
    written = [k for k, v in values.items() if v and k not in ("panel_id", "entry_date")]
    audit.record(
        svc.session, actor, "create", record_type_name(nominal), nominal.id, [*written, "cohort"]
    )
    return nominal


def opens_after_entry(svc: Services, actor: Actor, nominal: Nominal) -> bool:
    """Whether whoever just entered ``nominal`` may open it now. Entering and reading are
    different rights: a coordinator of a housing or council agency may put a young person on
    the Prevent and Deter panel, but the youth record is then shared only with the agencies
    the protocol names, so the page after adding must not be the record itself."""
    return svc.sharing.may(svc.session, actor, "view", nominal)


def readable(
    svc: Services, actor: Actor, nominal_id: Any, verb: str = "view"
) -> tuple[Nominal, frozenset[str]]:
    """The nominal and the fields ``actor`` may take ``verb`` on, or 404."""
    return svc.sharing.get(svc.session, actor, Nominal, as_uuid(nominal_id), verb)


@action(changes=("nominal", "youth_record"))
def join_cohort(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> CohortMembership:
    """Add a nominal the caller can see to another panel's cohort (a new spell; history kept)."""
    require_role(actor, *COHORT_ENTERERS)
    nominal, _ = readable(svc, actor, nominal_id)
    values = load(CohortIn(), data)
    panel = _entry_panel(svc, actor, values)
    today = clock.today()
    if any(m.panel_id == panel.id and current(m, today) for m in nominal.memberships):
        raise Invalid({"panel_id": ["This person is already in this panel's cohort"]})
    if nominal.date_of_birth and values["entry_date"] <= nominal.date_of_birth:
        raise Invalid({"entry_date": ["The entry date must be after the date of birth"]})
    if nominal.date_of_birth:
        _check_youth(panel, nominal.date_of_birth, values["entry_date"])
    if panel.kind == YOUTH_PANEL:
        nominal.is_youth = True  # from now on shared only as a youth record
    spell = CohortMembership(
        nominal_id=nominal.id,
        panel_id=panel.id,
        entry_date=values["entry_date"],
        cohort=values["cohort"],
    )
    nominal.memberships.append(spell)
    svc.session.flush()
    audit.record(svc.session, actor, "update", record_type_name(nominal), nominal.id, ["cohort"])
    return spell


@action(changes=("nominal", "youth_record"))
def leave_cohort(svc: Services, actor: Actor, nominal_id: Any, data: Any) -> CohortMembership:
    """End a nominal's current spell on one panel (de-selected, died, long custody, moved)."""
    require_role(actor, *MANAGERS)
    nominal, _ = readable(svc, actor, nominal_id)
    values = load(ExitIn(), data)
    if "cohort" not in svc.sharing.visible_fields(svc.session, actor, nominal, "edit"):
        raise Forbidden("Your agency may not end this person's cohort spell")
    member_of = {p.id for p in member_panels(svc, actor)}
    spell = next(
        (
            m
            for m in nominal.memberships
            if m.panel_id == values["panel_id"] and m.exit_date is None and m.panel_id in member_of
        ),
        None,
    )
    if spell is None:
        raise Invalid({"panel_id": ["This person has no open spell on a panel of yours"]})
    if values["exit_date"] < spell.entry_date:
        raise Invalid({"exit_date": ["The exit date must be on or after the entry date"]})
    spell.exit_date, spell.exit_reason = values["exit_date"], values["exit_reason"]
    svc.session.flush()
    audit.record(svc.session, actor, "update", record_type_name(nominal), nominal.id, ["cohort"])
    return spell


@action(reads=("nominal", "youth_record"))
def get_nominal(svc: Services, actor: Actor, nominal_id: Any) -> dict[str, Any]:
    """The nominal as the caller may see it, with ``may_edit`` naming what they may record."""
    today = clock.today()

    def shape(nominal: Nominal, fields: frozenset[str]) -> dict[str, Any]:
        data = dump(svc, nominal, today, detail=True, context=context_for(svc, [nominal]))
        return visible_view(data, fields)

    nominal, shown = svc.sharing.disclose_one(
        svc.session, actor, Nominal, as_uuid(nominal_id), shape=shape
    )
    editable = svc.sharing.visible_fields(svc.session, actor, nominal, "edit")
    return {**shown, "may_edit": sorted(editable)}


@action(reads=("nominal", "youth_record"))
def list_nominals(svc: Services, actor: Actor, query: Any) -> list[dict[str, Any]]:
    """Nominals the caller may list (optionally one panel's current cohort), pruned per row."""
    q = load(NominalQuery(), query)
    today = clock.today()
    stmt = select(Nominal).where(svc.sharing.visible_clause(actor, "list", Nominal))
    if q["panel_id"]:
        stmt = stmt.where(
            exists().where(
                CohortMembership.nominal_id == Nominal.id,
                CohortMembership.panel_id == q["panel_id"],
                current_membership(today),
            )
        )
    nominals = list(svc.session.scalars(stmt.order_by(Nominal.created_at.desc()).limit(LIST_LIMIT)))
    context = context_for(svc, nominals)

    def shape(nominal: Nominal, fields: frozenset[str]) -> dict[str, Any]:
        return visible_view(dump(svc, nominal, today, detail=False, context=context), fields)

    return svc.sharing.disclose(svc.session, actor, Nominal, nominals, verb="list", shape=shape)


@action
def cohort_overview(svc: Services, actor: Actor, today: date | None = None) -> list[dict[str, Any]]:
    """Per offender panel of the caller's agency: current cohort size, by IOM cohort, and
    entries and exits in the last 12 months. Counts only: no one is named or listed."""
    require_role(actor, *COHORT_VIEWERS)
    today = today or clock.today()
    since = minus_months(today, 12)
    out = []
    for panel in member_panels(svc, actor):
        of_panel = CohortMembership.panel_id == panel.id
        by_cohort = dict(
            svc.session.execute(
                select(CohortMembership.cohort, func.count())
                .where(of_panel, current_membership(today))
                .group_by(CohortMembership.cohort)
            ).all()
        )
        entries = svc.session.scalar(
            select(func.count())
            .select_from(CohortMembership)
            .where(of_panel, CohortMembership.entry_date.between(since, today))
        )
        exits = svc.session.scalar(
            select(func.count())
            .select_from(CohortMembership)
            .where(of_panel, CohortMembership.exit_date.between(since, today))
        )
        out.append(
            {
                "panel_id": str(panel.id),
                "name": panel.name,
                "kind": panel.kind,
                "current": sum(by_cohort.values()),
                "by_cohort": {c: by_cohort.get(c, 0) for c in ("fixed", "flex", "free")}
                if panel.kind == "iom"
                else None,
                "entries_12m": entries or 0,
                "exits_12m": exits or 0,
                "since": since.isoformat(),
            }
        )
    return out
