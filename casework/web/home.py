"""The home page: what this person can do, by role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from casework import home_tasks
from casework.api.openapi import build_spec
from casework.dates import date_at, long_date
from casework.http import current_actor, services
from casework.panels import kinds as panel_kinds
from casework.panels.actions import list_panels
from casework.roles import CASE_ROLES
from casework.routes import policy, public, signed_in
from casework.web.blueprint import blueprint

ROLE_NAMES = {
    "referrer": "Referrer",
    "idva": "IDVA",
    "agency_rep": "Agency representative",
    "coordinator": "Coordinator",
    "chair": "Chair",
    "analyst": "Performance analyst",
    "admin": "Administrator",
    "dpo": "Data protection officer",
}


@blueprint.app_context_processor
def _overdue_navigation() -> dict[str, Callable[[], int | None]]:
    def overdue_actions() -> int | None:
        """How many of the caller's agency's actions are overdue, for the Actions link."""
        actor = g.get("actor")
        if actor is None or actor.agency_id is None or not actor.has_any(*CASE_ROLES):
            return None
        try:
            return home_tasks.overdue_count(services(), actor)
        except SQLAlchemyError:
            return None  # an error page must still render while the database is unwell

    return {"overdue_actions": overdue_actions}


@blueprint.route("/")
@signed_in
@policy("referral", "action", "research_note", "safety_plan")
def home() -> Any:
    actor = current_actor()
    panels = list_panels(services(), actor)
    return render_template(
        "home.html",
        actor=actor,
        name=current_user.user.name,  # the signed-in person's own name, already loaded
        panels=panels,
        kinds=panel_kinds.labels(),
        role_names=[ROLE_NAMES[r] for r in sorted(actor.roles)],
        tasks=home_tasks.home_tasks(services(), actor),
        long_date=long_date,
        date_at=date_at,
    )


@blueprint.get("/openapi.json")
@public
def openapi() -> Any:
    return build_spec(current_app)


@blueprint.get("/health")
@public
def health() -> Any:
    """For load balancers: the process answers and the database is reachable."""
    services().session.execute(text("SELECT 1"))
    return {"status": "ok"}
