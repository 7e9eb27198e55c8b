"""The targeting matrix: hand-worked scores, the ranked list through the sharing engine,
decisions at a meeting, and candidates on the draft agenda."""

from __future__ import annotations

import importlib
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import clock
from casework.audit.models import AuditEntry
from casework.crypto import fields as crypto_fields
from casework.crypto import indexes as crypto_indexes
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings.agenda import build_draft
from casework.meetings.models import AgendaItem
from casework.offenders.agenda import offender_agenda_items
from casework.offenders.models import CohortMembership, Nominal, TargetingDecision
from casework.offenders.targeting import candidate_list, decide_candidate, matrix, ranked
from casework.services import Services
from casework.settings import ConfigError
from tests.offenders.conftest import World
from tests.offenders.panel_data import classify, event, meeting, person

T = date(2026, 6, 30)  # "today" for scores; a year of events runs from 30 June 2025


def _scored(svc: Services, world: World, on: date = T) -> dict[str, Nominal]:
    """X (IOM) scores 32 by hand on T; Y (IOM) 7; Z is already in the PPO cohort.
    ``on`` moves every event by as many days as it is from T (the entries stay put)."""

    def at(day: str) -> str:
        return (on - (T - date.fromisoformat(day))).isoformat()

    def ev(who: Nominal, day: str, **kw: Any) -> None:
        event(svc, who, at(day), **kw)

    x = person(world, 0, "2025-01-01", panel="iom")
    ev(x, "2026-06-01", category="burglary", outcome="conviction")  # (6+3) x2 = 18
    ev(x, "2026-01-10", category="shoplifting", outcome="arrest")  # (2+1) x1 = 3
    ev(x, "2026-05-01", kind="intelligence")  # 1 x2 = 2
    ev(x, "2025-09-01", kind="warrant")  # 3
    ev(x, "2025-12-01", kind="drug_test", positive=True)  # 2
    ev(x, "2026-06-02", kind="drug_test", positive=False)  # 0
    ev(x, "2026-03-30", category="other", outcome="no_further_action")  # 1 x2: 3 months
    ev(x, "2026-03-29", category="other", outcome="no_further_action")  # 1 x1
    ev(x, "2025-06-30", kind="intelligence")  # 1: exactly 12 months ago counts
    ev(x, "2025-06-29", category="robbery")  # a day too old
    y = person(world, 1, "2025-01-01", panel="iom")
    ev(y, "2026-02-02", category="violence", outcome="charge")  # 5 + 2 = 7
    z = person(world, 2, "2025-01-01", panel="ppo")
    ev(z, "2026-06-01", category="robbery", outcome="conviction")
    return {"x": x, "y": y, "z": z}


@pytest.fixture()
def scored(svc: Services, world: World) -> dict[str, Nominal]:
    """The hand-worked data as of T."""
    return _scored(svc, world)


@pytest.fixture()
def scored_now(svc: Services, world: World) -> dict[str, Nominal]:
    """The same events moved to end on the clock's today, for the agenda a meeting gets now:
    X still well ahead of Y, both inside the 12 months whatever day the suite runs on."""
    return _scored(svc, world, clock.today())


def test_scores_are_worked_out_in_sql_as_by_hand(svc: Services, world: World, scored) -> None:
    rows = ranked(svc, world.panels["ppo"].id, T)
    assert [(r.nominal_id, r.score) for r in rows] == [(scored["x"].id, 32), (scored["y"].id, 7)]
    assert rows[0].events == 9  # the robbery a day too old is not in the window
    assert rows[0].last_event == date(2026, 6, 2)


def test_the_coordinator_sees_the_ranked_list_with_its_breakdown(
    svc: Services, world: World, scored
) -> None:
    data = candidate_list(svc, world.actor("coordinator"), world.panels["ppo"].id, today=T)
    first, second = data["candidates"]
    assert (first["rank"], first["first_name"], first["score"]) == (1, "PersonA", 32)
    assert "restricted" not in first
    lines = {line["what"]: line for line in first["breakdown"]}
    assert lines["burglary"] == {
        "kind": "offence",
        "what": "burglary",
        "events": 1,
        "recent": 1,
        "points": 18,
    }
    assert lines["other"]["events"] == 2 and lines["other"]["points"] == 3
    assert lines["intelligence"]["points"] == 3
    assert lines["drug_test"] == {
        "kind": "drug_test",
        "what": "drug_test",
        "events": 1,
        "recent": 0,
        "points": 2,
    }
    assert second["score"] == 7
    assert "z" not in {c["nominal_id"] for c in data["candidates"]}
    svc.session.commit()  # as a request ends: the transaction writes its audit entries
    logged = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "list", AuditEntry.record_type == "nominal")
    ).all()
    assert {e.record_id for e in logged} == {str(scored["x"].id), str(scored["y"].id)}
    assert all("targeting_score" in e.fields and "first_name" in e.fields for e in logged)


