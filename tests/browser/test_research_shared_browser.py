"""Browser journey, in real Chromium (issue 14, "Done when"): housing records its research the
SafeLives way (facts apart from opinion, information held but not shared and why), marks it
"share with the chair and coordinator before the meeting", and the chair sees it collated
with every other agency's "not researched yet". Every page passes axe; screenshots kept.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD
from tests.meetings.conduct_setup import partnership

FACTS = "Tenancy in the victim's name; two repairs visits this month"
HELD = "A complaint from a neighbour about another household"


def _as(page, email: str) -> None:
    page.context.clear_cookies()
    _sign_in(page, email, PASSWORD)
    page.wait_for_url("**/")


def test_housing_shares_research_and_the_chair_sees_it_collated(page, factory, axe_source):
    p = partnership(factory)  # a MARAC with a circulated agenda (tests/meetings)
    meeting = p.meeting(cases=2)
    meeting_id, referral_id = str(meeting.id), str(p.referrals[1].id)
    research = f"/meetings/{meeting_id}/research"

    _as(page, "rep@hsg.example")
    page.goto(research)
    note = page.locator(f"#note-{referral_id}")
    case = "#case-2"  # the second case on the agenda
    note.locator(f"{case}-has_information").check()  # yes
    page.fill(f"{case}-facts", FACTS)
    page.fill(f"{case}-opinion", "Risk is rising since the separation")
    page.fill(f"{case}-held_not_shared", HELD)
    note.get_by_role("button", name="Save research").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # why it is not shared
    assert _violations(page, axe_source) == [], "research page with an error"
    page.fill(f"{case}-not_shared_reason", "It is about a third party")
    page.check(f"{case}-shared_before_meeting")
    assert _violations(page, axe_source) == [], "research form"
    page.locator(f"#note-{referral_id}").get_by_role("button", name="Save research").click()
    expect(page.get_by_text("chose to share it with the chair and coordinator")).to_be_visible()
    screenshot(page, "research-shared-housing")

    _as(page, "chair@pol.example")
    page.goto(research)
    page.locator(f"#note-{referral_id}").get_by_role("link", name="Research shared").click()
    page.wait_for_url(f"**{research}/{referral_id}/collated")
    text = page.content()
    assert FACTS in text and HELD not in text
    expect(page.get_by_text("Not researched yet").first).to_be_visible()
    assert _violations(page, axe_source) == [], "collated research"
    screenshot(page, "research-collated-chair")
