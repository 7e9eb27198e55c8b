"""Browser journey: a coordinator resolves a possible match and manages the referral."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.panels.models import Panel
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations
from tests.referral_data import referral_body


def _near_match(svc) -> Referral:
    """Bethany Cole is in the demo; an IDVA now refers 'Beth Cole', same birth date and
    perpetrator: a possible match for the coordinator, not yet a repeat."""
    idva = svc.session.scalar(select(User).where(User.email == "idva@idva.demo"))
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    body = referral_body(
        panel.id,
        referral_date=clock.today().isoformat(),
        victim__first_name="Beth",
        victim__last_name="Cole",
        victim__date_of_birth="1985-02-03",
        perpetrators=[{"first_name": "Dean", "last_name": "Marsh"}],
    )
    referral = submit_referral(svc, actor_for(idva, via="test"), body)
    svc.session.commit()
    assert not referral.crit_repeat
    return referral


def test_coordinator_confirms_a_possible_match_and_sees_the_repeat(page, svc, axe_source):
    logins = _demo_logins(svc)
    referral = _near_match(svc)
    manage = f"/referrals/{referral.id}/manage"
    _sign_in(page, "coordinator@csp.demo", logins["coordinator@csp.demo"])
    page.wait_for_url("**/")

    page.get_by_role("link", name="Matches (1)").click()
    page.wait_for_url("**/referrals/review")
    expect(page.get_by_text("different first name")).to_be_visible()
    expect(page.get_by_role("cell", name="Beth", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Bethany", exact=True)).to_be_visible()
    assert _violations(page, axe_source) == [], "review queue"
    screenshot(page, "review-matches")

    page.get_by_role("button", name=re.compile(r"^Confirm")).click()
    page.wait_for_url("**/referrals/review")
    banner = page.locator(".govuk-notification-banner")
    assert f"Referral {referral.reference} is a repeat" in banner.inner_text()
    expect(page.get_by_text("There are no possible matches waiting for you")).to_be_visible()
    assert _violations(page, axe_source) == [], "empty review queue with a banner"

    page.goto(manage)
    row = page.locator(".govuk-summary-list__row", has_text="Repeat referral")
    assert "Yes, previous referral" in row.inner_text()
    assert _violations(page, axe_source) == [], "manage page"

    page.get_by_role("button", name="Withdraw referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    assert _violations(page, axe_source) == [], "manage page with an error"
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "reason"

    page.get_by_role("button", name="Accept referral").click()
    page.wait_for_url(f"**{manage}")
    assert (
        page.locator(".govuk-summary-list__row", has_text="Status")
        .inner_text()
        .endswith("Accepted")
    )