def test_a_candidate_the_agency_may_not_see_is_left_out(svc: Services, world: World) -> None:
    # entered on Prevent and Deter at 17, an adult on T: a PPO candidate with a youth record
    grown = world.nominal("pd", date_of_birth="2008-03-01", entry_date="2026-01-05")
    event(svc, grown, "2026-06-01", category="robbery", outcome="charge")
    police = candidate_list(svc, world.actor("coordinator"), world.panels["ppo"].id, today=T)
    housing = candidate_list(
        svc, world.actor("housing_coordinator"), world.panels["ppo"].id, today=T
    )
    assert police["candidates"][0]["first_name"] == "Kai"
    assert police["candidates"][0]["score"] == 16
    assert housing["candidates"] == []  # no placeholder, no rank, no id


def test_only_a_coordinator_or_chair_of_a_member_agency_gets_the_list(
    svc: Services, world: World, scored
) -> None:
    with pytest.raises(Forbidden):
        candidate_list(svc, world.actor("police"), world.panels["ppo"].id, today=T)
    with pytest.raises(NotVisible):
        candidate_list(svc, world.actor("outsider"), world.panels["ppo"].id, today=T)
    with pytest.raises(NotVisible):
        candidate_list(svc, world.actor("coordinator"), world.panels["marac"].id, today=T)


def test_selection_enters_the_cohort_from_the_meeting_date(
    svc: Services, world: World, scored
) -> None:
    panel = world.panels["ppo"]
    held = meeting(svc, panel, T)
    decision = decide_candidate(
        svc,
        world.actor("coordinator"),
        held.id,
        scored["x"].id,
        {"decision": "selected", "reason": "Prolific burglar, agreed by all agencies"},
    )
    svc.session.commit()
    assert (decision.score, decision.decided_on, decision.meeting_id) == (32, T, held.id)
    assert decision.reason == "Prolific burglar, agreed by all agencies"
    spell = svc.session.scalar(
        select(CohortMembership).where(
            CohortMembership.nominal_id == scored["x"].id, CohortMembership.panel_id == panel.id
        )
    )
    assert (spell.entry_date, spell.meeting_id) == (T, held.id)
    assert scored["x"].id not in {r.nominal_id for r in ranked(svc, panel.id, T)}
    again = {"decision": "rejected", "reason": "Changed our minds"}
    with pytest.raises(Invalid) as caught:
        decide_candidate(svc, world.actor("coordinator"), held.id, scored["x"].id, again)
    assert caught.value.code == "in_cohort"


def test_rejection_needs_a_reason_and_is_recorded_once(svc: Services, world: World, scored) -> None:
    held = meeting(svc, world.panels["ppo"], T)
    chair = world.actor("coordinator")
    with pytest.raises(Invalid) as caught:
        decide_candidate(svc, chair, held.id, scored["y"].id, {"decision": "rejected"})
    assert set(caught.value.fields) == {"reason"}
    decide_candidate(
        svc, chair, held.id, scored["y"].id, {"decision": "rejected", "reason": "Engaging well"}
    )
    with pytest.raises(Invalid) as caught:
        decide_candidate(
            svc, chair, held.id, scored["y"].id, {"decision": "selected", "reason": "Again"}
        )
    assert caught.value.code == "already_decided"
    assert svc.session.scalar(select(TargetingDecision.decision)) == "rejected"


def test_decisions_need_the_right_people_and_a_held_meeting(
    svc: Services, world: World, scored
) -> None:
    panel = world.panels["ppo"]
    held = meeting(svc, panel, T)
    body = {"decision": "selected", "reason": "Agreed"}
    with pytest.raises(Forbidden):
        decide_candidate(svc, world.actor("police"), held.id, scored["x"].id, body)
    with pytest.raises(NotVisible):
        decide_candidate(svc, world.actor("outsider"), held.id, scored["x"].id, body)
    with pytest.raises(NotVisible):
        decide_candidate(svc, world.actor("coordinator"), held.id, "not-an-id", body)
    future = meeting(svc, panel, clock.today() + timedelta(days=7))
    with pytest.raises(Invalid) as caught:
        decide_candidate(svc, world.actor("coordinator"), future.id, scored["x"].id, body)
    assert caught.value.code == "meeting_not_held"


