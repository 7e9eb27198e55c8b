"""Browser: a coordinator selects a candidate from the targeting matrix at a meeting, the panel
classifies them C&C and later reclassifies them R&R, and the cohort figures follow; every
targeting page (and its error state) passes axe with no serious or critical violations."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from casework import clock
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _sign_in, _violations
from tests.conftest import PASSWORD, Factory
from tests.offenders.conftest import World
from tests.offenders.panel_data import event, meeting, person


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _figures(page, **wanted: str) -> None:
    for name, value in wanted.items():
        expect(page.locator(f"#figure-{name}")).to_have_text(value)


def test_select_classify_reclassify_and_the_figures_follow(page, svc, axe_source) -> None:
    world = World(svc, Factory(svc))
    ppo = world.panels["ppo"]
    candidate = person(world, 0, "2025-01-01", panel="iom")
    recent = (clock.today() - timedelta(days=60)).isoformat()
    event(svc, candidate, recent, category="burglary", outcome="conviction")
    first_day, second_day = clock.today() - timedelta(days=40), clock.today() - timedelta(days=1)
    first, second = meeting(svc, ppo, first_day), meeting(svc, ppo, second_day)
    ppo_id, first_id, second_id, candidate_id = ppo.id, first.id, second.id, candidate.id

    _sign_in(page, "coord@pol.example", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Targeting", exact=True).click()
    page.wait_for_url("**/offenders/targeting")
    assert _violations(page, axe_source) == [], "/offenders/targeting"
    page.get_by_role("link", name="Candidates for Northshire PPO").click()
    expect(page.get_by_role("cell", name="18", exact=True)).to_be_visible()
    assert _violations(page, axe_source) == [], "candidates"
    page.goto("/offenders/targeting")
    page.get_by_role("link", name=f"{_long(first_day)}: candidates and reviews").click()
    page.wait_for_url(f"**/meetings/{first_id}/offenders")
    page.get_by_role("button", name="Add candidates and due reviews to the agenda").click()
    expect(page.get_by_text("Score 18")).to_be_visible()
    assert _violations(page, axe_source) == [], "meeting offenders"

    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "meeting offenders with errors"
    page.get_by_label("Select for the cohort").check()
    page.get_by_label("Reason").fill("Prolific burglar; all agencies agree")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Selected: entered in the cohort")).to_be_visible()

    page.get_by_role("button", name="Add candidates and due reviews to the agenda").click()
    page.get_by_label("C&C: catch and convict").check()
    page.get_by_label("Reason").fill("Refusing to engage with probation")
    page.get_by_role("button", name="Record classification").click()
    expect(page.get_by_text("Classification recorded")).to_be_visible()
    screenshot(page, "targeting-meeting")

    page.goto(f"/offenders/panels/{ppo_id}/figures")
    _figures(page, nominals="1", rr="0", cc="1")
    assert _violations(page, axe_source) == [], "figures"

    page.goto(f"/meetings/{second_id}/offenders")
    page.get_by_role("button", name="Add candidates and due reviews to the agenda").click()
    expect(page.get_by_text("C&C: catch and convict since")).to_be_visible()
    page.get_by_label("R&R: rehabilitate and resettle").check()
    page.get_by_label("Reason").fill("Engaging with drug treatment and housing")
    page.get_by_role("button", name="Record classification").click()
    expect(page.get_by_text("Classification recorded")).to_be_visible()

    page.goto(f"/offenders/panels/{ppo_id}/figures")
    _figures(page, rr="1", cc="0", **{"cc-to-rr": "1"})
    screenshot(page, "targeting-figures")
    page.goto(f"/offenders/nominals/{candidate_id}/outcomes")
    expect(page.get_by_text("Engaging with drug treatment and housing")).to_be_visible()
    assert _violations(page, axe_source) == [], "outcomes"
    for url in (f"/offenders/panels/{ppo_id}/reviews",):
        page.goto(url)
        assert _violations(page, axe_source) == [], url
    page.goto(f"/offenders/panels/{ppo_id}/figures?from-day=31&from-month=2&from-year=2026")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert _violations(page, axe_source) == [], "figures with errors"
