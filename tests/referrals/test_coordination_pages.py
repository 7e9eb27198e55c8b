"""The coordinator's pages: managing a referral, and the possible-match review queue."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.referrals.models import PossibleMatch
from tests.conftest import Factory, csrf_token, post_form, sign_in
from tests.referrals.coordination_setup import Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _as(app: Flask, p: Partnership, name: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, p.users[name].email).status_code == 302
    return client


def _manage(p: Partnership, **changes: Any) -> tuple[str, str]:
    referral = p.refer(**changes)
    return f"/referrals/{referral.id}/manage", referral.reference


def test_coordinator_accepts_a_referral(app: Flask, p: Partnership) -> None:
    url, reference = _manage(p)
    client = _as(app, p, "coordinator")
    page = client.get(url)
    assert page.status_code == 200
    assert f"Manage referral {reference}" in page.text and "Submitted" in page.text
    assert "Jane" not in page.text  # the page names no one
    response = post_form(client, f"{url}/accept", {}, page=url)
    assert response.status_code == 302 and response.location.endswith(url)
    after = client.get(url).text
    assert f"Referral {reference} accepted" in after and "Accepted" in after
    assert "Accept referral" not in after


def test_a_stale_button_explains_instead_of_failing(app: Flask, p: Partnership) -> None:
    url, _ = _manage(p)
    client = _as(app, p, "chair")
    post_form(client, f"{url}/accept", {}, page=url)
    again = post_form(client, f"{url}/accept", {}, page=url)
    assert again.status_code == 302
    assert "This referral is accepted, so it cannot be accepted" in client.get(url).text


def test_withdrawing_without_a_reason_shows_a_govuk_error(app: Flask, p: Partnership) -> None:
    url, _ = _manage(p)
    client = _as(app, p, "coordinator")
    response = post_form(client, f"{url}/withdraw", {"reason": "  "}, page=url)
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert 'href="#reason"' in html and 'id="reason-error"' in html
    assert "Enter the reason for withdrawing the referral" in html
    assert "Submitted" in html  # nothing changed


def test_coordinator_withdraws_with_a_reason(app: Flask, p: Partnership) -> None:
    url, reference = _manage(p)
    client = _as(app, p, "coordinator")
    response = post_form(client, f"{url}/withdraw", {"reason": "Sent to the wrong panel"}, url)
    assert response.status_code == 302
    page = client.get(url).text
    assert f"Referral {reference} withdrawn" in page
    assert "Sent to the wrong panel" in page and "Withdrawn" in page
    assert "Withdraw referral" not in page and "Assign IDVA" not in page


def test_coordinator_assigns_an_idva_from_a_list_of_active_idvas(
    app: Flask, p: Partnership
) -> None:
    url, _ = _manage(p)
    client = _as(app, p, "coordinator")
    page = client.get(url).text
    jo, ali = p.users["idva"], p.users["far_idva"]
    assert f'value="{jo.id}"' in page and f'value="{ali.id}"' in page
    assert str(p.users["referrer"].id) not in page
    missing = post_form(client, f"{url}/assign-idva", {"user_id": ""}, page=url)
    assert missing.status_code == 422 and 'href="#user_id"' in missing.text
    assert "Choose an IDVA" in missing.text
    done = post_form(client, f"{url}/assign-idva", {"user_id": str(ali.id)}, page=url)
    assert done.status_code == 302
    page = client.get(url).text
    assert f"{ali.name} (HSG)" in page and "Remove the IDVA" in page
    removed = post_form(client, f"{url}/unassign-idva", {}, page=url)
    assert removed.status_code == 302
    page = client.get(url).text
    assert f"{ali.name} (HSG)" not in page and "Remove the IDVA" not in page


@pytest.mark.parametrize(("name", "status"), [("referrer", 403), ("outsider", 404)])
def test_others_cannot_open_or_use_the_page(
    app: Flask, p: Partnership, name: str, status: int
) -> None:
    url, _ = _manage(p)
    client = _as(app, p, name)
    assert client.get(url).status_code == status
    token = csrf_token(client.get("/").text)  # the sign-out form's: any page's token will do
    assert client.post(f"{url}/accept", data={"csrf_token": token}).status_code == status
    assert client.get("/referrals/review").status_code == (403 if name == "referrer" else 200)


def test_a_post_without_the_csrf_token_is_refused(app: Flask, p: Partnership) -> None:
    url, _ = _manage(p)
    client = _as(app, p, "coordinator")
    assert client.post(f"{url}/accept").status_code == 400
    assert "Submitted" in client.get(url).text


def _possible_match(p: Partnership) -> tuple[str, str]:
    p.refer("2026-03-01")
    later = p.refer("2026-11-02", victim__first_name="Janet")
    return later.reference, f"/referrals/{later.id}/manage"


def test_review_queue_shows_the_pair_side_by_side(app: Flask, p: Partnership) -> None:
    reference, _ = _possible_match(p)
    client = _as(app, p, "coordinator")
    assert "Matches (1)" in client.get("/").text
    html = client.get("/referrals/review").text
    assert f"Possible match for {reference}: different first name" in html
    for text in ("Janet", "Jane", "Doe", "1 April 1990", "1 March 2026", "2 November 2026"):
        assert text in html
    assert html.count('name="csrf_token"') >= 3  # sign-out, confirm, reject


def test_confirming_in_the_queue_flags_the_referral_repeat(app: Flask, p: Partnership) -> None:
    reference, manage = _possible_match(p)
    client = _as(app, p, "coordinator")
    assert "Repeat referral" in client.get(manage).text
    before = client.get(manage).text
    assert "Yes, previous referral" not in before
    assert "a possible match with an earlier referral is waiting for review" in before
    match = p.svc.session.scalars(select(PossibleMatch)).one()
    response = post_form(client, f"/referrals/review/{match.id}/confirm", {}, "/referrals/review")
    assert response.status_code == 302
    queue = client.get("/referrals/review").text
    assert f"Referral {reference} is a repeat (previous referral 1 March 2026)" in queue
    assert "There are no possible matches waiting for you" in queue
    assert "Yes, previous referral 1 March 2026" in client.get(manage).text
    assert "Matches (" not in client.get("/").text


def test_rejecting_in_the_queue_leaves_the_flag(app: Flask, p: Partnership) -> None:
    _, manage = _possible_match(p)
    match_id = p.svc.session.scalars(select(PossibleMatch.id)).one()
    client = _as(app, p, "chair")
    url = f"/referrals/review/{match_id}/reject"
    assert post_form(client, url, {}, "/referrals/review").status_code == 302
    assert "Match rejected" in client.get("/referrals/review").text
    page = client.get(manage).text
    assert "Yes, previous referral" not in page
    again = post_form(client, url, {}, "/referrals/review")
    assert again.status_code == 302
    assert (
        "Someone has already rejected this possible match" in client.get("/referrals/review").text
    )


def test_only_coordinators_and_chairs_see_the_review_link(app: Flask, p: Partnership) -> None:
    _possible_match(p)
    assert "Matches" not in _as(app, p, "referrer").get("/").text
    assert "Matches" in _as(app, p, "outsider").get("/").text  # nothing for them: no count
    assert "Matches (" not in _as(app, p, "outsider").get("/").text
