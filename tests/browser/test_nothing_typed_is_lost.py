"""Browser journey, in real Chromium, without any script of ours: text typed in one part of
a page survives saving another. Housing types research for two cases and saves one; the
chair types minutes and an action, adds the action (first with errors, then by pressing
Enter in the due date) and still has the minutes to save; on the meeting page a name typed
for a new attendee survives saving the acknowledgements. Every state passes axe."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.accounts.models import User
from casework.actors import Actor
from casework.agencies.models import Agency
from casework.meetings.models import AgendaItem, Attendance, Attendee, Meeting, ResearchNote
from casework.panels.models import Panel
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import _demo_logins, _sign_in, _violations

MINUTES = "Housing to prioritise repairs; police marker on the address"
ACTION = "Fit a door alarm and window locks"


def _circulated_meeting(svc) -> tuple[Meeting, list[Referral]]:
    """The demo MARAC's next meeting with two accepted demo cases on a circulated agenda, and
    attendance taken (police and housing present, each with an acknowledged attendee), so
    minutes can be written. Made directly: building agendas is other journeys' business."""
    panel = svc.session.scalar(select(Panel).where(Panel.name == "Northshire MARAC"))
    meeting = svc.session.scalar(
        select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == "scheduled")
        .order_by(Meeting.starts_at)
    )
    coordinator = svc.session.scalar(select(User).where(User.email == "coordinator@csp.demo"))
    cases = [
        next(r for r in svc.session.scalars(select(Referral)) if r.victim_last_name == name)
        for name in ("O'Neill", "Cole")
    ]
    for position, referral in enumerate(cases, start=1):
        lifecycle.accept_referral(svc, actor_for(coordinator, via="test"), referral.id)
        meeting.items.append(
            AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id)
        )
        lifecycle.mark_listed(svc, Actor.system("test"), referral)
    meeting.agenda_status, meeting.agenda_version = "published", 1
    meeting.circulated_at = clock.now() - timedelta(hours=1)
    for code, name in (("POL", "DI Kim Hughes"), ("HOUSING", "Alex Morgan")):
        agency = svc.session.scalar(select(Agency).where(Agency.code == code))
        svc.session.add(Attendance(meeting_id=meeting.id, agency_id=agency.id))
        svc.session.add(
            Attendee(
                meeting_id=meeting.id,
                agency_id=agency.id,
                name=name,
                acknowledged_at=clock.now(),
            )
        )
    svc.session.commit()
    return meeting, cases


def _as(page, logins, email: str) -> None:
    page.context.clear_cookies()
    _sign_in(page, email, logins[email])
    page.wait_for_url("**/")


def _axe(page, axe_source, label: str) -> None:
    assert _violations(page, axe_source) == [], label


def test_text_typed_in_one_part_survives_saving_another(page, svc, axe_source):
    logins = _demo_logins(svc)
    meeting, (oneill, cole) = _circulated_meeting(svc)

    # Research: type for both cases, save the first; the second's answers stay.
    _as(page, logins, "rep@housing.demo")
    research = f"/meetings/{meeting.id}/research"
    page.goto(research)
    page.check("#case-1-has_information")  # yes
    page.fill("#case-1-text", "Tenancy in the victim's name; repairs request open")
    page.check("#case-2-has_information-2")  # no
    page.fill("#case-2-text", "Nothing held beyond the tenancy")
    page.locator(f"#note-{oneill.id}").get_by_role("button", name="Save research").click()
    expect(page.get_by_text("Research saved for case 1")).to_be_visible()
    expect(page.get_by_text("Not saved yet: your changes to case 2.")).to_be_visible()
    expect(page.locator("#case-2-text")).to_have_value("Nothing held beyond the tenancy")
    expect(page.locator("#case-2-has_information-2")).to_be_checked()
    expect(page.locator("#case-1-text")).to_have_value(
        "Tenancy in the victim's name; repairs request open"
    )
    _axe(page, axe_source, "research page with a case kept unsaved")
    svc.session.rollback()  # see the server's writes
    saved = svc.session.scalars(select(ResearchNote)).all()
    assert [(n.referral_id, n.has_information) for n in saved] == [(oneill.id, True)]
    page.get_by_role("button", name="Save all research").click()
    expect(page.get_by_text("recorded research for 2 of 2 cases")).to_be_visible()
    screenshot(page, "research-kept")

    # The case page: minutes typed, then an action with errors, then added with Enter.
    _as(page, logins, "chair@police.demo")
    case = f"/meetings/{meeting.id}/cases/{oneill.id}"
    page.goto(case)
    page.fill("#minute-text", MINUTES)
    page.fill("#action-description", ACTION)
    page.get_by_role("button", name="Add action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: ")
    expect(page.locator("#minute-text")).to_have_value(MINUTES)
    expect(page.locator("#action-description")).to_have_value(ACTION)
    _axe(page, axe_source, "case page with action errors, minutes kept")
    due = clock.today() + timedelta(days=14)
    page.select_option("#action-owner_agency", "HOUSING")
    page.fill("#action-due_on-day", str(due.day))
    page.fill("#action-due_on-month", str(due.month))
    page.fill("#action-due_on-year", str(due.year))
    page.locator("#action-due_on-year").press("Enter")  # the part being typed into
    expect(page.get_by_text("Action added")).to_be_visible()
    expect(page.get_by_role("cell", name=ACTION)).to_be_visible()
    expect(page.get_by_text("Your changes to the minutes are not saved yet")).to_be_visible()
    expect(page.locator("#minute-text")).to_have_value(MINUTES)
    expect(page.locator("#action-description")).to_have_value("")
    _axe(page, axe_source, "case page with minutes kept unsaved")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved")).to_be_visible()
    page.goto(case)
    expect(page.locator("#minute-text")).to_have_value(MINUTES)
    screenshot(page, "case-kept")

    # The meeting page: a name typed for a new attendee survives saving acknowledgements.
    page.goto(f"/meetings/{meeting.id}/conduct")
    page.fill("#attendee-name", "Sam Patel")
    page.get_by_role("button", name="Save acknowledgements").click()
    expect(page.get_by_text("Acknowledgements saved")).to_be_visible()
    expect(page.locator("#attendee-name")).to_have_value("Sam Patel")
    _axe(page, axe_source, "meeting page with an attendee kept unsaved")
