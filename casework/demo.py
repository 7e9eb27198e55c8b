"""A believable demo partnership for trying the service on a laptop (never in production).

By default the partnership has a year behind it (``casework.demo_history``): set up twelve
months before the service's today, with its MARAC meetings held, cases heard, actions done,
not done and overdue, repeats and IDVA transfers, so the dashboard, the charts and the
SafeLives quarterly return have believable figures on first start. ``history=False`` loads
the partnership as of today only (for tests that need sign-ins and a few referrals).

Passwords are random, printed once, and kept in instance/demo-logins.txt so that restarting the
development server can print them again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from casework import clock, demo_asb, demo_cases
from casework.accounts.actions import create_user
from casework.actors import Actor
from casework.agencies.actions import create_agency
from casework.agencies.models import Agency
from casework.clock import UK
from casework.demo_history import history_start, load_history
from casework.demo_people import Victim
from casework.demo_timeline import Timeline
from casework.panels.actions import create_panel
from casework.panels.models import Panel
from casework.referrals.actions import submit_referral
from casework.services import Services

AGENCIES = [
    ("POL", "Northshire Police", "police", True),
    ("IDVA", "Northshire Independent Domestic Violence Advisers", "idva", False),
    ("HEALTH", "Northshire NHS Foundation Trust", "health", False),
    ("HOUSING", "Northshire Homes", "housing", False),
    ("CSC", "Northshire Children's Social Care", "children_social_care", False),
    ("PROB", "Probation Service, Northshire", "probation", False),
    ("CSP", "Northshire Community Safety Partnership", "local_authority", False),
    ("YOS", "Northshire Youth Offending Service", "youth_offending", False),
]

USERS = [
    ("referrer@police.demo", "Sam Patel", "POL", ["referrer"]),
    ("idva@idva.demo", "Jo Williams", "IDVA", ["idva", "referrer"]),
    ("idva2@idva.demo", "Sian Roberts", "IDVA", ["idva"]),  # cases move between the two
    ("rep@health.demo", "Priya Shah", "HEALTH", ["agency_rep", "referrer"]),
    ("rep@housing.demo", "Alex Morgan", "HOUSING", ["agency_rep"]),
    ("rep@csc.demo", "Chris Evans", "CSC", ["agency_rep", "referrer"]),
    ("rep@probation.demo", "Dee Okafor", "PROB", ["agency_rep"]),
    ("coordinator@csp.demo", "Morgan Lee", "CSP", ["coordinator"]),
    ("chair@police.demo", "DI Kim Hughes", "POL", ["chair"]),
    ("analyst@csp.demo", "Robin Clarke", "CSP", ["analyst"]),
    ("admin@csp.demo", "Pat Admin", "CSP", ["admin"]),
    ("dpo@csp.demo", "Lee Data", "CSP", ["dpo"]),
    ("rep@yos.demo", "Sam Okoro", "YOS", ["agency_rep"]),
]


# Fictional people. (referrer, days ago, victim, date of birth, perpetrator, DASH "yes" count,
# police incidents in 12 months); the second Amelia Hart referral is a repeat of the first.
# With the history, the first is part of it (heard at a meeting); the others wait, submitted.
FIRST_HART = (
    "referrer@police.demo",
    230,
    ("Amelia", "Hart"),
    "1991-06-14",
    ("Ryan", "Hart"),
    15,
    2,
)
REFERRALS = [
    ("idva@idva.demo", 40, ("Bethany", "Cole"), "1985-02-03", ("Dean", "Marsh"), 17, 4),
    ("rep@health.demo", 25, ("Chloe", "O'Neill"), "1999-09-21", ("Kyle", "Brooks"), 14, 0),
    ("rep@csc.demo", 12, ("amelia", "HART"), "1991-06-14", ("Ryan", "Hart"), 9, 1),
    ("idva@idva.demo", 6, ("Dana", "Price"), "2008-01-30", ("Tom", "Reeve"), 11, 3),
]


def _referral_body(row: tuple[Any, ...], panel_id: Any, today: date) -> dict[str, Any]:
    _, days, (first, last), born, (p_first, p_last), yes, incidents = row
    return {
        "panel_id": str(panel_id),
        "referral_date": (today - timedelta(days=days)).isoformat(),
        "victim": {
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "gender": "female",
            "address": "Flat 2, 10 Demo Road, Northshire",
            "postcode": "NS1 2AB",
            "phone": "07700 900123",
            "safe_to_call": days % 2 == 0,
        },
        "perpetrators": [
            {
                "first_name": p_first,
                "last_name": p_last,
                "relationship_to_victim": "partner",
            }
        ],
        "children": [],
        "risk": {
            "dash": {str(q): "yes" if q <= yes else "no" for q in range(1, 25)},
            "police_incidents_12m": incidents,
        },
        "victim_aware": True,
        "consent": True,
        "summary": "Demo case: fictional details for trying the service.",
    }


def _demo_referrals(svc: Services, panel_id: Any, rows: list[tuple[Any, ...]]) -> None:
    for row in rows:
        body = _referral_body(row, panel_id, clock.today())
        submit_referral(svc, demo_cases.demo_actor(svc, row[0]), body)


def _first_hart(panel_id: Any, today: date) -> tuple[date, str, Victim, dict[str, Any]]:
    """Amelia Hart's first referral, as a case of the history (heard at the next meeting)."""
    email, days, (first, last), born, (p_first, p_last), *_ = FIRST_HART
    victim = Victim(
        first,
        last,
        date.fromisoformat(born),
        "female",
        "White British",
        False,
        False,
        False,
        (p_first, p_last, "partner"),
    )
    return today - timedelta(days=days), email, victim, _referral_body(FIRST_HART, panel_id, today)


