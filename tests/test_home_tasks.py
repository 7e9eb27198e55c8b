"""Home pages answer "what do I need to do today" for each role, counting only what the
caller may see (nothing of a panel their agency is not on), and an IDVA records engagement
on a page instead of only through the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.agencies.models import Agency
from casework.home_tasks import next_return
from casework.meetings.models import AgendaItem, CaseAction, Meeting
from casework.referrals import lifecycle
from casework.referrals.models import Referral
from tests.conftest import Factory, csrf_token, sign_in
from tests.meetings.agenda_setup import TODAY, Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _as(client: FlaskClient, p: Partnership, who: str) -> None:
    email = p.users[who].email  # before a request ends the test's session
    home = client.get("/")
    if home.status_code == 200:  # someone is signed in: sign them out first
        client.post("/sign-out", data={"csrf_token": csrf_token(home.text)})
    assert sign_in(client, email).status_code == 302


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _action(p: Partnership, meeting: Meeting, referral: Referral, owner: str, due: date) -> None:
    agency = p.svc.session.scalar(select(Agency).where(Agency.code == owner))
    act = CaseAction(
        meeting_id=meeting.id, referral_id=referral.id, owner_agency_id=agency.id, due_on=due
    )
    act.description = "Arrange a safe move"
    p.svc.session.add(act)
    p.svc.session.commit()


def _list(p: Partnership, meeting: Meeting, *referrals: Referral) -> None:
    for position, referral in enumerate(referrals, 1):
        p.svc.session.add(
            AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id)
        )
    p.svc.session.commit()


def _elsewhere(p: Partnership) -> None:
    """Work on the other panel (agency OUT only): none of it may be counted for ours."""
    p.factory.referral(p.users["outsider"], p.other_panel)  # waiting there
    theirs = p.factory.referral(p.users["outsider"], p.other_panel)
    past = p.meeting(day=TODAY - timedelta(days=20), panel=p.other_panel)
    past.minutes_due_on = TODAY - timedelta(days=1)
    ahead = p.meeting(day=TODAY + timedelta(days=3), panel=p.other_panel)
    ahead.circulated_at = clock.now() - timedelta(days=1)
    ahead.agenda_status = "published"
    p.svc.session.commit()
    _list(p, ahead, theirs)
    _action(p, past, theirs, "OUT", TODAY - timedelta(days=5))


def test_a_coordinators_home_lists_what_waits_on_their_panels_only(
    client: FlaskClient, p: Partnership
) -> None:
    _elsewhere(p)
    p.refer(accept=False)
    done = p.refer()
    draft_due = p.meeting(day=TODAY + timedelta(days=4))  # cut-off yesterday, no agenda
    held = p.meeting(day=TODAY - timedelta(days=14))
    held.minutes_due_on = TODAY - timedelta(days=2)
    p.svc.session.commit()
    _action(p, held, done, "HSG", TODAY - timedelta(days=1))
    _action(p, held, done, "HSG", TODAY - timedelta(days=3))
    _action(p, held, done, "POL", TODAY + timedelta(days=3))  # not overdue
    _as(client, p, "coordinator")
    page = client.get("/")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Referrals waiting for acceptance (1)" in text
    assert "Possible matches to review (0)" in text
    assert f"/meetings/{draft_due.id}/agenda" in page.text and "Draft the agenda" in text
    assert f"/meetings/{held.id}/minutes/sign-off" in page.text
    table = _text(page.text.split('id="overdue-by-agency"', 1)[1].split("</table>", 1)[0])
    assert "HSG 2" in table and "OUT" not in table and "POL" not in table

    # the other panel's coordinator sees only theirs
    _as(client, p, "outsider")
    text = _text(client.get("/").text)
    assert "Referrals waiting for acceptance (2)" in text  # both of theirs, none of ours
    assert "Draft the agenda" not in text and "HSG" not in text


def test_an_agency_rep_sees_research_due_and_their_agencys_actions(
    client: FlaskClient, p: Partnership
) -> None:
    _elsewhere(p)
    first, second = p.refer(), p.refer()
    meeting = p.meeting(day=TODAY + timedelta(days=6))
    meeting.circulated_at = clock.now() - timedelta(hours=1)
    meeting.agenda_status = "published"
    p.svc.session.commit()
    _list(p, meeting, first, second)
    _action(p, meeting, first, "HSG", TODAY - timedelta(days=2))
    _action(p, meeting, second, "HSG", TODAY + timedelta(days=2))
    _action(p, meeting, second, "POL", TODAY - timedelta(days=2))  # another agency's
    _as(client, p, "housing")
    page = client.get("/")
    text = _text(page.text)
    assert "2 cases without your agency's note" in text
    assert text.count("Research for ") == 1  # the other panel's agenda is not ours
    assert "Your agency's open actions (2, 1 overdue)" in text
    nav = page.text.split("govuk-service-navigation__list", 1)[1].split("</ul>", 1)[0]
    assert "Actions&nbsp;(1" in nav and "> overdue</span>)" in nav


def test_a_referrer_sees_the_referrals_they_submitted_and_where_they_are(
    client: FlaskClient, p: Partnership
) -> None:
    waiting, accepted = p.refer(accept=False).reference, p.refer().reference
    _as(client, p, "referrer")
    submitted = _text(client.get("/").text.split('id="submitted"', 1)[1].split("</ul>", 1)[0])
    assert f"{waiting}: submitted" in submitted
    assert f"{accepted}: accepted" in submitted


def test_an_idva_sees_their_cases_and_records_engagement(
    client: FlaskClient, p: Partnership
) -> None:
    mine, other = p.refer(), p.refer()
    coordinator, idva = p.actor("coordinator"), p.users["idva"]
    lifecycle.assign_idva(p.svc, coordinator, mine.id, {"user_id": str(idva.id)})
    p.svc.session.commit()
    meeting = p.meeting(day=TODAY + timedelta(days=8))
    _list(p, meeting, mine)
    _as(client, p, "idva")
    table = client.get("/").text.split('id="idva-cases"', 1)[1].split("</table>", 1)[0]
    assert mine.reference in table and other.reference not in table
    assert "Not recorded" in table and f"/referrals/{mine.id}/engagement" in table
    assert str(meeting.starts_at.astimezone(clock.UK).day) in _text(table)

    url = f"/referrals/{mine.id}/engagement"
    form = client.get(url)
    assert form.status_code == 200 and mine.reference in form.text
    token = csrf_token(form.text)
    missing = client.post(url, data={"csrf_token": token})
    assert missing.status_code == 422
    assert "Select whether the victim was offered an IDVA" in missing.text
    assert 'href="#engagement"' in missing.text
    saved = client.post(url, data={"csrf_token": token, "engagement": "engaged"})
    assert saved.status_code == 302
    p.svc.session.expire_all()
    row = p.svc.session.get(Referral, mine.id)
    assert (row.idva_offered, row.idva_engaged) == (True, True)
    assert any(str(mine.id) == e.record_id for e in p.audits("update", "referral"))
    again = client.get(url).text
    assert re.search(r'value="engaged"\s+checked', again)  # what is recorded is selected
    assert "Engaged" in _text(client.get("/").text.split('id="idva-cases"', 1)[1])

    # a case not theirs: the same answer as one that does not exist
    assert client.get(f"/referrals/{other.id}/engagement").status_code in (403, 404)


def test_a_bad_choice_keeps_the_page_and_writes_nothing(
    client: FlaskClient, p: Partnership
) -> None:
    mine = p.refer()
    lifecycle.assign_idva(
        p.svc, p.actor("coordinator"), mine.id, {"user_id": str(p.users["idva"].id)}
    )
    p.svc.session.commit()
    _as(client, p, "idva")
    url = f"/referrals/{mine.id}/engagement"
    token = csrf_token(client.get(url).text)
    answer = client.post(url, data={"csrf_token": token, "engagement": "maybe"})
    assert answer.status_code == 422
    p.svc.session.expire_all()
    assert p.svc.session.get(Referral, mine.id).idva_offered is None


def test_a_chair_sees_the_next_meetings_pack_and_its_research_gaps(
    client: FlaskClient, p: Partnership
) -> None:
    first, second = p.refer(), p.refer()
    meeting = p.meeting(day=TODAY + timedelta(days=2))
    _list(p, meeting, first, second)
    _as(client, p, "chair")
    pack = _text(client.get("/").text.split('id="next-pack"', 1)[1].split("</p>", 1)[0])
    assert "2 cases, 2 with agencies not researched yet" in pack


def test_an_analyst_is_told_when_the_next_return_is_due(
    client: FlaskClient, p: Partnership
) -> None:
    assert next_return(date(2026, 12, 6))["due_on"] == date(2027, 1, 1)
    assert next_return(date(2026, 1, 1))["last_from"] == date(2025, 10, 1)
    with clock.travel("2026-05-20T09:00:00+00:00"):
        _as(client, p, "analyst")
        text = _text(client.get("/").text.split('id="next-return"', 1)[1].split("</p>", 1)[0])
    assert "1 January 2026 to 31 March 2026 can be made now" in text
    assert "1 April 2026 to 30 June 2026, is due from 1 July 2026" in text


def test_nothing_of_another_panel_reaches_a_home_page(client: FlaskClient, p: Partnership) -> None:
    _elsewhere(p)
    for who in ("coordinator", "housing", "chair", "referrer"):
        _as(client, p, who)
        text = _text(client.get("/").text)
        assert "Southshire" not in text, who
        assert "(1 overdue)" not in text and "Actions&nbsp;(" not in text, who


def test_which_actions_the_engine_names_are_those_its_list_filter_lets_through(
    p: Partnership,
) -> None:
    """``Sharing.which`` (the nav's overdue count) asks a prepared statement; the list filter
    is built per request. For every user and action they must agree."""
    _elsewhere(p)
    first, second = p.refer(), p.refer()
    meeting = p.meeting(day=TODAY + timedelta(days=6))
    meeting.circulated_at = clock.now() - timedelta(hours=1)
    p.svc.session.commit()
    _list(p, meeting, first)
    for owner in ("HSG", "POL"):
        _action(p, meeting, first, owner, TODAY - timedelta(days=2))
        _action(p, meeting, second, owner, TODAY - timedelta(days=2))
    session, sharing = p.svc.session, p.svc.sharing
    ids = list(session.scalars(select(CaseAction.id)))
    assert len(ids) >= 4
    seen = set()
    for who, user in p.users.items():
        actor = actor_for(user)
        filtered = select(CaseAction.id).where(sharing.visible_clause(actor, "list", CaseAction))
        expected = set(session.scalars(filtered))
        assert sharing.which(session, actor, "list", CaseAction, ids) == expected, who
        seen.add(len(expected))
    assert len(seen) > 1  # some see more actions than others: the comparison meant something
