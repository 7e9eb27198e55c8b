"""Live chair mode (``/meetings/<id>/live``): the opening before any case, the cases in agenda
order with previous, next and jump, the timer against each case's slot on the service's
clock, minutes and actions saved through the meeting's own writers, and nothing typed lost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.meetings.agenda import build_draft
from casework.meetings.live import duration, pace
from casework.meetings.models import Attendance, Attendee, CaseAction, Meeting, Minute
from tests.asb.asb_world import World, days_ago
from tests.conftest import sign_in
from tests.meetings.conduct_setup import Partnership, partnership
from tests.meetings.page_form import submit

MINUTE, ADD = ("save", "minute"), ("save", "action")


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


@contextmanager
def at(client, meeting: Meeting, minutes: int, email: str = "chair@pol.example") -> Iterator[None]:
    """On the meeting's day, ``minutes`` after it starts, signed in afresh (sessions age)."""
    with clock.travel(meeting.starts_at + timedelta(minutes=minutes)):
        sign_in(client, email)
        yield


def _ready(p: Partnership, cases: int = 3) -> Meeting:
    meeting = p.meeting(cases=cases)
    p.attend(meeting, present=("POL", "CSP", "HSG"), apologies=("HLT",))
    return meeting


def _summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="(#[^"]+)"', summary)


def _due(days: int) -> dict[str, str]:
    due = clock.today() + timedelta(days=days)
    return {
        "due_on-day": str(due.day),
        "due_on-month": str(due.month),
        "due_on-year": str(due.year),
    }


def test_until_attendance_is_taken_the_page_opens_the_meeting_and_shows_no_case(p, client):
    meeting = p.meeting(cases=2)
    url = f"/meetings/{meeting.id}/live"
    with at(client, meeting, -10):
        for page in (client.get(url), client.get(url + "?case=1")):
            assert page.status_code == 200
            assert "Record which agencies are present" in page.text
            assert f'href="/meetings/{meeting.id}/conduct"' in page.text
            assert "confidentiality-statement" in page.text
            assert "Jane Doe001" not in page.text and 'name="text"' not in page.text
        p.attend(meeting, present=("POL", "CSP"))
        opened = client.get(url)
        assert "Jane Doe001" in opened.text and "Record which agencies" not in opened.text
        assert f'href="/meetings/{meeting.id}/live?case=1" role="button"' in opened.text


def test_cases_in_agenda_order_with_previous_next_and_jump(p, client):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live"
    with at(client, meeting, 0):
        opening = client.get(url).text
        jump = opening.split('id="agenda"', 1)[1]
        names = re.findall(r"\d\. Jane (Doe\d+)", jump)
        assert names == ["Doe001", "Doe002", "Doe003"]
        for n in (1, 2, 3):
            assert f'href="{url}?case={n}"' in jump  # jump to any case
        first = client.get(url + "?case=1").text
        assert "<h1" in first and "Jane Doe001" in first.split("</h1>")[0]
        assert f'href="{url}?case=2"' in first.split('id="agenda"')[0]  # next
        assert "Previous case" not in first and "Next case" in first
        middle = client.get(url + "?case=2").text
        assert "Jane Doe002" in middle.split("</h1>")[0]
        assert "Previous case" in middle and "Next case" in middle
        head = middle.split('id="agenda"')[0]
        assert f'href="{url}?case=1"' in head and f'href="{url}?case=3"' in head
        last = client.get(url + "?case=3").text
        assert "Next case" not in last and "Previous case" in last
        assert "Present the case" in last and "Agree actions" in last  # SafeLives' prompts
        assert 'href="#minute-text"' in last  # skip to the minutes box
        for bad in ("4", "0", "abc", "-1"):
            assert client.get(f"{url}?case={bad}").status_code == 404


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (37, "Running 7 minutes behind"),  # case 2's slot is 10:15 to 10:30
        (5, "Running 10 minutes ahead"),
        (20, "On time: 10 minutes left in this case&#39;s slot"),
        (-60 * 24, "The meeting has not started yet"),
        (30 + 75, "Running 1 hour 15 minutes behind"),
    ],
)
def test_the_timer_says_how_far_behind_or_ahead_the_meeting_runs(p, client, minutes, said):
    meeting = _ready(p)
    with at(client, meeting, minutes):
        page = client.get(f"/meetings/{meeting.id}/live?case=2").text
    assert said in page
    assert "This case's slot: 10:15 to 10:30 (UK time)" in page
    assert 'role="timer"' in page and "data-slot-end=" in page
    assert 'src="/assets/live.js"' in page and "live-pace" not in page.split("<script")[-1]


def test_pace_and_its_words() -> None:
    start = datetime(2027, 1, 5, 10, 15, tzinfo=clock.UK)
    end = start + timedelta(minutes=15)
    opened = start - timedelta(minutes=15)
    assert pace(start, end, opened, end + timedelta(seconds=20))["text"] == (
        "Running less than a minute behind"
    )
    assert pace(start, end, opened, end + timedelta(minutes=61))["state"] == "behind"
    assert (
        duration(1) == "1 minute"
        and duration(60) == "1 hour"
        and duration(121) == "2 hours 1 minute"
    )


