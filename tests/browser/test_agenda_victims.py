"""The builder in real Chromium: the demo's two referrals of Amelia Hart become one agenda item,
the page says which referral was joined, and the coordinator can list it separately."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.meetings.models import Meeting
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations


def _harts(svc) -> tuple[str, list[Referral]]:
    """The demo panel's next meeting and Amelia Hart's referrals, accepted, oldest first."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    everyone = svc.session.scalars(select(Referral))
    harts = sorted(
        (r for r in everyone if (r.victim_last_name or "").lower() == "hart"),
        key=lambda r: (r.referral_date, r.created_at),
    )
    assert len(harts) == 2, "the demo refers Amelia Hart twice"
    for referral in harts:
        if referral.status == "submitted":
            lifecycle.accept_referral(svc, actor_for(coordinator, via="test"), referral.id)
    svc.session.commit()
    meeting = svc.session.scalar(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == "scheduled")
        .order_by(Meeting.starts_at)
    )
    return str(meeting.id), harts


def test_the_same_victim_is_one_item_and_can_be_split(page, svc, axe_source):
    logins = _demo_logins(svc)
    meeting_id, (older, newer) = _harts(svc)
    url = f"/meetings/{meeting_id}/agenda"
    _sign_in(page, "coordinator@csp.demo", logins["coordinator@csp.demo"])
    page.wait_for_url("**/")
    page.goto(url)
    for referral in (older, newer):
        page.select_option("#referral_id", str(referral.id))
        page.get_by_role("button", name="Add to agenda").click()
        page.wait_for_url(f"**{url}")
    expect(page.get_by_text("the same victim's referrals are one case")).to_be_visible()

    first = page.locator("#item-1")
    expect(first).to_contain_text("Hart")
    expect(page.locator("#joined-1")).to_contain_text(older.reference)
    assert page.locator("#item-2").count() == 0
    assert _violations(page, axe_source) == [], "builder with a joined referral"
    screenshot(page, "agenda-joined")

    page.get_by_role("button", name="Not the same person: list separately").click()
    page.wait_for_url(f"**{url}")
    expect(page.get_by_text("Referral listed as a case of its own")).to_be_visible()
    expect(page.locator("#item-2")).to_contain_text("Hart")
    assert page.locator("#joined-1").count() == 0
