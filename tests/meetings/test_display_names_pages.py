"""People's names as pages and files show them (``casework.names``): typed "john ROE", read
"John Roe", on the minutes PDF (chair, observers), the collated research page (perpetrators,
children), the triage list (IDVAs) and the ASB case pages (victim, perpetrators). Stored as
typed: only what people read changes."""

from __future__ import annotations

import io

import pytest

from casework.meetings import minutes_pdf, minutes_signoff
from tests.asb.asb_world import USERS as ASB_USERS
from tests.asb.asb_world import World
from tests.conftest import PASSWORD, need, sign_in
from tests.meetings.conduct_setup import Partnership, partnership

PERPETRATOR = {"first_name": "john", "last_name": "ROE", "relationship_to_victim": "ex-partner"}
CHILD = {"first_name": "sam", "last_name": "MCDONALD"}


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _pdf_text(content: bytes) -> str:
    need(__import__("importlib").util.find_spec("pypdf") is not None, "pypdf is not installed")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_minutes_pdf_names_the_chair_and_observers_in_display_form(p):
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "HSG"))
    chair = p.actor("chair")
    header = {"venue": "Town Hall", "chair": "ANNA SMITH-JONES", "observers": ["pat mcdonald"]}
    minutes_signoff.save_header(p.svc, chair, meeting.id, header)
    minutes_signoff.approve(p.svc, chair, meeting.id)
    p.svc.session.commit()
    text = _pdf_text(minutes_pdf.download(p.svc, p.actor("housing"), meeting.id).content)
    assert "Anna Smith-Jones" in text and "Pat McDonald" in text
    assert "ANNA SMITH-JONES" not in text and "pat mcdonald" not in text


def test_the_collated_research_page_shows_names_in_display_form(p, client):
    referral = p.refer(perpetrators=[PERPETRATOR], children=[CHILD])
    meeting = p.meeting(referrals=[referral])
    sign_in(client, "chair@pol.example", PASSWORD)
    page = client.get(f"/meetings/{meeting.id}/research/{referral.id}/collated")
    assert page.status_code == 200
    assert "John Roe" in page.text and "Sam McDonald" in page.text
    assert "john ROE" not in page.text and "sam MCDONALD" not in page.text


def test_the_triage_list_names_idvas_in_display_form(p, client):
    p.users["idva"].name = "jo WILLIAMS"
    p.svc.session.commit()
    p.factory.referral(p.users["referrer"], p.panel)  # waiting for triage
    sign_in(client, "coord@csp.example", PASSWORD)
    page = client.get("/referrals/triage")
    assert page.status_code == 200
    assert "Jo Williams" in page.text and "jo WILLIAMS" not in page.text


def test_asb_case_pages_show_names_in_display_form(svc, factory, client):
    world = World(svc, factory)
    victim = {"first_name": "vera", "last_name": "STONE", "date_of_birth": "1961-04-02"}
    perpetrators = [{"first_name": "ROB", "last_name": "marsh", "date_of_birth": "1998-01-20"}]
    case = world.refer(victim=victim, perpetrators=perpetrators)
    sign_in(client, ASB_USERS["coordinator"][0], PASSWORD)
    listing = client.get("/asb/cases").text
    assert "Vera Stone" in listing and "vera STONE" not in listing
    page = client.get(f"/asb/cases/{case['id']}").text
    assert "Stone" in page and "STONE" not in page
    assert "Rob Marsh" in page and "ROB marsh" not in page
