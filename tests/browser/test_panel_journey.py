"""The panel pages in real Chromium: a coordinator finds the panel's meetings, moves one
(after a mistake) and cancels another; every page and error state passes axe."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from casework import clock
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations


def test_coordinator_moves_and_cancels_meetings_and_every_page_passes_axe(page, svc, axe_source):
    logins = _demo_logins(svc)
    _sign_in(page, "coordinator@csp.demo", logins["coordinator@csp.demo"])
    page.wait_for_url("**/")
    page.get_by_role("navigation").get_by_role("link", name="Panels").click()
    assert _violations(page, axe_source) == [], "/panels"
    page.get_by_role("link", name="Northshire MARAC").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Northshire MARAC"
    expect(page.get_by_role("table", name="Upcoming meetings")).to_be_visible()
    assert _violations(page, axe_source) == [], "panel page"
    screenshot(page, "panel-meetings")

    page.get_by_role("link", name="Move the meeting on").first.click()
    assert _violations(page, axe_source) == [], "move form"
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Start time").fill("25:00")
    page.get_by_role("button", name="Move meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert _violations(page, axe_source) == [], "move form with errors"
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "date-day"

    # A meeting moves at most two years ahead: this one goes about 13 months on.
    to = clock.today() + timedelta(days=400)
    page.get_by_label("Day").fill(str(to.day))
    page.get_by_label("Month").fill(str(to.month))
    page.get_by_label("Year").fill(str(to.year))
    page.get_by_label("Start time").fill("13:30")
    page.get_by_role("button", name="Move meeting").click()
    moved = f"Meeting moved to {to:%A} {to.day} {to:%B %Y} at 13:30"
    expect(page.get_by_text(moved)).to_be_visible()
    page.get_by_role("link", name="Cancel the meeting on").first.click()
    assert _violations(page, axe_source) == [], "cancel confirmation"
    page.get_by_role("button", name="Cancel meeting").click()
    expect(page.get_by_text("Meeting cancelled")).to_be_visible()
    assert page.get_by_role("table", name="Upcoming meetings").get_by_text("Cancelled").count()

    page.get_by_role("link", name="Change the panel's settings").click()
    assert _violations(page, axe_source) == [], "settings form"
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "settings form with errors"
