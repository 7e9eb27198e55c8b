"""The risks identified on the pages where minutes are written (the case page, live mode) and
read (the member minutes page); the links from the meeting page and the member minutes page to
the sign-off page and the approved minutes, shown only to those they serve."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.meetings import minutes_signoff
from casework.meetings.models import Meeting, Minute
from tests.conftest import PASSWORD, bearer, post_form, sign_in
from tests.meetings.conduct_setup import Partnership, partnership
from tests.meetings.page_form import submit

MINUTE = ("save", "minute")
SHARED = "Police shared two call-outs"
RISKS = "Threats to kill; the children saw the last assault"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _ready(p: Partnership) -> Meeting:
    meeting = p.meeting(cases=1)
    p.attend(meeting, present=("POL", "CSP", "HSG"), apologies=("HLT",))
    return meeting


def _minute(p: Partnership) -> Minute:
    p.svc.session.expire_all()
    return p.svc.session.scalar(select(Minute))


def test_the_case_page_saves_the_risks_and_shows_them_again(p, client):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/cases/{p.referrals[0].id}"
    sign_in(client, "chair@pol.example", PASSWORD)
    saved = submit(client, url, "case-form", MINUTE, {"text": SHARED, "risks": RISKS})
    assert saved.status_code == 302
    assert (_minute(p).text, _minute(p).risks) == (SHARED, RISKS)
    page = client.get(url).text
    assert 'id="minute-risks"' in page and RISKS in page.split('id="minute-risks"')[1]


def test_a_save_without_the_risks_box_keeps_the_risks_saved(p, client, factory):
    """A stale page (or an API client) that sends only the text must not clear the risks."""
    meeting = _ready(p)
    rid = p.referrals[0].id
    url = f"/meetings/{meeting.id}/cases/{rid}"
    sign_in(client, "chair@pol.example", PASSWORD)
    submit(client, url, "case-form", MINUTE, {"text": SHARED, "risks": RISKS})
    assert post_form(client, url, {"save": "minute", "text": "Revised"}).status_code == 302
    assert (_minute(p).text, _minute(p).risks) == ("Revised", RISKS)
    headers = bearer(factory.token(p.users["chair"]))
    api = f"/api/v1/meetings/{meeting.id}/minutes/{rid}"
    assert client.put(api, json={"text": "Again"}, headers=headers).status_code == 200
    assert (_minute(p).text, _minute(p).risks) == ("Again", RISKS)
    # emptying the box on the page is how the chair removes them
    submit(client, url, "case-form", MINUTE, {"risks": ""})
    assert _minute(p).risks is None


def test_live_mode_saves_the_risks_with_the_minutes(p, client):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live?case=1"
    sign_in(client, "chair@pol.example", PASSWORD)
    saved = submit(client, url, "live-form", MINUTE, {"text": SHARED, "risks": RISKS})
    assert saved.status_code == 302
    assert _minute(p).risks == RISKS
    assert RISKS in client.get(url).text.split('id="minute-risks"')[1]


def test_risks_typed_are_kept_when_an_action_is_refused(p, client):
    meeting = _ready(p)
    url = f"/meetings/{meeting.id}/live?case=1"
    sign_in(client, "chair@pol.example", PASSWORD)
    refused = submit(
        client, url, "live-form", ("save", "action"), {"risks": RISKS, "description": "x"}
    )
    assert refused.status_code == 422
    assert RISKS in refused.text.split('id="minute-risks"')[1]


def test_attendees_read_the_risks_and_an_agency_that_sent_apologies_does_not(p, client, app):
    meeting = _ready(p)
    sign_in(client, "chair@pol.example", PASSWORD)
    url = f"/meetings/{meeting.id}/cases/{p.referrals[0].id}"
    submit(client, url, "case-form", MINUTE, {"text": SHARED, "risks": RISKS})

    reader = app.test_client()
    sign_in(reader, "rep@hsg.example", PASSWORD)
    page = reader.get(f"/meetings/{meeting.id}/minutes").text
    assert "Risks identified" in page and RISKS in page
    reads = [e for e in p.audits("minute", "view", _minute(p).id) if e.agency_code == "HSG"]
    assert reads and sorted(reads[-1].fields) == ["risks", "text"]  # the risks read, audited

    absent = app.test_client()
    sign_in(absent, "rep@hlt.example", PASSWORD)
    page = absent.get(f"/meetings/{meeting.id}/minutes").text
    assert RISKS not in page and SHARED not in page


def _links(html: str) -> dict[str, bool]:
    return {
        "sign_off": 'id="sign-off-link"' in html,
        "approved": 'id="approved-minutes-link"' in html,
    }


def test_links_to_the_sign_off_and_the_approved_minutes_go_to_those_they_serve(p, client, app):
    meeting = _ready(p)
    mid = meeting.id
    clients = {}
    for who, email in (
        ("chair", "chair@pol.example"),
        ("coordinator", "coord@csp.example"),
        ("housing", "rep@hsg.example"),
        ("health", "rep@hlt.example"),
    ):
        clients[who] = app.test_client()
        sign_in(clients[who], email, PASSWORD)

    conduct = clients["chair"].get(f"/meetings/{mid}/conduct").text
    assert _links(conduct) == {"sign_off": True, "approved": False}
    assert "Sign off the minutes</a> (draft)" in conduct
    conduct = clients["coordinator"].get(f"/meetings/{mid}/conduct").text
    assert "Prepare the minutes for the chair to sign off" in conduct
    assert _links(clients["housing"].get(f"/meetings/{mid}/minutes").text) == {
        "sign_off": False,
        "approved": False,
    }

    chair = p.actor("chair")
    minutes_signoff.save_header(p.svc, chair, mid, {"venue": "Town Hall", "observers": []})
    minutes_signoff.approve(p.svc, chair, mid)
    p.svc.session.commit()

    conduct = clients["chair"].get(f"/meetings/{mid}/conduct").text
    assert _links(conduct) == {"sign_off": True, "approved": True}  # police were present
    assert "Sign off the minutes</a> (approved)" in conduct
    page = clients["housing"].get(f"/meetings/{mid}/minutes").text
    assert _links(page) == {"sign_off": False, "approved": True}
    assert "Download the approved minutes (version 1)" in page
    assert f'href="/meetings/{mid}/minutes/approved"' in page
    page = clients["health"].get(f"/meetings/{mid}/minutes").text
    assert _links(page) == {"sign_off": False, "approved": False}  # sent apologies
