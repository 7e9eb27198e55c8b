"""Browser journey, in real Chromium: a coordinator builds the agenda, reorders it and
publishes it; a housing representative sees only what the protocol allows and records
research; the chair takes attendance, minutes the case and agrees an action; the PDF
downloads; housing records the action's outcome; once the meeting has started the chair
confirms its closing. Every page, and its error state, passes axe.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.meetings.models import Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

ADDRESS = "Flat 2, 10 Demo Road"  # every demo victim's address: housing may not see it
NARRATIVE = "Demo case: fictional details"  # the referral's summary: not on the agenda view


def _setup(svc) -> tuple[Meeting, Referral, Referral]:
    """The demo partnership's next MARAC meeting and two of its referrals (not yet accepted)."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    chosen = [
        next(r for r in svc.session.scalars(select(Referral)) if r.victim_last_name == last_name)
        for last_name in ("Cole", "O'Neill")
    ]
    meeting = svc.session.scalar(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == "scheduled")
        .order_by(Meeting.starts_at)
    )
    assert meeting is not None, "creating the panel schedules its meetings"
    return meeting, chosen[0], chosen[1]


def _accept(svc, *referrals: Referral) -> None:
    """The coordinator accepts the referrals (after the draft was built, so whatever the day,
    and so wherever the next cut-off falls, they are the ones to add by hand)."""
    svc.session.rollback()  # end the test's read transaction: the server has written since
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    for referral in referrals:
        lifecycle.accept_referral(svc, actor_for(coordinator, via="test"), referral.id)
    svc.session.commit()


def _as(page, logins, email: str) -> None:
    page.context.clear_cookies()
    _sign_in(page, email, logins[email])
    page.wait_for_url("**/")


def _checked_by_axe(page, axe_source, label: str) -> None:
    assert _violations(page, axe_source) == [], label


