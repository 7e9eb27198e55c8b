"""Creating, changing and listing panels. Membership decides which panels an agency sees.

Panel settings are not case data, so these actions audit the field names changed and need no
sharing check; a panel outside the caller's agency still answers 404 like one that does not
exist, so nobody learns what other partnerships' panels are called.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.actions import find_by_code
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action, require_role, signed_in
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.panels.access import member_panel
from casework.panels.models import Panel, PanelMember
from casework.panels.schemas import PanelIn, PanelUpdate
from casework.roles import PANEL_EDITORS
from casework.schemas import load
from casework.services import Services

SETTINGS = (
    "meeting_minutes",
    "minutes_per_case",
    "cutoff_working_days",
    "circulation_working_days",
    "adult_female_population",
)


def _agencies(svc: Services, codes: list[str]) -> list[Agency]:
    codes = list(dict.fromkeys(codes))
    found = [find_by_code(svc, code) for code in codes]
    missing = [code for code, agency in zip(codes, found, strict=True) if agency is None]
    if missing:
        raise Invalid({"agencies": [f"No agency has code {code}" for code in missing]})
    return [a for a in found if a is not None]


def _protocol(svc: Services, kind: str, wanted: str | None) -> str:
    protocol = wanted or svc.sharing.protocol_for_kind(kind)
    chosen = svc.sharing.protocols.get(protocol or "")
    if chosen is None or kind not in chosen.panel_kinds:
        raise Invalid(
            {"protocol": ["Choose an information sharing protocol that covers this kind of panel"]}
        )
    return protocol


@action
def create_panel(svc: Services, actor: Actor, data: Any, now: datetime | None = None) -> Panel:
    """Create a panel and put its next three meetings in the diary at once."""
    from casework.meetings.schedule import schedule_meetings

    require_role(actor, *PANEL_EDITORS)
    values = load(PanelIn(), data)
    agencies = _agencies(svc, values["agencies"])
    protocol = _protocol(svc, values["kind"], values["protocol"])
    panel = Panel(
        kind=values["kind"],
        name=values["name"],
        area=values["area"],
        schedule=values["schedule"],
        nation=values["nation"],
        protocol=protocol,
        members=[PanelMember(agency=a) for a in agencies],
        **{name: values[name] for name in SETTINGS},
    )
    svc.session.add(panel)
    audit.record(svc.session, actor, "create", "panel", panel.id, values.keys())
    schedule_meetings(svc, panel, now or utcnow())
    return panel


@action
def get_panel(svc: Services, actor: Actor, panel_id: Any) -> Panel:
    return member_panel(svc, actor, panel_id)


def _editable(svc: Services, actor: Actor, panel_id: Any) -> Panel:
    require_role(actor, *PANEL_EDITORS)
    if actor.has_any("admin"):
        pid = as_uuid(panel_id)
        panel = svc.session.get(Panel, pid) if pid is not None else None
        if panel is None:
            raise NotVisible()
        return panel
    return member_panel(svc, actor, panel_id)


@action
def editable_panel(svc: Services, actor: Actor, panel_id: Any) -> Panel:
    """A panel the caller may change: any panel for an administrator, a member panel for a
    coordinator (404 for others' panels); 403 for every other role."""
    return _editable(svc, actor, panel_id)


@action
def update_panel(
    svc: Services, actor: Actor, panel_id: Any, data: Any, now: datetime | None = None
) -> Panel:
    """Change a panel's settings or members; future meetings follow (see
    ``reschedule_after_change``). Only the fields given change."""
    from casework.meetings.schedule import reschedule_after_change

    panel = _editable(svc, actor, panel_id)
    values = load(PanelUpdate(panel=panel), data)
    changed: set[str] = set()
    if "agencies" in values:
        agencies = _agencies(svc, values.pop("agencies"))
        if {a.id for a in agencies} != {m.agency_id for m in panel.members}:
            keep = {m.agency_id: m for m in panel.members}
            panel.members = [keep.get(a.id) or PanelMember(agency=a) for a in agencies]
            changed.add("agencies")
    if "protocol" in values:
        values["protocol"] = _protocol(svc, panel.kind, values["protocol"])
    for name, value in values.items():
        if getattr(panel, name) != value:
            setattr(panel, name, value)
            changed.add(name)
    if changed:
        svc.session.flush()
        audit.record(svc.session, actor, "update", "panel", panel.id, changed)
        reschedule_after_change(svc, panel, changed, now or utcnow())
    return panel


@action(reads=())  # panels, not case data
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


@action
def list_all_panels(svc: Services, actor: Actor) -> list[Panel]:
    """Every panel, for administrators who set them up (settings only: no case data)."""
    require_role(actor, "admin")
    return list(svc.session.scalars(select(Panel).order_by(Panel.name)))
