"""Browser journey: the DPO opens a victim's subject access request, finds her, gathers what
is held, changes one decision; every workbench page passes axe, errors shown included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework import clock
from casework.dates import long_date
from casework.subject_access.defaults import due_date
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD, Factory


@pytest.mark.dates
def test_the_dpo_prepares_a_victims_disclosure(page, factory: Factory, axe_source) -> None:
    factory.agency("POL", "police")
    panel = factory.panel(("POL",))
    factory.referral(factory.user("ref@pol.example", "POL", ("referrer",)), panel)
    factory.user("dpo@council.example", "POL", ("dpo",))
    _sign_in(page, "dpo@council.example", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Subject access").click()
    assert _violations(page, axe_source) == [], "list"
    page.get_by_role("button", name="Open a request").click()
    page.get_by_role("button", name="Open the request").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "new request with errors"
    page.get_by_label("A victim").check()
    page.get_by_label("Your reference").fill("SAR-0001")
    received = clock.today()
    page.get_by_label("Day").fill(str(received.day))
    page.get_by_label("Month").fill(str(received.month))
    page.get_by_label("Year").fill(str(received.year))
    page.get_by_role("button", name="Open the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SAR-0001")
    due = page.locator(".govuk-summary-list__row", has_text="Response due")
    expect(due).to_contain_text(long_date(due_date(received)))  # one calendar month on

    page.get_by_label("Name").fill("jane doe")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Jane Doe, born 1 April 1990").check()
    assert "jane" not in page.url.lower()  # a name searched for never lands in the address
    assert _violations(page, axe_source) == [], "people found"
    page.get_by_role("button", name="Gather what is held").click()
    items = page.locator("table.govuk-table")
    expect(items).to_contain_text("Information about another person")
    assert _violations(page, axe_source) == [], "items"

    page.get_by_role("link", name="perpetrator 1").click()
    page.get_by_label("Withhold").check()
    page.get_by_label("Reason").fill("")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    assert _violations(page, axe_source) == [], "item with errors"
    page.get_by_label("Reason").fill("Risk to the victim")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("table.govuk-table")).to_contain_text("Risk to the victim")
