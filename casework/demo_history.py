"""A year of the demo MARAC's work, made through the actions users call, ending today.

Twelve months before the service's today the coordinator sets up the panel; from then on, for
each monthly meeting in its diary: agencies refer cases (police about three in five, the
rest from the IDVA service, health and children's social care; about a quarter victims
referred again within 12 months), the coordinator accepts them and gives most to one of the
two IDVAs, builds the draft agenda at the cut-off and publishes it on the circulation day; at
the meeting the chair records attendance and who acknowledged the confidentiality statement,
minutes each case with one or two actions, moves a few cases to the other IDVA, and closes
the meeting. Owning agencies record their actions' outcomes around the due dates: most done,
some not done (for either of the two reasons), a few late, so some are overdue today.

The scheduler's "keep meetings ahead" job runs at each step, as it would have, so the diary
still holds the next meetings at the end. A seeded generator makes every load the same
relative to its today. Meetings run through ``casework.demo_meetings``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.clock import UK
from casework.demo_meetings import MeetingRoom
from casework.demo_people import People, Victim, referral_body
from casework.demo_timeline import Timeline
from casework.meetings.models import Meeting
from casework.meetings.schedule import cancel_meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.actions import submit_referral
from casework.scheduler.jobs import keep_meetings_ahead
from casework.services import Services

HISTORY_DAYS = 365
SEED = 14
COORDINATOR = "coordinator@csp.demo"
# Who refers, and how often: partner agencies make about 37% of referrals (SafeLives: 36%).
REFERRERS = [
    ("referrer@police.demo", 63),
    ("idva@idva.demo", 13),
    ("rep@health.demo", 13),
    ("rep@csc.demo", 11),
]
REPEAT_CHANCE = 0.3  # once there are earlier victims to refer again; about 27% over the year


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time on ``day`` (the partnership's calendar)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UK)


def working_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class Year:
    """The demo panel's year (module docstring). ``actor`` comes from the demo: each step acts
    as the person who would have taken it."""

    def __init__(
        self,
        svc: Services,
        panel_id: Any,
        actor: Any,
        timeline: Timeline,
        fixed: list[tuple[date, str, Victim, dict[str, Any]]] | None = None,
    ) -> None:
        self.svc = svc
        self.panel_id = panel_id
        self.actor = actor
        self.line = timeline
        self.rng = random.Random(SEED)
        self.people = People(self.rng)
        self.fixed = sorted(fixed or [], key=lambda f: f[0])
        self.seen: list[tuple[Victim, date]] = []  # victims referred, with their latest date
        self.room = MeetingRoom(svc, actor, timeline, self.rng)

    def run(self, start: date) -> None:
        """From the panel's first day to today (the timeline's end)."""
        since = start
        cursor = moment(start, 9)
        while cursor < self.line.end:
            with self.line.at(cursor):  # the scheduler's job: the next meetings in the diary
                keep_meetings_ahead(self.svc, clock.now(), clock.now())
            meeting = self._next_meeting(cursor)
            if meeting is None or meeting.starts_at + timedelta(minutes=5) >= self.line.end:
                break
            cutoff = meeting.cutoff_on or since
            days = working_days(since + timedelta(days=1), cutoff)
            if len(days) < 5:  # set up too close to its first meeting: nothing to hear yet
                with self.line.at(moment(since, 9, 30)):
                    cancel_meeting(self.svc, self.actor(COORDINATOR), meeting.id)
            else:
                referrals = self._refer(meeting, days)
                self.room.prepare(meeting, moment(cutoff, 16, 45))
                self.room.hold(meeting, referrals)
            since = max(cutoff, since)
            cursor = meeting.starts_at + timedelta(hours=4)
        self.line.finish()
        keep_meetings_ahead(self.svc, clock.now(), clock.now())  # and as of today

    def _next_meeting(self, after: datetime) -> Meeting | None:
        return self.svc.session.scalar(
            select(Meeting)
            .where(
                Meeting.panel_id == self.panel_id,
                Meeting.status == "scheduled",
                Meeting.starts_at > after,
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )

    def _refer(self, meeting: Meeting, days: list[date]) -> list[tuple[Any, Victim]]:
        """Five to eight cases for the meeting, each referred on a working day before its
        cut-off and accepted the same afternoon."""
        rng = self.rng
        planned: list[tuple[date, str, Victim, dict[str, Any] | None]] = []
        while self.fixed and self.fixed[0][0] <= days[-1]:
            day, email, victim, body = self.fixed.pop(0)
            planned.append((max(day, days[0]), email, victim, body))
        for day in sorted(rng.choice(days) for _ in range(rng.randint(5, 8) - len(planned))):
            email = rng.choices([e for e, _ in REFERRERS], [w for _, w in REFERRERS])[0]
            victim = self._victim(day, days[0], [p[2] for p in planned])
            planned.append((day, email, victim, None))
        planned.sort(key=lambda p: p[0])
        ids = []
        for n, (day, email, victim, body) in enumerate(planned):
            body = body or referral_body(rng, self.panel_id, victim, day)
            body["panel_id"] = str(self.panel_id)
            with self.line.at(moment(day, 9 + n % 3, rng.randint(0, 59))):
                referral = submit_referral(self.svc, self.actor(email), body)
            self._accept(referral.id, day)
            self.seen.append((victim, day))
            ids.append((referral.id, victim))
        return ids

    def _victim(self, day: date, window: date, taken: list[Victim]) -> Victim:
        """Someone referred again within 12 months (heard at an earlier meeting, at least
        three weeks before), or someone new."""
        latest: dict[int, tuple[Victim, date]] = {}
        for victim, when in self.seen:
            latest[id(victim)] = (victim, when)
        earlier = [
            v
            for v, when in latest.values()
            if day - timedelta(days=330) <= when <= day - timedelta(days=21)
            and when < window
            and v not in taken
        ]
        if earlier and self.rng.random() < REPEAT_CHANCE:
            return self.rng.choice(earlier)
        return self.people.victim(day)

    def _accept(self, referral_id: Any, day: date) -> None:
        coordinator = self.actor(COORDINATOR)
        with self.line.at(moment(day, 13, self.rng.randint(0, 59))):
            lifecycle.accept_referral(self.svc, coordinator, referral_id)
            if self.rng.random() < 0.85:
                idva = self.rng.choices(self.room.idvas, weights=[3, 2])[0]
                lifecycle.assign_idva(self.svc, coordinator, referral_id, {"user_id": str(idva)})


def load_history(svc: Services, panel: Panel, actor: Any, timeline: Timeline, **kw: Any) -> None:
    """The year behind the demo panel created on ``timeline``'s first day (module docstring)."""
    start = timeline.end.astimezone(UK).date() - timedelta(days=HISTORY_DAYS)
    Year(svc, panel.id, actor, timeline, **kw).run(start)


def history_start(today: date) -> datetime:
    """When the demo partnership was set up: a year before today, at nine in the morning."""
    return moment(today - timedelta(days=HISTORY_DAYS), 9)