def test_iom_selection_needs_the_cohort(svc: Services, world: World) -> None:
    n = person(world, 3, "2025-01-01", panel="ppo")
    event(svc, n, "2026-06-01")
    held = meeting(svc, world.panels["iom"], T)
    coordinator = world.actor("coordinator")
    with pytest.raises(Invalid) as caught:
        decide_candidate(svc, coordinator, held.id, n.id, {"decision": "selected", "reason": "x"})
    assert set(caught.value.fields) == {"cohort"}
    body = {"decision": "selected", "reason": "Neighbourhood crime", "cohort": "fixed"}
    decide_candidate(svc, coordinator, held.id, n.id, body)
    spell = svc.session.scalar(
        select(CohortMembership).where(CohortMembership.panel_id == world.panels["iom"].id)
    )
    assert spell.cohort == "fixed"


def test_the_draft_agenda_gets_reviews_and_top_candidates_once(
    svc: Services, world: World, scored_now, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = world.panels["ppo"]
    long_ago = (clock.today() - timedelta(weeks=20)).isoformat()
    classify(svc, panel, scored_now["z"], "cc", long_ago)  # review long due
    monkeypatch.setitem(svc.settings, "TARGETING_AGENDA_CANDIDATES", 1)  # type: ignore[arg-type]
    coming = meeting(svc, panel, clock.today() + timedelta(days=10))
    added = offender_agenda_items(svc, coming)
    svc.session.commit()
    assert [(i.kind, i.nominal_id) for i in added] == [
        ("review", scored_now["z"].id),
        ("candidate", scored_now["x"].id),  # top 1 only
    ]
    assert offender_agenda_items(svc, coming) == []  # idempotent
    elsewhere = meeting(svc, panel, clock.today() + timedelta(days=40))
    later = offender_agenda_items(svc, elsewhere)
    # X is proposed at the first meeting already, so the second proposes Y.
    assert ("candidate", scored_now["y"].id) in [(i.kind, i.nominal_id) for i in later]
    marac = meeting(svc, world.panels["marac"], clock.today() + timedelta(days=10))
    assert offender_agenda_items(svc, marac) == []


def test_build_draft_lists_offender_items_for_offender_panels(
    svc: Services, world: World, scored_now
) -> None:
    coming = meeting(svc, world.panels["ppo"], clock.today() + timedelta(days=10))
    items = build_draft(svc, coming)
    svc.session.commit()
    kinds = [(i.kind, i.nominal_id) for i in items if i.nominal_id]
    assert ("candidate", scored_now["x"].id) in kinds and ("review", scored_now["z"].id) in kinds
    again = build_draft(svc, coming)
    assert len(again) == len(items)


def test_a_recent_rejection_keeps_a_candidate_off_the_draft(
    svc: Services, world: World, scored_now
) -> None:
    panel = world.panels["ppo"]
    held = meeting(svc, panel, clock.today() - timedelta(days=3))
    decide_candidate(
        svc,
        world.actor("coordinator"),
        held.id,
        scored_now["x"].id,
        {"decision": "rejected", "reason": "Engaging with probation"},
    )
    coming = meeting(svc, panel, clock.today() + timedelta(days=10))
    added = offender_agenda_items(svc, coming)
    assert scored_now["x"].id not in {i.nominal_id for i in added if i.kind == "candidate"}
    y_item = select(AgendaItem.id).where(AgendaItem.nominal_id == scored_now["y"].id)
    assert svc.session.scalar(y_item)


def test_the_matrix_refuses_weights_that_are_not_whole_numbers() -> None:
    with pytest.raises(ConfigError, match="categories.burglary"):
        matrix({"TARGETING_MATRIX": {"categories": {"burglary": 1.5}}})
    with pytest.raises(ConfigError, match="recency.multiplier"):
        matrix({"TARGETING_MATRIX": {"recency": [{"months": 3, "multiplier": 0}]}})
    assert matrix({"TARGETING_MATRIX": {}}).window_months == 12


def test_the_benchmark_runs_at_its_smallest_size(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = Path(__file__).resolve().parents[2] / "bench"
    monkeypatch.syspath_prepend(str(bench))
    monkeypatch.setattr(crypto_fields, "_ring", crypto_fields._ring)
    monkeypatch.setattr(crypto_fields, "_source", crypto_fields._source)
    monkeypatch.setattr(crypto_indexes, "_bits", crypto_indexes._bits)
    module = importlib.import_module("bench_targeting")
    try:
        figures = module.main(["--tiny", "--repeat", "1"])
    finally:
        sys.modules.pop("bench_targeting", None)
    assert figures["scored_nominals"] > 0
    assert figures["candidate_list_median_ms"] > 0
