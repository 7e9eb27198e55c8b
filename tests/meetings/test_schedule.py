"""Scheduling meetings: three ahead per panel with working-day deadlines, moving, cancelling
(its agenda moves on), and panel settings through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.accounts.auth import actor_for
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings.models import AgendaItem, Meeting, ResearchNote
from casework.meetings.schedule import cancel_meeting, move_meeting, schedule_meetings
from casework.panels.actions import create_panel, update_panel
from casework.panels.models import Panel
from casework.referrals.models import Referral
from tests.conftest import Factory, bearer

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture()
def coordinator(factory: Factory):
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    return factory.user("coord@pol.example", "POL", ("coordinator", "referrer"))


def _panel(svc, coordinator, now: datetime = NOW, **changes) -> Panel:
    body = {
        "kind": "marac",
        "name": "North MARAC",
        "area": "North",
        "agencies": ["POL", "HSG"],
        "schedule": "day=1st tue; hour=10",
        **changes,
    }
    panel = create_panel(svc, actor_for(coordinator), body, now=now)
    svc.session.commit()
    return panel


def _meetings(svc, panel: Panel) -> list[Meeting]:
    svc.session.expire_all()
    return list(
        svc.session.scalars(
            select(Meeting).where(Meeting.panel_id == panel.id).order_by(Meeting.starts_at)
        )
    )


def test_a_new_panel_has_its_next_three_meetings_with_working_day_deadlines(svc, coordinator):
    panel = _panel(svc, coordinator)
    meetings = _meetings(svc, panel)
    assert [m.starts_at for m in meetings] == [
        _utc(2026, 12, 1, 10),
        _utc(2027, 1, 5, 10),
        _utc(2027, 2, 2, 10),
    ]
    first, second, _ = meetings
    assert (first.cutoff_on, first.circulate_on, first.minutes_due_on) == (
        date(2026, 11, 19),
        date(2026, 11, 24),
        date(2026, 12, 4),
    )
    # counting back over Christmas, the Boxing Day substitute and New Year's Day
    assert (second.cutoff_on, second.circulate_on) == (date(2026, 12, 21), date(2026, 12, 24))
    assert all(m.status == "scheduled" and m.length_minutes == 180 for m in meetings)
    assert all(m.minutes_per_case == 15 for m in meetings)


def test_scottish_panels_count_scottish_bank_holidays(svc, coordinator):
    panel = _panel(svc, coordinator, nation="scotland")
    second = _meetings(svc, panel)[1]
    # 4 January 2027 is Scotland's substitute for 2 January
    assert second.cutoff_on == date(2026, 12, 18)


def test_summer_meetings_keep_their_uk_time(svc, coordinator):
    panel = _panel(svc, coordinator, now=_utc(2026, 6, 10, 12), schedule="day=1st tue; hour=10")
    assert _meetings(svc, panel)[0].starts_at == _utc(2026, 7, 7, 9)  # 10:00 BST


def test_settings_given_at_creation_are_used(svc, coordinator):
    panel = _panel(
        svc,
        coordinator,
        meeting_minutes=240,
        minutes_per_case=12,
        cutoff_working_days=10,
        circulation_working_days=3,
        adult_female_population=123_456,
    )
    first = _meetings(svc, panel)[0]
    assert (first.length_minutes, first.minutes_per_case) == (240, 12)
    assert (first.cutoff_on, first.circulate_on) == (date(2026, 11, 17), date(2026, 11, 26))
    assert panel.adult_female_population == 123_456


def test_cutoff_cannot_come_after_circulation(svc, coordinator):
    with pytest.raises(Invalid) as caught:
        _panel(svc, coordinator, cutoff_working_days=2, circulation_working_days=5)
    assert set(caught.value.fields) == {"cutoff_working_days"}
    svc.session.rollback()
    assert svc.session.scalars(select(Panel)).all() == []


def test_scheduling_is_idempotent_and_keeps_three_ahead_as_time_passes(svc, coordinator):
    panel = _panel(svc, coordinator)
    assert schedule_meetings(svc, panel, NOW) == []
    added = schedule_meetings(svc, panel, _utc(2026, 12, 2, 9))
    svc.session.commit()
    assert [m.starts_at for m in added] == [_utc(2027, 3, 2, 10)]
    assert len(_meetings(svc, panel)) == 4


def _referral(factory: Factory, coordinator, panel: Panel, name: str) -> Referral:
    return factory.referral(coordinator, panel, victim__first_name=name)


def _item(svc, meeting: Meeting, referral: Referral, position: int) -> None:
    svc.session.add(AgendaItem(meeting_id=meeting.id, position=position, referral_id=referral.id))
    svc.session.commit()


def test_cancelling_moves_the_agenda_to_the_next_meeting_in_order(svc, factory, coordinator):
    panel = _panel(svc, coordinator)
    first, second, third = _meetings(svc, panel)
    a, b, c, d = (_referral(factory, coordinator, panel, n) for n in ("Ann", "Bea", "Cat", "Dee"))
    statuses = {r.id: r.status for r in (a, b, c, d)}
    _item(svc, second, d, 1)
    _item(svc, second, a, 2)
    _item(svc, first, c, 1)
    _item(svc, first, a, 2)  # already on the next agenda: not listed twice
    _item(svc, first, b, 3)
    note = ResearchNote(
        meeting_id=first.id,
        referral_id=b.id,
        agency_id=coordinator.agency_id,
        text="Known to housing",
        has_information=True,
    )
    svc.session.add(note)
    svc.session.commit()
    done = cancel_meeting(svc, actor_for(coordinator), first.id, now=NOW)
    svc.session.commit()
    assert done.moved_to is not None and done.moved_to.id == second.id
    meetings = _meetings(svc, panel)
    assert meetings[0].status == "cancelled" and meetings[0].items == []
    order = [(i.position, i.referral_id) for i in meetings[1].items]
    assert order == [(1, d.id), (2, a.id), (3, c.id), (4, b.id)]
    assert meetings[1].agenda_status == "draft"
    assert svc.session.get(ResearchNote, note.id).meeting_id == second.id  # research follows
    for referral in svc.session.scalars(select(Referral)):
        assert referral.status == statuses[referral.id]
    # still three ahead, and the cancelled slot is not filled again
    ahead = [m.starts_at for m in meetings if m.status == "scheduled"]
    assert ahead == [_utc(2027, 1, 5, 10), _utc(2027, 2, 2, 10), _utc(2027, 3, 2, 10)]
    assert schedule_meetings(svc, panel, NOW) == []
    audited = svc.session.scalars(
        select(AuditEntry.record_type).where(AuditEntry.action == "update")
    ).all()
    assert audited.count("meeting") == 1 and audited.count("agenda_item") == 2


def test_cancelling_the_last_meeting_ahead_schedules_one_to_take_its_cases(
    svc, factory, coordinator
):
    panel = _panel(svc, coordinator)
    third = _meetings(svc, panel)[2]
    referral = _referral(factory, coordinator, panel, "Eve")
    _item(svc, third, referral, 1)
    done = cancel_meeting(svc, actor_for(coordinator), third.id, now=NOW)
    svc.session.commit()
    assert done.moved_to is not None and done.moved_to.starts_at == _utc(2027, 3, 2, 10)
    assert [i.referral_id for i in done.moved_to.items] == [referral.id]


def test_moving_recomputes_deadlines_and_keeps_the_slot_taken(svc, coordinator):
    panel = _panel(svc, coordinator)
    second = _meetings(svc, panel)[1]
    actor = actor_for(coordinator)
    moved = move_meeting(svc, actor, second.id, {"date": "2027-01-12", "time": "13:30"}, now=NOW)
    svc.session.commit()
    assert moved.starts_at == _utc(2027, 1, 12, 13, 30)
    assert moved.moved_from == _utc(2027, 1, 5, 10)
    assert (moved.cutoff_on, moved.circulate_on) == (date(2026, 12, 30), date(2027, 1, 5))
    # moved again: the original slot is still the one remembered
    move_meeting(svc, actor, second.id, datetime(2027, 1, 13, 10), now=NOW)
    svc.session.commit()
    assert _meetings(svc, panel)[1].moved_from == _utc(2027, 1, 5, 10)
    assert schedule_meetings(svc, panel, NOW) == []
    entry = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.record_type == "meeting")
    ).first()
    assert entry is not None and "starts_at" in entry.fields


def test_moves_into_the_past_or_onto_another_meeting_are_refused(svc, coordinator):
    panel = _panel(svc, coordinator)
    first = _meetings(svc, panel)[0]
    actor = actor_for(coordinator)
    for body in (
        {"date": "2026-11-20", "time": "10:00"},  # past
        {"date": "2027-01-05", "time": "14:00"},  # the day of the next meeting
    ):
        with pytest.raises(Invalid) as caught:
            move_meeting(svc, actor, first.id, body, now=NOW)
        assert set(caught.value.fields) == {"date"}
        svc.session.rollback()
    with pytest.raises(Invalid) as caught:
        move_meeting(svc, actor, first.id, {"date": "2027-02-30", "time": "25:00"}, now=NOW)
    assert set(caught.value.fields) == {"date", "time"}


def test_only_coordinators_and_chairs_of_member_agencies_move_or_cancel(svc, factory, coordinator):
    panel = _panel(svc, coordinator)
    first = _meetings(svc, panel)[0]
    factory.agency("HLT", "health")
    outsider = factory.user("coord@hlt.example", "HLT", ("coordinator", "chair"))
    member_rep = factory.user("rep@hsg.example", "HSG", ("agency_rep", "referrer"))
    chair = factory.user("chair@hsg.example", "HSG", ("chair",))
    with pytest.raises(NotVisible):
        cancel_meeting(svc, actor_for(outsider), first.id, now=NOW)
    with pytest.raises(Forbidden):
        cancel_meeting(svc, actor_for(member_rep), first.id, now=NOW)
    with pytest.raises(NotVisible):
        cancel_meeting(svc, actor_for(chair), "not-an-id", now=NOW)
    cancel_meeting(svc, actor_for(chair), first.id, now=NOW)
    svc.session.commit()
    with pytest.raises(Invalid) as caught:
        cancel_meeting(svc, actor_for(chair), first.id, now=NOW)
    assert caught.value.code == "meeting_not_scheduled"


def test_a_new_cadence_replaces_untouched_meetings_only(svc, factory, coordinator):
    panel = _panel(svc, coordinator)
    first, second, _ = _meetings(svc, panel)
    _item(svc, second, _referral(factory, coordinator, panel, "Fay"), 1)
    update_panel(
        svc, actor_for(coordinator), panel.id, {"schedule": "day=3rd thu; hour=14"}, now=NOW
    )
    svc.session.commit()
    starts = [m.starts_at for m in _meetings(svc, panel)]
    # the meeting with an agenda stays for the coordinator to move; the rest follow the rule
    assert starts == [_utc(2026, 12, 17, 14), _utc(2027, 1, 5, 10), _utc(2027, 1, 21, 14)]


def test_new_deadline_settings_apply_to_future_meetings(svc, coordinator):
    panel = _panel(svc, coordinator)
    update_panel(
        svc,
        actor_for(coordinator),
        panel.id,
        {"cutoff_working_days": 10, "minutes_per_case": 20, "nation": "scotland"},
        now=NOW,
    )
    svc.session.commit()
    first = _meetings(svc, panel)[0]
    # ten working days before 1 December, skipping St Andrew's Day (30 November)
    assert (first.cutoff_on, first.minutes_per_case) == (date(2026, 11, 16), 20)


def test_an_inactive_panel_keeps_no_empty_meetings(svc, coordinator):
    panel = _panel(svc, coordinator)
    update_panel(svc, actor_for(coordinator), panel.id, {"active": False}, now=NOW)
    svc.session.commit()
    assert _meetings(svc, panel) == []
    assert schedule_meetings(svc, panel, NOW) == []


# --- API --------------------------------------------------------------------------------------


def test_meetings_api_answers_members_and_hides_the_panel_from_others(client, factory, svc):
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    member = bearer(factory.token(factory.user("rep@pol.example", "POL", ("agency_rep",))))
    outsider = bearer(factory.token(factory.user("c@hlt.example", "HLT", ("coordinator",))))
    panel = factory.panel(("POL",))
    listed = client.get(f"/api/v1/panels/{panel.id}/meetings", headers=member)
    assert listed.status_code == 200
    assert len(listed.json) == 3
    first = listed.json[0]
    assert {"id", "date", "status", "cutoff_on", "circulate_on", "time"} <= set(first)
    assert first["status"] == "scheduled"
    assert date.fromisoformat(first["date"]) > date.fromisoformat(first["cutoff_on"])
    for headers, url in (
        (outsider, f"/api/v1/panels/{panel.id}/meetings"),
        (member, "/api/v1/panels/not-an-id/meetings"),
        (member, "/api/v1/panels/00000000-0000-0000-0000-000000000000/meetings"),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404
        assert response.json == {"error": {"code": "not_found", "message": "Not found"}}


def test_panel_settings_change_through_the_api(client, factory, svc):
    factory.agency("POL", "police")
    factory.agency("HSG", "housing")
    factory.agency("HLT", "health")
    coordinator = bearer(factory.token(factory.user("c@pol.example", "POL", ("coordinator",))))
    stranger = bearer(factory.token(factory.user("c@hlt.example", "HLT", ("coordinator",))))
    rep = bearer(factory.token(factory.user("r@pol.example", "POL", ("agency_rep",))))
    admin = bearer(factory.token(factory.user("a@hlt.example", "HLT", ("admin",))))
    created = client.post(
        "/api/v1/panels",
        headers=coordinator,
        json={
            "kind": "marac",
            "name": "North MARAC",
            "area": "North",
            "agencies": ["POL"],
            "schedule": "day=1st tue; hour=10",
        },
    )
    assert created.status_code == 201
    assert created.json["minutes_per_case"] == 15 and created.json["cutoff_working_days"] == 8
    url = f"/api/v1/panels/{created.json['id']}"
    changed = client.patch(
        url, headers=coordinator, json={"minutes_per_case": 20, "agencies": ["POL", "HSG"]}
    )
    assert changed.status_code == 200
    assert changed.json["minutes_per_case"] == 20 and changed.json["agencies"] == ["HSG", "POL"]
    meetings = client.get(f"{url}/meetings", headers=coordinator).json
    assert {m["minutes_per_case"] for m in meetings} == {20}
    assert client.patch(url, headers=stranger, json={"name": "X"}).status_code == 404
    assert client.patch(url, headers=rep, json={"name": "X"}).status_code == 403
    bad = client.patch(
        url, headers=coordinator, json={"circulation_working_days": 9, "kind": "ppo"}
    )
    assert bad.status_code == 422  # every bad field named at once
    assert set(bad.json["error"]["fields"]) == {"kind", "cutoff_working_days"}
    assert client.patch(url, headers=admin, json={"area": "North and East"}).status_code == 200
    assert client.get(url, headers=coordinator).json["area"] == "North and East"


def test_move_and_cancel_through_the_api(client, factory, svc):
    factory.agency("POL", "police")
    coordinator = factory.user("c@pol.example", "POL", ("coordinator",))
    headers = bearer(factory.token(coordinator))
    panel = factory.panel(("POL",))
    first, second, _ = client.get(f"/api/v1/panels/{panel.id}/meetings", headers=headers).json
    day = (date.fromisoformat(first["date"]) + timedelta(days=1)).isoformat()
    moved = client.post(
        f"/api/v1/meetings/{first['id']}/move",
        headers=headers,
        json={"date": day, "time": "09:30"},
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["date"], moved.json["time"]) == (day, "09:30")
    assert moved.json["moved_from"].startswith(first["date"])
    refused = client.post(f"/api/v1/meetings/{first['id']}/move", headers=headers, json={})
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"date", "time"}
    cancelled = client.post(f"/api/v1/meetings/{second['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled" and cancelled.json["items_moved_to"]
