"""The closing and reopening pages: a confirmation that shows the gaps, an explanation (and a
way to move the meeting) before its start time, and a reopening form whose errors keep what
was typed."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from casework import clock
from casework.clock import UK
from casework.meetings.calendar import local_date, working_days_after
from casework.meetings.models import Minute
from tests.conftest import post_form, sign_in
from tests.meetings.conduct_setup import Partnership, partnership

CHAIR = "chair@pol.example"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _as(app, email: str):
    browser = app.test_client()
    sign_in(browser, email)
    return browser


def _summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="(#[^"]+)"', summary)


def test_before_the_start_the_page_explains_and_offers_to_move_the_meeting(p, client):
    meeting = p.meeting(cases=1)
    sign_in(client, CHAIR)
    conduct_page = client.get(f"/meetings/{meeting.id}/conduct").text
    assert f'href="/meetings/{meeting.id}/close"' in conduct_page  # a link, no longer a form
    page = client.get(f"/meetings/{meeting.id}/close")
    assert page.status_code == 200
    assert "This meeting cannot be closed yet" in page.text
    assert "It can be closed once it has started" in page.text
    assert f'href="/panels/{p.panel.id}/meetings/{meeting.id}/move"' in page.text
    assert 'action="/meetings/' not in page.text  # nothing to press


def test_the_confirmation_page_lists_the_gaps_and_refuses_without_attendance(p, client):
    meeting = p.meeting(cases=2)
    minute = Minute(meeting_id=meeting.id, referral_id=p.referrals[0].id)
    minute.text = "Safety plan agreed"
    p.svc.session.add(minute)
    p.svc.session.commit()
    url = f"/meetings/{meeting.id}/close"
    with clock.travel(meeting.starts_at + timedelta(minutes=30)):
        sign_in(client, CHAIR)
        page = client.get(url)
        assert page.status_code == 200 and "Attendance has not been taken" in page.text
        refused = post_form(client, url, {})
        assert refused.status_code == 422
        assert _summary_links(refused.text) == ["#close"]
        assert "Record attendance before closing the meeting" in refused.text
        p.attend(meeting, present=("POL", "CSP"), apologies=("HLT",))
        page = client.get(url)
        assert "Close the meeting on" in page.text and "Attendance has not" not in page.text
        no_minutes = page.text.split('id="no-minutes"', 1)[1].split("</ul>", 1)[0]
        assert "Jane Doe002" in no_minutes and "Jane Doe001" not in no_minutes
        no_attendance = page.text.split('id="no-attendance"', 1)[1].split("</ul>", 1)[0]
        assert "HSG services (HSG)" in no_attendance and "IDVA services (IDVA)" in no_attendance
        assert "POL services" not in no_attendance and "HLT services" not in no_attendance
        no_actions = page.text.split('id="no-actions"', 1)[1].split("</ul>", 1)[0]
        assert "Jane Doe001" in no_actions and "Jane Doe002" in no_actions
        assert "Closing marks 2 cases on the agenda as heard" in page.text
        closed = post_form(client, url, {})
        assert closed.status_code == 302
        after = client.get(closed.headers["Location"])
        assert "Meeting closed. 2 cases marked as heard" in after.text
        assert f'href="/meetings/{meeting.id}/reopen"' in after.text


def test_reopening_needs_a_reason_keeps_what_was_typed_and_lists_the_cases_again(p, client):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL",))
    start = meeting.starts_at + timedelta(minutes=30)
    url = f"/meetings/{meeting.id}/reopen"
    with clock.travel(start):
        sign_in(client, CHAIR)
        assert post_form(client, f"/meetings/{meeting.id}/close", {}).status_code == 302
        blank = post_form(client, url, {"reason": "  "})
        assert blank.status_code == 422 and _summary_links(blank.text) == ["#reason"]
        assert "Enter why the meeting is being reopened" in blank.text
        assert blank.text.split("<title>", 1)[1].startswith("Error: ")
        long = "Wrong victim minuted. " * 100
        too_long = post_form(client, url, {"reason": long})
        assert too_long.status_code == 422 and long.strip() in too_long.text
        done = post_form(client, url, {"reason": "Wrong victim minuted"})
        assert done.status_code == 302
        conduct_page = client.get(done.headers["Location"]).text
        assert "Meeting reopened. 1 case is listed again" in conduct_page
        assert 'id="reopened"' in conduct_page and "Close the meeting" in conduct_page
        assert "Wrong victim minuted" in client.get(url).text  # reasons given before
    p.svc.session.expire_all()
    assert p.referrals[0].status == "listed"


def test_after_five_working_days_the_page_says_reopening_is_over(p, client):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL",))
    start = meeting.starts_at + timedelta(minutes=30)
    last = working_days_after(local_date(start), 5, p.panel.nation)
    url = f"/meetings/{meeting.id}/reopen"
    with clock.travel(start):
        sign_in(client, CHAIR)
        assert post_form(client, f"/meetings/{meeting.id}/close", {}).status_code == 302
    late = datetime.combine(last + timedelta(days=1), time(9), tzinfo=UK)
    with clock.travel(late):
        sign_in(client, CHAIR)
        page = client.get(url)
        assert (
            "This meeting can no longer be reopened" in page.text
            and 'name="reason"' not in page.text
        )
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        refused = client.post(url, data={"reason": "Too late", "csrf_token": token})
        assert refused.status_code == 409
        assert "can no longer be reopened" in refused.text


def test_only_the_panels_managers_reach_the_pages(p, app):
    meeting = p.meeting(cases=1)
    for path in ("close", "reopen"):
        url = f"/meetings/{meeting.id}/{path}"
        assert _as(app, "rep@hsg.example").get(url).status_code == 403
        assert _as(app, "rep@out.example").get(url).status_code == 404
        assert _as(app, "coord@csp.example").get(url).status_code == 200
        assert _as(app, CHAIR).get(f"/meetings/not-an-id/{path}").status_code == 404
