"""The scheduler's jobs with the clock moved forward (no sleeping): each due time is handled
exactly once, through restarts, missed runs and failures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.bootstrap import build_services
from casework.scheduler.service import tick
from tests.scheduler.world import T0, World, at, build_world


@pytest.fixture()
def world(svc, factory, monkeypatch) -> World:
    return build_world(svc, factory, monkeypatch)


def _done(outcomes, prefix: str) -> list:
    return [o for o in outcomes if o.job.startswith(prefix) and o.status == "done"]


def test_the_draft_agenda_is_built_the_morning_after_cutoff_and_the_coordinator_told(world):
    first = world.meetings()[0]
    assert first.cutoff_on == date(2026, 11, 19)
    tick(world.svc, T0)
    tick(world.svc, at(11, 20, 6, 59))
    assert world.drafts == []
    outcomes = tick(world.svc, at(11, 20, 7, 0))
    assert world.drafts == [first.id]
    assert [o.job for o in _done(outcomes, "agenda_draft")] == [f"agenda_draft:{first.id}"]
    (message,) = world.outbox()
    assert message.to_address == "coord@pol.example"  # not the coordinator of another panel
    assert message.subject == "Draft agenda ready: North MARAC, Tuesday 1 December 2026"
    assert "The draft agenda for North MARAC on Tuesday 1 December 2026 is ready" in message.body
    assert f"http://127.0.0.1:5000/panels/{world.panel.id}" in message.body
    # later ticks, and a "restarted" scheduler, do not build or tell again
    tick(world.svc, at(11, 20, 7, 1))
    tick(build_services(world.svc.settings), at(11, 21, 9))
    assert world.drafts == [first.id] and len(world.outbox()) == 1


def test_publish_reminder_only_when_the_agenda_is_still_unpublished(world):
    first, second, _ = world.meetings()
    tick(world.svc, T0)
    tick(world.svc, at(11, 24, 7, 59))
    assert not any(m.subject.startswith("Agenda not yet") for m in world.outbox())
    tick(world.svc, at(11, 24, 8, 0))
    reminders = [m for m in world.outbox() if m.subject.startswith("Agenda not yet published")]
    assert [m.to_address for m in reminders] == ["coord@pol.example"]
    assert "due to be circulated today" in reminders[0].body
    # the next meeting's agenda goes out on time: no reminder at its circulation date
    world.set_meeting(second.id, agenda_status="published")
    tick(world.svc, at(12, 24, 9, 0))
    subjects = [m.subject for m in world.outbox() if m.subject.startswith("Agenda not yet")]
    assert subjects == ["Agenda not yet published: North MARAC, Tuesday 1 December 2026"]


def test_minutes_reminder_once_after_the_meeting_is_held(world):
    first = world.meetings()[0]
    assert first.minutes_due_on == date(2026, 12, 4)
    tick(world.svc, T0)
    tick(world.svc, at(12, 4, 9))  # not yet marked as held: nothing yet, nothing claimed
    assert not world.runs("minutes_reminder")
    world.set_meeting(first.id, status="held")
    tick(world.svc, at(12, 4, 10))
    tick(world.svc, at(12, 5, 10))
    minutes = [m for m in world.outbox() if m.subject.startswith("Minutes due")]
    assert sorted(m.to_address for m in minutes) == ["chair@hsg.example", "coord@pol.example"]
    assert len(world.runs("minutes_reminder")) == 1


def test_overdue_actions_one_email_per_representative_per_day(world):
    world.action("HSG", date(2026, 11, 12))
    world.action("HSG", date(2026, 11, 13))
    world.action("HSG", date(2026, 11, 9), status="done")
    world.action("POL", date(2026, 11, 30))  # not yet due
    tick(world.svc, at(11, 14, 9))  # first start: today's 08:00 run
    overdue = [m for m in world.outbox() if m.subject.startswith("Overdue actions")]
    assert sorted(m.to_address for m in overdue) == ["rep1@hsg.example", "rep2@hsg.example"]
    assert overdue[0].subject == "Overdue actions: 2 actions"
    assert {m.dedupe_key.split(":")[2] for m in overdue} == {"20261114"}
    tick(world.svc, at(11, 14, 18))  # same day: nothing more
    assert len([m for m in world.outbox() if m.subject.startswith("Overdue")]) == 2
    tick(world.svc, at(11, 15, 8, 30))  # next day: again
    assert len([m for m in world.outbox() if m.subject.startswith("Overdue")]) == 4


def test_a_missed_run_catches_up_every_due_time_once(world):
    first = world.meetings()[0]
    world.action("HSG", date(2026, 11, 12))
    tick(world.svc, at(11, 19, 9))
    assert len(world.runs("overdue_actions")) == 1
    # the scheduler was down until the 25th: the cut-off (20th 07:00), the circulation
    # reminder (24th 08:00) and six daily overdue runs (20th to 25th) were all missed
    outcomes = tick(world.svc, at(11, 25, 9))
    assert world.drafts == [first.id]
    assert len(_done(outcomes, "publish_reminder")) == 1
    days = [o.due_at.date() for o in _done(outcomes, "overdue_actions")]
    assert days == [date(2026, 11, d) for d in range(20, 26)]
    dated = {m.dedupe_key.split(":")[2] for m in world.outbox() if m.subject.startswith("Overdue")}
    assert dated == {f"202611{d}" for d in range(19, 26)}
    # keeping meetings ahead and sending mail coalesce: one run covers the hours missed
    assert len(_done(outcomes, "keep_meetings")) == 1
    again = tick(world.svc, at(11, 25, 9, 0, 30))
    assert [o for o in again if o.job != "send_outbox"] == []


def test_keep_meetings_tops_up_each_panel_as_meetings_pass(world):
    tick(world.svc, T0)
    outcomes = tick(world.svc, at(12, 1, 11))  # the first meeting has started
    assert [o.detail for o in _done(outcomes, "keep_meetings")] == ["meetings added: 1"]
    starts = [m.starts_at for m in world.meetings()]
    assert starts[-1] == at(3, 2, 10, year=2027) and len(starts) == 4


def test_a_failed_run_is_recorded_by_class_and_tried_again_later(world, monkeypatch):
    calls = []

    def broken(svc, meeting, actor=None):
        calls.append(meeting.id)
        if len(calls) == 1:
            raise ValueError("Jane Doe, 1 High Street")  # a message that must not be stored
        return []

    monkeypatch.setattr("casework.meetings.agenda.build_draft", broken)
    tick(world.svc, T0)
    outcomes = tick(world.svc, at(11, 20, 7))
    failed = [o for o in outcomes if o.status == "failed"]
    assert [o.job.split(":")[0] for o in failed] == ["agenda_draft"]
    (run,) = world.runs("agenda_draft")
    assert (run.status, run.detail) == ("failed", "ValueError")
    assert world.outbox() == []  # the work rolled back with the failure
    tick(world.svc, at(11, 20, 7, 2))  # too soon to retry
    assert len(calls) == 1
    tick(world.svc, at(11, 20, 7, 6))
    assert len(calls) == 2
    (run,) = world.runs("agenda_draft")
    assert run.status == "done"
    assert len(world.outbox()) == 1


def test_a_run_abandoned_by_a_dead_process_is_taken_over_after_its_lease(world):
    from casework.scheduler import runs

    first = world.meetings()[0]
    due = at(11, 20, 7)
    tick(world.svc, T0)
    # another process claimed the draft at 07:00 and died before finishing
    assert runs.claim(world.svc.db, world.svc.settings, f"agenda_draft:{first.id}", due, due)
    tick(world.svc, due + timedelta(minutes=10))
    assert world.drafts == []
    tick(world.svc, due + timedelta(minutes=31))
    assert world.drafts == [first.id]


def test_moving_a_meeting_makes_its_new_cutoff_due_again(world):
    from casework.meetings.schedule import move_meeting

    first = world.meetings()[0]
    tick(world.svc, T0)
    tick(world.svc, at(11, 20, 7))
    assert world.drafts == [first.id]
    move_meeting(
        world.svc,
        world.actors["coord@pol.example"],
        first.id,
        {"date": "2026-12-08", "time": "10:00"},
        now=at(11, 20, 9),
    )
    world.svc.session.commit()
    tick(world.svc, at(11, 27, 7))  # new cut-off Thursday 26 November
    assert world.drafts == [first.id, first.id]
    assert len([m for m in world.outbox() if m.subject.startswith("Draft")]) == 2


def test_every_job_reloads_the_key_ring_first(world, monkeypatch):
    reloads = []
    monkeypatch.setattr(
        "casework.scheduler.service.reload_keyring_if_changed", lambda: reloads.append(1)
    )
    outcomes = tick(world.svc, at(11, 20, 7))
    assert len(reloads) == len(outcomes) >= 4
