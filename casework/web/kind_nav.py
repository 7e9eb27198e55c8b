"""The service navigation's links to panel kinds' own pages (``PanelKind.pages``).

A link is offered to a signed-in person whose agency is a member of an active panel of that
kind, so a kind added later appears in the navigation without an edit to the base template.
"""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from casework.http import services
from casework.panels import kinds as panel_kinds
from casework.panels.models import Panel, PanelMember
from casework.roles import CASE_ROLES
from casework.web.blueprint import blueprint


def _member_kinds() -> set[str]:
    actor = g.get("actor")
    if actor is None or actor.agency_id is None:
        return set()
    stmt = (
        select(Panel.kind)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(PanelMember.agency_id == actor.agency_id, Panel.active.is_(True))
        .distinct()
    )
    return set(services().session.scalars(stmt))


@blueprint.app_context_processor
def _kind_navigation() -> dict[str, Any]:
    def kind_nav() -> list[dict[str, Any]]:
        """Navigation items for the kinds the reader's agency sits on a panel of."""
        try:
            kinds = _member_kinds()
        except SQLAlchemyError:
            return []  # an error page must still render while the database is unwell
        actor = g.get("actor")
        endpoint = request.endpoint or ""
        links: dict[str, dict[str, Any]] = {}
        for k in panel_kinds.all_kinds():
            if k.code not in kinds:
                continue
            for page in k.pages:
                if actor is None or not actor.has_any(*(page.roles or CASE_ROLES)):
                    continue
                links.setdefault(
                    page.endpoint,
                    {
                        "href": url_for(page.endpoint),
                        "text": page.text,
                        "active": endpoint.startswith(page.active_prefix),
                    },
                )
        return list(links.values())

    return {"kind_nav": kind_nav}
