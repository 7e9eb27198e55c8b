"""Creating and listing panels. Membership decides which panels an agency sees."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.actions import find_by_code
from casework.audit import log as audit
from casework.authz import action, require_role, signed_in
from casework.errors import Invalid
from casework.panels.models import Panel, PanelMember
from casework.panels.schemas import PanelIn
from casework.schemas import load
from casework.services import Services


@action
def create_panel(svc: Services, actor: Actor, data: Any) -> Panel:
    require_role(actor, "coordinator", "admin")
    values = load(PanelIn(), data)
    codes = list(dict.fromkeys(values["agencies"]))
    agencies = [find_by_code(svc, code) for code in codes]
    missing = [code for code, agency in zip(codes, agencies, strict=True) if agency is None]
    if missing:
        raise Invalid({"agencies": [f"No agency has code {code}" for code in missing]})
    protocol = values["protocol"] or svc.sharing.protocol_for_kind(values["kind"])
    chosen = svc.sharing.protocols.get(protocol or "")
    if chosen is None or values["kind"] not in chosen.panel_kinds:
        raise Invalid(
            {"protocol": ["Choose an information sharing protocol that covers this kind of panel"]}
        )
    panel = Panel(
        kind=values["kind"],
        name=values["name"],
        area=values["area"],
        schedule=values["schedule"],
        nation=values["nation"],
        protocol=protocol,
        members=[PanelMember(agency=a) for a in agencies],
    )
    svc.session.add(panel)
    audit.record(svc.session, actor, "create", "panel", panel.id, values.keys())
    return panel


@action
def list_panels(svc: Services, actor: Actor) -> list[Panel]:
    """The panels the caller's agency is a member of."""
    signed_in(actor)
    if actor.agency_id is None:
        return []
    stmt = (
        select(Panel)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(PanelMember.agency_id == actor.agency_id)
        .order_by(Panel.name)
    )
    return list(svc.session.scalars(stmt))
