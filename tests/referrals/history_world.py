"""A victim with a past: Sara Whitfield referred twice to Northshire MARAC (the first heard at
a held meeting with minutes and actions, the second a repeat given to an IDVA), once to
another area's MARAC, and known to a PPO panel. Built through the clock, oldest first, so
every event happens on its own day; all dates are relative to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.meetings.models import CaseAction, Meeting, Minute
from casework.offenders.actions import create_nominal
from casework.offenders.models import Nominal
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory
from tests.meetings.conduct_setup import Partnership, partnership

SARA = {"victim__first_name": "Sara", "victim__last_name": "Whitfield"}
BORN = "1990-04-01"


def ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


@dataclass
class History:
    p: Partnership
    first: Referral
    second: Referral
    elsewhere: Referral
    heard_at: Meeting
    minute: Minute
    housing_action: CaseAction
    foreign_action: CaseAction
    nominal: Nominal | None = None

    @property
    def svc(self) -> Services:
        return self.p.svc

    def actor(self, name: str) -> Actor:
        return self.p.actor(name)


def _at(day: date, hour: int = 11) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00"


def build(factory: Factory, *, nominal: bool = False, idva_present: bool = False) -> History:
    """The history above; ``idva_present``: the IDVA service attended the meeting (by
    default it sent apologies, so the minutes are not its to read)."""
    p = partnership(factory)
    svc = p.svc
    # Days fixed before travelling: inside a block "today" is that block's day.
    d200, d170, d160, d150, d140, d130, d120, d60, d20, d19 = (
        ago(n) for n in (200, 170, 160, 150, 140, 130, 120, 60, 20, 19)
    )
    factory.user("ref@out.example", "OUT", ("referrer",))
    with clock.travel(_at(d200)):
        first = p.refer(**SARA, referral_date=d200.isoformat())
    with clock.travel(_at(d170)):
        meeting = p.meeting(referrals=[first], day=d160)
    with clock.travel(_at(d160, 13)):
        meeting.status = "held"
        present = ("POL", "CSP", "HSG") + (("IDVA",) if idva_present else ())
        p.attend(meeting, present, () if idva_present else ("IDVA",))
        lifecycle.mark_heard(svc, Actor.system("test"), first)
        minute = Minute(meeting_id=meeting.id, referral_id=first.id)
        minute.text = "Safety plan agreed; sanctuary scheme offered"
        svc.session.add(minute)
        svc.session.commit()
        housing_action = p.action(meeting, first, owner="HSG", due=d140)
    with clock.travel(_at(d150)):
        # The other area's MARAC, meeting about the same victim: its action is not ours to see.
        theirs = p.meeting(referrals=[], panel=p.other_panel, day=d150)
        foreign_action = p.action(theirs, first, owner="OUT", due=d120)
    with clock.travel(_at(d130)):
        housing_action.status = "done"
        housing_action.completed_at = clock.now()
        housing_action.outcome = "Locks changed"
        svc.session.commit()
    with clock.travel(_at(d60)):
        referrer = svc.session.scalar(select(User).where(User.email == "ref@out.example"))
        elsewhere = factory.referral(referrer, p.other_panel, **SARA, referral_date=d60.isoformat())
    with clock.travel(_at(d20)):
        second = p.refer(**SARA, referral_date=d20.isoformat())
    with clock.travel(_at(d19)):
        lifecycle.assign_idva(
            svc, p.actor("coordinator"), second.id, {"user_id": str(p.users["idva"].id)}
        )
        svc.session.commit()
    history = History(p, first, second, elsewhere, meeting, minute, housing_action, foreign_action)
    if nominal:
        history.nominal = known_to_ppo(factory, p)
    return history


def known_to_ppo(factory: Factory, p: Partnership, **changes: Any) -> Nominal:
    """Sara Whitfield (same surname and date of birth) on a PPO panel police sit on."""
    ppo = factory.panel(("POL",), "ppo", name="Northshire PPO")
    body = {
        "panel_id": str(ppo.id),
        "first_name": "Sara",
        "last_name": "Whitfield",
        "date_of_birth": BORN,
        "pnc_id": None,
        "entry_date": ago(100).isoformat(),
        "cohort": None,
        **changes,
    }
    found = create_nominal(p.svc, actor_for(p.users["chair"], via="test"), body)
    p.svc.session.commit()
    return found
