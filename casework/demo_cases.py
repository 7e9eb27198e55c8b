"""Demo casework beyond referrals: offender panels with nominals, offences and classifications.

Everything goes through the actions users call, as the demo's coordinator, so the demo
exercises the same validation, sharing, encryption and audit as real use. All people are
fictional.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.offenders.actions import create_nominal
from casework.offenders.records import record_classification, record_offence
from casework.panels.actions import create_panel
from casework.services import Services

# (first, last, born, PNC, offences as (days ago, category, outcome), classification)
PPO_NOMINALS = [
    (
        "Liam",
        "Carver",
        "1994-03-12",
        "14/123456A",
        [
            (20, "burglary", "charge"),
            (75, "burglary", "conviction"),
            (160, "theft_from_person", "arrest"),
        ],
        "cc",
    ),
    (
        "Shane",
        "Doyle",
        "1989-11-02",
        "09/654321B",
        [(40, "vehicle_crime", "caution"), (200, "shoplifting", "conviction")],
        "rr",
    ),
]
YOUTH = ("Tyler", "Penn", "2011-05-19", [(30, "criminal_damage", "arrest")])


def demo_actor(svc: Services, email: str) -> Actor:
    """A demo account acting as itself, as when that person signs in."""
    user = svc.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return actor_for(user, via="demo")


def offender_panels(svc: Services) -> None:
    system = Actor.system("demo")
    ppo = create_panel(
        svc,
        system,
        {
            "kind": "ppo",
            "name": "Northshire PPO operational group",
            "area": "Northshire",
            "agencies": ["POL", "PROB", "HOUSING", "HEALTH", "CSP"],
            "schedule": "day=2nd wed; hour=14",
        },
    )
    deter = create_panel(
        svc,
        system,
        {
            "kind": "prevent_deter",
            "name": "Northshire Prevent and Deter",
            "area": "Northshire",
            "agencies": ["POL", "CSC", "YOS", "CSP"],
            "schedule": "day=3rd thu; hour=10",
        },
    )
    svc.session.flush()
    coordinator = demo_actor(svc, "coordinator@csp.demo")
    today = clock.today()
    entry = (today - timedelta(days=120)).isoformat()
    for first, last, born, pnc, offences, rating in PPO_NOMINALS:
        nominal = create_nominal(
            svc,
            coordinator,
            {
                "panel_id": str(ppo.id),
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "pnc_id": pnc,
                "entry_date": entry,
                "lead_agency": "POL",
            },
        )
        for days, category, outcome in offences:
            when = (today - timedelta(days=days)).isoformat()
            record_offence(
                svc,
                coordinator,
                nominal.id,
                {"date": when, "category": category, "outcome": outcome},
            )
        record_classification(
            svc,
            coordinator,
            nominal.id,
            {
                "panel_id": str(ppo.id),
                "classification": rating,
                "date": entry,
                "reason": "Demo: agreed at entry",
            },
        )
    first, last, born, offences = YOUTH
    police = demo_actor(svc, "referrer@police.demo")
    youth = create_nominal(
        svc,
        coordinator,
        {
            "panel_id": str(deter.id),
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "entry_date": entry,
            "school": "Northshire Academy",
            "lead_agency": "YOS",
        },
    )
    for days, category, outcome in offences:
        when = (today - timedelta(days=days)).isoformat()
        record_offence(
            svc, police, youth.id, {"date": when, "category": category, "outcome": outcome}
        )
