"""Browser journey, in real Chromium: the chair minutes a case with the risks identified in
live mode, follows the meeting page's link to the sign-off page, is told to enter the venue
first, enters it and approves the minutes. A member of an agency recorded present reads the
risks on the member minutes page, follows its link to the approved minutes and downloads the
PDF; a member of an agency that sent apologies gets 404 for both. The sign-off page, its
error state and the approved-minutes page pass axe; screenshots are kept."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from casework.agencies.models import Agency
from casework.meetings.models import Attendance
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations
from tests.browser.test_live_chair import _meeting, _open

SHARED = "Police shared two call-outs this month"
RISKS = "Threats to kill made in front of the children"


def _clean(page, axe_source: str, label: str) -> None:
    assert _violations(page, axe_source) == [], label


def _as(browser, live_server, email: str, password: str):
    """Another person, in their own browser session."""
    tab = browser.new_context(base_url=live_server).new_page()
    _sign_in(tab, email, password)
    tab.wait_for_url("**/")
    return tab


def test_chair_approves_and_only_a_present_agency_downloads(
    page, browser, live_server, svc, axe_source
):
    logins = _demo_logins(svc)
    meeting = _meeting(svc)
    _open(svc, meeting)  # police, CSP, housing and the IDVA service present
    health = svc.session.scalar(select(Agency).where(Agency.code == "HEALTH"))
    svc.session.add(Attendance(meeting_id=meeting.id, agency_id=health.id, status="apologies"))
    svc.session.commit()
    mid = meeting.id

    # The chair minutes the first case in live mode, the risks in their own box.
    _sign_in(page, "chair@police.demo", logins["chair@police.demo"])
    page.wait_for_url("**/")
    page.goto(f"/meetings/{mid}/live?case=1")
    page.fill("#minute-text", SHARED)
    page.fill("#minute-risks", RISKS)
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    expect(page.locator("#minute-risks")).to_have_value(RISKS)

    # From the meeting page to the sign-off page; approving without a venue is refused.
    page.goto(f"/meetings/{mid}/conduct")
    page.get_by_role("link", name="Sign off the minutes").click()
    page.wait_for_url(f"**/meetings/{mid}/minutes/sign-off")
    expect(page.locator("#minutes-status")).to_contain_text("Draft")
    _clean(page, axe_source, "sign-off page")
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter where the meeting was held")
    _clean(page, axe_source, "sign-off page with errors")
    screenshot(page, "minutes-signoff-error")

    page.fill("#venue", "Committee room 2, Northshire Town Hall")
    page.get_by_role("button", name="Save meeting details").click()
    expect(page.get_by_text("Minutes header saved")).to_be_visible()
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_text("Version 1 approved and sent to")).to_be_visible()
    expect(page.locator("#minutes-status")).to_contain_text("Approved")
    expect(page.locator("#versions")).to_contain_text("Approved")
    _clean(page, axe_source, "sign-off page once approved")
    screenshot(page, "minutes-signoff-approved")

    # Housing was present: the risks on its minutes page, then its copy as a PDF.
    housing = _as(browser, live_server, "rep@housing.demo", logins["rep@housing.demo"])
    housing.goto(f"/meetings/{mid}/minutes")
    expect(housing.get_by_text(RISKS)).to_be_visible()
    expect(housing.locator("#sign-off-link")).to_have_count(0)  # the chair's page, not theirs
    housing.get_by_role("link", name="Download the approved minutes (version 1)").click()
    housing.wait_for_url(f"**/meetings/{mid}/minutes/approved")
    _clean(housing, axe_source, "approved minutes page")
    screenshot(housing, "minutes-approved-housing")
    href = housing.locator("#download-minutes").get_attribute("href")
    pdf = housing.request.get(href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Health sent apologies: neither the page nor the file exists for it.
    apologies = _as(browser, live_server, "rep@health.demo", logins["rep@health.demo"])
    assert apologies.goto(f"/meetings/{mid}/minutes/approved").status == 404
    assert apologies.request.get(f"/meetings/{mid}/minutes/approved.pdf").status == 404
    apologies.goto(f"/meetings/{mid}/minutes")
    expect(apologies.get_by_text(RISKS)).to_have_count(0)
    expect(apologies.locator("#approved-minutes-link")).to_have_count(0)
    housing.context.close()
    apologies.context.close()
