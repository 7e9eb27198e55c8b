"""A referrer makes two MARAC referrals in real Chromium; every referral page passes axe."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

REFERRER = "referrer@police.demo"


def _group(page, name: str):
    return page.get_by_role("group", name=name)


def _continue(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def _victim(page, first: str, last: str) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    born = _group(page, "Date of birth")
    born.get_by_label("Day").fill("1")
    born.get_by_label("Month").fill("4")
    born.get_by_label("Year").fill("1990")
    _group(page, "Gender").get_by_label("Female").check()
    page.get_by_label("Address").fill("1 High Street, Anytown")
    page.get_by_label("Postcode").fill("AN1 1AA")
    _group(page, "Is it safe to call the victim on this number?").get_by_label(
        "No", exact=True
    ).check()
    _continue(page)


def _make_referral(page, first: str, last: str, checks: list[str] | None = None) -> Any:
    """Fill every section; with ``checks``, run axe on each page (and some error states)."""

    def axe(label: str) -> None:
        if checks is not None:
            assert _violations(page, checks[0]) == [], label

    page.goto("/referrals")
    axe("referrals list")
    with page.expect_navigation():
        page.get_by_role("link", name="Make a referral").first.click()
    axe("start")
    page.get_by_role("button", name="Start referral").click()
    page.wait_for_url("**/victim")
    if checks is not None:
        _continue(page)  # nothing typed: the error state
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        axe("victim page with errors")
        screenshot(page, "referral-victim-errors")
    _victim(page, first, last)

    page.wait_for_url("**/perpetrators/0")
    axe("perpetrator")
    page.get_by_label("First name").fill("John")
    page.get_by_label("Last name").fill("Roe")
    page.get_by_label("Relationship to the victim").fill("ex-partner")
    _continue(page)
    axe("perpetrator list")
    _group(page, "Do you need to add another perpetrator?").get_by_label("No", exact=True).check()
    _continue(page)

    axe("children list")
    _group(page, "Do any children live in the household?").get_by_label("Yes", exact=True).check()
    _continue(page)
    axe("child")
    page.get_by_label("First name").fill("Sam")
    born = _group(page, "Date of birth")
    born.get_by_label("Day").fill("5")
    born.get_by_label("Month").fill("5")
    born.get_by_label("Year").fill("2019")
    _continue(page)
    _group(page, "Do you need to add another child?").get_by_label("No", exact=True).check()
    _continue(page)

    page.wait_for_url("**/dash")
    count = page.locator("[data-dash-yes]")
    assert count.inner_text() == "0"
    for n in range(1, 25):
        page.locator(f"#risk-dash-{n}" if n <= 15 else f"#risk-dash-{n}-2").check()
        if n == 15:
            assert count.inner_text() == "15"  # counted live, before anything is saved
    axe("DASH checklist")
    if checks is not None:
        screenshot(page, "referral-dash")
    _continue(page)

    page.wait_for_url("**/criteria")
    axe("criteria")
    page.get_by_label("How many domestic abuse incidents").fill("4")
    _group(page, "Are you referring on professional judgement?").get_by_label(
        "No", exact=True
    ).check()
    _continue(page)
    axe("consent")
    _group(page, "Does the victim know about this referral?").get_by_label(
        "Yes", exact=True
    ).check()
    _group(page, "Has the victim consented to the referral?").get_by_label(
        "Yes", exact=True
    ).check()
    _continue(page)
    axe("narrative")
    page.get_by_label("Summary of the case").fill("Escalating abuse since separation.")
    _continue(page)

    page.wait_for_url("**/check")
    axe("check your answers")
    if checks is not None:
        screenshot(page, "referral-check-answers")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url("**/confirmation")
    axe("confirmation")
    return page


def test_a_referrer_sends_a_referral_and_then_a_repeat_with_the_name_typed_differently(
    page, svc, axe_source
) -> None:
    logins = _demo_logins(svc)
    _sign_in(page, REFERRER, logins[REFERRER])
    page.wait_for_url("**/")
    _make_referral(page, "Jane", "O'Brien", checks=[axe_source])
    panel = page.locator(".govuk-panel")
    assert "Referral sent" in panel.inner_text()
    body = page.locator("main").inner_text()
    assert "15 of 24" in body and "High" in body
    assert "Visible high risk" in body and "Potential escalation" in body
    assert "Repeat referral\tNo" in body or "Repeat referral\nNo" in body
    screenshot(page, "referral-confirmation")

    with page.expect_navigation():
        page.get_by_role("link", name="View the referral").click()
    expect(page.get_by_text("Jane").first).to_be_visible()
    assert _violations(page, axe_source) == [], "referral page"
    screenshot(page, "referral-detail")

    _make_referral(page, "jane ", "O’BRIEN")
    body = page.locator("main").inner_text()
    assert "Repeat referral (within 12 months of the last referral)" in body
    assert "Yes, the last referral was on" in body
    screenshot(page, "referral-repeat-confirmation")


def test_drafts_and_send_back_pages_pass_axe(page, svc, axe_source) -> None:
    logins = _demo_logins(svc)
    _sign_in(page, REFERRER, logins[REFERRER])
    page.wait_for_url("**/")
    page.goto("/referrals/new")
    page.get_by_role("button", name="Start referral").click()
    page.wait_for_url("**/victim")
    page.get_by_label("First name").fill("Ann")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/referrals")
    expect(page.get_by_text("Your draft has been saved")).to_be_visible()
    assert _violations(page, axe_source) == [], "referrals with a draft"
    with page.expect_navigation():
        page.get_by_role("link", name="Continue draft for Ann").click()
    assert _violations(page, axe_source) == [], "task list"
    screenshot(page, "referral-task-list")
    with page.expect_navigation():
        page.get_by_role("link", name="DASH risk checklist").click()
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "DASH with errors"
    page.goto(page.url.replace("/dash", "/delete"))
    assert _violations(page, axe_source) == [], "delete draft"
    page.get_by_role("button", name="Delete draft").click()
    page.wait_for_url("**/referrals")
    expect(page.get_by_text("The draft referral has been deleted")).to_be_visible()
