"""Shared research through the API and the pages: an agency marks its research as shared and
the chair sees it collated; an unshared note stays private; after the sharing window the chair
sees nothing; bad bodies and forms answer 422 naming every field."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.meetings.models import Meeting, ResearchNote
from tests.conftest import Factory, bearer, sign_in
from tests.meetings.conduct_setup import Partnership, partnership
from tests.meetings.page_form import submit

FACTS = "Two call-outs to the address in October; tenancy in joint names"
OPINION = "The victim is minimising; risk is rising"
HELD = "Details of a neighbour's complaint"
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def h(p: Partnership) -> dict[str, dict[str, str]]:
    return {who: bearer(p.factory.token(user)) for who, user in p.users.items()}


def _urls(p: Partnership) -> tuple[Meeting, str, str]:
    meeting = p.meeting(cases=1)
    base = f"/api/v1/meetings/{meeting.id}/research/{p.referrals[0].id}"
    return meeting, base, f"{base}/collated"


def _rows(answer: Any) -> dict[str, dict[str, Any]]:
    return {row["agency"]: row for row in answer.json["agencies"]}


def _body(shared: bool, **more: Any) -> dict[str, Any]:
    return {
        "has_information": True,
        "facts": FACTS,
        "opinion": OPINION,
        "held_not_shared": HELD,
        "not_shared_reason": "Third party",
        "shared_before_meeting": shared,
        **more,
    }


def test_an_agency_marks_research_as_shared_and_the_chair_sees_it_collated(
    client: FlaskClient, p: Partnership, h
) -> None:
    _, url, collated = _urls(p)
    saved = client.put(url, json=_body(True), headers=h["housing"])
    assert saved.status_code == 200, saved.json
    assert saved.json["shared_before_meeting"] is True and saved.json["facts"] == FACTS
    answer = client.get(collated, headers=h["chair"])
    assert answer.status_code == 200, answer.json
    rows = _rows(answer)
    assert rows["HSG"]["status"] == "shared"
    assert rows["HSG"]["note"]["facts"] == FACTS and rows["HSG"]["note"]["opinion"] == OPINION
    assert HELD not in answer.text and "held_not_shared" not in rows["HSG"]["note"]
    assert {rows[c]["status"] for c in ("POL", "CSP", "IDVA", "HLT")} == {"not_researched"}
    assert (answer.json["shared"], answer.json["members"]) == (1, 5)
    coordinator = client.get(collated, headers=h["coordinator"])
    assert _rows(coordinator)["HSG"]["note"]["facts"] == FACTS


def test_an_unshared_note_stays_private(client: FlaskClient, p: Partnership, h) -> None:
    _, url, collated = _urls(p)
    assert client.put(url, json=_body(False), headers=h["housing"]).status_code == 200
    answer = client.get(collated, headers=h["chair"])
    assert answer.status_code == 200
    assert _rows(answer)["HSG"] == {
        "agency": "HSG",
        "agency_name": "HSG services",
        "status": "not_researched",
        "note": None,
    }
    assert FACTS not in answer.text and OPINION not in answer.text
    # a body from before the flag existed leaves the note unshared
    old = client.put(url, json={"has_information": True, "text": FACTS}, headers=h["housing"])
    assert old.status_code == 200 and old.json["shared_before_meeting"] is False
    assert FACTS not in client.get(collated, headers=h["chair"]).text


def test_after_the_window_the_chair_sees_nothing(client: FlaskClient, p: Partnership, h) -> None:
    meeting, url, collated = _urls(p)
    closes = meeting.starts_at + timedelta(days=28)  # the MARAC protocol's window
    assert client.put(url, json=_body(True), headers=h["housing"]).status_code == 200
    with clock.travel(closes - timedelta(hours=1)):
        assert _rows(client.get(collated, headers=h["chair"]))["HSG"]["status"] == "shared"
    with clock.travel(closes + timedelta(hours=1)):
        answer = client.get(collated, headers=h["chair"])
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json["agencies"]} == {"not_researched"}
    assert FACTS not in answer.text


def test_bad_research_answers_422_naming_every_field(
    client: FlaskClient, p: Partnership, h
) -> None:
    _, url, _ = _urls(p)
    bad = {
        "has_information": True,
        "facts": "x" * 5001,
        "opinion": 3,
        "held_not_shared": HELD,
        "shared_before_meeting": "yes",
    }
    answer = client.put(url, json=bad, headers=h["housing"])
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"facts", "opinion", "shared_before_meeting"}
    reason = client.put(url, json=_body(True, not_shared_reason=None), headers=h["housing"])
    assert reason.status_code == 422
    assert set(reason.json["error"]["fields"]) == {"not_shared_reason"}
    assert p.svc.session.scalar(select(ResearchNote.id)) is None


def test_who_may_ask_for_the_collated_view(client: FlaskClient, p: Partnership, h) -> None:
    meeting, _, collated = _urls(p)
    unlisted = str(p.refer().id)
    addresses = (
        ("outsider", collated),
        ("chair", f"/api/v1/meetings/{meeting.id}/research/{unlisted}/collated"),
        ("chair", f"/api/v1/meetings/{NIL}/research/{unlisted}/collated"),
        ("chair", f"/api/v1/meetings/{meeting.id}/research/not-an-id/collated"),
    )
    assert client.get(collated, headers=h["analyst"]).status_code == 403
    for who, address in addresses:
        assert client.get(address, headers=h[who]).status_code == 404, (who, address)


# --- pages ----------------------------------------------------------------------------------


def test_the_research_form_shared_from_the_page_reaches_the_chairs_page(
    app, client: FlaskClient, p: Partnership
) -> None:
    meeting = p.meeting(cases=1)
    rid = str(p.referrals[0].id)
    url = f"/meetings/{meeting.id}/research"
    sign_in(client, "rep@hsg.example")
    form = client.get(url).text
    for box in ("facts", "opinion", "held_not_shared", "not_shared_reason"):
        assert f'id="case-1-{box}"' in form and f'for="case-1-{box}"' in form
    assert 'name="shared_before_meeting-' + rid + '"' in form and "govuk-checkboxes" in form
    typed = {
        f"has_information-{rid}": "yes",
        f"facts-{rid}": FACTS,
        f"opinion-{rid}": OPINION,
        f"held_not_shared-{rid}": HELD,
    }
    bad = submit(client, url, "research-form", ("save", rid), typed)
    assert bad.status_code == 422 and 'href="#case-1-not_shared_reason"' in bad.text
    assert FACTS in bad.text  # what was typed is kept
    typed |= {f"not_shared_reason-{rid}": "Third party", f"shared_before_meeting-{rid}": "yes"}
    ok = submit(client, url, "research-form", ("save", rid), typed)
    assert ok.status_code == 302
    assert "chose to share it with the chair and coordinator" in client.get(url).text

    chair = app.test_client()
    sign_in(chair, "chair@pol.example")
    page = chair.get(f"{url}/{rid}/collated")
    assert page.status_code == 200
    assert FACTS in page.text and OPINION in page.text and HELD not in page.text
    assert "&lt;span" not in page.text  # the notes' text is shown, not markup around it
    assert "1 of 5 member agencies have shared their research" in page.text
    assert re.search(r"HLT services.*?Not researched yet", page.text, re.S)


def test_an_unshared_note_shows_the_chair_only_a_gap(app, p: Partnership) -> None:
    meeting = p.meeting(cases=1)
    rid = str(p.referrals[0].id)
    url = f"/meetings/{meeting.id}/research"
    housing = app.test_client()
    sign_in(housing, "rep@hsg.example")
    typed = {f"has_information-{rid}": "yes", f"facts-{rid}": FACTS}
    assert submit(housing, url, "research-form", ("save", rid), typed).status_code == 302
    chair = app.test_client()
    sign_in(chair, "chair@pol.example")
    page = chair.get(f"{url}/{rid}/collated")
    assert page.status_code == 200 and FACTS not in page.text
    assert re.search(r"HSG services.*?Not researched yet", page.text, re.S)
    assert "0 of 5 member agencies" in page.text
    own = housing.get(f"{url}/{rid}/collated")
    assert "Not shared" in own.text and FACTS not in own.text
