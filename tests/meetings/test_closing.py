"""A meeting closes only once it has happened, after its gaps are shown, and can be reopened
for five working days with a reason; the figures count it, and its cases, exactly once.

Dates are relative to the meeting (ten days ahead of the clock) and the clock is moved with
``casework.clock.travel``, so these hold on any day of the year.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import inspect, select, text

from casework import clock
from casework.clock import UK
from casework.errors import Conflict, Forbidden, Invalid, NotVisible
from casework.meetings import closing, conduct, schedule
from casework.meetings.calendar import local_date, working_days_after
from casework.meetings.models import Meeting, MeetingReopening, Minute
from casework.stats.marac import Scope, heard_figures
from tests.conftest import bearer
from tests.meetings.conduct_setup import Partnership, partnership

REASON = "Minutes of the second case were recorded against the wrong victim"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _after_start(meeting: Meeting, minutes: int = 30) -> datetime:
    return meeting.starts_at + timedelta(minutes=minutes)


def _on(day: date, hour: int = 16) -> datetime:
    """A UK wall-clock moment on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=UK)


def _minute(p: Partnership, meeting: Meeting, referral, words: str = "Safety plan agreed") -> None:
    minute = Minute(meeting_id=meeting.id, referral_id=referral.id)
    minute.text = words
    p.svc.session.add(minute)
    p.svc.session.commit()


def _figures(p: Partnership, start: date, end: date) -> tuple[int, int]:
    p.svc.session.commit()
    panel_id = inspect(p.panel).identity[0]
    found = heard_figures(p.svc.session, Scope(start, end, (panel_id,)))
    return found["meetings"], found["cases"]


def _around(meeting: Meeting) -> tuple[date, date]:
    day = local_date(meeting.starts_at)
    return day - timedelta(days=1), day + timedelta(days=1)


def _fresh(p: Partnership, row):
    """The row again from the database. A request ends by closing the session the test
    shares, so a row the test had already expired cannot reload itself."""
    return p.svc.session.get(type(row), inspect(row).identity[0])


def _reload(p: Partnership) -> None:
    """After requests: the partnership's rows, bound to the current session again."""
    p.panel = _fresh(p, p.panel)
    p.users = {name: _fresh(p, user) for name, user in p.users.items()}
    p.referrals = [_fresh(p, r) for r in p.referrals]


def _statuses(p: Partnership, rows) -> list[str]:
    p.svc.session.expire_all()
    return [_fresh(p, row).status for row in rows]


def test_closing_before_the_start_time_is_refused_409_and_changes_nothing(p, client):
    meeting = p.meeting(cases=2)
    p.attend(meeting, present=("POL", "CSP"))
    token = p.factory.token(p.users["chair"])
    mid, start, span, nation = meeting.id, _after_start(meeting), _around(meeting), p.panel.nation
    url = f"/api/v1/meetings/{mid}/close"
    early = client.post(url, headers=bearer(token))
    assert early.status_code == 409
    error = early.get_json()["error"]
    assert error["code"] == "meeting_not_started"
    assert "It can be closed once it has started" in error["message"]
    assert _statuses(p, [meeting, *p.referrals]) == ["scheduled", "listed", "listed"]
    assert _figures(p, *span) == (0, 0)
    with clock.travel(start):
        done = client.post(url, headers=bearer(token))
    assert done.status_code == 200
    body = done.get_json()
    assert body["heard"] == 2 and body["status"] == "closed" and body["id"] == str(mid)
    assert body["reopen_until"] == working_days_after(local_date(start), 5, nation).isoformat()
    assert _statuses(p, p.referrals) == ["heard", "heard"]
    assert _figures(p, *span) == (1, 2)


def test_the_confirmation_lists_cases_without_minutes_agencies_and_cases_without_actions(p):
    meeting = p.meeting(cases=3)
    first, second, third = p.referrals
    p.attend(meeting, present=("POL", "CSP"), apologies=("HLT",))
    _minute(p, meeting, first)
    p.action(meeting, second)
    early = closing.close_view(p.svc, p.actor("chair"), meeting.id)
    assert "It can be closed once it has started" in early["not_started"]
    with clock.travel(_after_start(meeting)):
        view = closing.close_view(p.svc, p.actor("chair"), meeting.id)
    assert view["not_started"] is None and view["attendance_taken"] and view["to_hear"] == 3
    assert [r["referral_id"] for r in view["no_minutes"]] == [second.id, third.id]
    assert [r["referral_id"] for r in view["no_actions"]] == [first.id, third.id]
    assert sorted(a.code for a in view["no_attendance"]) == ["HSG", "IDVA"]
    assert view["no_minutes"][0]["case"]["victim"]["last_name"] == "Doe002"


