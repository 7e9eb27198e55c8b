"""Browser journey (issue 15, "Done when"): an IDVA assigned to Sara Whitfield's case types
"sara whitfeld" in the search box, opens the result's history and sees both referrals and the
meeting that heard the first; the results and history pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD
from tests.referrals.history_world import build


def test_an_idva_finds_a_victim_by_a_misspelling_and_reads_her_history(
    page, factory, axe_source
) -> None:
    h = build(factory)
    first, second = h.first.reference, h.second.reference
    _sign_in(page, "jo@idva.example", PASSWORD)
    page.wait_for_url("**/")
    box = page.get_by_label("Find a person or case")
    box.fill("sara whitfeld")
    box.press("Enter")
    page.wait_for_url("**/search")
    results = page.locator("[data-test=search-results]")
    expect(results).to_contain_text(second)
    expect(results).to_contain_text("Similar")
    assert "whitfeld" not in page.url.lower()  # a name typed never lands in the address
    assert _violations(page, axe_source) == []
    page.get_by_role("link", name=f"history of referral {second}").click()
    page.wait_for_url(f"**/referrals/{h.second.id}/history")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case history")
    history = page.locator("[data-test=history]")
    expect(history.locator("tr[data-kind=referral]")).to_have_count(2)
    expect(history.locator("tr[data-kind=referral]").first).to_contain_text(first)
    expect(history.locator("tr[data-kind=referral]").last).to_contain_text(second)
    expect(history.locator("tr[data-kind=referral]").last).to_contain_text("Repeat")
    heard = history.locator("tr[data-kind=heard]")
    expect(heard).to_have_count(1)
    expect(heard).to_contain_text(first)
    expect(history).not_to_contain_text("Safety plan agreed")  # its agency sent apologies
    assert _violations(page, axe_source) == []
    screenshot(page, "case-history-idva")
