"""An ASB panel's agendas through the kind's hooks: the draft lists open cases not yet on an
agenda (and cases whose Community Trigger is under review), once; each reader sees a listed
case as the protocol grants, and downloads get the ASB columns."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.asb.models import CommunityTrigger
from casework.meetings.agenda import build_draft
from casework.meetings.agenda_export import table
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import AgendaItem, Meeting
from casework.services import Services
from tests.asb.asb_world import HIGH, NOTHING, World, days_ago
from tests.conftest import Factory


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _meetings(svc: Services, world: World) -> list[Meeting]:
    """The panel's meetings whose cut-off is still ahead (today or later), soonest first: the
    ones a case referred in the last few days can be drafted onto, whatever day it is."""
    stmt = select(Meeting).where(Meeting.panel_id == world.panel.id).order_by(Meeting.starts_at)
    return [m for m in svc.session.scalars(stmt) if m.cutoff_on and m.cutoff_on >= clock.today()]


def _items(svc: Services, meeting: Meeting) -> list[AgendaItem]:
    stmt = select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    return list(svc.session.scalars(stmt.order_by(AgendaItem.position)))


def test_the_draft_lists_open_cases_once_and_reviews_again(svc: Services, world: World) -> None:
    first, second = _meetings(svc, world)[:2]
    high = world.refer(referral_date=days_ago(1), risk_answers={**NOTHING, **HIGH})
    other = world.refer(
        referral_date=days_ago(2),
        victim={"first_name": "Ann", "last_name": "Other", "date_of_birth": "1970-01-01"},
    )
    build_draft(svc, first)
    listed = _items(svc, first)
    assert [(i.case_type, str(i.case_id), i.position) for i in listed] == [
        ("asb_case", other["id"], 1),
        ("asb_case", high["id"], 2),
    ]
    build_draft(svc, first)
    assert len(_items(svc, first)) == 2  # running the draft again adds nothing

    build_draft(svc, second)
    assert _items(svc, second) == []  # already on an agenda of a meeting not cancelled
    svc.session.add(
        CommunityTrigger(
            case_id=uuid.UUID(high["id"]),
            received_on=clock.today(),
            status="review",
            decision_due_on=clock.today() + timedelta(days=14),
        )
    )
    svc.session.commit()
    build_draft(svc, second)
    assert [str(i.case_id) for i in _items(svc, second)] == [high["id"]]
    svc.session.commit()

    agenda = agenda_for(svc, world.actor("coordinator"), first.id, verb="export", fmt="csv")
    entries = {e["case_id"]: e for e in agenda["items"]}
    assert entries[high["id"]]["reference"] == high["reference"]
    assert entries[high["id"]]["victim"]["last_name"] == "Stone"
    assert entries[high["id"]]["incidents_count"] == 1
    assert entries[high["id"]]["perpetrator_groups"] == [
        "Elm Court youths - Four or five teenagers"
    ]
    heads, rows = table(agenda)
    for label in ("Reference", "Victim surname", "Location", "ASB risk score", "Repeat victim"):
        assert label in heads, heads
    assert [r[heads.index("ASB risk score")] for r in rows] == ["0", "22"]
