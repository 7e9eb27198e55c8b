"""Creating and changing a panel from its pages, as the API allows (issue 14, section 6)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casework.panels.models import Panel
from tests.conftest import post_form, sign_in

FIELDS = {
    "kind": "marac",
    "name": "Riverside MARAC",
    "area": "Riverside",
    "schedule": "day=2nd wed; hour=10",
    "nation": "england-and-wales",
    "meeting_minutes": "180",
    "minutes_per_case": "15",
    "cutoff_working_days": "8",
    "circulation_working_days": "5",
    "adult_female_population": "52000",
    "agencies": ["POL", "HSG"],
    "protocol": "",
}


@pytest.fixture()
def people(factory):
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    factory.user("coord@pol.example", "POL", ("coordinator",))
    factory.user("admin@pol.example", "POL", ("admin",))
    factory.user("chair@pol.example", "POL", ("chair",))


def _client(app, email: str):
    client = app.test_client()
    sign_in(client, email)
    return client


def _panels(svc) -> list[Panel]:
    svc.session.expire_all()
    return list(svc.session.scalars(select(Panel)))


def test_a_coordinator_creates_a_panel_then_changes_it(app, people, svc) -> None:
    coordinator = _client(app, "coord@pol.example")
    assert 'href="/panels/new"' in coordinator.get("/panels").text
    form = coordinator.get("/panels/new")
    assert form.status_code == 200
    assert 'value="180"' in form.text  # the API's defaults are offered
    created = post_form(coordinator, "/panels/new", FIELDS)
    assert created.status_code == 302
    (panel,) = _panels(svc)
    assert (panel.kind, panel.name, panel.protocol) == ("marac", "Riverside MARAC", "marac")
    assert sorted(panel.agency_codes) == ["HSG", "POL"]
    assert panel.adult_female_population == 52000
    page = coordinator.get(created.headers["Location"]).text
    assert "Riverside MARAC created" in page

    url = f"/panels/{panel.id}/settings"
    settings = coordinator.get(url).text
    assert 'value="Riverside MARAC"' in settings and "Is the panel in use?" in settings
    changed = {**FIELDS, "name": "Riverside and Vale MARAC", "agencies": ["POL"], "active": "yes"}
    del changed["kind"]
    assert post_form(coordinator, url, changed).status_code == 302
    (panel,) = _panels(svc)
    assert panel.name == "Riverside and Vale MARAC" and panel.agency_codes == ["POL"]


def test_a_refused_panel_keeps_what_was_typed_and_saves_nothing(app, people, svc) -> None:
    coordinator = _client(app, "coord@pol.example")
    bad = {
        **FIELDS,
        "kind": "",
        "name": "",
        "schedule": "day=9th wed",
        "minutes_per_case": "500",
        "agencies": [],
    }
    response = post_form(coordinator, "/panels/new", bad)
    assert response.status_code == 422
    assert "<title>Error: " in response.text
    links = set(re.findall(r'href="#([a-z_]+)"', response.text))
    assert links == {"kind", "name", "schedule", "minutes_per_case", "agencies"}
    assert "Select the kind of panel" in response.text
    assert "Select at least one member agency" in response.text
    assert 'value="day=9th wed"' in response.text and 'value="500"' in response.text
    assert _panels(svc) == []


def test_a_protocol_that_does_not_cover_the_kind_is_refused(app, people, svc) -> None:
    coordinator = _client(app, "coord@pol.example")
    response = post_form(coordinator, "/panels/new", {**FIELDS, "kind": "ppo", "protocol": "marac"})
    assert response.status_code == 422
    assert "Choose an information sharing protocol that covers this kind of panel" in response.text
    assert _panels(svc) == []


def test_settings_errors_keep_what_was_typed(app, people, svc, factory) -> None:
    panel = factory.panel(("POL",), name="North MARAC")
    coordinator = _client(app, "coord@pol.example")
    url = f"/panels/{panel.id}/settings"
    fields = {k: v for k, v in FIELDS.items() if k != "kind"}
    response = post_form(coordinator, url, {**fields, "agencies": [], "active": "no"})
    assert response.status_code == 422
    assert "Select at least one member agency" in response.text
    assert re.search(r'value="no"\s+checked', response.text)  # the choice made is kept
    (kept,) = _panels(svc)
    assert kept.active and kept.agency_codes == ["POL"]


def test_an_administrator_may_create_and_a_chair_may_not(app, people, svc) -> None:
    admin = _client(app, "admin@pol.example")
    assert post_form(admin, "/panels/new", FIELDS).status_code == 302
    assert len(_panels(svc)) == 1
    chair = _client(app, "chair@pol.example")
    assert 'href="/panels/new"' not in chair.get("/panels").text
    assert chair.get("/panels/new").status_code == 403
