"""Browser journey: a coordinator triages three referrals in one go (issue 14, section 5):
from the home page's count, ticks three, gives two an IDVA, lists them at a chosen meeting;
an IDVA who leaves meanwhile first makes it fail as a whole, with GOV.UK errors naming the
row and the selection kept."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select, update

from casework import clock
from casework.accounts.actions import create_user
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.meetings.models import AgendaItem
from casework.panels.models import Panel
from casework.referrals.actions import submit_referral
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations
from tests.referral_data import referral_body


def _three_waiting(svc) -> list[Referral]:
    """Three fresh referrals from the police to the demo's MARAC, waiting for acceptance."""
    referrer = svc.session.scalar(select(User).where(User.email == "referrer@police.demo"))
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    made = []
    for first, last in [("Ivy", "Lane"), ("June", "Marsh"), ("Kay", "North")]:
        body = referral_body(
            panel.id,
            referral_date=clock.today().isoformat(),
            victim__first_name=first,
            victim__last_name=last,
        )
        made.append(submit_referral(svc, actor_for(referrer, via="test"), body))
    svc.session.commit()
    return made


def _second_idva(svc) -> User:
    """Another IDVA, who will leave while the coordinator has the page open."""
    user = create_user(
        svc,
        Actor.system("test"),
        {
            "email": "sam@idva.demo",
            "name": "Sam Reid",
            "agency": "IDVA",
            "roles": ["idva"],
            "password": "a long enough password 1",
        },
    )
    svc.session.commit()
    return user


def test_coordinator_triages_three_referrals_in_one_go(page, svc, axe_source):
    logins = _demo_logins(svc)
    referrals = _three_waiting(svc)
    ids = [r.id for r in referrals]
    refs = [r.reference for r in referrals]
    sam = _second_idva(svc).id
    _sign_in(page, "coordinator@csp.demo", logins["coordinator@csp.demo"])
    page.wait_for_url("**/")

    page.get_by_role("link", name=re.compile(r"^Referrals waiting for acceptance \(\d+\)")).click()
    page.wait_for_url("**/referrals/triage")
    assert _violations(page, axe_source) == [], "triage page"
    for ref in refs:
        page.get_by_label(f"Select referral {ref}").check()
    page.get_by_label(f"IDVA for referral {refs[0]}").select_option(label="Jo Williams (IDVA)")
    page.get_by_label(f"IDVA for referral {refs[2]}").select_option(label="Sam Reid (IDVA)")
    page.get_by_label("List them at a meeting").select_option(index=2)  # the first meeting
    svc.session.execute(update(User).where(User.id == sam).values(active=False))
    svc.session.commit()  # Sam leaves the IDVA service meanwhile
    page.get_by_role("button", name="Accept selected referrals").click()

    # GOV.UK errors naming the row; the ticks, the other IDVA and the meeting kept; no change
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    expect(summary).to_contain_text(f"Choose an active IDVA for referral {refs[2]}")
    assert _violations(page, axe_source) == [], "triage page with an error"
    for ref in refs:
        expect(page.get_by_label(f"Select referral {ref}")).to_be_checked()
    expect(page.get_by_label(f"IDVA for referral {refs[0]}")).not_to_have_value("")
    expect(page.get_by_label("List them at a meeting")).not_to_have_value("none")
    svc.db.session.remove()  # a fresh session: see what the server committed
    assert {svc.session.get(Referral, rid).status for rid in ids} == {"submitted"}
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == f"idva-{ids[2]}"

    page.get_by_label(f"IDVA for referral {refs[2]}").select_option(label="Jo Williams (IDVA)")
    page.get_by_role("button", name="Accept selected referrals").click()
    page.wait_for_url("**/referrals/triage")
    banner = page.locator(".govuk-notification-banner")
    text = banner.inner_text()
    assert "3 referrals accepted" in text and all(ref in text for ref in refs)
    assert "IDVA assigned to 2" in text and "Listed at Northshire MARAC" in text
    expect(page.get_by_label(f"Select referral {refs[0]}")).to_have_count(0)  # no longer waiting
    assert _violations(page, axe_source) == [], "triage page after accepting"
    screenshot(page, "triage-three-referrals")

    svc.db.session.remove()  # a fresh session: see what the server committed
    rows = [svc.session.get(Referral, rid) for rid in ids]
    assert [r.status for r in rows] == ["listed"] * 3
    jo = svc.session.scalar(select(User).where(User.email == "idva@idva.demo"))
    assert [r.assigned_idva_id for r in rows] == [jo.id, None, jo.id]
    listed_at = select(AgendaItem.meeting_id).where(AgendaItem.referral_id.in_(ids))
    assert len(set(svc.session.scalars(listed_at))) == 1
