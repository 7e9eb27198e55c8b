"""Browser journey, in real Chromium: the chair runs three cases in live mode. Before the
meeting is opened the page shows attendance and the statement and no case; then case by case
the chair reads the timer (which live.js keeps ticking), minutes each case and agrees an
action, moving on with "Next case" and back with the agenda's jump links; one save is made
with the keyboard alone. Every page, and its error state, passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.agencies.models import Agency
from casework.meetings.models import AgendaItem, Attendance, Attendee, Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

PRESENT = ("POL", "CSP", "HOUSING", "IDVA")


def _meeting(svc) -> Meeting:
    """A meeting of the demo MARAC that started 40 minutes ago, with three accepted cases on
    its circulated agenda (made directly: building agendas is the agenda journey's business)."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    actor = actor_for(coordinator, via="test")
    waiting = svc.session.scalars(
        select(Referral)
        .where(Referral.panel_id == panel.id, Referral.status == "submitted")
        .order_by(Referral.reference)
    ).all()[:3]
    assert len(waiting) == 3, "the demo has referrals waiting"
    for referral in waiting:
        lifecycle.accept_referral(svc, actor, referral.id)
    meeting = Meeting(
        panel_id=panel.id,
        starts_at=clock.now() - timedelta(minutes=40),
        agenda_status="published",
        agenda_version=1,
        circulated_at=clock.now() - timedelta(days=1),
    )
    svc.session.add(meeting)
    for position, referral in enumerate(waiting, start=1):
        meeting.items.append(
            AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id)
        )
    svc.session.commit()
    return meeting


def _open(svc, meeting: Meeting) -> None:
    """Attendance taken and the statement accepted (the meeting page's own journey)."""
    for code in PRESENT:
        agency = svc.session.scalar(select(Agency).where(Agency.code == code))
        svc.session.add(Attendance(meeting_id=meeting.id, agency_id=agency.id))
        svc.session.add(
            Attendee(
                meeting_id=meeting.id,
                agency_id=agency.id,
                name=f"{code} representative",
                acknowledged_at=clock.now(),
            )
        )
    svc.session.commit()


def _clean(page, axe_source: str, label: str) -> None:
    assert _violations(page, axe_source) == [], label


def _add_action(page, description: str, owner: str, days: int) -> None:
    due = clock.today() + timedelta(days=days)
    page.fill("#action-description", description)
    page.select_option("#action-owner_agency", owner)
    page.fill("#action-due_on-day", str(due.day))
    page.fill("#action-due_on-month", str(due.month))
    page.fill("#action-due_on-year", str(due.year))
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added")).to_be_visible()
    expect(page.get_by_role("cell", name=description)).to_be_visible()


def test_a_chair_runs_three_cases_in_live_mode(page, svc, axe_source):
    logins = _demo_logins(svc)
    meeting = _meeting(svc)
    live = f"/meetings/{meeting.id}/live"
    _sign_in(page, "chair@police.demo", logins["chair@police.demo"])
    page.wait_for_url("**/")

    # Not opened yet: attendance and the statement first, no case shown.
    page.goto(f"/meetings/{meeting.id}/conduct")
    page.get_by_role("link", name="Run the meeting in live mode, case by case").click()
    page.wait_for_url(f"**{live}")
    expect(page.locator("#not-ready")).to_contain_text("Record which agencies are present")
    expect(page.locator("#agenda")).to_have_count(0)
    _clean(page, axe_source, "live page before attendance")

    _open(svc, meeting)
    page.reload()
    expect(page.locator("#attendance-taken")).to_contain_text("4 agencies present")
    _clean(page, axe_source, "live page opening")
    page.get_by_role("button", name="Start the first case").click()
    page.wait_for_url(f"**{live}?case=1")

    # Case 1: the timer runs 25 minutes behind (slot ended 25 minutes ago) and live.js ticks.
    pace = page.locator("#live-pace")
    expect(pace).to_have_text(re.compile(r"^Running 2[56] minutes behind$"))
    page.evaluate("document.getElementById('live-pace').textContent = 'stale'")
    expect(pace).to_have_text(re.compile(r"^Running 2[56] minutes behind$"), timeout=3000)
    expect(page.locator("#chairing-sequence")).to_contain_text("Identify risks")
    _clean(page, axe_source, "live case")

    # The action refused for its missing owner and date keeps the minutes typed beside it.
    page.fill("#minute-text", "Police shared two call-outs this month")
    page.fill("#action-description", "Flag the address for urgent response")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#minute-text")).to_have_value("Police shared two call-outs this month")
    _clean(page, axe_source, "live case with action errors")
    _add_action(page, "Flag the address for urgent response", "POL", 1)
    expect(page.locator("#minute-text")).to_have_value("Police shared two call-outs this month")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    screenshot(page, "live-chair-case-1")

    # Case 2, minuted with the keyboard alone: skip link, type, Tab to "Save minutes", Enter.
    page.get_by_role("link", name=re.compile("Next case")).click()
    page.wait_for_url(f"**{live}?case=2")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "#minute-text":
            break
    else:
        raise AssertionError("the skip link to the minutes is not reached by Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "minute-text"
    page.keyboard.type("Housing confirmed rent arrears; the victim wants to move")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "minute-risks"
    page.keyboard.type("Eviction would leave her homeless near him")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "save-minutes"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    expect(page.locator("#minute-text")).to_have_value(
        "Housing confirmed rent arrears; the victim wants to move"
    )
    expect(page.locator("#minute-risks")).to_have_value(
        "Eviction would leave her homeless near him"
    )
    _add_action(page, "Refer for a management transfer", "HOUSING", 14)

    # Case 3 by the agenda's jump list; then back to case 1, whose work is all there.
    page.locator("#agenda").get_by_role("link", name=re.compile(r"^3\. ")).click()
    page.wait_for_url(f"**{live}?case=3")
    page.fill("#minute-text", "IDVA to offer support; safety plan agreed")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    _add_action(page, "Offer IDVA support within two days", "IDVA", 2)
    expect(page.get_by_role("link", name=re.compile("Next case"))).to_have_count(0)
    expect(page.locator("#agenda .govuk-tag", has_text="Minuted")).to_have_count(3)
    _clean(page, axe_source, "live case 3")
    screenshot(page, "live-chair-case-3")

    page.locator("#agenda").get_by_role("link", name=re.compile(r"^1\. ")).click()
    page.wait_for_url(f"**{live}?case=1")
    expect(page.locator("#minute-text")).to_have_value("Police shared two call-outs this month")
    expect(page.get_by_role("cell", name="Flag the address for urgent response")).to_be_visible()
