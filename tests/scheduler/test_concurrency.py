"""Two scheduler processes at once: each with its own engine and connection pool (as separate
processes have), ticking through the same moments together. Every job and due time runs
exactly once between them, and every e-mail is queued once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest

from casework.bootstrap import build_services
from casework.meetings.models import Meeting
from casework.scheduler.service import Outcome, tick
from casework.services import Services
from tests.scheduler.world import T0, World, at, build_world

MOMENTS = [
    T0,
    at(11, 19, 9),  # minutes of the earlier meeting due (13th), overdue actions
    at(11, 20, 7),  # the morning after cut-off: draft agenda
    at(11, 20, 7, 0),  # the same moment again: a tick that finds nothing new
    at(11, 24, 8),  # circulation: publish reminder
    at(11, 27, 9),  # a missed run: three days of overdue reminders at once
    at(12, 1, 11),  # the meeting has started: one meeting added to keep three ahead
]


@pytest.fixture()
def world(svc, factory, monkeypatch) -> World:
    world = build_world(svc, factory, monkeypatch)
    # an earlier meeting, already held, whose minutes fall due on Friday 13 November
    svc.session.add(
        Meeting(
            panel_id=world.panel.id,
            starts_at=at(11, 10, 10),
            status="held",
            minutes_due_on=date(2026, 11, 13),
        )
    )
    svc.session.commit()
    world.action("HSG", date(2026, 11, 12))
    return world


def _run(svc: Services, barrier: threading.Barrier, out: list[Outcome], errors: list) -> None:
    try:
        for moment in MOMENTS:
            barrier.wait(timeout=60)
            out.extend(tick(svc, moment))
    except BaseException as exc:  # surfaced by the test, not lost in the thread
        errors.append(exc)
        barrier.abort()
    finally:
        svc.db.session.remove()


def test_two_schedulers_together_run_each_job_and_due_time_once(world: World) -> None:
    first = world.meetings()[1]  # 1 December (index 0 is the held meeting of 10 November)
    other = build_services(world.svc.settings)  # the second "process"
    try:
        barrier = threading.Barrier(2)
        results: list[list[Outcome]] = [[], []]
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_run, args=(svc, barrier, results[i], errors))
            for i, svc in enumerate((world.svc, other))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert errors == []
    finally:
        other.db.dispose()

    outcomes = results[0] + results[1]
    assert results[0] and results[1], "both schedulers took part"
    assert [o for o in outcomes if o.status != "done"] == []
    runs = Counter((o.job, o.due_at) for o in outcomes)
    assert [key for key, n in runs.items() if n > 1] == []  # nothing ran twice
    assert {(r.job, r.due_at) for r in world.runs()} == set(runs)  # and every claim ran
    assert all(r.status == "done" for r in world.runs())

    assert world.drafts == [first.id]
    by_kind = Counter(m.subject.split(":")[0] for m in world.outbox())
    assert by_kind == {
        "Draft agenda ready": 1,  # the panel's one coordinator
        "Agenda not yet published": 1,
        "Minutes due": 2,  # coordinator and chair
        # two representatives, each day the action was overdue (due the 12th) that a tick saw
        # or caught up: 13 November to 1 December is 19 days
        "Overdue actions": 2 * 19,
    }
    overdue_days = [o.due_at.date() for o in outcomes if o.job == "overdue_actions"]
    assert sorted(overdue_days) == sorted(set(overdue_days))
    assert len(world.meetings()) == 5  # the held one, and three ahead of 1 December
