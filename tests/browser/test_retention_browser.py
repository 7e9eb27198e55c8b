"""The DPO's retention page in Chromium: axe finds nothing serious with records due, with the
erase form's errors and with a case on hold; erasing a batch from it works end to end."""

from __future__ import annotations

from playwright.sync_api import expect

from casework import clock
from casework.referrals.models import Referral
from casework.scheduler.jobs import review_retention
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD
from tests.retention_world import build_world


def test_the_retention_page_is_accessible_and_erases_a_batch(page, svc, factory, axe_source):
    w = build_world(factory)
    now = clock.now()
    review_retention(svc, now, now)
    svc.session.commit()
    _sign_in(page, "dpo@csp.example", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", name="Retention and erasure")).to_be_visible()
    assert _violations(page, axe_source) == [], "retention page with records due"

    page.get_by_label(f"Referral {w.erased.reference}").check()
    page.get_by_role("button", name="Erase the chosen records").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "erase form with errors"

    page.get_by_label("Reference", exact=True).fill(w.held.reference)
    page.get_by_label("Why is it on hold?").fill("Civil claim pending")
    page.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_role("cell", name="Civil claim pending")).to_be_visible()
    assert _violations(page, axe_source) == [], "retention page with a hold"

    page.get_by_label(f"Referral {w.erased.reference}").check()
    page.get_by_label("Why are these records erased?").fill("The retention period has ended")
    page.get_by_label("I confirm the chosen records are to be erased").check()
    page.get_by_role("button", name="Erase the chosen records").click()
    expect(page.get_by_text("1 record erased")).to_be_visible()
    svc.session.expire_all()
    assert svc.session.get(Referral, w.erased.id).erased
