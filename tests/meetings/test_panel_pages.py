"""The panel pages: meetings with their deadlines, moving and cancelling them, and settings."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.meetings.calendar import local
from casework.meetings.models import AgendaItem, Meeting
from tests.conftest import post_form, sign_in


@pytest.fixture()
def setup(app, factory, svc):
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    factory.agency("HLT", "health")
    coordinator = factory.user("coord@pol.example", "POL", ("coordinator", "referrer"))
    factory.user("rep@hsg.example", "HSG", ("agency_rep",))
    factory.user("coord@hlt.example", "HLT", ("coordinator",))
    factory.user("admin@hlt.example", "HLT", ("admin",))
    panel = factory.panel(("POL", "HSG"), name="North MARAC")
    meetings = list(
        svc.session.scalars(
            select(Meeting).where(Meeting.panel_id == panel.id).order_by(Meeting.starts_at)
        )
    )
    svc.session.commit()
    return {"panel": panel, "meetings": meetings, "coordinator": coordinator}


def _client(app, email: str):
    client = app.test_client()
    sign_in(client, email)
    return client


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_member_sees_meetings_with_deadlines_but_no_change_links(app, setup):
    panel, meetings = setup["panel"], setup["meetings"]
    rep = _client(app, "rep@hsg.example")
    home = rep.get("/").text
    assert f'href="/panels/{panel.id}"' in home
    assert 'href="/panels"' in home  # navigation
    page = rep.get(f"/panels/{panel.id}")
    assert page.status_code == 200
    html = page.text
    first = meetings[0]
    assert _long(local(first.starts_at).date()) in html
    assert _long(first.cutoff_on) in html and _long(first.circulate_on) in html
    assert "First Tuesday of each month at 10:00" in html
    assert "/move" not in html and "/cancel" not in html
    assert "/settings" not in html
    assert rep.get(f"/panels/{panel.id}/meetings/{first.id}/move").status_code == 403


def test_other_partnerships_get_404(app, setup):
    panel, first = setup["panel"], setup["meetings"][0]
    stranger = _client(app, "coord@hlt.example")
    assert stranger.get(f"/panels/{panel.id}").status_code == 404
    assert stranger.get(f"/panels/{panel.id}/meetings/{first.id}/move").status_code == 404
    assert stranger.get(f"/panels/{panel.id}/settings").status_code == 404
    assert stranger.get("/panels/not-an-id").status_code == 404
    assert "North MARAC" not in stranger.get("/panels").text


def test_coordinator_moves_a_meeting_and_errors_keep_what_was_typed(app, setup, svc):
    panel, first = setup["panel"], setup["meetings"][0]
    coordinator = _client(app, "coord@pol.example")
    url = f"/panels/{panel.id}/meetings/{first.id}/move"
    assert f'href="{url}"' in coordinator.get(f"/panels/{panel.id}").text
    bad = post_form(
        coordinator, url, {"date-day": "31", "date-month": "2", "date-year": "2027", "time": "9"}
    )
    assert bad.status_code == 422
    assert 'href="#date-day"' in bad.text and 'href="#time"' in bad.text
    assert 'value="31"' in bad.text and "<title>Error: " in bad.text
    new_day = local(first.starts_at).date() + timedelta(days=1)
    moved = post_form(
        coordinator,
        url,
        {
            "date-day": str(new_day.day),
            "date-month": str(new_day.month),
            "date-year": str(new_day.year),
            "time": "13:30",
        },
    )
    assert moved.status_code == 302
    page = coordinator.get(f"/panels/{panel.id}").text
    assert f"Meeting moved to {_long(new_day)} at 13:30" in page
    assert "Moved from" in page
    svc.session.expire_all()
    assert local(svc.session.get(Meeting, first.id).starts_at).strftime("%H:%M") == "13:30"


def test_coordinator_cancels_a_meeting_and_its_agenda_moves_on(app, setup, svc, factory):
    panel, (first, second, _) = setup["panel"], setup["meetings"]
    referral = factory.referral(setup["coordinator"], panel)
    svc.session.add(AgendaItem(meeting_id=first.id, position=1, referral_id=referral.id))
    svc.session.commit()
    coordinator = _client(app, "coord@pol.example")
    url = f"/panels/{panel.id}/meetings/{first.id}/cancel"
    confirm = coordinator.get(url).text
    assert "Its agenda has 1 item" in confirm
    done = post_form(coordinator, url, {})
    assert done.status_code == 302
    page = coordinator.get(f"/panels/{panel.id}").text
    assert "Its agenda items moved to " + _long(local(second.starts_at).date()) in page
    assert "Cancelled" in page
    svc.session.expire_all()
    assert svc.session.get(Meeting, first.id).status == "cancelled"
    moved = svc.session.scalars(select(AgendaItem.meeting_id)).all()
    assert moved == [second.id]
    # a second press on the stale page says what happened instead of failing
    again = post_form(coordinator, url, {}, page=f"/panels/{panel.id}")
    assert again.status_code == 302
    assert (
        "This meeting is cancelled, so it cannot be cancelled."
        in coordinator.get(f"/panels/{panel.id}").text
    )


def test_settings_form_saves_and_shows_errors(app, setup, svc):
    panel = setup["panel"]
    coordinator = _client(app, "coord@pol.example")
    url = f"/panels/{panel.id}/settings"
    form = coordinator.get(url).text
    assert 'value="day=1st tue; hour=10"' in form and 'value="North MARAC"' in form
    fields = {
        "name": "North MARAC",
        "area": "North",
        "schedule": "day=1st tue; hour=10",
        "nation": "england-and-wales",
        "meeting_minutes": "180",
        "minutes_per_case": "20",
        "cutoff_working_days": "3",
        "circulation_working_days": "5",
        "adult_female_population": "",
        "agencies": ["POL", "HSG"],
    }
    bad = post_form(coordinator, url, {**fields, "name": "", "schedule": "day=9th tue"})
    assert bad.status_code == 422
    links = set(re.findall(r'href="#([a-z_]+)"', bad.text))
    assert links == {"name", "schedule", "cutoff_working_days"}
    assert 'value="20"' in bad.text  # what was typed is kept
    svc.session.expire_all()
    assert svc.session.get(type(panel), panel.id).minutes_per_case == 15  # nothing half-saved
    svc.session.commit()
    saved = post_form(coordinator, url, {**fields, "cutoff_working_days": "8"})
    assert saved.status_code == 302
    assert "Panel settings saved" in coordinator.get(f"/panels/{panel.id}").text
    svc.session.expire_all()
    assert svc.session.get(type(panel), panel.id).minutes_per_case == 20


def test_admin_reaches_every_panel_settings_but_not_its_meetings(app, setup):
    panel = setup["panel"]
    admin = _client(app, "admin@hlt.example")
    listing = admin.get("/panels").text
    assert f'href="/panels/{panel.id}/settings"' in listing
    assert admin.get(f"/panels/{panel.id}/settings").status_code == 200
    assert admin.get(f"/panels/{panel.id}").status_code == 404
