"""The referral pages: the multi-page form and its drafts, check your answers, confirmation,
the referrals list and a referral's page, each showing only what the sharing engine grants."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.db import utcnow
from casework.meetings.models import AgendaItem, Meeting
from casework.referrals.drafts import ReferralDraft
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, csrf_token, post_form, sign_in
from tests.referral_data import dash
from tests.referrals.test_drafts import typed_answers


@pytest.fixture()
def world(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL", "HLT", "HSG"), name="Northshire MARAC")
    return {
        "panel": panel,
        "referrer": factory.user("ref@hlt.example", "HLT", ("referrer",)),
        "police": factory.user("pc@pol.example", "POL", ("referrer",)),
        "housing": factory.user("rep@hsg.example", "HSG", ("agency_rep",)),
        "coordinator": factory.user("co@pol.example", "POL", ("coordinator",)),
    }


def signed_in(app, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def post(client: FlaskClient, url: str, data: dict[str, Any], action: str = "continue") -> Any:
    return post_form(client, url, {**data, "action": action}, page="/referrals")


def start(client: FlaskClient) -> str:
    """Start a draft on the one MARAC (chosen already); returns the draft's base URL."""
    page = client.get("/referrals/new").text
    chosen = re.search(r'name="panel_id" type="radio" value="([^"]+)" checked', page)
    assert chosen, "the only MARAC is not chosen already"
    response = post_form(client, "/referrals/new", {"panel_id": chosen.group(1)})
    assert response.status_code == 302, response.text
    return response.location.rsplit("/", 1)[0]


def fill(client: FlaskClient, base: str, **changes: Any) -> None:
    """Complete every section the way a referrer does, page by page."""
    typed = {**typed_answers(), **changes}
    assert post(client, f"{base}/victim", typed["victim"]).status_code == 302
    assert post(client, f"{base}/perpetrators/0", typed["perpetrators"]).status_code == 302
    assert post(client, f"{base}/perpetrators", {"another": "no"}).status_code == 302
    assert post(client, f"{base}/children", {"another": "yes"}).status_code == 302
    assert post(client, f"{base}/children/0", typed["children"]).status_code == 302
    assert post(client, f"{base}/children", {"another": "no"}).status_code == 302
    for section in ("dash", "criteria", "consent", "narrative"):
        response = post(client, f"{base}/{section}", typed[section])
        assert response.status_code == 302, (section, response.text)


def send(client: FlaskClient, base: str) -> Any:
    return client.post(f"{base}/check", data={"csrf_token": csrf_token(client.get("/").text)})


def test_a_referrer_completes_the_form_and_sees_reference_score_criteria_and_repeat(
    app, world: dict, svc: Services
) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    fill(client, base, criteria={"police_incidents_12m": "4", "professional_judgement": "no"})
    check = client.get(f"{base}/check").text
    assert "Check your answers" in check and "Jane Doe" in check and "John Roe" in check
    assert "DASH score 15 of 24: high risk" in check and "Send referral" in check
    response = send(client, base)
    assert response.status_code == 302
    referral = svc.session.query(Referral).one()
    assert response.location == f"/referrals/{referral.id}/confirmation"
    assert svc.session.query(ReferralDraft).count() == 0
    page = client.get(response.location).text
    assert referral.reference in page
    assert "15 of 24" in page and "High" in page
    assert "Visible high risk" in page and "Potential escalation" in page
    assert re.search(r"Repeat referral\s*</dt>\s*<dd[^>]*>\s*No", page)


def test_a_second_referral_with_the_name_typed_differently_is_flagged_as_a_repeat(
    app, world: dict
) -> None:
    client = signed_in(app, "ref@hlt.example")
    march = {**typed_answers()["narrative"], "referral_date-day": "1", "referral_date-month": "3"}
    fill(client, base := start(client), narrative=march)
    assert send(client, base).status_code == 302
    retyped = {**typed_answers()["victim"], "first_name": "jane ", "last_name": "  DOE"}
    fill(client, base := start(client), victim=retyped)
    response = send(client, base)
    page = client.get(response.location).text
    assert "Repeat referral (within 12 months" in page
    assert "the last referral was on 1 March 2026" in page