def test_close_reopen_close_counts_the_meeting_and_its_cases_once(p, client):
    meeting = p.meeting(cases=2)
    p.attend(meeting, present=("POL", "CSP"))
    token = p.factory.token(p.users["coordinator"])
    mid, start, span = meeting.id, _after_start(meeting), _around(meeting)
    api = f"/api/v1/meetings/{mid}"
    with clock.travel(start):
        assert client.post(f"{api}/close", headers=bearer(token)).status_code == 200
        assert _figures(p, *span) == (1, 2)
        reopened = client.post(f"{api}/reopen", json={"reason": REASON}, headers=bearer(token))
        assert reopened.status_code == 200
        assert reopened.get_json()["status"] == "reopened"
        assert reopened.get_json()["listed_again"] == 2
        # a reopened meeting is not held: neither it nor its cases count, and they are listed
        assert _figures(p, *span) == (0, 0)
        assert _statuses(p, p.referrals) == ["listed", "listed"]
        # the record can be corrected again
        _reload(p)
        conduct.record_attendance(
            p.svc,
            p.actor("chair"),
            mid,
            {f"attendance-{c}": "present" for c in ("POL", "CSP", "HSG", "IDVA", "HLT")},
        )
        p.svc.session.commit()
        again = client.post(f"{api}/close", headers=bearer(token))
        assert again.status_code == 200 and again.get_json()["heard"] == 2
    assert _figures(p, *span) == (1, 2)
    assert _statuses(p, [meeting, *p.referrals]) == ["closed", "heard", "heard"]
    wider = (span[0] - timedelta(days=60), span[1] + timedelta(days=60))
    assert _figures(p, *wider) == (1, 2)


def test_reopening_is_open_for_five_working_days_from_the_first_closing(p):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL",))
    closed_on = local_date(_after_start(meeting))
    last = working_days_after(closed_on, 5, p.panel.nation)
    with clock.travel(_after_start(meeting)):
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
    with clock.travel(_on(closed_on + timedelta(days=1))):
        closing.reopen_meeting(p.svc, p.actor("chair"), meeting.id, {"reason": REASON})
        p.svc.session.commit()
    with clock.travel(_on(last, 9)):  # closed again later: the window does not move
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
        assert closing.reopen_view(p.svc, p.actor("chair"), meeting.id)["reopen_until"] == last
    with clock.travel(_on(last + timedelta(days=1), 9)):
        with pytest.raises(Conflict) as late:
            closing.reopen_meeting(p.svc, p.actor("coordinator"), meeting.id, {"reason": REASON})
        assert late.value.code == "reopen_window_passed" and late.value.status == 409
        assert closing.reopen_view(p.svc, p.actor("chair"), meeting.id)["may_reopen"] is False
    p.svc.session.rollback()
    assert _statuses(p, [meeting, *p.referrals]) == ["closed", "heard"]
    with clock.travel(_on(last, 17)):  # the last day itself is still open
        closing.reopen_meeting(p.svc, p.actor("coordinator"), meeting.id, {"reason": REASON})
        p.svc.session.commit()
    assert _statuses(p, [meeting]) == ["reopened"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"reason": REASON, "status": "scheduled"}, "status"),
    ],
)
def test_a_reason_is_required_and_unknown_fields_refused_422(p, client, body, field):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL",))
    token = p.factory.token(p.users["chair"])
    with clock.travel(_after_start(meeting)):
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
        answer = client.post(
            f"/api/v1/meetings/{meeting.id}/reopen", json=body, headers=bearer(token)
        )
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]
    assert _statuses(p, [meeting, *p.referrals]) == ["closed", "heard"]
    assert p.svc.session.scalar(select(MeetingReopening.id)) is None


