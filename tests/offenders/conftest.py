"""A partnership with one panel of each offender kind, and the people who work on them."""

from __future__ import annotations

from typing import Any

import pytest

from casework import clock
from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.offenders.actions import create_nominal
from casework.offenders.models import Nominal
from casework.services import Services
from tests.conftest import Factory

USERS = {
    "police": ("pc@pol.example", "POL", ("agency_rep",)),
    "coordinator": ("coord@pol.example", "POL", ("coordinator",)),
    "housing": ("rep@hsg.example", "HSG", ("agency_rep",)),
    "housing_coordinator": ("coord@hsg.example", "HSG", ("coordinator",)),
    "yot": ("rep@yot.example", "YOT", ("agency_rep",)),
    "probation": ("rep@prb.example", "PRB", ("agency_rep",)),
    "outsider": ("rep@edu.example", "EDU", ("agency_rep", "coordinator", "chair")),
    "analyst": ("analyst@pol.example", "POL", ("analyst",)),
    "referrer": ("ref@pol.example", "POL", ("referrer",)),
}


def nominal_body(panel_id: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "panel_id": str(panel_id),
        "first_name": "Dean",
        "last_name": "Price",
        "date_of_birth": "1990-05-17",
        "pnc_id": "09/123456X",
        "entry_date": "2026-01-05",
        "cohort": None,
    }
    body.update(changes)
    return body


class World:
    def __init__(self, svc: Services, factory: Factory) -> None:
        self.svc = svc
        for code, sector in (
            ("POL", "police"),
            ("HSG", "housing"),
            ("YOT", "youth_offending"),
            ("PRB", "probation"),
            ("EDU", "education"),
        ):
            factory.agency(code, sector)
        self.panels = {
            "ppo": factory.panel(("POL", "HSG", "PRB"), "ppo", name="Northshire PPO"),
            "pd": factory.panel(("POL", "HSG", "YOT"), "prevent_deter", name="Northshire P&D"),
            "iom": factory.panel(("POL", "PRB", "HSG"), "iom", name="Northshire IOM"),
            "marac": factory.panel(("POL", "HSG"), "marac", name="Northshire MARAC"),
        }
        self.users = {k: factory.user(e, a, r) for k, (e, a, r) in USERS.items()}

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name], via="test")

    def nominal(self, panel: str = "ppo", who: str = "coordinator", **changes: Any) -> Nominal:
        if panel == "pd":
            changes.setdefault("date_of_birth", "2011-02-03")
            changes.setdefault("pnc_id", None)
            changes.setdefault("first_name", "Kai")
        if panel == "iom":
            changes.setdefault("cohort", "fixed")
        body = nominal_body(self.panels[panel].id, **changes)
        nominal = create_nominal(self.svc, self.actor(who), body)
        self.svc.session.commit()
        return nominal


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


TODAY = clock.today()
