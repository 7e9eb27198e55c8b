"""Managing member agencies: administrators only."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.accounts.sessions import end_agency_sessions
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.agencies.schemas import AgencyIn, AgencyUpdate
from casework.audit import log as audit
from casework.authz import action, require_role, signed_in
from casework.errors import Invalid, NotVisible
from casework.schemas import load
from casework.services import Services


def find_by_code(svc: Services, code: str) -> Agency | None:
    return svc.session.scalar(select(Agency).where(Agency.code == code))


# An agency's code never changes once made (``update_agency`` leaves it) and ids are never
# reused, so a code once read holds for the life of the process: a referral read each request
# names its referring agency without a query (a partnership has dozens of agencies).
_CODES: dict[uuid.UUID, str] = {}


def codes_of(svc: Services, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Agency codes by id, for the agencies answers name (never case data)."""
    return agency_codes(svc.session, ids)


def agency_codes(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """``codes_of`` for code holding a session: those this process has not read before are
    read in one query."""
    wanted = {i for i in ids if i is not None}
    missing = wanted - _CODES.keys()
    if missing:
        found = select(Agency.id, Agency.code).where(Agency.id.in_(missing))
        _CODES.update(session.execute(found).tuples().all())
    return {i: _CODES[i] for i in wanted if i in _CODES}


@action
def create_agency(svc: Services, actor: Actor, data: Any) -> Agency:
    require_role(actor, "admin")
    values = load(AgencyIn(), data)
    if find_by_code(svc, values["code"]):
        raise Invalid({"code": [f"An agency with code {values['code']} already exists"]})
    agency = Agency(
        code=values["code"],
        name=values["name"],
        sector=values["sector"],
        is_police=values["police"] or values["sector"] == "police",
        active=True,  # set here, not left to the column default: the answer is dumped unflushed
    )
    svc.session.add(agency)
    audit.record(svc.session, actor, "create", "agency", agency.id, values.keys())
    return agency


@action
def update_agency(svc: Services, actor: Actor, code: str, data: Any) -> Agency:
    require_role(actor, "admin")
    values = load(AgencyUpdate(), data)
    agency = find_by_code(svc, code)
    if agency is None:
        raise NotVisible()
    for key, attr in (
        ("name", "name"),
        ("sector", "sector"),
        ("police", "is_police"),
        ("active", "active"),
    ):
        if key in values:
            setattr(agency, attr, values[key])
    if values.get("active") is False:
        # For good, as for a disabled account: enabling the agency again revives nothing.
        end_agency_sessions(svc, agency.id)
    audit.record(svc.session, actor, "update", "agency", agency.id, values.keys())
    return agency


@action
def list_agencies(svc: Services, actor: Actor) -> list[Agency]:
    """Every signed-in user may see which agencies exist (names are not case data)."""
    signed_in(actor)
    return list(svc.session.scalars(select(Agency).order_by(Agency.name)))


@action
def get_agency(svc: Services, actor: Actor, code: str) -> Agency:
    require_role(actor, "admin")
    agency = find_by_code(svc, code)
    if agency is None:
        raise NotVisible()
    return agency
