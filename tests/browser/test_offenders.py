"""Browser: a coordinator adds a nominal and records an offence; every offender page (and its
error state) passes axe with no serious or critical violations."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD, Factory
from tests.offenders.conftest import World


def test_coordinator_adds_a_nominal_and_records_an_offence(page, svc, axe_source) -> None:
    world = World(svc, Factory(svc))
    young = world.nominal("pd", school="Hill School", risk_factors=["victim"])
    _sign_in(page, "coord@pol.example", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Offenders").click()
    page.wait_for_url("**/offenders")
    assert _violations(page, axe_source) == [], "/offenders"
    page.get_by_role("link", name="Add a nominal").click()
    page.get_by_role("button", name="Add nominal").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "add nominal with errors"
    page.get_by_label("Panel").select_option(label="Northshire IOM (IOM)")
    page.get_by_label("First name").fill("Dean")
    page.get_by_label("Last name").fill("Price")
    birth = page.get_by_role("group", name="Date of birth")
    birth.get_by_label("Day").fill("17")
    birth.get_by_label("Month").fill("5")
    birth.get_by_label("Year").fill("1990")
    page.get_by_label("PNC number (optional)").fill("09/123456X")
    entry = page.get_by_role("group", name="Date of entry to the cohort")
    entry.get_by_label("Day").fill("5")
    entry.get_by_label("Month").fill("1")
    entry.get_by_label("Year").fill("2026")
    page.get_by_label("Fixed").check()
    page.get_by_role("button", name="Add nominal").click()
    page.wait_for_url(re.compile(r".*/offenders/nominals/[0-9a-f-]{36}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Dean Price"
    assert _violations(page, axe_source) == [], "nominal detail"
    detail = page.url
    page.get_by_role("link", name="Record an offence").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "offence form with errors"
    when = page.get_by_role("group", name="Date of the offence")
    when.get_by_label("Day").fill("10")
    when.get_by_label("Month").fill("2")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Offence category").select_option("burglary")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(detail)
    expect(page.get_by_text("Offence recorded")).to_be_visible()
    expect(page.get_by_role("cell", name="Burglary")).to_be_visible()
    screenshot(page, "offenders-nominal")
    for url in (
        f"/offenders/panels/{world.panels['iom'].id}",
        f"/offenders/nominals/{young.id}",
        f"/offenders/nominals/{young.id}/record/risk_factors",
        "/offenders/import",
    ):
        page.goto(url)
        assert _violations(page, axe_source) == [], url
    page.get_by_role("button", name="Import offences").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "import with errors"
