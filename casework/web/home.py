"""The home page: what this person can do, by role."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import text

from casework.api.openapi import build_spec
from casework.http import current_actor, services
from casework.panels import kinds as panel_kinds
from casework.panels.actions import list_panels
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


@blueprint.route("/")
@signed_in
@policy()
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