def test_dash_page_shows_the_running_count_of_yes_answers(app, world: dict) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    answers = {str(q): "yes" if q <= 7 else "no" for q in range(1, 20)}
    response = post(client, f"{base}/dash", answers, action="save")
    assert response.status_code == 302 and response.location == "/referrals"
    page = client.get(f"{base}/dash").text
    assert re.search(r"data-dash-yes>\s*7\s*<", page)
    assert "Has the abuser ever attempted to strangle, choke, suffocate or drown" in page
    # continuing with five unanswered: each is named, the answers given stay ticked
    response = post(client, f"{base}/dash", answers)
    assert response.status_code == 422
    assert 'href="#risk-dash-20"' in response.text and "Question 24: Answer yes" in response.text
    assert response.text.count("checked") == 19


def test_errors_are_shown_govuk_style_and_everything_typed_is_kept(app, world: dict) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    victim = {**typed_answers()["victim"], "date_of_birth-day": "31", "date_of_birth-month": "2"}
    victim["last_name"] = ""
    response = post(client, f"{base}/victim", victim)
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html and "<title>Error: " in html
    assert 'href="#victim-date_of_birth-day"' in html and 'href="#victim-last_name"' in html
    assert "Enter the victim&#39;s last name" in html
    assert "The victim&#39;s date of birth must be a real date" in html
    assert 'value="Jane"' in html and 'value="31"' in html and 'value="07700 900000"' in html


def test_perpetrators_can_be_added_changed_and_removed_without_javascript(
    app, world: dict, svc: Services
) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    assert client.get(f"{base}/perpetrators").location.endswith("/perpetrators/0")
    first = typed_answers()["perpetrators"]
    post(client, f"{base}/perpetrators/0", first)
    assert post(client, f"{base}/perpetrators", {"another": "yes"}).location.endswith(
        "/perpetrators/1"
    )
    response = post(client, f"{base}/perpetrators/1", {"first_name": "Mark"})
    assert response.status_code == 422 and 'href="#perpetrators-1-last_name"' in response.text
    post(client, f"{base}/perpetrators/1", {"first_name": "Mark", "last_name": "Moe"})
    listing = client.get(f"{base}/perpetrators").text
    assert "John Roe" in listing and "Mark Moe" in listing
    response = post_form(client, f"{base}/perpetrators/0/remove", {})
    assert response.status_code == 302
    listing = client.get(f"{base}/perpetrators").text
    assert "John Roe" not in listing and "Mark Moe" in listing
    response = post(client, f"{base}/perpetrators", {})
    assert response.status_code == 422 and "Select yes if you need to add another" in response.text


def test_a_submission_without_any_criterion_goes_back_to_the_criteria_page(
    app, world: dict, svc: Services
) -> None:
    client = signed_in(app, "ref@hlt.example")
    fill(client, base := start(client), dash=dash(5))
    response = send(client, base)
    assert response.status_code == 422
    html = response.text
    assert "MARAC criteria" in html and "A MARAC referral must meet at least one" in html
    assert 'href="#risk-professional_judgement"' in html
    assert 'name="return" value="check"' in html
    assert svc.session.query(Referral).count() == 0
    assert svc.session.query(ReferralDraft).count() == 1


def test_a_victim_under_16_goes_back_to_the_victim_page_with_safeguarding_advice(
    app, world: dict
) -> None:
    client = signed_in(app, "ref@hlt.example")
    young = {**typed_answers()["victim"], "date_of_birth-year": "2012"}
    fill(client, base := start(client), victim=young)
    response = send(client, base)
    assert response.status_code == 422
    assert "About the victim" in response.text
    assert "children&#39;s safeguarding" in response.text
    assert 'href="#victim-date_of_birth-day"' in response.text
    assert 'value="2012"' in response.text


def test_save_and_come_back_later_lists_the_draft_for_its_owner_only(
    app, world: dict, factory: Factory
) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    response = post(client, f"{base}/victim", {"first_name": "Jane"}, action="save")
    assert response.location == "/referrals"
    listing = client.get("/referrals").text
    assert "Your drafts" in listing and "Jane" in listing and "Your draft has been saved" in listing
    assert 'value="Jane"' in client.get(f"{base}/victim").text
    factory.user("col@hlt.example", "HLT", ("referrer", "coordinator"))
    colleague = signed_in(app, "col@hlt.example")
    assert "Your drafts" not in colleague.get("/referrals").text
    for url in (base, f"{base}/victim", f"{base}/perpetrators/0", f"{base}/check"):
        assert colleague.get(url).status_code == 404, url
    token = csrf_token(colleague.get("/referrals").text)
    assert colleague.post(f"{base}/delete", data={"csrf_token": token}).status_code == 404
    assert post_form(client, f"{base}/delete", {}).location == "/referrals"
    assert client.get(base).status_code == 404