def test_minutes_and_an_action_saved_and_listed_on_the_same_case(p, client, svc):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live?case=2"
    referral = p.referrals[1]
    with at(client, meeting, 20):
        saved = submit(client, url, "live-form", MINUTE, {"text": "Police shared two call-outs"})
        assert saved.status_code == 302 and saved.headers["Location"].endswith(url)
        action = {"description": "Fit a door alarm", "owner_agency": "HSG", **_due(7)}
        added = submit(client, url, "live-form", ADD, action)
        assert added.status_code == 302 and added.headers["Location"].endswith(url)
        page = client.get(url).text
    assert "Police shared two call-outs" in page and "Action added" in page
    assert "Fit a door alarm" in page.split("Actions agreed for this case")[1]
    svc.session.rollback()
    minute = svc.session.query(Minute).one()
    assert (minute.referral_id, minute.text) == (referral.id, "Police shared two call-outs")
    act = svc.session.query(CaseAction).one()
    assert act.referral_id == referral.id and act.owner_agency_id == p.agency("HSG").id
    assert "Minuted" in page.split('id="agenda"')[1]


def test_an_action_with_errors_keeps_the_action_and_the_minutes_typed(p, client, svc):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live?case=1"
    with at(client, meeting, 5):
        typed = {"text": "Housing confirmed arrears", "description": "Check the locks"}
        bad = submit(client, url, "live-form", ADD, typed)
        assert bad.status_code == 422
        assert _summary_links(bad.text) == ["#action-owner_agency", "#action-due_on-day"]
        assert "Housing confirmed arrears</textarea>" in bad.text
        assert "Check the locks</textarea>" in bad.text
        # the action is fixed and added; the minutes typed beside it are still there, unsaved
        fixed = {**typed, "owner_agency": "POL", **_due(3)}
        kept = submit(client, url, "live-form", ADD, fixed, html=bad.text)
        assert kept.status_code == 200 and "Action added" in kept.text
        assert "Housing confirmed arrears</textarea>" in kept.text
        assert "not saved yet" in kept.text
        assert submit(client, url, "live-form", MINUTE, html=kept.text).status_code == 302
    svc.session.rollback()
    assert svc.session.query(Minute).one().text == "Housing confirmed arrears"
    assert svc.session.query(CaseAction).count() == 1


def test_empty_minutes_are_an_error_against_the_box(p, client, svc):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live?case=1"
    with at(client, meeting, 5):
        bad = submit(client, url, "live-form", MINUTE, {"text": "  "})
    assert bad.status_code == 422 and _summary_links(bad.text) == ["#minute-text"]
    svc.session.rollback()
    assert svc.session.query(Minute).count() == 0


def test_only_the_panels_chair_and_coordinator_run_it(p, client, app):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live"
    with at(client, meeting, 0, "rep@hsg.example"):
        assert client.get(url).status_code == 403
        assert client.get(url + "?case=1").status_code == 403
        assert client.post(url + "?case=1", data={"text": "x", "save": "minute"}).status_code in (
            400,
            403,
        )
    outsider = app.test_client()
    with at(outsider, meeting, 0, "rep@out.example"):  # a chair, of another panel
        assert outsider.get(url).status_code == 404
        assert outsider.get("/meetings/not-an-id/live").status_code == 404
    coordinator = app.test_client()
    with at(coordinator, meeting, 0, "coord@csp.example"):
        assert coordinator.get(url + "?case=1").status_code == 200


def test_an_asb_panel_runs_its_own_cases_live(svc, factory, client):
    """A panel whose kind lists its own cases: the case shown through the kind's agenda hook,
    minutes and actions recorded against ``case_id``."""
    world = World(svc, factory)
    case = world.refer(referral_date=days_ago(1))
    # the first meeting whose cut-off is still ahead: the one a case referred yesterday joins
    meeting = svc.session.scalar(
        select(Meeting)
        .where(Meeting.panel_id == world.panel.id, Meeting.cutoff_on >= clock.today())
        .order_by(Meeting.starts_at)
    )
    build_draft(svc, meeting)
    team = world.actor("coordinator").agency_id
    svc.session.add(Attendance(meeting_id=meeting.id, agency_id=team))
    svc.session.add(
        Attendee(meeting_id=meeting.id, agency_id=team, name="Sam", acknowledged_at=clock.now())
    )
    svc.session.commit()
    url = f"/meetings/{meeting.id}/live?case=1"
    with at(client, meeting, 5, "coord@asb.example"):
        page = client.get(url)
        assert page.status_code == 200 and case["reference"] in page.text
        assert (
            submit(client, url, "live-form", MINUTE, {"text": "Patrols agreed"}).status_code == 302
        )
        action = {"description": "Patrol Elm Court", "owner_agency": "POL", **_due(7)}
        assert submit(client, url, "live-form", ADD, action).status_code == 302
        after = client.get(url).text
    assert "Patrols agreed" in after and "Patrol Elm Court" in after
    svc.session.rollback()
    assert str(svc.session.query(Minute).one().case_id) == case["id"]
    assert str(svc.session.query(CaseAction).one().case_id) == case["id"]
