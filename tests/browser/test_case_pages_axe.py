"""The pages around one case and one's own account, and the accessibility statement, in
Chromium with axe: amending a referral (with errors) and its versions, the safety plan (empty
and with errors), who has viewed the case, recording engagement, the account and password pages
(with errors), and the statement every page links to from its footer. One demo world, one
browser context: the pages need a real referral's id, which the page-by-page test cannot name."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from casework.agencies.models import Agency
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations


def _switch_to(page, email: str, logins: dict[str, str]) -> None:
    page.context.clear_cookies()
    _sign_in(page, email, logins[email])
    page.wait_for_url("**/")


def _police_referral(svc) -> str:
    """The demo's referral made by the police referrer, still waiting (so its referrer may
    amend it)."""
    police = svc.session.scalar(select(Agency.id).where(Agency.code == "POL"))
    return str(
        svc.session.scalar(select(Referral.id).where(Referral.referring_agency_id == police))
    )


def test_case_account_and_statement_pages_pass_axe(page, svc, axe_source):
    logins = _demo_logins(svc)
    referral = f"/referrals/{_police_referral(svc)}"

    # Signed out: the statement, reached from the footer of the sign-in page.
    page.goto("/sign-in")
    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url("**/accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Casework"
    )
    assert _violations(page, axe_source) == [], "/accessibility"
    assert screenshot(page, "accessibility-statement").stat().st_size > 10_000

    # The referrer amends: the form, the form with errors, the versions it makes.
    _switch_to(page, "referrer@police.demo", logins)
    page.goto(f"{referral}/amend")
    assert _violations(page, axe_source) == [], "amend"
    page.get_by_label("Victim's postcode").fill("NS9 9ZZ")
    page.get_by_role("button", name="Save amendment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why the referral is being amended"
    )
    assert _violations(page, axe_source) == [], "amend with errors"
    page.get_by_label("Why are you amending the referral?").fill("Moved house")
    page.get_by_role("button", name="Save amendment").click()
    page.wait_for_url(f"**{referral}/versions")
    expect(page.get_by_text("NS9 9ZZ")).to_be_visible()
    assert _violations(page, axe_source) == [], "versions"

    # The coordinator: the safety plan, empty and with errors; who has viewed the case.
    _switch_to(page, "coordinator@csp.demo", logins)
    page.goto(f"{referral}/safety-plan")
    assert _violations(page, axe_source) == [], "safety plan"
    page.get_by_label("Risks").fill("Perpetrator knows the new address")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Risks")).to_have_value("Perpetrator knows the new address")
    assert _violations(page, axe_source) == [], "safety plan with errors"
    page.goto(f"{referral}/viewers")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _violations(page, axe_source) == [], "viewers"
    page.goto(f"{referral}/engagement")
    page.get_by_role("button", name="Save engagement").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "engagement with errors"
    page.goto("/actions/changes")
    assert _violations(page, axe_source) == [], "/actions/changes"

    # One's own account, and changing the password with errors.
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/account")
    assert _violations(page, axe_source) == [], "/account"
    page.goto("/account/password")
    assert _violations(page, axe_source) == [], "/account/password"
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "/account/password with errors"
