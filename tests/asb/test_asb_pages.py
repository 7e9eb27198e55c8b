"""ASB case pages: the referral form round trip (errors GOV.UK style, keeping what was typed,
nothing written), the case page showing the risk assessment with its questions, adding an
incident and closing the case, and an agency outside the panel getting "Page not found"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework import clock
from casework.asb.models import AsbCase
from casework.services import Services
from tests.asb.asb_world import HIGH, NOTHING, USERS, World
from tests.conftest import Factory, csrf_token, post_form, sign_in


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _as(client: FlaskClient, who: str) -> None:
    assert sign_in(client, USERS[who][0]).status_code == 302


def _form(world: World, **changes: str) -> dict[str, Any]:
    day = clock.today() - timedelta(days=3)
    form = {
        "panel_id": str(world.panel.id),
        "victim-first_name": "Vera",
        "victim-last_name": "Stone",
        "victim-date_of_birth-day": "2",
        "victim-date_of_birth-month": "4",
        "victim-date_of_birth-year": "1961",
        "location": "Elm Court estate",
        "incidents-0-date-day": str(day.day),
        "incidents-0-date-month": str(day.month),
        "incidents-0-date-year": str(day.year),
        "incidents-0-type": "noise",
        "incidents-0-agency": "POL",
        "incidents-0-reference": "CAD-4411",
        "perpetrators-group-group_name": "Elm Court youths",
        **{f"risk-{q}": a for q, a in {**NOTHING, **HIGH}.items()},
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v != ""}


def test_the_referral_form_names_errors_and_keeps_what_was_typed(
    client: FlaskClient, world: World, svc: Services
) -> None:
    _as(client, "housing")
    page = client.get("/asb/cases/new")
    assert page.status_code == 200
    assert "Does the victim feel unsafe in their home or when going out?" in page.text
    bad = _form(
        world,
        **{
            "victim-last_name": "",
            "risk-frequency": "",
            "incidents-1-type": "criminal_damage",  # a second row with no date or agency
        },
    )
    refused = post_form(client, "/asb/cases/new", bad)
    assert refused.status_code == 422
    html = refused.text
    assert "There is a problem" in html
    assert "Enter the victim&#39;s surname" in html
    assert 'href="#risk_answers-frequency"' in html
    assert 'href="#incidents-1-date"' in html and 'href="#incidents-1-agency"' in html
    assert 'value="Elm Court estate"' in html  # what was typed is kept
    assert 'value="CAD-4411"' in html
    svc.session.expire_all()
    assert svc.session.scalar(select(func.count(AsbCase.id))) == 0

    done = post_form(client, "/asb/cases/new", _form(world))
    assert done.status_code == 302
    case_page = client.get(done.headers["Location"])
    assert case_page.status_code == 200
    text = case_page.text
    assert f"ASB-{clock.today().year}-0001" in text
    assert "Does the victim believe they are being targeted" in text
    assert "CAD-4411" in text and "Elm Court youths" in text
    assert "High" in text


def test_an_incident_is_added_and_the_case_closed_from_its_page(
    client: FlaskClient, world: World
) -> None:
    made = world.refer()
    url = f"/asb/cases/{made['id']}"
    _as(client, "housing")
    today = clock.today()
    missing = post_form(client, f"{url}/incidents", {"incidents-new-type": "noise"}, page=url)
    assert missing.status_code == 422 and "incidents-new-date" in missing.text
    added = post_form(
        client,
        f"{url}/incidents",
        {
            "incidents-new-date-day": str(today.day),
            "incidents-new-date-month": str(today.month),
            "incidents-new-date-year": str(today.year),
            "incidents-new-type": "criminal_damage",
            "incidents-new-agency": "HOU",
        },
        page=url,
    )
    assert added.status_code == 302
    assert "Criminal damage" in client.get(url).text
    assert "Close the case" not in client.get(url).text  # the panel's coordinator closes

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get(url).text)})
    _as(client, "coordinator")
    closed = post_form(
        client,
        f"{url}/close",
        {
            "outcome": "resolved",
            "closed_on-day": str(today.day),
            "closed_on-month": str(today.month),
            "closed_on-year": str(today.year),
        },
        page=url,
    )
    assert closed.status_code == 302
    assert "Resolved, closed" in client.get(url).text


def test_an_agency_outside_the_panel_gets_page_not_found(client: FlaskClient, world: World) -> None:
    made = world.refer()
    _as(client, "outsider")
    assert client.get(f"/asb/cases/{made['id']}").status_code == 404
    listing = client.get("/asb/cases")
    assert listing.status_code == 200 and made["reference"] not in listing.text
    assert "Vera" not in listing.text
