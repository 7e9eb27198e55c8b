"""What SafeLives' referral form asks besides the basics: the referrer's contact details, a
comment per DASH answer, who the victim fears, who is and is not safe to talk to, and a MARAC
elsewhere. Each is sealed in the database, checked like any other field, and shown only to an
agency its protocol category is granted to."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from casework.audit.models import AuditEntry
from casework.db import utcnow
from casework.meetings.models import AgendaItem, Meeting
from casework.referrals import draft_form as form
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory, bearer
from tests.referral_data import referral_body
from tests.referrals.test_drafts import typed_answers
from tests.referrals.test_pages import fill, post, send, signed_in, start

SAFELIVES = {
    "referrer": {"name": "Pat Lane", "phone": "01632 960001", "email": "pat.lane@hlt.example"},
    "safety": {
        "afraid_of": "His brother Mark",
        "safe_to_talk_to": "Her sister Ruth",
        "not_safe_to_talk_to": "Neighbour at number 4",
    },
    "previous_marac": {"elsewhere": True, "area": "Leeds", "date": "2025-03-14"},
}
COMMENTS = {"3": "Said he would 'finish it'", "15": "Twice this year"}


@pytest.fixture()
def world(factory: Factory, svc: Services) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    factory.agency("HSG", "housing")
    panel = factory.panel(("POL", "HLT", "HSG"), name="Northshire MARAC")
    referrer = factory.user("ref@hlt.example", "HLT", ("referrer",))
    police = factory.user("pc@pol.example", "POL", ("referrer",))
    housing = factory.user("rep@hsg.example", "HSG", ("agency_rep",))
    factory.user("co@pol.example", "POL", ("coordinator",))
    return {
        "panel": panel,
        "panel_id": str(panel.id),  # the panel object is detached once a request has run
        "referrer": bearer(factory.token(referrer)),
        "police": bearer(factory.token(police)),
        "housing": bearer(factory.token(housing)),
    }


def on_a_circulated_agenda(svc: Services, panel_id: str, referral_id: Any) -> None:
    """Housing sees a case (identity, household, risk summary) once it is on an agenda."""
    now = utcnow()
    meeting = Meeting(
        panel_id=uuid.UUID(panel_id),
        starts_at=now + timedelta(days=2),
        circulated_at=now - timedelta(days=1),
    )
    meeting.items.append(AgendaItem(position=1, referral_id=uuid.UUID(str(referral_id))))
    svc.session.add(meeting)
    svc.session.commit()


def submit(client: Any, world: dict, **changes: Any) -> Any:
    body = referral_body(world["panel_id"], **{**SAFELIVES, **changes})
    body["risk"]["dash_comments"] = COMMENTS
    return client.post("/api/v1/referrals", json=body, headers=world["referrer"])


def test_the_fields_are_read_back_by_an_agency_granted_them_and_absent_for_one_that_is_not(
    client, world: dict, svc: Services
) -> None:
    response = submit(client, world)
    assert response.status_code == 201, response.json
    url = f"/api/v1/referrals/{response.json['id']}"

    police = client.get(url, headers=world["police"]).json  # police see the whole referral
    assert police["referrer"] == SAFELIVES["referrer"]
    assert police["safety"] == SAFELIVES["safety"]
    assert police["previous_marac"] == SAFELIVES["previous_marac"]
    assert police["risk"]["dash_comments"] == COMMENTS
    assert police["repeat"]["is_repeat"] is False  # a MARAC elsewhere is not a local repeat

    assert client.get(url, headers=world["housing"]).status_code == 404
    on_a_circulated_agenda(svc, world["panel_id"], response.json["id"])
    housing = client.get(url, headers=world["housing"]).json
    assert housing["victim"]["first_name"] == "Jane"  # the case is visible to housing...
    for group in ("referrer", "safety", "previous_marac"):  # ...but not these categories
        assert group not in housing
    assert "dash_comments" not in housing["risk"] and "dash" not in housing["risk"]
    listed = client.get("/api/v1/referrals", headers=world["housing"]).json
    assert listed and all("safety" not in r and "referrer" not in r for r in listed)


def test_the_fields_are_sealed_at_rest_and_audited_by_name_only(
    client, world: dict, svc: Services
) -> None:
    referral_id = submit(client, world).json["id"]
    row = svc.session.execute(
        text(
            "SELECT referrer_name, referrer_email, dash_comments, victim_afraid_of, "
            "victim_safe_to_talk_to, previous_marac_area, previous_marac_date FROM referrals"
        )
    ).one()
    stored = b"".join(bytes(cell) for cell in row)
    for plain in ("Pat Lane", "pat.lane", "finish it", "Mark", "Ruth", "Leeds", "2025-03-14"):
        assert plain.encode() not in stored
    created = svc.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "create", AuditEntry.record_id == str(referral_id)
        )
    ).one()
    assert {"referrer.email", "risk.dash_comments", "safety.afraid_of"} <= set(created.fields)
    assert "previous_marac.date" in created.fields and "Leeds" not in str(created.fields)


def test_every_bad_field_is_named_in_one_answer_and_nothing_is_stored(
    client, world: dict, svc: Services
) -> None:
    body = referral_body(
        world["panel"].id,
        referrer={"name": "P" * 201, "email": "not an address"},
        safety={"afraid_of": "x" * 2001, "not_safe_to_talk_to": "tab\tis fine\nhere"},
        previous_marac={"elsewhere": False, "area": "Leeds"},
    )
    body["risk"]["dash_comments"] = {"25": "no such question", "4": "y" * 2001, "5": 7}
    response = client.post("/api/v1/referrals", json=body, headers=world["referrer"])
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "referrer.name",
        "referrer.email",
        "safety.afraid_of",
        "previous_marac.area",
        "risk.dash_comments.25",
        "risk.dash_comments.4",
        "risk.dash_comments.5",
    }
    yes_without_where = submit(client, world, previous_marac={"elsewhere": True})
    assert yes_without_where.status_code == 422
    assert yes_without_where.json["error"]["fields"] == {
        "previous_marac.area": ["Enter the area of the previous MARAC"]
    }
    assert svc.session.query(Referral).count() == 0


def test_the_form_keeps_what_was_typed_through_errors_and_sends_every_field(
    app, world: dict, svc: Services
) -> None:
    client = signed_in(app, "ref@hlt.example")
    base = start(client)
    victim = {
        **typed_answers()["victim"],
        "afraid_of": "His brother Mark",
        "safe_to_talk_to": "Her sister Ruth",
        "not_safe_to_talk_to": "Neighbour at number 4",
        "elsewhere": "yes",
    }
    response = post(client, f"{base}/victim", victim)  # "yes" without saying where
    assert response.status_code == 422
    html = response.text
    assert 'href="#previous_marac-area"' in html and "Enter the area of the previous MARAC" in html
    assert "His brother Mark" in html and "Neighbour at number 4" in html
    assert 'name="elsewhere" type="radio" value="yes" checked' in html

    dash = {**typed_answers()["dash"], "comment-3": "z" * 2001}
    response = post(client, f"{base}/dash", dash)
    assert response.status_code == 422
    assert 'href="#risk-dash_comments-3"' in response.text
    assert "The comment on question 3 must be 2000 characters or fewer" in response.text

    where = {"area": "Leeds", "date-day": "14", "date-month": "3", "date-year": "2025"}
    narrative = {**typed_answers()["narrative"], "name": "Pat Lane", "email": "pat@hlt.example"}
    fill(
        client,
        base,
        victim={**victim, **where},
        dash={**typed_answers()["dash"], "comment-3": "Said he would 'finish it'"},
        narrative=narrative,
    )
    check = client.get(f"{base}/check").text
    assert "Yes: Leeds, 14 March 2025" in check and "Pat Lane" in check
    assert "Comment on question 3" in check
    referral_url = send(client, base).location.replace("/confirmation", "")

    page = signed_in(app, "co@pol.example").get(referral_url).text
    assert "Previous MARAC elsewhere" in page and "Yes: Leeds, 14 March 2025" in page
    assert "His brother Mark" in page and "Her sister Ruth" in page
    assert "Comment: Said he would &#39;finish it&#39;" in page and "(1 comment)" in page
    assert "pat@hlt.example" in page

    referral = svc.session.scalars(select(Referral)).one()
    on_a_circulated_agenda(svc, world["panel_id"], referral.id)
    housing = signed_in(app, "rep@hsg.example").get(referral_url).text
    assert "Jane" in housing
    for hidden in ("Leeds", "His brother Mark", "Pat Lane", "finish it"):
        assert hidden not in housing


def test_a_comment_reading_yes_is_not_a_yes_answer() -> None:
    answers = {"1": "yes", "2": "no", "comment-2": "yes"}
    assert form.dash_score({"dash": answers}) == 1
    assert form.field_names("dash", answers) == ["risk.dash", "risk.dash_comments"]


def test_the_fields_are_amended_like_any_other(client, world: dict) -> None:
    referral_id = submit(client, world).json["id"]
    url = f"/api/v1/referrals/{referral_id}"
    patch = {
        "safety": {"afraid_of": "His brother Mark and a cousin"},
        "risk": {"dash_comments": {"4": "Moved away from her friends"}},
        "reason": "The victim told the IDVA more",
    }
    response = client.patch(url, json=patch, headers=world["referrer"])
    assert response.status_code == 200, response.json
    shown = client.get(url, headers=world["police"]).json
    assert shown["safety"]["afraid_of"] == "His brother Mark and a cousin"
    assert shown["safety"]["safe_to_talk_to"] == "Her sister Ruth"  # untouched
    assert shown["risk"]["dash_comments"] == {**COMMENTS, "4": "Moved away from her friends"}
