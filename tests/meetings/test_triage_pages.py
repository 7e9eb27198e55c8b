"""The triage page: a coordinator (or chair) accepts several waiting referrals at once, gives
them IDVAs and lists them, all or nothing; an error names the rows and keeps the selection."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from casework.accounts.models import User
from casework.meetings.models import AgendaItem
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.conftest import Factory, csrf_token, sign_in
from tests.meetings.agenda_setup import TODAY, Partnership, partnership

PAGE = "/referrals/triage"


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    world = partnership(factory)
    world.users["idva2"] = factory.user("sam@idva.example", "IDVA", ("idva",))
    return world


def _as(client: FlaskClient, p: Partnership, who: str) -> None:
    assert sign_in(client, p.users[who].email).status_code == 302


def _post(client: FlaskClient, data: list[tuple[str, str]]) -> object:
    token = csrf_token(client.get(PAGE).text)
    form = MultiDict([*data, ("csrf_token", token)])
    return client.post(PAGE, data=form, follow_redirects=True)


def _referrals(p: Partnership, ids: list[uuid.UUID]) -> list[Referral]:
    p.svc.session.expire_all()
    return [p.svc.session.get(Referral, rid) for rid in ids]


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="ids" type="checkbox" value="([^"]+)" checked', html))


def _selected(html: str, rid: uuid.UUID) -> str | None:
    select_html = html.split(f'name="idva-{rid}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)" selected', select_html)
    return found.group(1) if found else None


def test_the_list_shows_waiting_referrals_as_the_engine_grants(
    client: FlaskClient, p: Partnership
) -> None:
    waiting = p.refer(accept=False)
    accepted = p.refer()
    elsewhere = p.factory.referral(p.users["outsider"], p.other_panel)
    _as(client, p, "coordinator")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert waiting.reference in page.text
    assert accepted.reference not in page.text  # only those waiting for acceptance
    assert elsewhere.reference not in page.text  # only the caller's panels
    row = page.text.split(f'value="{waiting.id}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]
    # referred, referring agency, risk band, repeat flag
    assert cells[1:4] == ["POL", waiting.band.capitalize(), "No"]
    assert "Doe" not in page.text  # a summary: no one is named
    shown = {e.record_id for e in p.audits("list", "referral")}
    assert str(waiting.id) in shown  # what the page disclosed is audited


def test_triaging_three_in_one_go(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting(day=TODAY + timedelta(days=5)).id
    refs = [p.refer(accept=False) for _ in range(3)]
    ids = [r.id for r in refs]
    idva, idva2 = p.users["idva"].id, p.users["idva2"].id
    _as(client, p, "coordinator")
    done = _post(
        client,
        [
            *[("ids", str(r)) for r in ids],
            (f"idva-{ids[0]}", str(idva)),
            (f"idva-{ids[1]}", str(idva2)),
            ("list_at", "next"),
        ],
    )
    assert done.status_code == 200
    assert "3 referrals accepted" in done.text and "IDVA assigned to 2" in done.text
    assert "Listed at Northshire MARAC" in done.text
    rows = _referrals(p, ids)
    assert [r.status for r in rows] == ["listed"] * 3
    assert [r.assigned_idva_id for r in rows] == [idva, idva2, None]
    listed = select(AgendaItem.referral_id).where(AgendaItem.meeting_id == meeting)
    assert set(p.svc.session.scalars(listed)) == set(ids)
    assert "No referrals are waiting" in done.text


def test_an_error_names_the_row_keeps_the_selection_and_changes_nothing(
    client: FlaskClient, p: Partnership
) -> None:
    refs = [p.refer(accept=False) for _ in range(3)]
    ids = [r.id for r in refs]
    idva, idva2 = p.users["idva"].id, p.users["idva2"].id
    _as(client, p, "coordinator")
    token = csrf_token(client.get(PAGE).text)
    leaves = update(User).where(User.id == idva2).values(active=False)
    p.svc.session.execute(leaves)  # the IDVA leaves while the page is open
    p.svc.session.commit()
    answer = client.post(
        PAGE,
        data=MultiDict(
            [
                ("ids", str(ids[0])),
                ("ids", str(ids[2])),
                (f"idva-{ids[0]}", str(idva)),
                (f"idva-{ids[2]}", str(idva2)),
                ("list_at", "none"),
                ("csrf_token", token),
            ]
        ),
    )
    assert answer.status_code == 422
    assert answer.text.count("govuk-error-summary") >= 1
    assert f"Choose an active IDVA for referral {refs[2].reference}" in answer.text
    assert f'href="#idva-{ids[2]}"' in answer.text  # the summary links to the row's IDVA
    assert _checked(answer.text) == {str(ids[0]), str(ids[2])}  # selection kept
    assert _selected(answer.text, ids[0]) == str(idva)
    # the IDVA who left is no longer offered: the row asks for another choice
    assert _selected(answer.text, ids[2]) is None and str(idva2) not in answer.text
    rows = _referrals(p, ids)
    assert [r.status for r in rows] == ["submitted"] * 3
    assert all(r.assigned_idva_id is None for r in rows)


def test_a_row_accepted_meanwhile_is_named_and_nothing_changes(
    client: FlaskClient, p: Partnership
) -> None:
    first, second = p.refer(accept=False), p.refer(accept=False)
    _as(client, p, "chair")
    token = csrf_token(client.get(PAGE).text)
    lifecycle.accept_referral(p.svc, p.actor("coordinator"), second.id)
    p.svc.session.commit()
    answer = client.post(
        PAGE,
        data=MultiDict([("ids", str(first.id)), ("ids", str(second.id)), ("csrf_token", token)]),
    )
    assert answer.status_code == 422
    assert f"Referral {second.reference} is accepted" in answer.text
    assert 'href="#referrals"' in answer.text  # no longer listed: the link goes to the table
    assert _checked(answer.text) == {str(first.id)}
    assert _referrals(p, [first.id])[0].status == "submitted"


def test_form_mistakes_are_named(client: FlaskClient, p: Partnership) -> None:
    waiting = p.refer(accept=False)
    _as(client, p, "coordinator")
    nothing = _post(client, [("list_at", "none")])
    assert nothing.status_code == 422 and "Select the referrals to accept" in nothing.text
    none_ahead = _post(client, [("ids", str(waiting.id)), ("list_at", "next")])
    assert none_ahead.status_code == 422
    assert "There is no scheduled meeting ahead" in none_ahead.text
    assert 'href="#list_at"' in none_ahead.text
    assert _checked(none_ahead.text) == {str(waiting.id)}
    assert _referrals(p, [waiting.id])[0].status == "submitted"
    chosen = p.meeting(day=TODAY + timedelta(days=30)).id
    page = client.get(PAGE).text
    assert f'value="{chosen}"' in page  # scheduled meetings ahead are offered by name
    done = _post(client, [("ids", str(waiting.id)), ("list_at", str(chosen))])
    assert done.status_code == 200 and "1 referral accepted" in done.text
    assert _referrals(p, [waiting.id])[0].status == "listed"
    listed = select(AgendaItem.referral_id).where(AgendaItem.meeting_id == chosen)
    assert list(p.svc.session.scalars(listed)) == [waiting.id]


def test_home_page_links_with_the_count(client: FlaskClient, p: Partnership) -> None:
    p.refer(accept=False)
    p.refer(accept=False)
    p.refer()
    _as(client, p, "coordinator")
    home = client.get("/")
    assert "Referrals waiting for acceptance (2)" in home.text
    assert f'href="{PAGE}"' in home.text


@pytest.mark.parametrize("who", ["referrer", "housing", "idva", "analyst"])
def test_only_coordinators_and_chairs_triage(client: FlaskClient, p: Partnership, who) -> None:
    p.refer(accept=False)
    _as(client, p, who)
    assert client.get(PAGE).status_code == 403
    assert "Referrals waiting for acceptance" not in client.get("/").text
