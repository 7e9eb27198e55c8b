"""The agenda pages in real Chromium: the builder with its overflow warning and error states,
the agenda a member agency sees, each checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.meetings import agenda
from casework.meetings.models import Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

ADDRESS = "Flat 2, 10 Demo Road"  # every demo victim's address: housing may not see it


def _crowded_agenda(svc) -> str:
    """The demo panel's next meeting, shortened so its cases overflow it."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    actor = actor_for(coordinator, via="test")
    for referral in svc.session.scalars(select(Referral).where(Referral.status == "submitted")):
        lifecycle.accept_referral(svc, actor, referral.id)
    meetings = svc.session.scalars(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == "scheduled")
        .order_by(Meeting.starts_at)
    ).all()
    assert len(meetings) >= 2, "creating the panel schedules its meetings"
    meeting = meetings[0]
    meeting.length_minutes = 30
    agenda.build_draft(svc, meeting, actor)
    for row in agenda.addable_referrals(svc, actor, meeting.id):
        agenda.add_item(svc, actor, meeting.id, {"referral_id": row["id"]})
    assert len(agenda.items_of(svc, meeting)) >= 3
    svc.session.commit()
    return str(meeting.id)


def test_builder_overflow_and_member_view_pass_axe(page, svc, axe_source):
    logins = _demo_logins(svc)
    meeting_id = _crowded_agenda(svc)
    url = f"/meetings/{meeting_id}/agenda"
    _sign_in(page, "coordinator@csp.demo", logins["coordinator@csp.demo"])
    page.wait_for_url("**/")

    page.goto(url)
    expect(page.get_by_role("heading", name="Too many items for the meeting")).to_be_visible()
    assert page.locator("#items-3").is_checked() and not page.locator("#items").is_checked()
    assert _violations(page, axe_source) == [], "agenda builder with overflow"
    screenshot(page, "agenda-builder")

    page.get_by_role("button", name="Move items").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert _violations(page, axe_source) == [], "agenda builder: no choice made"
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "choice"

    page.check("#choice-2")  # an extra meeting, with no date and a bad time
    page.fill("#time", "25:00")
    page.get_by_role("button", name="Move items").click()
    expect(page.get_by_text("Enter the date of the extra meeting").first).to_be_visible()
    assert _violations(page, axe_source) == [], "agenda builder: extra meeting errors"
    page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("date")).click()
    assert page.evaluate("document.activeElement.id") == "date-day"

    page.check("#choice")  # defer what is ticked (the items past the end)
    page.get_by_role("button", name="Move items").click()
    expect(page.get_by_text("Items deferred to the meeting on")).to_be_visible()
    expect(page.get_by_role("heading", name="Too many items for the meeting")).to_have_count(0)
    page.get_by_role("button", name="Publish agenda").click()
    expect(page.get_by_text("Agenda version 1 published")).to_be_visible()
    assert _violations(page, axe_source) == [], "agenda builder after publishing"

    page.context.clear_cookies()
    _sign_in(page, "rep@housing.demo", logins["rep@housing.demo"])
    page.wait_for_url("**/")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northshire MARAC")
    expect(page.get_by_role("link", name="Download the agenda as XLSX (Excel)")).to_be_visible()
    assert ADDRESS not in page.content()
    assert _violations(page, axe_source) == [], "agenda as housing sees it"
    screenshot(page, "agenda-member")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda as CSV").click()
    assert re.fullmatch(
        r"agenda-northshire-marac-[\d-]+-v1\.csv", download.value.suggested_filename
    )
