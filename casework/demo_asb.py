"""The demo's anti-social behaviour risk assessment panel and a few fictional cases, made through
the service's own actions (so the sharing engine, the risk matrix, the repeat victim rule and
the audit log treat them as they would real ones).

Three cases show what the panel works with: a high-risk repeat victim whose Community Trigger
application is under review, a medium-risk case where the police issued a warning letter that
was breached, and a standard-risk case newly referred by housing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from casework import clock
from casework.actors import Actor
from casework.asb.cases import refer_case
from casework.asb.interventions import record_breach, record_intervention
from casework.asb.models import AsbCase
from casework.asb.risk import matrix_for
from casework.asb.triggers import record_trigger
from casework.demo_cases import demo_actor
from casework.panels.actions import create_panel
from casework.services import Services

HIGH = {
    "targeted_personal": "yes",
    "mental_health": "yes",
    "violence_damage": "yes",
    "frequency": "daily",
    "feels_unsafe": "yes",
    "escalating": "yes",
}
MEDIUM = {"mental_health": "yes", "frequency": "daily", "escalating": "yes"}


def _answers(svc: Services, chosen: dict[str, str]) -> dict[str, str]:
    """Every question of the configured matrix answered: ``chosen`` where given, else its
    lowest-weighted answer (a partnership's own matrix may differ from the shipped one)."""
    out = {}
    for question in matrix_for(svc.settings).questions:
        lowest = min(question.answers, key=lambda a: a.weight).code
        out[question.code] = chosen.get(question.code, lowest)
    return out


def _day(days_ago: int) -> str:
    return (clock.today() - timedelta(days=days_ago)).isoformat()


def _incidents(*ago: int, kind: str = "harassment_intimidation") -> list[dict[str, Any]]:
    return [
        {"date": _day(n), "type": kind, "agency": "POL", "reference": f"CAD-{4100 + n}"}
        for n in ago
    ]


def _refer(svc: Services, who: Actor, panel_id: Any, **body: Any) -> dict[str, Any]:
    return refer_case(svc, who, {"panel_id": str(panel_id), **body})


def asb_panel(svc: Services) -> None:
    system = Actor.system("demo")
    panel = create_panel(
        svc,
        system,
        {
            "kind": "asb",
            "name": "Northshire ASB risk assessment conference",
            "area": "Northshire",
            "agencies": ["CSP", "POL", "HOUSING", "HEALTH", "CSC"],
            "schedule": "day=2nd tue; hour=14",
        },
    )
    svc.session.flush()
    housing = demo_actor(svc, "rep@housing.demo")
    police = demo_actor(svc, "referrer@police.demo")
    coordinator = demo_actor(svc, "coordinator@csp.demo")

    repeat = _refer(
        svc,
        housing,
        panel.id,
        referral_date=_day(20),
        victim={
            "first_name": "Margaret",
            "last_name": "Fenwick",
            "date_of_birth": "1948-09-12",
            "address": "3 Demo Close, Northshire",
            "phone": "07700 900411",
        },
        location="Demo Close flats, Northshire",
        summary="Demo case: youths gathering on the stairwell, banging on her door at night.",
        risk_answers=_answers(svc, HIGH),
        incidents=_incidents(150, 90, 40, 21),
        perpetrators=[{"group_name": "Demo Close group", "description": "Four or five teenagers"}],
    )
    record_trigger(svc, coordinator, repeat["id"], {"received_on": _day(6)})

    warned = _refer(
        svc,
        police,
        panel.id,
        referral_date=_day(60),
        victim={"first_name": "Imran", "last_name": "Qureshi", "date_of_birth": "1979-03-30"},
        location="Demo Parade shops, Northshire",
        summary="Demo case: a neighbour's threats and damage to his car.",
        risk_answers=_answers(svc, MEDIUM),
        incidents=_incidents(70, 61, kind="criminal_damage"),
        perpetrators=[
            {"first_name": "Gary", "last_name": "Tolland", "date_of_birth": "1990-11-02"}
        ],
    )
    svc.session.flush()
    case = svc.session.get(AsbCase, uuid.UUID(warned["id"]))
    assert case is not None
    perpetrator = str(case.perpetrators[0].id)
    letter = record_intervention(
        svc,
        police,
        warned["id"],
        perpetrator,
        {"kind": "warning_letter", "agency": "POL", "issued_on": _day(50)},
    )
    record_breach(
        svc,
        police,
        warned["id"],
        perpetrator,
        letter["id"],
        {"occurred_on": _day(30), "action_taken": "Acceptable behaviour contract offered"},
    )

    _refer(
        svc,
        housing,
        panel.id,
        referral_date=_day(3),
        victim={"first_name": "Chloe", "last_name": "Barnard", "date_of_birth": "1996-05-17"},
        location="Demo Gardens, Northshire",
        summary="Demo case: loud music late at night from the flat below.",
        risk_answers=_answers(svc, {}),
        incidents=_incidents(5, kind="noise"),
        perpetrators=[{"first_name": "Dale", "last_name": "Simms"}],
    )
    svc.session.flush()
