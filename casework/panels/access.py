"""Who may reach a panel: its member agencies. Kept apart from the panel actions so the
meetings code (which those actions call to schedule meetings) can ask without importing them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.authz import signed_in
from casework.db import as_uuid
from casework.errors import NotVisible
from casework.panels.models import Panel, PanelMember
from casework.services import Services


def member_panel(svc: Services, actor: Actor, panel_id: Any) -> Panel:
    """The panel if the caller's agency is a member of it; 404 otherwise (as for none)."""
    signed_in(actor)
    pid = as_uuid(panel_id)
    panel = svc.session.get(Panel, pid) if pid is not None else None
    if panel is None or actor.agency_id is None:
        raise NotVisible()
    if svc.session.get(PanelMember, (panel.id, actor.agency_id)) is None:
        raise NotVisible()
    return panel


def agency_panels(svc: Services, actor: Actor, kinds: tuple[str, ...]) -> list[Panel]:
    """The active panels of ``kinds`` the caller's agency sits on, by name: what an area's
    pages offer to choose from (no case data, so no engine check)."""
    if actor.agency_id is None:
        return []
    stmt = (
        select(Panel)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(
            PanelMember.agency_id == actor.agency_id,
            Panel.kind.in_(kinds),
            Panel.active.is_(True),
        )
        .order_by(Panel.name)
    )
    return list(svc.session.scalars(stmt))
