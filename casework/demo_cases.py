"""Demo casework beyond referrals: offender panels (PPO, Prevent and Deter, IOM) with nominals,
offences and classifications.

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
# IOM: (first, last, born, PNC, cohort, days in the cohort, offences as in PPO_NOMINALS)
IOM_NOMINALS = [
    ("Jason", "Tierney", "1987-08-23", "07/246813C", "fixed", 300, [(250, "burglary", "charge")]),
    ("Mehmet", "Yilmaz", "1992-01-09", "11/135792D", "flex", 150, [(90, "shoplifting", "caution")]),
    ("Craig", "Dunmore", "1979-12-30", "98/864209E", "free", 60, [(20, "drugs", "arrest")]),
]


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
    iom_panel(svc, coordinator)
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


def iom_panel(svc: Services, coordinator: Actor) -> None:
    """Integrated Offender Management beside PPO and Prevent and Deter: a nominal in each of
    the fixed, flex and free cohorts."""
    iom = create_panel(
        svc,
        Actor.system("demo"),
        {
            "kind": "iom",
            "name": "Northshire IOM",
            "area": "Northshire",
            "agencies": ["POL", "PROB", "HOUSING", "HEALTH", "CSP"],
            "schedule": "day=4th wed; hour=14",
        },
    )
    svc.session.flush()
    today = clock.today()
    for first, last, born, pnc, cohort, days_in, offences in IOM_NOMINALS:
        nominal = create_nominal(
            svc,
            coordinator,
            {
                "panel_id": str(iom.id),
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "pnc_id": pnc,
                "entry_date": (today - timedelta(days=days_in)).isoformat(),
                "cohort": cohort,
                "lead_agency": "PROB",
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