def test_agenda_to_minutes_and_actions(page, svc, axe_source):
    logins = _demo_logins(svc)
    meeting, cole, oneill = _setup(svc)
    meeting_id, starts_at = meeting.id, meeting.starts_at
    agenda = f"/meetings/{meeting.id}/agenda"

    # The coordinator builds the agenda, adds both cases, puts O'Neill first and publishes.
    _as(page, logins, "coordinator@csp.demo")
    page.goto(agenda)
    page.get_by_role("button", name="Build draft agenda").click()
    page.wait_for_url(f"**{agenda}")
    _accept(svc, cole, oneill)
    page.reload()
    for referral in (cole, oneill):
        page.select_option("#referral_id", str(referral.id))
        page.get_by_role("button", name="Add to agenda").click()
        page.wait_for_url(f"**{agenda}")
    assert "Cole" in page.locator("#item-1").inner_text()
    page.get_by_role("button", name=re.compile(r"^Down\s*: move item 1 down")).click()
    page.wait_for_url(f"**{agenda}")
    assert "O'Neill" in page.locator("#item-1").inner_text()
    page.get_by_role("button", name="Publish agenda").click()
    page.wait_for_url(f"**{agenda}")
    assert page.locator("#agenda-status").inner_text().startswith("Published")

    # Housing sees names and risk, never the address or the referral's narrative.
    _as(page, logins, "rep@housing.demo")
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    _checked_by_axe(page, axe_source, "research list")
    page.get_by_role("link", name=re.compile(r"^Research for the meeting")).click()
    page.wait_for_url(f"**/meetings/{meeting.id}/research")
    text = page.content()
    assert "Chloe O'Neill" in text and "Bethany Cole" in text
    assert ADDRESS not in text and NARRATIVE not in text
    expect(page.locator("h2", has_text="1. Chloe O'Neill")).to_be_visible()
    _checked_by_axe(page, axe_source, "research page")
    page.locator("#note-" + str(oneill.id)).get_by_role("button", name="Save research").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    _checked_by_axe(page, axe_source, "research page with an error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "case-1-has_information"
    page.check("#case-1-has_information")  # yes
    page.fill("#case-1-text", "Tenancy in the victim's name; repairs request open")
    page.locator("#note-" + str(oneill.id)).get_by_role("button", name="Save research").click()
    expect(page.get_by_text("Research saved")).to_be_visible()
    expect(page.get_by_text("recorded research for 1 of 2 cases")).to_be_visible()
    screenshot(page, "research-housing")
    page.goto(agenda)
    assert ADDRESS not in page.content() and "O'Neill" in page.content()
    screenshot(page, "agenda-housing")

    # The chair takes attendance (first with the error), names attendees, reads the statement.
    _as(page, logins, "chair@police.demo")
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    page.get_by_role("link", name=re.compile(r"^Run the meeting")).click()
    conduct = f"/meetings/{meeting.id}/conduct"
    page.wait_for_url(f"**{conduct}")
    expect(page.get_by_text("The perpetrator must never be told")).to_be_visible()
    _checked_by_axe(page, axe_source, "meeting page")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _checked_by_axe(page, axe_source, "meeting page with attendance errors")
    answers = {"POL": "", "CSP": "", "HOUSING": "", "IDVA": "", "HEALTH": "-2", "CSC": "-2"}
    answers["PROB"] = "-3"
    for code, suffix in answers.items():  # present, "-2" apologies, "-3" did not attend
        page.check(f"#attendance-{code}{suffix}")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved")).to_be_visible()
    for name, code in [
        ("DI Kim Hughes", "POL"),
        ("Morgan Lee", "CSP"),
        ("Alex Morgan", "HOUSING"),
        ("Jo Williams", "IDVA"),
    ]:
        page.fill("#attendee-name", name)
        page.select_option("#attendee-agency", code)
        page.get_by_role("button", name="Add attendee").click()
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    for box in page.locator("input[name=acknowledged]").all():
        box.check()
    page.get_by_role("button", name="Save acknowledgements").click()
    expect(page.get_by_text("Acknowledgements saved")).to_be_visible()
    assert page.get_by_text("Before minutes can be recorded").count() == 0
    _checked_by_axe(page, axe_source, "meeting page ready for minutes")
    screenshot(page, "meeting-conduct")

    # Case by case: minutes, then an action (first with errors) owned by housing.
    page.get_by_role("link", name=re.compile(r"^Chloe O'Neill")).click()
    page.wait_for_url(f"**/meetings/{meeting.id}/cases/{oneill.id}")
    page.fill("#minute-text", "Housing to prioritise repairs; police marker on the address")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    page.get_by_role("button", name="Add action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    _checked_by_axe(page, axe_source, "case page with action errors")
    due = clock.today() + timedelta(days=14)
    page.fill("#action-description", "Fit a door alarm and window locks")
    page.select_option("#action-owner_agency", "HOUSING")
    page.fill("#action-due_on-day", str(due.day))
    page.fill("#action-due_on-month", str(due.month))
    page.fill("#action-due_on-year", str(due.year))
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added")).to_be_visible()
    expect(page.get_by_role("cell", name="Fit a door alarm and window locks")).to_be_visible()
    _checked_by_axe(page, axe_source, "case page")
    screenshot(page, "meeting-case")

    # The agenda PDF downloads.
    page.goto(agenda)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Housing reads the minutes (it attended) and records the action's outcome.
    _as(page, logins, "rep@housing.demo")
    page.goto(f"/meetings/{meeting.id}/minutes")
    expect(page.get_by_text("police marker on the address")).to_be_visible()
    _checked_by_axe(page, axe_source, "minutes page")
    page.get_by_role("link", name="Actions", exact=True).click()
    page.wait_for_url("**/actions")
    expect(page.get_by_role("cell", name="Fit a door alarm and window locks")).to_be_visible()
    _checked_by_axe(page, axe_source, "actions for my agency")
    page.get_by_role("link", name=re.compile(r"^Record outcome")).click()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _checked_by_axe(page, axe_source, "action outcome with errors")
    page.check("#status")  # done
    page.fill("#outcome", "Alarm and locks fitted")
    page.get_by_role("button", name="Record outcome").click()
    page.wait_for_url("**/actions")
    expect(page.get_by_text("Your agency has no open actions")).to_be_visible()

    # Health sent apologies: no minutes for it.
    _as(page, logins, "rep@health.demo")
    page.goto(f"/meetings/{meeting.id}/minutes")
    assert "police marker" not in page.content()
    expect(page.get_by_text("There are no minutes for your agency to read")).to_be_visible()

    # The chair closes the meeting once it has started (the live server reads the same
    # clock), confirming on the closing page, which lists Cole's case as without minutes.
    with clock.travel(starts_at + timedelta(minutes=30)):
        _as(page, logins, "chair@police.demo")
        page.goto(conduct)
        page.get_by_role("button", name="Close the meeting").click()
        page.wait_for_url(f"**/meetings/{meeting_id}/close")
        expect(page.locator("#no-minutes")).to_contain_text("Bethany Cole")
        expect(page.locator("#no-minutes")).not_to_contain_text("O'Neill")
        _checked_by_axe(page, axe_source, "close confirmation page")
        page.get_by_role("button", name="Close the meeting").click()
        expect(page.get_by_text("Meeting closed. 2 cases marked as heard")).to_be_visible()
        _checked_by_axe(page, axe_source, "closed meeting page")
    svc.session.rollback()  # end this test's read transaction to see the server's writes
    assert {svc.session.get(Referral, r.id).status for r in (cole, oneill)} == {"heard"}