def _actors(svc: Services) -> Callable[[str], Actor]:
    """Each demo account as itself, looked up once."""
    known: dict[str, Actor] = {}

    def actor(email: str) -> Actor:
        if email not in known:
            known[email] = demo_cases.demo_actor(svc, email)
        return known[email]

    return actor


def _logins_path(settings: Mapping[str, Any]) -> Path:
    return Path(settings["INSTANCE_PATH"]) / "demo-logins.txt"


def _password() -> str:
    words = [
        "harbour",
        "lantern",
        "orchard",
        "meadow",
        "copper",
        "river",
        "violet",
        "granite",
        "thistle",
        "beacon",
        "willow",
        "saffron",
        "kestrel",
        "marble",
        "juniper",
        "pebble",
    ]
    # Four different words: a word repeated is easier to guess (zxcvbn scores it below 3).
    chosen = secrets.SystemRandom().sample(words, 4)
    return "-".join(chosen) + f"-{secrets.randbelow(100)}"


def _partnership(svc: Services) -> tuple[list[str], Panel]:
    """Agencies, accounts and the MARAC panel, as the administrator set them up."""
    system = Actor.system("demo")
    for code, name, sector, police in AGENCIES:
        create_agency(svc, system, {"code": code, "name": name, "sector": sector, "police": police})
    lines = []
    for email, name, agency, roles in USERS:
        password = _password()
        create_user(
            svc,
            system,
            {"email": email, "name": name, "agency": agency, "roles": roles, "password": password},
        )
        lines.append(f"{email:<24} {password:<40} {', '.join(roles)}")
    panel = create_panel(
        svc,
        system,
        {
            "kind": "marac",
            "name": "Northshire MARAC",
            "area": "Northshire",
            "agencies": [code for code, *_ in AGENCIES if code != "YOS"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    svc.session.flush()
    return lines, panel


def load_demo(svc: Services, history: bool = True) -> list[str] | None:
    """Returns the sign-in lines, or None when the database already holds agencies.

    With ``history`` (the default, and what ``casework serve`` loads into an empty database)
    the partnership was set up a year ago and has held its meetings since (module docstring);
    without it, it starts today with five referrals waiting."""
    if svc.session.scalar(select(func.count()).select_from(Agency)):
        return None
    if history:
        line = Timeline(clock.now())
        with line.at(history_start(clock.today())):
            lines, panel = _partnership(svc)
        today = line.end.astimezone(UK).date()
        load_history(svc, panel, _actors(svc), line, fixed=[_first_hart(panel.id, today)])
        svc.session.flush()
        _demo_referrals(svc, panel.id, REFERRALS)
    else:
        lines, panel = _partnership(svc)
        _demo_referrals(svc, panel.id, [FIRST_HART, *REFERRALS])
    svc.session.flush()
    demo_cases.offender_panels(svc)
    demo_asb.asb_panel(svc)
    path = _logins_path(svc.settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return lines


def saved_logins(settings: Mapping[str, Any]) -> list[str]:
    path = _logins_path(settings)
    return path.read_text().splitlines() if path.exists() else []
