"""PPO classification reviews: when a review is due, overdue flags, reclassification at a
meeting with its full history, and review items on the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.offenders.agenda import meeting_offender_items, offender_agenda_items
from casework.offenders.classification import history, reclassify, review_list, reviews
from casework.offenders.models import Classification
from casework.services import Services
from tests.offenders.conftest import World
from tests.offenders.panel_data import D, classify, meeting, person


def test_a_review_is_due_four_weeks_after_the_last_classification(
    svc: Services, world: World
) -> None:
    panel = world.panels["ppo"]
    a = person(world, 0, "2026-01-05")
    classify(svc, panel, a, "cc", "2026-02-01")
    classify(svc, panel, a, "rr", "2026-10-01")
    b = person(world, 1, "2026-09-01")  # never classified: due from entry
    (due,) = [r for r in reviews(svc, panel, D("2026-10-28")) if r.nominal_id == a.id]
    assert (due.classification, due.classified_on, due.due_on) == (
        "rr",
        D("2026-10-01"),
        D("2026-10-29"),
    )
    assert [r.nominal_id for r in reviews(svc, panel, D("2026-10-28"), due_only=True)] == [b.id]
    assert {r.nominal_id for r in reviews(svc, panel, D("2026-10-29"), due_only=True)} == {
        a.id,
        b.id,
    }
    assert reviews(svc, world.panels["iom"], D("2026-10-29")) == []  # PPO only


def test_overdue_reviews_are_flagged_until_a_newer_classification(
    svc: Services, world: World
) -> None:
    panel = world.panels["ppo"]
    a = person(world, 0, "2026-01-05")
    classify(svc, panel, a, "cc", "2026-09-01")
    coordinator = world.actor("coordinator")
    (row,) = review_list(svc, coordinator, panel.id, today=D("2026-09-29"))["reviews"]
    assert (row["due_on"], row["overdue"]) == (D("2026-09-29"), False)
    (row,) = review_list(svc, coordinator, panel.id, today=D("2026-09-30"))["reviews"]
    assert row["overdue"] is True and row["first_name"] == "PersonA"
    classify(svc, panel, a, "cc", "2026-09-30")
    (row,) = review_list(svc, coordinator, panel.id, today=D("2026-09-30"))["reviews"]
    assert (row["due_on"], row["overdue"]) == (D("2026-10-28"), False)
    with pytest.raises(Forbidden):
        review_list(svc, world.actor("police"), panel.id)


def test_the_panel_reclassifies_at_a_meeting_with_who_when_why(svc: Services, world: World) -> None:
    panel = world.panels["ppo"]
    a = person(world, 0, "2026-01-05")
    classify(svc, panel, a, "cc", "2026-08-01")
    held = meeting(svc, panel, clock.today() - timedelta(days=2))
    decision = reclassify(
        svc, world.actor("coordinator"), a.id, held.id, "rr", "Engaging with drug treatment"
    )
    svc.session.commit()
    assert (decision.classification, decision.meeting_id) == ("rr", held.id)
    assert decision.decided_on == clock.today() - timedelta(days=2)
    assert decision.decided_by_id == world.users["coordinator"].id
    story = history(svc, world.actor("housing"), a.id)
    newest = story["decisions"][0]
    assert newest["classification"] == "rr"
    assert newest["reason"] == "Engaging with drug treatment"
    assert newest["decided_by"] == "Coord"
    assert newest["meeting_date"] == decision.decided_on
    assert [d["classification"] for d in story["decisions"]] == ["rr", "cc"]
    logged = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.record_id == str(a.id))
    ).all()
    assert any("classification.reason" in e.fields for e in logged)
    assert all("Engaging" not in str(e.fields) for e in logged)


def test_reclassification_is_refused_properly(svc: Services, world: World) -> None:
    panel = world.panels["ppo"]
    a = person(world, 0, "2026-01-05")
    held = meeting(svc, panel, clock.today() - timedelta(days=2))
    with pytest.raises(Forbidden):
        reclassify(svc, world.actor("police"), a.id, held.id, "rr", "Engaging")
    with pytest.raises(NotVisible):
        reclassify(svc, world.actor("outsider"), a.id, held.id, "rr", "Engaging")
    with pytest.raises(Invalid) as caught:
        reclassify(svc, world.actor("coordinator"), a.id, held.id, None, " ")
    assert set(caught.value.fields) == {"classification", "reason"}
    future = meeting(svc, panel, clock.today() + timedelta(days=5))
    with pytest.raises(Invalid) as caught:
        reclassify(svc, world.actor("coordinator"), a.id, future.id, "rr", "Engaging")
    assert caught.value.code == "meeting_not_held"
    other = person(world, 1, "2026-01-05", panel="iom")  # not in the PPO cohort
    with pytest.raises(Invalid) as caught:
        reclassify(svc, world.actor("coordinator"), other.id, held.id, "rr", "Engaging")
    assert "panel_id" in caught.value.fields
    assert svc.session.scalar(select(Classification.id)) is None


def test_due_reviews_go_on_the_agenda_and_are_decided_there(svc: Services, world: World) -> None:
    panel = world.panels["ppo"]
    a = person(world, 0, "2026-01-05")
    fresh = person(world, 1, "2026-01-05")
    classify(svc, panel, a, "cc", (clock.today() - timedelta(weeks=5)).isoformat())
    classify(svc, panel, fresh, "rr", (clock.today() - timedelta(days=3)).isoformat())
    today = meeting(svc, panel, clock.today())
    added = offender_agenda_items(svc, today)
    svc.session.commit()
    assert [(i.kind, i.nominal_id) for i in added] == [("review", a.id)]
    page = meeting_offender_items(svc, world.actor("coordinator"), today.id)
    (row,) = page["reviews"]
    assert (row["classification"], row["overdue"], row["decided_here"]) == ("cc", True, None)
    reclassify(svc, world.actor("coordinator"), a.id, today.id, "rr", "Now engaging")
    page = meeting_offender_items(svc, world.actor("coordinator"), today.id)
    (row,) = page["reviews"]
    assert (row["classification"], row["overdue"], row["decided_here"]) == ("rr", False, "rr")
