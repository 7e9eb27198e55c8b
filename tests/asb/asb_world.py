"""An ASB panel for the ASB case tests: the council's ASB team coordinates, police, housing and
health sit on it; another agency sits only on another ASB panel. Cases are referred through
the action the API calls (``casework.asb.cases.refer_case``); ``tests.asb.enforcement_world``
builds the same world and makes its cases directly."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from casework import clock
from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.asb.cases import refer_case
from casework.services import Services
from tests.conftest import Factory

USERS = {
    "coordinator": ("coord@asb.example", "ASBT", ("coordinator",)),
    "police": ("pc@police.example", "POL", ("agency_rep",)),
    "housing": ("officer@housing.example", "HOU", ("referrer",)),
    "health": ("nurse@health.example", "NHS", ("agency_rep",)),
    "outsider": ("coord@elsewhere.example", "OUT", ("coordinator",)),
    "analyst": ("analyst@asb.example", "ASBT", ("analyst",)),
}
SECTORS = {
    "ASBT": "local_authority",
    "POL": "police",
    "HOU": "housing",
    "NHS": "health",
    "OUT": "local_authority",
}
# Every question of the shipped matrix (config/asb_risk.toml) answered with a 0-weight answer.
NOTHING = {
    "targeted_personal": "no",
    "lives_alone_isolated": "no",
    "children_affected": "no",
    "perpetrator_nearby": "no",
    "disability_illness": "no",
    "mental_health": "no",
    "physical_health_affected": "no",
    "substance_misuse": "no",
    "previous_reports": "none",
    "frequency": "less_often",
    "escalating": "no",
    "violence_damage": "no",
    "feels_unsafe": "no",
    "changed_routine": "no",
    "wants_to_move": "not_known",
    "fear_of_reprisal": "no",
}
# 4 + 4 + 4 + 4 + 3 + 3 = 22: high from 20 in the shipped matrix.
HIGH = {
    "targeted_personal": "yes",
    "mental_health": "yes",
    "violence_damage": "yes",
    "frequency": "daily",
    "feels_unsafe": "yes",
    "escalating": "yes",
}
# 4 + 4 + 3 = 11: medium from 10.
MEDIUM = {"mental_health": "yes", "frequency": "daily", "escalating": "yes"}


def days_ago(n: int) -> str:
    return (clock.today() - timedelta(days=n)).isoformat()


def incident(ago: int, **changes: Any) -> dict[str, Any]:
    body = {"date": days_ago(ago), "type": "noise", "agency": "POL", "reference": f"INC-{ago}"}
    body.update(changes)
    return body


def referral(panel_id: Any, **changes: Any) -> dict[str, Any]:
    """A housing officer's referral of Vera Stone, standard risk, one incident last week."""
    body: dict[str, Any] = {
        "panel_id": str(panel_id),
        "victim": {
            "first_name": "Vera",
            "last_name": "Stone",
            "date_of_birth": "1961-04-02",
            "address": "4 Elm Court, Anytown",
            "phone": "07700 900123",
        },
        "location": "Elm Court estate, Anytown",
        "summary": "Loud music and shouting at night from the flat above.",
        "risk_answers": dict(NOTHING),
        "incidents": [incident(7)],
        "perpetrators": [
            {"first_name": "Rob", "last_name": "Marsh", "date_of_birth": "1998-01-20"},
            {"group_name": "Elm Court youths", "description": "Four or five teenagers"},
        ],
    }
    body.update(changes)
    return body


class World:
    def __init__(self, svc: Services, factory: Factory) -> None:
        self.svc = svc
        self.factory = factory
        for code, sector in SECTORS.items():
            factory.agency(code, sector)
        self.users = {
            name: factory.user(email, agency, roles)
            for name, (email, agency, roles) in USERS.items()
        }
        self.panel = factory.panel(("ASBT", "POL", "HOU", "NHS"), kind="asb", name="ASB panel")
        self.other_panel = factory.panel(("OUT",), kind="asb", name="Elsewhere ASB panel")
        # made now: a request ends the session, and the users with it
        self._actors = {name: actor_for(user, via="test") for name, user in self.users.items()}
        self._tokens = {name: factory.token(user) for name, user in self.users.items()}

    def actor(self, name: str) -> Actor:
        return self._actors[name]

    def token(self, name: str) -> str:
        return self._tokens[name]

    def refer(self, who: str = "housing", **changes: Any) -> dict[str, Any]:
        answer = refer_case(self.svc, self.actor(who), referral(self.panel.id, **changes))
        self.svc.session.commit()
        return answer


def on(day: date) -> str:
    return day.isoformat()
