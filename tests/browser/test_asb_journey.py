"""Browser: an ASB case on the pages. A housing officer refers a victim through the form (first
with nothing filled in: errors, nothing lost), the case page shows the score; the coordinator
logs a Community Trigger; a police officer on the panel records a warning letter against the
person responsible; an agency outside the panel is told the case does not exist. Every page,
with and without errors, passes axe with no serious or critical violation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from casework import clock
from tests.asb.asb_world import World
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD, Factory

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)  # a Monday


def _date(page, prefix: str, day: int, month: int, year: int) -> None:
    page.locator(f"#{prefix}-day").fill(str(day))
    page.locator(f"#{prefix}-month").fill(str(month))
    page.locator(f"#{prefix}-year").fill(str(year))


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in**")


def test_an_asb_case_is_referred_reviewed_and_enforced_on_the_pages(page, svc, axe_source):
    with clock.travel(NOW):
        World(svc, Factory(svc))
        _sign_in(page, "officer@housing.example", PASSWORD)
        page.wait_for_url("**/")
        page.get_by_role("link", name="ASB cases").click()
        page.wait_for_url("**/asb/cases")
        assert _violations(page, axe_source) == [], "/asb/cases"
        page.get_by_role("link", name=re.compile("Refer a victim")).click()
        page.get_by_role("button", name="Refer").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert _violations(page, axe_source) == [], "referral form with errors"

        page.get_by_label("Panel").select_option(label="ASB panel")
        page.get_by_label("First name").first.fill("Vera")
        page.get_by_label("Surname").first.fill("Stone")
        _date(page, "victim-date_of_birth", 2, 4, 1961)
        page.get_by_label("Where it happens (street, estate or block)").fill("Elm Court estate")
        names = page.eval_on_selector_all(
            "input[type=radio][name^='risk-']", "els => [...new Set(els.map(e => e.name))]"
        )
        assert len(names) >= 10  # the configured matrix's questions
        for name in names:
            page.locator(f"input[name='{name}']").first.check()
        _date(page, "incidents-0-date", 26, 10, 2026)
        page.locator("#incidents-0-type").select_option("noise")
        page.locator("#incidents-0-agency").select_option("POL")
        page.locator("#perpetrators-0-first_name").fill("Rob")
        page.locator("#perpetrators-0-last_name").fill("Marsh")
        page.get_by_role("button", name="Refer").click()
        page.wait_for_url(re.compile(r".*/asb/cases/[0-9a-f-]{36}$"))
        case_url = page.url
        expect(page.get_by_text("Vera").first).to_be_visible()
        assert _violations(page, axe_source) == [], "case page"
        _sign_out(page)

        _sign_in(page, "coord@asb.example", PASSWORD)
        page.goto(case_url)
        page.get_by_role("link", name="Log a Community Trigger application").click()
        page.get_by_role("button", name=re.compile("Log|Record|Save")).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert _violations(page, axe_source) == [], "trigger form with errors"
        _date(page, "received_on", 2, 11, 2026)
        page.get_by_role("button", name=re.compile("Log|Record|Save")).click()
        page.wait_for_url(case_url)
        expect(
            page.get_by_text(re.compile("Threshold not met|not met", re.I)).first
        ).to_be_visible()
        _sign_out(page)

        _sign_in(page, "pc@police.example", PASSWORD)
        page.goto(case_url)
        page.get_by_role("link", name=re.compile("Record an intervention")).first.click()
        page.get_by_role("button", name="Record intervention").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert _violations(page, axe_source) == [], "intervention form with errors"
        page.get_by_label("Intervention").select_option("warning_letter")
        page.get_by_label("Agency that issued it").select_option("POL")
        _date(page, "issued_on", 2, 11, 2026)
        page.get_by_role("button", name="Record intervention").click()
        page.wait_for_url(case_url)
        expect(page.get_by_text("Intervention recorded")).to_be_visible()
        expect(page.get_by_role("cell", name=re.compile("Warning letter"))).to_be_visible()
        assert _violations(page, axe_source) == [], "case page with enforcement"
        screenshot(page, "asb-case")
        _sign_out(page)

        _sign_in(page, "coord@elsewhere.example", PASSWORD)
        answer = page.goto(case_url)
        assert answer is not None and answer.status == 404
