"""The coordinator's agenda builder and the agenda page member agencies see."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from casework.meetings import agenda
from casework.meetings.models import AgendaItem, Meeting
from casework.referrals.models import Referral
from tests.conftest import Factory, csrf_token, sign_in
from tests.meetings.agenda_setup import TODAY, Partnership, partnership


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _as(client: FlaskClient, p: Partnership, who: str) -> None:
    assert sign_in(client, p.users[who].email).status_code == 302


def _press(client: FlaskClient, url: str, page: str, **data: object) -> object:
    """Submit a form the page shows, with the page's CSRF token, and follow the redirect."""
    token = csrf_token(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


def _rows(html: str) -> list[str]:
    body = html.split('id="agenda-items"', 1)[1].split("</tbody>", 1)[0]
    rows = ["<tr" + r for r in body.split("<tr")[2:]]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]


def _items(p: Partnership, meeting_id: str) -> list[AgendaItem]:
    meeting = p.svc.session.get(Meeting, uuid.UUID(meeting_id))
    return agenda.items_of(p.svc, meeting)


def test_coordinator_builds_reorders_and_publishes(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting()
    mid = str(meeting.id)
    first = p.refer(victim__first_name="Ann")
    second = p.refer(victim__first_name="Beth")
    refs = (first.reference, second.reference)
    page = f"/meetings/{mid}/agenda"
    _as(client, p, "coordinator")

    start = client.get(page)
    assert start.status_code == 200 and "Build draft agenda" in start.text
    built = _press(client, f"{page}/build", page)
    assert "Draft agenda updated" in built.text
    rows = _rows(built.text)
    assert rows[0].startswith(f"1 10:00 to 10:15 {refs[0]} Ann")
    assert rows[1].startswith(f"2 10:15 to 10:30 {refs[1]} Beth")

    item_two = str(_items(p, mid)[1].id)
    moved = _press(client, f"{page}/items/{item_two}/move", page, direction="up")
    assert _rows(moved.text)[0].startswith(f"1 10:00 to 10:15 {refs[1]} Beth")

    published = _press(client, f"{page}/publish", page)
    assert "Agenda version 1 published" in published.text
    assert "Published (version 1)" in published.text
    assert "Publish agenda" not in published.text

    _press(client, f"{page}/items/{item_two}/move", page, direction="down")
    changed = client.get(page).text
    assert "Changed since publication" in changed and "Publish changes as version 2" in changed


def test_remove_and_add_back_from_accepted_referrals(client: FlaskClient, p: Partnership) -> None:
    meeting = p.meeting()
    mid = str(meeting.id)
    referral = p.refer()
    rid, ref = str(referral.id), referral.reference
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    item = str(_items(p, mid)[0].id)
    page = f"/meetings/{mid}/agenda"
    _as(client, p, "coordinator")

    removed = _press(client, f"{page}/items/{item}/remove", page)
    assert (
        "Item removed" in removed.text and "There are no items on this agenda yet" in removed.text
    )
    assert f'<option value="{rid}">{ref}' in removed.text
    assert p.svc.session.get(Referral, uuid.UUID(rid)).status == "accepted"

    empty = _press(client, f"{page}/items", page)
    assert empty.status_code == 422 and "Choose an accepted referral" in empty.text
    assert 'href="#referral_id"' in empty.text

    added = _press(client, f"{page}/items", page, referral_id=rid)
    assert "Case added to the agenda as item 1" in added.text
    assert _rows(added.text)[0].startswith(f"1 10:00 to 10:15 {ref}")


def test_overflow_warns_and_offers_deferral_or_an_extra_meeting(
    client: FlaskClient, p: Partnership
) -> None:
    meeting = p.meeting(length=30)
    following = p.meeting(day=TODAY + timedelta(days=40))
    mid, next_id = str(meeting.id), str(following.id)
    for _ in range(4):
        p.refer()
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    items = [str(i.id) for i in _items(p, mid)]
    page = f"/meetings/{mid}/agenda"
    _as(client, p, "chair")

    warned = client.get(page).text
    assert "Too many items for the meeting" in warned and "2 items do not fit" in warned
    for item in items[2:]:
        assert re.search(rf'value="{item}"\s+checked', warned)  # the ones past the end

    nothing = _press(client, f"{page}/overflow", page)
    assert nothing.status_code == 422 and 'href="#choice"' in nothing.text
    no_date = _press(client, f"{page}/overflow", page, choice="extra", items=items[3], time="9")
    assert no_date.status_code == 422
    assert (
        "Enter the date of the extra meeting" in no_date.text and 'href="#date-day"' in no_date.text
    )
    assert "Enter a time like 14:00" in no_date.text
    assert re.search(rf'value="{items[3]}"\s+checked', no_date.text)  # kept what was chosen
    assert not re.search(rf'value="{items[2]}"\s+checked', no_date.text)

    deferred = _press(client, f"{page}/overflow", page, choice="defer", items=items[2])
    assert "Items deferred to the meeting on" in deferred.text
    assert [str(i.id) for i in _items(p, next_id)] == [items[2]]

    day = TODAY + timedelta(days=14)
    extra = _press(
        client,
        f"{page}/overflow",
        page,
        choice="extra",
        items=items[3],
        time="14:00",
        **{"date-day": day.day, "date-month": day.month, "date-year": day.year},
    )
    assert "Extra meeting arranged for" in extra.text
    assert "Too many items for the meeting" not in extra.text
    assert [str(i.id) for i in _items(p, mid)] == items[:2]


def test_member_agency_sees_the_published_agenda_through_the_isp(
    client: FlaskClient, p: Partnership
) -> None:
    meeting = p.meeting()
    mid = str(meeting.id)
    referral = p.refer(victim__first_name="Zelda", summary="Private narrative")
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    page = f"/meetings/{mid}/agenda"
    _as(client, p, "housing")
    assert client.get(page).status_code == 404  # not circulated yet

    agenda.publish_agenda(p.svc, p.actor("coordinator"), mid)
    p.svc.session.commit()
    shown = client.get(page)

    assert shown.status_code == 200
    assert "Zelda" in shown.text and referral.reference in shown.text
    assert "07700 900000" not in shown.text and "Private narrative" not in shown.text
    assert "Build draft agenda" not in shown.text and "Publish" not in shown.text
    for fmt in ("pdf", "csv", "xlsx"):
        assert f'href="/meetings/{mid}/agenda.{fmt}"' in shown.text
    download = client.get(f"/meetings/{mid}/agenda.csv")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith('attachment; filename="agenda-')
    assert "Zelda" not in download.headers["Content-Disposition"]
    assert "07700 900000" not in download.text and "(HSG)" in download.text
    # a member may not change the agenda
    url = f"/meetings/{mid}/agenda/publish"
    assert client.post(url, data={"csrf_token": csrf_token(shown.text)}).status_code == 403


def test_outsiders_get_404_for_the_agenda_and_its_downloads(
    client: FlaskClient, p: Partnership
) -> None:
    meeting = p.meeting()
    mid = str(meeting.id)
    p.refer()
    agenda.build_draft(p.svc, meeting)
    agenda.publish_agenda(p.svc, p.actor("coordinator"), mid)
    p.svc.session.commit()
    _as(client, p, "outsider")  # a coordinator, of another panel
    token = csrf_token(client.get("/").text)
    assert client.get(f"/meetings/{mid}/agenda").status_code == 404
    assert client.get(f"/meetings/{mid}/agenda.pdf").status_code == 404
    assert (
        client.post(f"/meetings/{mid}/agenda/build", data={"csrf_token": token}).status_code == 404
    )
    assert client.get("/meetings/not-an-id/agenda").status_code == 404
