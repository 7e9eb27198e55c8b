"""API: panels (CONTRACT.md, Panels)."""

from __future__ import annotations

from typing import Any

from casework.api import blueprint
from casework.api.registry import endpoint, json_body
from casework.http import current_actor, services
from casework.panels import actions as panels
from casework.panels.schemas import PanelIn, PanelOut


@blueprint.post("/panels")
@endpoint(
    policy=(),
    summary="Create a panel",
    tag="panels",
    body=PanelIn,
    response=PanelOut,
    status=201,
    roles=("coordinator", "admin"),
)
def create_panel() -> Any:
    return PanelOut().dump(panels.create_panel(services(), current_actor(), json_body())), 201


@blueprint.get("/panels")
@endpoint(
    policy=(),
    summary="Panels the caller's agency is a member of",
    tag="panels",
    response=PanelOut,
    many=True,
)
def list_panels() -> Any:
    return PanelOut(many=True).dump(panels.list_panels(services(), current_actor()))