def test_reopening_is_audited_with_field_names_and_the_reason_stored_encrypted(p):
    meeting = p.meeting(cases=1)
    referral = p.referrals[0]
    p.attend(meeting, present=("POL",))
    with clock.travel(_after_start(meeting)):
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
        closing.reopen_meeting(p.svc, p.actor("coordinator"), meeting.id, {"reason": REASON})
    [reopening] = p.audits("meeting_reopening", "create")
    assert reopening.fields == ["closed_at", "meeting_id", "reason"]
    assert reopening.actor_email == "coord@csp.example"
    assert p.audits("meeting", "update", meeting.id)[-1].fields == ["closed_at", "status"]
    assert p.audits("referral", "update", referral.id)[-1].fields == ["status"]
    row = p.svc.session.scalar(select(MeetingReopening))
    assert row.reason == REASON and row.reopened_by_id == p.users["coordinator"].id
    assert row.closed_at is not None and meeting.closed_at is None
    raw = p.svc.session.execute(text("SELECT reason FROM meeting_reopenings")).scalar()
    assert REASON.encode() not in bytes(raw)
    # reading the reason back is a disclosure, audited by field name
    closing.reopen_view(p.svc, p.actor("chair"), meeting.id)
    assert p.audits("meeting_reopening", "view", row.id)[-1].fields == ["reason"]


def test_only_a_closed_meeting_is_reopened(p):
    meeting = p.meeting(cases=1)
    with pytest.raises(Invalid) as err:
        closing.reopen_meeting(p.svc, p.actor("chair"), meeting.id, {"reason": REASON})
    assert err.value.code == "meeting_not_closed"


@pytest.mark.parametrize("path", ["close", "reopen"])
def test_other_roles_get_403_and_other_partnerships_404(p, client, path):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL",))
    mid, start = meeting.id, _after_start(meeting)
    url = f"/api/v1/meetings/{mid}/{path}"
    body = {"reason": REASON}
    refused = {"housing": 403, "idva": 403, "analyst": 403, "outsider": 404}
    tokens = {who: p.factory.token(p.users[who]) for who in refused}
    with clock.travel(start):
        for who, status in refused.items():
            answer = client.post(url, json=body, headers=bearer(tokens[who]))
            assert answer.status_code == status, who
            assert answer.get_json()["error"]["code"] in ("forbidden", "not_found")
        _reload(p)
        with pytest.raises(Forbidden):
            closing.close_view(p.svc, p.actor("housing"), mid)
        with pytest.raises(NotVisible):
            closing.reopen_view(p.svc, p.actor("outsider"), mid)
    assert _statuses(p, [meeting]) == ["scheduled"]


def test_a_cancelled_meetings_cases_are_counted_once_where_they_are_heard(p):
    cancelled = p.meeting(cases=2)
    done = schedule.cancel_meeting(p.svc, p.actor("coordinator"), cancelled.id, now=clock.now())
    p.svc.session.commit()
    target = done.moved_to
    assert target is not None and not cancelled.items
    p.attend(target, present=("POL",))
    with clock.travel(_after_start(target)):
        heard = conduct.close_meeting(p.svc, p.actor("chair"), target.id)
        p.svc.session.commit()
    assert heard == [r.reference for r in p.referrals]
    assert _figures(p, *_around(cancelled)) == (0, 0)
    assert _figures(p, *_around(target)) == (1, 2)
    assert _figures(p, _around(cancelled)[0], _around(target)[1]) == (1, 2)


def test_a_moved_meeting_counts_on_its_new_date_and_closes_only_after_it(p):
    meeting = p.meeting(cases=2)
    old_span = _around(meeting)
    old_start = meeting.starts_at
    new_start = _on(local_date(meeting.starts_at) + timedelta(days=21), 10)
    schedule.move_meeting(p.svc, p.actor("chair"), meeting.id, new_start, now=clock.now())
    p.svc.session.commit()
    p.attend(meeting, present=("POL", "CSP"))
    with clock.travel(old_start + timedelta(hours=1)):  # the day it was first meant to be
        with pytest.raises(Conflict) as early:
            conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        assert early.value.code == "meeting_not_started"
    p.svc.session.rollback()
    with clock.travel(_after_start(meeting)):
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
    assert _figures(p, *old_span) == (0, 0)
    assert _figures(p, *_around(meeting)) == (1, 2)
    assert _figures(p, old_span[0], _around(meeting)[1]) == (1, 2)
