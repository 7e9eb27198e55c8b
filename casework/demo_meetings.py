"""The demo's past meetings, run as a coordinator and chair would run them.

The scheduler builds the draft agenda at the cut-off (open actions of earlier meetings come
onto it for review) and the coordinator publishes it on the circulation day.
At the meeting the chair records attendance (police, the coordinator's partnership and the
IDVA service always there; the others mostly, sometimes with apologies), names who attended,
has each of them acknowledge the confidentiality statement, minutes each case with the risks
identified and agrees one or two actions, and closes the meeting, which marks its cases heard.
The coordinator records whether each victim took up the IDVA service and moves some cases to
the other IDVA. Each owning agency records its action's outcome near the due date, through
the timeline's queue; Northshire Homes always replies promptly, so the housing
representative's list starts empty, and a few agencies are late, so some actions are overdue.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.accounts.models import User
from casework.demo_people import Victim
from casework.demo_timeline import Timeline
from casework.meetings import agenda, conduct, minutes, tracking
from casework.meetings.conduct_schemas import MinuteIn
from casework.meetings.models import CaseAction, Meeting
from casework.referrals import engagement, lifecycle
from casework.referrals.models import Referral
from casework.scheduler.jobs import build_draft_agenda
from casework.services import Services

COORDINATOR, CHAIR = "coordinator@csp.demo", "chair@police.demo"
IDVAS = ("idva@idva.demo", "idva2@idva.demo")
STAFF = {
    "POL": ("DI Kim Hughes", "PC Jordan Ellis"),
    "CSP": ("Morgan Lee",),
    "IDVA": ("Jo Williams", "Sian Roberts"),
    "HEALTH": ("Priya Shah",),
    "HOUSING": ("Alex Morgan",),
    "CSC": ("Chris Evans",),
    "PROB": ("Dee Okafor",),
}
ALWAYS_PRESENT = ("POL", "CSP", "IDVA")
# Who records each agency's outcomes (someone of that agency with a case role).
RECORDER = {
    "POL": "referrer@police.demo",
    "IDVA": "idva@idva.demo",
    "HEALTH": "rep@health.demo",
    "HOUSING": "rep@housing.demo",
    "CSC": "rep@csc.demo",
    "PROB": "rep@probation.demo",
    "CSP": COORDINATOR,
}
ACTIONS = [
    ("IDVA", 3, "Contact the victim within two working days and review the safety plan"),
    ("IDVA", 2, "Support an application for a non-molestation order"),
    ("POL", 3, "Place a marker on the victim's address for an urgent response"),
    ("POL", 2, "Review bail conditions with the officer in the case"),
    ("POL", 1, "Consider a disclosure under the Domestic Violence Disclosure Scheme"),
    ("HOUSING", 2, "Fit target hardening: door and window locks"),
    ("HOUSING", 1, "Consider a management transfer to a safe property"),
    ("HEALTH", 2, "Flag the records for the GP and the health visitor"),
    ("HEALTH", 1, "Offer an appointment with the safeguarding nurse"),
    ("CSC", 3, "Hold a strategy discussion about the children"),
    ("PROB", 1, "Check whether the perpetrator is on licence and share relevant conditions"),
    ("CSP", 1, "Refer the household to the Sanctuary scheme"),
]
RISKS = [
    "Escalating jealousy and controlling behaviour; threats to kill reported.",
    "Separated last month; the perpetrator has breached bail twice since.",
    "Non-fatal strangulation at the latest incident; the victim is pregnant.",
    "The perpetrator's drinking is increasing; a child witnessed the last incident.",
    "Stalking since the victim moved; the perpetrator has found the new address.",
    "Financial control and isolation from family and friends.",
]
OUTCOMES = {
    "done": [
        "Completed and confirmed with the IDVA.",
        "Done; the victim was told at the next contact.",
        "Completed within the timescale.",
    ],
    "circumstances_changed": [
        "The victim moved out of the area; the case passed to the receiving MARAC.",
        "The perpetrator was remanded in custody, so the action was no longer needed.",
    ],
    "agency_did_not_act": [
        "Not actioned: the worker left and the case was not reallocated in time.",
        "Not completed in the timescale; raised with the agency's MARAC lead.",
    ],
}
FATES = [("done", 80), ("circumstances_changed", 7), ("agency_did_not_act", 7), ("never", 6)]
RISKS_FIELD = "risks" in MinuteIn._declared_fields  # the SafeLives minutes checklist


class MeetingRoom:
    """Prepares and holds the demo panel's past meetings (module docstring)."""

    def __init__(
        self, svc: Services, actor: Callable[[str], Any], line: Timeline, rng: random.Random
    ) -> None:
        self.svc, self.actor, self.line, self.rng = svc, actor, line, rng
        emails = {u.email: u.id for u in svc.session.scalars(select(User))}
        self.idvas = [emails[e] for e in IDVAS]

    def prepare(self, meeting: Meeting, build_at: datetime) -> None:
        """The draft at the cut-off, published on the circulation day."""
        coordinator = self.actor(COORDINATOR)
        with self.line.at(build_at):  # the scheduler's job at the cut-off
            build_draft_agenda(self.svc, meeting, clock.now(), clock.now())
        publish_at = build_at + timedelta(minutes=20)
        if meeting.circulate_on is not None and meeting.circulate_on > build_at.date():
            publish_at = build_at.replace(hour=10) + (meeting.circulate_on - build_at.date())
        with self.line.at(min(publish_at, meeting.starts_at - timedelta(hours=1))):
            agenda.publish_agenda(self.svc, coordinator, meeting.id)

    def hold(self, meeting: Meeting, cases: list[tuple[Any, Victim]]) -> None:
        """Attendance, minutes and actions case by case, then closing. A meeting held this
        morning is compressed into the minutes before now."""
        start = meeting.starts_at
        planned = timedelta(minutes=15 * len(cases) + 20)
        scale = min(1.0, (self.line.end - start - timedelta(minutes=1)) / planned)

        def when(minutes: int) -> datetime:
            return start + timedelta(minutes=minutes) * scale

        chair = self.actor(CHAIR)
        with self.line.at(when(2)):
            self._attendance(meeting)
        for n, (referral_id, victim) in enumerate(cases):
            with self.line.at(when(8 + 15 * n)):
                self._case(meeting, referral_id, victim)
        with self.line.at(when(15 * len(cases) + 15)):
            conduct.close_meeting(self.svc, chair, meeting.id)

    def _attendance(self, meeting: Meeting) -> None:
        chair, rng = self.actor(CHAIR), self.rng
        answers = {}
        for agency in conduct.panel_agencies(self.svc, meeting):
            if agency.code in ALWAYS_PRESENT:
                answers[agency.code] = "present"
            else:
                answers[agency.code] = rng.choices(
                    ["present", "apologies", "absent"], weights=[80, 16, 4]
                )[0]
        body = {f"attendance-{code}": answer for code, answer in answers.items()}
        conduct.record_attendance(self.svc, chair, meeting.id, body)
        for code, answer in answers.items():
            if answer == "present":
                for name in STAFF.get(code, (f"{code} representative",)):
                    body = {"name": name, "agency": code}
                    conduct.add_attendee(self.svc, chair, meeting.id, body)
        people = [str(p.id) for p in conduct.attendees(self.svc, meeting)]
        conduct.acknowledge(self.svc, chair, meeting.id, {"acknowledged": people})

    def _case(self, meeting: Meeting, referral_id: Any, victim: Victim) -> None:
        chair, coordinator, rng = self.actor(CHAIR), self.actor(COORDINATOR), self.rng
        risk = rng.choice(RISKS)
        text = (
            "Police, the IDVA and health shared what they hold. The victim's views were "
            "given by the IDVA. Safety plan reviewed; actions agreed below."
        )
        body = {"text": text, "risks": risk} if RISKS_FIELD else {"text": f"{text} {risk}"}
        minutes.save_minute(self.svc, chair, meeting.id, referral_id, body)
        choices = [a for a in ACTIONS if a[0] != "CSC" or victim.children]
        picked: list[tuple[str, int, str]] = []
        for _ in range(rng.choices([1, 2], weights=[6, 4])[0]):
            left = [a for a in choices if a not in picked and a[0] not in {p[0] for p in picked}]
            picked.append(rng.choices(left, weights=[a[1] for a in left])[0])
        held = meeting.starts_at
        for code, _, description in picked:
            due = held.date() + timedelta(days=rng.choice([7, 14, 14, 21, 28]))
            data = {"description": description, "owner_agency": code, "due_on": due.isoformat()}
            act = minutes.add_action(self.svc, chair, meeting.id, referral_id, data)
            self._plan_outcome(act, code, held)
        referral = self.svc.session.get(Referral, referral_id)
        assigned = referral.assigned_idva_id if referral is not None else None
        offered = assigned is not None or rng.random() < 0.5
        answer = {"offered": offered, "engaged": offered and rng.random() < 0.72}
        engagement.record_engagement(self.svc, coordinator, referral_id, answer)
        if assigned is not None and rng.random() < 0.15:  # a transfer to the other IDVA
            other = next(i for i in self.idvas if str(i) != str(assigned))
            lifecycle.assign_idva(self.svc, coordinator, referral_id, {"user_id": str(other)})

    def _plan_outcome(self, act: CaseAction, code: str, held: datetime) -> None:
        rng = self.rng
        fate = "done" if code == "HOUSING" else rng.choices(*zip(*FATES, strict=True))[0]
        if fate == "never":
            return  # left open: overdue once its due date has passed
        assert act.due_on is not None
        day = max(act.due_on + timedelta(days=rng.randint(-10, 4)), held.date())
        if day.weekday() >= 5:  # agencies record outcomes on working days
            day += timedelta(days=7 - day.weekday())
        at = held.replace(hour=rng.randint(9, 15), minute=rng.randint(0, 59)) + (day - held.date())
        if code == "HOUSING":  # always in time for today's list to be clear
            at = min(at, self.line.end - timedelta(minutes=1))
        action_id, text = act.id, rng.choice(OUTCOMES[fate])

        def record() -> None:
            body = {"status": "done" if fate == "done" else "not_done", "outcome": text}
            if fate != "done":
                body["not_done_reason"] = fate
            tracking.update_action(self.svc, self.actor(RECORDER[code]), action_id, body)

        self.line.later(at, record)
