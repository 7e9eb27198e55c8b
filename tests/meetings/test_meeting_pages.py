"""The research, meeting, minutes and actions pages: what each reader sees, and GOV.UK error
states that keep what was typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casework import clock
from casework.meetings.models import CaseAction, Meeting, Minute, ResearchNote
from tests.conftest import post_form, sign_in
from tests.meetings.conduct_setup import TODAY, Partnership, partnership
from tests.meetings.page_form import submit


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _as(app, email: str):
    """A browser of its own, signed in as ``email``."""
    browser = app.test_client()
    sign_in(browser, email)
    return browser


def meeting_status(svc, meeting) -> str:
    svc.session.rollback()  # see what the server committed
    return svc.session.get(Meeting, meeting.id).status


def _summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</div>\n</div>", 1)[0]
    return re.findall(r'href="(#[^"]+)"', summary)


def test_housing_researches_its_cases_seeing_only_what_the_protocol_allows(p, client):
    meeting = p.meeting(cases=2)
    sign_in(client, "rep@hsg.example")
    listing = client.get("/research")
    assert f"/meetings/{meeting.id}/research" in listing.text
    assert "Run the meeting" not in listing.text
    url = f"/meetings/{meeting.id}/research"
    page = client.get(url)
    assert page.status_code == 200
    assert "Jane Doe001" in page.text and "Jane Doe002" in page.text
    assert "1 High Street" not in page.text and "07700 900000" not in page.text
    assert "Escalating abuse" not in page.text  # the referral's narrative is not shared
    second = str(p.referrals[1].id)
    save = ("save", second)  # the second case's "Save research"
    # yes, but nothing written: an error against the second case's box, keeping the answer
    bad = submit(client, url, "research-form", save, {f"has_information-{second}": "yes"})
    assert bad.status_code == 422
    assert _summary_links(bad.text) == ["#case-2-text"]
    assert 'id="case-2-text"' in bad.text and "govuk-textarea--error" in bad.text
    assert re.search(r'id="case-2-has_information"[^>]*value="yes"[^>]*checked', bad.text)
    typed = {f"has_information-{second}": "yes", f"text-{second}": "Arrears; ASB case open"}
    ok = submit(client, url, "research-form", save, typed)
    assert ok.status_code == 302
    after = client.get(url)
    assert "Arrears; ASB case open" in after.text and "Research saved" in after.text
    assert "recorded research for 1 of 2 cases" in after.text


def test_another_agency_never_sees_a_note_on_the_page(p, app, svc):
    meeting = p.meeting(cases=1)
    note = ResearchNote(meeting_id=meeting.id, referral_id=p.referrals[0].id)
    note.agency_id = p.agency("HSG").id
    note.text, note.has_information = "Housing only note", True
    svc.session.add(note)
    svc.session.commit()
    for email in ("rep@hlt.example", "coord@csp.example", "chair@pol.example"):
        reader = _as(app, email)
        page = reader.get(f"/meetings/{meeting.id}/research")
        assert page.status_code == 200 and "Jane Doe001" in page.text
        assert "Housing only note" not in page.text, email
    assert _as(app, "rep@out.example").get(f"/meetings/{meeting.id}/research").status_code == 404


def test_the_chair_takes_attendance_with_errors_shown_against_each_agency(p, client):
    meeting = p.meeting(cases=1)
    sign_in(client, "chair@pol.example")
    url = f"/meetings/{meeting.id}/conduct"
    page = client.get(url)
    assert page.status_code == 200 and "perpetrator must never be told" in page.text
    attendance = ("save", "attendance")
    bad = submit(client, url, "conduct-form", attendance, {"attendance-POL": "present"})
    assert bad.status_code == 422
    assert "#attendance-CSP" in _summary_links(bad.text)
    assert re.search(r'id="attendance-POL"[^>]*value="present"[^>]*checked', bad.text)
    answers = {
        "attendance-POL": "present",
        "attendance-CSP": "present",
        "attendance-HSG": "present",
        "attendance-IDVA": "absent",
        "attendance-HLT": "apologies",
    }
    assert submit(client, url, "conduct-form", attendance, answers).status_code == 302
    add = ("save", "attendee")
    bad = submit(client, url, "conduct-form", add, {"name": "", "agency": "HLT"})
    assert bad.status_code == 422
    assert _summary_links(bad.text) == ["#attendee-name", "#attendee-agency"]
    for name, code in [("DI Kim Hughes", "POL"), ("Morgan Lee", "CSP"), ("Alex Morgan", "HSG")]:
        added = submit(client, url, "conduct-form", add, {"name": name, "agency": code})
        assert added.status_code == 302
    page = client.get(url)
    assert "Alex Morgan" in page.text and "Every attendee must acknowledge" in page.text
    ids = re.findall(r'name="acknowledged" type="checkbox" value="([^"]+)"', page.text)
    assert len(ids) == 3
    done = submit(client, url, "conduct-form", ("save", "acknowledged"), {"acknowledged": ids})
    assert done.status_code == 302
    assert "Before minutes can be recorded" not in client.get(url).text


def test_minutes_and_an_action_on_the_case_page(p, client, svc):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"), apologies=("HLT",))
    referral = p.referrals[0]
    sign_in(client, "chair@pol.example")
    url = f"/meetings/{meeting.id}/cases/{referral.id}"
    page = client.get(url)
    assert page.status_code == 200 and "Jane Doe001" in page.text
    minute, add = ("save", "minute"), ("save", "action")
    bad = submit(client, url, "case-form", minute, {"text": ""})
    assert bad.status_code == 422 and _summary_links(bad.text) == ["#minute-text"]
    ok = submit(client, url, "case-form", minute, {"text": "Safety plan agreed"})
    assert ok.status_code == 302 and "Safety plan agreed" in client.get(url).text
    past = TODAY - timedelta(days=1)
    action = {
        "description": "Fit locks",
        "owner_agency": "OUT",
        "due_on-day": str(past.day),
        "due_on-month": str(past.month),
        "due_on-year": str(past.year),
    }
    bad = submit(client, url, "case-form", add, action)
    assert bad.status_code == 422
    assert _summary_links(bad.text) == ["#action-owner_agency", "#action-due_on-day"]
    assert "Fit locks" in bad.text  # what was typed is kept
    due = TODAY + timedelta(days=7)
    action.update(
        {
            "owner_agency": "HSG",
            "due_on-day": str(due.day),
            "due_on-month": str(due.month),
            "due_on-year": str(due.year),
        }
    )
    assert submit(client, url, "case-form", add, action).status_code == 302
    assert svc.session.query(CaseAction).one().owner_agency_id == p.agency("HSG").id
    assert "Fit locks" in client.get(url).text
    close_url = f"/meetings/{meeting.id}/close"
    early = post_form(client, close_url, {})  # ten days early: refused, and the page says why
    assert early.status_code == 409 and "This meeting cannot be closed yet" in early.text
    assert f"/panels/{p.panel.id}/meetings/{meeting.id}/move" in early.text
    assert meeting_status(svc, meeting) == "scheduled"
    with clock.travel(meeting.starts_at + timedelta(minutes=30)):
        sign_in(client, "chair@pol.example")  # ten days on, the old session has expired
        assert post_form(client, close_url, {}).status_code == 302
        closed = client.get(url)
        assert "This meeting is closed" in closed.text and 'name="text"' not in closed.text


def test_only_managers_of_the_panel_reach_the_meeting_page(p, client, app):
    meeting = p.meeting(cases=1)
    sign_in(client, "rep@hsg.example")
    assert client.get(f"/meetings/{meeting.id}/conduct").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/cases/{p.referrals[0].id}").status_code == 403
    outsider = _as(app, "rep@out.example")
    assert outsider.get(f"/meetings/{meeting.id}/conduct").status_code == 404
    assert outsider.get("/meetings/not-an-id/conduct").status_code == 404


def test_the_minutes_page_shows_minutes_only_to_attending_agencies(p, client, app, svc):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"), apologies=("HLT",))
    minute = Minute(meeting_id=meeting.id, referral_id=p.referrals[0].id)
    minute.text = "Minuted: safety plan agreed"
    svc.session.add(minute)
    svc.session.commit()
    sign_in(client, "rep@hsg.example")
    assert "Minuted: safety plan agreed" in client.get(f"/meetings/{meeting.id}/minutes").text
    page = _as(app, "rep@hlt.example").get(f"/meetings/{meeting.id}/minutes")
    assert page.status_code == 200
    assert "Minuted" not in page.text and "There are no minutes for your agency" in page.text


def test_my_agency_updates_its_actions_with_errors_shown(p, client, app):
    meeting = p.meeting(cases=1)
    late = p.action(meeting, p.referrals[0], due=TODAY - timedelta(days=3))
    sign_in(client, "officer@hsg.example")
    listing = client.get("/actions")
    assert "Arrange a safe move" in listing.text and "Overdue" in listing.text
    assert "Jane Doe001" in listing.text
    url = f"/actions/{late.id}"
    bad = post_form(client, url, {"status": "not_done", "outcome": "Victim declined"})
    assert bad.status_code == 422
    assert _summary_links(bad.text) == ["#not_done_reason"]
    assert "Victim declined" in bad.text
    ok = post_form(
        client,
        url,
        {"status": "not_done", "not_done_reason": "circumstances_changed", "outcome": "Moved"},
    )
    assert ok.status_code == 302
    assert "Arrange a safe move" not in client.get("/actions").text
    assert _as(app, "coord@csp.example").get(url).status_code == 403  # sees it, does not own it
    assert _as(app, "rep@out.example").get(url).status_code == 404
