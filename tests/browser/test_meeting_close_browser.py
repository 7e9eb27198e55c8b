"""Closing and reopening a meeting in real Chromium: too early, the page explains and offers
to move it; once it has started, the confirmation lists the case still without minutes; the
reopening form needs a reason. Every page, and its error state, passes axe."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.agencies.models import Agency
from casework.meetings import agenda
from casework.meetings.models import Attendance, Meeting, Minute
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

CHAIR = "chair@police.demo"


def _meeting_with_one_case_minuted(svc) -> tuple[str, object]:
    """The demo panel's next meeting with Cole and O'Neill on its agenda, the police present
    and only O'Neill's case minuted. Returns its id and start time."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    actor = actor_for(coordinator, via="test")
    meeting = svc.session.scalar(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == "scheduled")
        .order_by(Meeting.starts_at)
    )
    assert meeting is not None, "creating the panel schedules its meetings"
    cases = {}
    for last_name in ("Cole", "O'Neill"):
        referral = next(
            r for r in svc.session.scalars(select(Referral)) if r.victim_last_name == last_name
        )
        if referral.status == "submitted":
            lifecycle.accept_referral(svc, actor, referral.id)
        agenda.add_item(svc, actor, meeting.id, {"referral_id": str(referral.id)})
        cases[last_name] = referral
    police = svc.session.scalar(select(Agency).where(Agency.code == "POL"))
    svc.session.add(Attendance(meeting_id=meeting.id, agency_id=police.id))
    minute = Minute(meeting_id=meeting.id, referral_id=cases["O'Neill"].id)
    minute.text = "Police marker on the address"
    svc.session.add(minute)
    svc.session.commit()
    return str(meeting.id), meeting.starts_at


def _as_chair(page, logins) -> None:
    page.context.clear_cookies()
    _sign_in(page, CHAIR, logins[CHAIR])
    page.wait_for_url("**/")


def _checked_by_axe(page, axe_source: str, label: str) -> None:
    assert _violations(page, axe_source) == [], label


def test_closing_waits_for_the_start_shows_the_gaps_and_reopens_with_a_reason(
    page, svc, axe_source
):
    logins = _demo_logins(svc)
    meeting_id, starts_at = _meeting_with_one_case_minuted(svc)
    close = f"/meetings/{meeting_id}/close"

    # Before the meeting: the page explains, and offers to move it instead.
    _as_chair(page, logins)
    page.goto(close)
    expect(page.get_by_role("heading", name="This meeting cannot be closed yet")).to_be_visible()
    expect(page.get_by_role("link", name="Move the meeting to another date")).to_be_visible()
    assert page.get_by_role("button", name="Close the meeting").count() == 0
    _checked_by_axe(page, axe_source, "close page before the meeting")

    with clock.travel(starts_at + timedelta(minutes=45)):
        # The meeting has started: the confirmation lists Cole's case, not yet minuted.
        _as_chair(page, logins)
        page.goto(f"/meetings/{meeting_id}/conduct")
        page.get_by_role("button", name="Close the meeting").click()
        page.wait_for_url(f"**{close}")
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Close the meeting"))
        missing = page.locator("#no-minutes")
        expect(missing).to_contain_text("Bethany Cole")
        expect(missing).not_to_contain_text("O'Neill")
        expect(page.locator("#no-attendance")).to_contain_text("(HOUSING)")
        _checked_by_axe(page, axe_source, "close confirmation page")
        screenshot(page, "meeting-close")
        page.get_by_role("button", name="Close the meeting").click()
        expect(page.get_by_text("Meeting closed. 2 cases marked as heard")).to_be_visible()

        # Reopened with a reason (first without one: the error summary).
        page.get_by_role("link", name="Reopen the meeting").click()
        page.wait_for_url(f"**/meetings/{meeting_id}/reopen")
        _checked_by_axe(page, axe_source, "reopen page")
        page.get_by_role("button", name="Reopen the meeting").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        assert page.title().startswith("Error: ")
        _checked_by_axe(page, axe_source, "reopen page with an error")
        summary.get_by_role("link").first.click()
        assert page.evaluate("document.activeElement.id") == "reason"
        page.fill("#reason", "Cole's case was heard but not minuted")
        page.get_by_role("button", name="Reopen the meeting").click()
        expect(page.get_by_text("Meeting reopened. 2 cases are listed again")).to_be_visible()
        expect(page.locator("#reopened")).to_be_visible()
        _checked_by_axe(page, axe_source, "reopened meeting page")
    svc.session.rollback()  # end this test's read transaction to see the server's writes
    assert svc.session.get(Meeting, uuid.UUID(meeting_id)).status == "reopened"
