"""A partnership for the scheduler tests, built through the actions at a fixed moment, so the
tests can move the clock forward from there without waiting."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.mail.models import OutboxMessage
from casework.meetings.models import CaseAction, Meeting
from casework.panels.actions import create_panel
from casework.panels.models import Panel
from casework.scheduler.models import JobRun
from casework.services import Services
from tests.conftest import Factory

# A Tuesday. The panel meets on the first Tuesday: 1 December 2026 (cut-off Thursday 19
# November, circulation Tuesday 24 November, minutes due Friday 4 December), 5 January 2027
# and 2 February 2027.
T0 = datetime(2026, 11, 10, 12, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    """UTC; in November and December that is also UK time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    svc: Services
    factory: Factory
    panel: Panel
    users: dict[str, User]
    actors: dict[str, Any]
    drafts: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def meetings(self) -> list[Meeting]:
        session = self.svc.session
        session.expire_all()
        stmt = select(Meeting).where(Meeting.panel_id == self.panel.id).order_by(Meeting.starts_at)
        meetings = list(session.scalars(stmt))
        session.commit()
        return meetings

    def outbox(self) -> list[OutboxMessage]:
        session = self.svc.session
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))
        session.commit()
        return rows

    def runs(self, prefix: str = "") -> list[JobRun]:
        session = self.svc.session
        rows = list(
            session.scalars(
                select(JobRun).where(JobRun.job.startswith(prefix)).order_by(JobRun.due_at)
            )
        )
        session.commit()
        return rows

    def set_meeting(self, meeting_id: Any, **values: Any) -> None:
        session = self.svc.session
        meeting = session.get(Meeting, meeting_id)
        for key, value in values.items():
            setattr(meeting, key, value)
        session.commit()

    def action(self, agency: str, due_on: date, status: str = "open") -> CaseAction:
        session = self.svc.session
        owner = self.actors[f"rep1@{agency.lower()}.example"].agency_id
        row = CaseAction(
            meeting_id=self.meetings()[0].id,
            owner_agency_id=owner,
            description="Visit the household",
            due_on=due_on,
            status=status,
        )
        session.add(row)
        session.commit()
        return row


def build_world(svc: Services, factory: Factory, monkeypatch: pytest.MonkeyPatch) -> World:
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    factory.agency("HLT", "health")
    users = {
        email: factory.user(email, agency, roles)
        for email, agency, roles in (
            ("coord@pol.example", "POL", ("coordinator",)),
            ("chair@hsg.example", "HSG", ("chair",)),
            ("rep1@hsg.example", "HSG", ("agency_rep",)),
            ("rep2@hsg.example", "HSG", ("agency_rep",)),
            ("rep1@pol.example", "POL", ("agency_rep", "referrer")),
            ("coord@hlt.example", "HLT", ("coordinator",)),  # not on the panel
        )
    }
    body = {
        "kind": "marac",
        "name": "North MARAC",
        "area": "North",
        "agencies": ["POL", "HSG"],
        "schedule": "day=1st tue; hour=10",
    }
    panel = create_panel(svc, actor_for(users["coord@pol.example"]), body, now=T0)
    svc.session.commit()
    # Actors are worked out now: ticks end the test thread's session, detaching ORM objects.
    world = World(svc, factory, panel, users, {e: actor_for(u) for e, u in users.items()})

    def build_draft(svc: Services, meeting: Meeting, actor: Any = None) -> list[Any]:
        with world.lock:
            world.drafts.append(meeting.id)
        return []

    monkeypatch.setattr("casework.meetings.agenda.build_draft", build_draft)
    return world
