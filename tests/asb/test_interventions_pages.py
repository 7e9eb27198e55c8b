"""The pages that record a Community Trigger, its decision, an intervention, a breach and an
outcome: GOV.UK errors that keep what was typed, nothing written on an error, the case page
after success, 404 for a reader outside the panel; and the case page's enforcement section."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.asb import interventions, triggers
from casework.asb.models import AsbBreach, AsbIntervention, CommunityTrigger
from casework.services import Services
from tests.asb.enforcement_world import USERS, Made, World
from tests.conftest import Factory, csrf_token, post_form, sign_in

TODAY = clock.today()
ISSUED = TODAY - timedelta(days=40)


@pytest.fixture()
def world(svc: Services, factory: Factory) -> World:
    return World(svc, factory)


def _signed_in(client: FlaskClient, who: str) -> FlaskClient:
    assert sign_in(client, USERS[who][0]).status_code in (200, 302)
    return client


def _parts(name: str, day: Any) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _rows(svc: Services, model: type) -> list[Any]:
    svc.session.expire_all()
    return list(svc.session.scalars(select(model)))


def _ladder(case: Made) -> str:
    return f"/asb/cases/{case.id}/perpetrators/{case.perpetrators[0]}/interventions"


def test_an_intervention_form_keeps_what_was_typed_and_names_the_errors(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case()
    _signed_in(client, "police")
    url = f"{_ladder(case)}/new"
    form = client.get(url)
    assert form.status_code == 200
    assert "Record an intervention" in form.text and "Closure order" in form.text
    typed = {
        "kind": "civil_injunction",
        "agency": "",
        **_parts("issued_on", ISSUED),
        "ends_on-day": "31",
        "ends_on-month": "2",
        "ends_on-year": "2021",
        "notes": "Applied for at the county court",
    }
    answer = post_form(client, url, typed)
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert "Choose the agency that issued it" in answer.text
    assert "Date it ends must be a real date" in answer.text
    assert 'href="#ends_on-day"' in answer.text
    assert "Applied for at the county court" in answer.text  # kept
    assert 'value="civil_injunction" selected' in answer.text
    assert _rows(svc, AsbIntervention) == []
    done = post_form(
        client,
        url,
        {**typed, "agency": "POL", "ends_on-year": "", "ends_on-day": "", "ends_on-month": ""},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/asb/cases/{case.id}")
    (stored,) = _rows(svc, AsbIntervention)
    assert stored.kind == "civil_injunction" and stored.issued_on == ISSUED
    assert stored.notes == "Applied for at the county court"


def test_breach_and_outcome_pages(client: FlaskClient, world: World, svc: Services) -> None:
    case = world.case()
    made = interventions.record_intervention(
        svc,
        world.actor("police"),
        case.id,
        case.perpetrators[0],
        {"kind": "warning_letter", "agency": "POL", "issued_on": ISSUED.isoformat()},
    )
    svc.session.commit()
    _signed_in(client, "housing")
    url = f"{_ladder(case)}/{made['id']}"
    page = client.get(f"{url}/breach")
    assert page.status_code == 200 and "warning letter issued" in page.text
    early = post_form(client, f"{url}/breach", _parts("occurred_on", ISSUED - timedelta(days=1)))
    assert early.status_code == 422 and "cannot come before" in early.text
    assert (
        post_form(
            client,
            f"{url}/breach",
            {**_parts("occurred_on", ISSUED + timedelta(days=3)), "action_taken": "ABC offered"},
        ).status_code
        == 302
    )
    missing = post_form(client, f"{url}/outcome", _parts("outcome_on", TODAY))
    assert missing.status_code == 422 and "Choose the outcome" in missing.text
    assert (
        post_form(
            client, f"{url}/outcome", {"outcome": "breached", **_parts("outcome_on", TODAY)}
        ).status_code
        == 302
    )
    (breach,) = _rows(svc, AsbBreach)
    assert breach.action_taken == "ABC offered"
    assert _rows(svc, AsbIntervention)[0].outcome == "breached"


def test_trigger_and_decision_pages(client: FlaskClient, world: World, svc: Services) -> None:
    received = TODAY - timedelta(days=5)
    case = world.case(incidents=tuple(received - timedelta(days=d) for d in (1, 2, 3)))
    meeting = world.meetings()[0]
    world.list_case(meeting, case)
    _signed_in(client, "coordinator")
    url = f"/asb/cases/{case.id}/community-triggers/new"
    blank = post_form(client, url, {"applicant": "Her MP"})
    assert blank.status_code == 422
    assert "Enter the date the application was received" in blank.text
    assert 'value="Her MP"' in blank.text
    assert _rows(svc, CommunityTrigger) == []
    assert post_form(client, url, _parts("received_on", received)).status_code == 302
    (trigger,) = _rows(svc, CommunityTrigger)
    assert trigger.status == "review" and trigger.complaints_counted == 3
    decide = f"/asb/cases/{case.id}/community-triggers/{trigger.id}/decision"
    page = client.get(decide)
    assert page.status_code == 200 and "decision due by" in page.text
    assert f'value="{meeting.id}"' in page.text  # the meeting the case is on is offered
    wrong = post_form(
        client, decide, {"decision": "recommendations_made", **_parts("decided_on", TODAY)}
    )
    assert wrong.status_code == 422 and "Enter the recommendations" in wrong.text
    done = post_form(
        client,
        decide,
        {
            "decision": "no_further_action",
            "meeting_id": str(meeting.id),
            **_parts("decided_on", TODAY),
        },
    )
    assert done.status_code == 302
    stored = _rows(svc, CommunityTrigger)[0]
    assert stored.status == "decided" and stored.meeting_id == meeting.id


def test_the_forms_are_404_outside_the_panel_and_403_without_edit(
    client: FlaskClient, world: World
) -> None:
    case = world.case()
    _signed_in(client, "outsider")
    for url in (
        f"/asb/cases/{case.id}/community-triggers/new",
        f"{_ladder(case)}/new",
        f"/asb/cases/{case.id}/perpetrators/not-an-id/interventions/new",
    ):
        assert client.get(url).status_code == 404


def test_police_may_not_open_the_trigger_form(client: FlaskClient, world: World) -> None:
    case = world.case()
    _signed_in(client, "police")
    assert client.get(f"/asb/cases/{case.id}/community-triggers/new").status_code == 403


def test_the_case_page_shows_triggers_and_the_ladder(
    client: FlaskClient, world: World, svc: Services
) -> None:
    case = world.case(perpetrators=2)
    meeting = world.meetings()[0]
    world.list_case(meeting, case)
    coordinator = world.actor("coordinator")
    made = triggers.record_trigger(
        svc, coordinator, case.id, {"received_on": "2020-12-18", "complaints_counted": 3}
    )
    triggers.decide_trigger(
        svc,
        coordinator,
        case.id,
        made["id"],
        {
            "decision": "no_further_action",
            "decided_on": "2021-01-08",
            "meeting_id": str(meeting.id),
        },
    )
    done = interventions.record_intervention(
        svc,
        coordinator,
        case.id,
        case.perpetrators[1],
        {"kind": "closure_order", "agency": "ASBT", "issued_on": ISSUED.isoformat()},
    )
    svc.session.commit()
    page = _signed_in(client, "coordinator").get(f"/asb/cases/{case.id}")
    assert page.status_code == 200
    html = page.text
    assert "Application received 18 December 2020" in html
    assert "Decided late" in html and "6 January 2021" in html
    assert "The meeting on " in html
    assert "Perry Person1" in html and "Closure order" in html
    assert f"/interventions/{done['id']}/breach" in html
    assert f"/perpetrators/{case.perpetrators[0]}/interventions/new" in html
    assert "Log a Community Trigger application" in html
    client.post("/sign-out", data={"csrf_token": csrf_token(html)})
    police = _signed_in(client, "police").get(f"/asb/cases/{case.id}").text
    assert "Closure order" in police
    assert "Log a Community Trigger application" not in police  # reviews are the coordinator's
    assert "Record an intervention" in police