def test_the_list_shows_what_the_sharing_engine_allows_with_filters(
    app, world: dict, factory: Factory
) -> None:
    factory.referral(world["police"], world["panel"], victim__last_name="Smith")
    factory.referral(
        world["police"], world["panel"], victim__last_name="Jones", referral_date="2026-01-10"
    )
    police = signed_in(app, "pc@pol.example")
    listing = police.get("/referrals").text
    assert "Smith" in listing and "Jones" in listing
    filtered = police.get("/referrals?from-day=1&from-month=6&from-year=2026&status=submitted").text
    assert "Smith" in filtered and "Jones" not in filtered
    response = police.get("/referrals?to-day=31&to-month=2&to-year=2026")
    assert response.status_code == 422 and 'href="#to-day"' in response.text
    housing = signed_in(app, "rep@hsg.example")
    assert "Smith" not in housing.get("/referrals").text


def test_a_referral_page_shows_only_granted_sections(
    app, world: dict, factory: Factory, svc: Services
) -> None:
    referral = factory.referral(world["police"], world["panel"])
    url = f"/referrals/{referral.id}"
    housing = signed_in(app, "rep@hsg.example")
    assert housing.get(url).status_code == 404
    now = utcnow()
    meeting = Meeting(
        panel_id=world["panel"].id,
        starts_at=now + timedelta(days=2),
        circulated_at=now - timedelta(days=1),
    )
    meeting.items.append(AgendaItem(position=1, referral_id=referral.id))
    svc.session.add(meeting)
    svc.session.commit()
    page = housing.get(url).text
    assert "Jane" in page and "John" in page and "15 of 24" in page
    assert "1 High Street" not in page and "07700 900000" not in page  # contact: not granted
    assert "Escalating abuse" not in page and "DASH checklist answers" not in page
    assert "Manage this referral" not in page
    police = signed_in(app, "pc@pol.example")
    full = police.get(url).text
    assert "1 High Street" in full and "Escalating abuse" in full
    assert "Manage this referral" not in full
    coordinator = signed_in(app, "co@pol.example")
    assert f'href="/referrals/{referral.id}/manage"' in coordinator.get(url).text


def test_navigation_and_home_page_offer_referrals_by_role(app, world: dict, factory) -> None:
    referrer = signed_in(app, "ref@hlt.example").get("/").text
    assert 'href="/referrals"' in referrer and "Make a referral" in referrer
    housing = signed_in(app, "rep@hsg.example").get("/").text
    assert 'href="/referrals"' in housing and "Make a referral" not in housing
    factory.user("admin@hlt.example", "HLT", ("admin",))
    admin = signed_in(app, "admin@hlt.example").get("/").text
    assert 'href="/referrals"' not in admin
    assert signed_in(app, "rep@hsg.example").get("/referrals/new").status_code == 403


def test_the_list_opens_and_audits_only_the_columns_it_shows(
    app, world: dict, factory: Factory, svc: Services
) -> None:
    """The list shows the victim's name, the DASH score and band and the repeat flag: the
    audit entry names those, not the address or the children the police referrer could open."""
    referral = factory.referral(world["police"], world["panel"], victim__last_name="Smith")
    police = signed_in(app, "pc@pol.example")
    assert "Smith" in police.get("/referrals").text
    svc.session.expire_all()
    entry = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "list", AuditEntry.record_id == str(referral.id)
        )
    ).one()
    assert set(entry.fields) == {
        "victim.first_name",
        "victim.last_name",
        "risk.dash_score",
        "risk.band",
        "repeat.is_repeat",
    }


def test_the_list_comes_a_page_at_a_time_keeping_the_filters(
    app, world: dict, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.web import referrals as pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for day, name in (("2026-03-01", "Ashe"), ("2026-03-02", "Brook"), ("2026-03-03", "Carr")):
        factory.referral(world["police"], world["panel"], victim__last_name=name, referral_date=day)
    police = signed_in(app, "pc@pol.example")
    first = police.get("/referrals?status=submitted").text
    # newest first: Carr and Brook on the first page, a link to the next keeping the status
    assert "Carr" in first and "Brook" in first and "Ashe" not in first
    assert 'href="/referrals?status=submitted&amp;page=2"' in first
    second = police.get("/referrals?status=submitted&page=2").text
    assert "Ashe" in second and "Carr" not in second
    assert 'href="/referrals?status=submitted&amp;page=1"' in second
    assert "page=3" not in second
