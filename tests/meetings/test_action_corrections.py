"""Correcting and deleting actions: who may, what the history keeps (encrypted), who sees it
(the owner, and an agency the action was moved from), and where a deleted action no longer
appears (open lists, overdue reminders, later agendas' review items)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import action_changes, tracking
from casework.meetings.agenda import build_draft
from casework.meetings.models import ActionChange, AgendaItem, CaseAction
from casework.scheduler.jobs import remind_overdue_actions
from tests.meetings.conduct_setup import TODAY, Partnership, partnership

NEW_WHAT = "Fit a door alarm at the victim's mother's address"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _action(p: Partnership, owner: str = "HSG", due=None) -> CaseAction:
    meeting = p.meeting(cases=1)
    return p.action(meeting, p.referrals[0], owner=owner, due=due)


def _correct(p: Partnership, act: CaseAction, who: str = "chair", **body) -> CaseAction:
    done = action_changes.correct_action(p.svc, p.actor(who), act.id, body)
    p.svc.session.commit()
    return done


def test_a_correction_is_kept_encrypted_audited_by_name_and_shown_to_the_owner(p):
    act = _action(p)
    new_due = TODAY + timedelta(days=30)
    _correct(p, act, description=NEW_WHAT, due_on=new_due.isoformat(), owner_agency="HSG")
    assert act.description == NEW_WHAT and act.due_on == new_due
    (change,) = p.svc.session.scalars(select(ActionChange)).all()
    assert change.kind == "corrected" and change.fields == ["description", "due_date"]
    assert change.before == {
        "description": "Arrange a safe move",
        "due_date": (TODAY + timedelta(days=14)).isoformat(),
    }
    raw = p.svc.session.execute(text("SELECT before, after FROM case_action_changes")).one()
    assert b"safe move" not in bytes(raw[0]) and NEW_WHAT.encode() not in bytes(raw[1])
    [entry] = p.audits("action", "update", act.id)
    assert entry.fields == ["description", "due_date"] and entry.actor_email == "chair@pol.example"
    [mine] = tracking.my_actions(p.svc, p.actor("housing2"))
    [line] = mine["history"]
    assert line["by"] == "Chair" and line["by_agency"] == "POL" and line["kind"] == "corrected"
    assert line["changes"][0] == {
        "field": "description",
        "from": "Arrange a safe move",
        "to": NEW_WHAT,
    }


def test_moving_an_action_shows_the_change_to_both_agencies(p):
    act = _action(p, owner="HSG")
    _correct(p, act, owner_agency="HLT")
    assert tracking.my_actions(p.svc, p.actor("housing")) == []
    [theirs] = tracking.my_actions(p.svc, p.actor("health"))
    assert theirs["history"][0]["changes"] == [
        {"field": "owner_agency", "from": "HSG", "to": "HLT"}
    ]
    [moved] = tracking.changed_actions(p.svc, p.actor("housing"))
    assert moved["ours"] is False and moved["owner_agency"] == "HLT"
    seen = tracking.get_action(p.svc, p.actor("housing"), act.id)
    assert seen["history"] == moved["history"]
    with pytest.raises(Forbidden):  # it is no longer housing's to complete
        tracking.complete_action(p.svc, p.actor("housing"), act.id, {"outcome": "Done"})
    with pytest.raises(NotVisible):  # an agency never involved sees nothing new
        tracking.get_action(p.svc, p.actor("outsider"), act.id)


def test_every_problem_with_a_correction_is_reported_at_once(p):
    act = _action(p)
    with pytest.raises(Invalid) as err:
        _correct(
            p,
            act,
            description="",
            owner_agency="OUT",
            due_on=(TODAY - timedelta(days=1)).isoformat(),
        )
    assert set(err.value.fields) == {"description", "owner_agency", "due_on"}
    assert err.value.fields["owner_agency"] == ["Select an agency on the panel"]
    with pytest.raises(Invalid) as err:
        _correct(p, act, due_on="2027-02-31", colour="red")
    assert set(err.value.fields) == {"due_on", "colour"}
    with pytest.raises(Invalid) as err:
        _correct(p, act, description="Arrange a safe move")
    assert err.value.code == "no_change"
    assert p.svc.session.scalar(select(ActionChange.id)) is None


def test_an_overdue_action_keeps_its_past_due_date_when_its_text_is_corrected(p):
    act = _action(p, due=TODAY - timedelta(days=3))
    _correct(p, act, description=NEW_WHAT, due_on=(TODAY - timedelta(days=3)).isoformat())
    assert act.description == NEW_WHAT and act.due_on == TODAY - timedelta(days=3)


def test_only_the_panels_chair_or_coordinator_corrects_an_open_action(p):
    act = _action(p)
    for who in ("housing", "health", "idva", "referrer"):
        with pytest.raises(Forbidden):
            _correct(p, act, who=who, description=NEW_WHAT)
    with pytest.raises(NotVisible):  # another panel's chair and coordinator
        _correct(p, act, who="outsider", description=NEW_WHAT)
    _correct(p, act, who="coordinator", description=NEW_WHAT)
    tracking.complete_action(p.svc, p.actor("housing"), act.id, {"outcome": "Alarm fitted"})
    p.svc.session.commit()
    for change in (
        lambda: _correct(p, act, description="Something else"),
        lambda: action_changes.delete_action(p.svc, p.actor("chair"), act.id, {"reason": "x"}),
    ):
        with pytest.raises(Invalid) as err:
            change()
        assert err.value.code == "already_updated"


def test_a_deleted_action_leaves_every_list_of_work_but_its_owner_is_told(p, monkeypatch):
    meeting = p.meeting(cases=1, day=TODAY - timedelta(days=20))
    act = p.action(meeting, p.referrals[0], owner="HSG", due=TODAY - timedelta(days=2))
    later = p.meeting(cases=1)
    p.review(later, act)
    with pytest.raises(Invalid) as err:
        action_changes.delete_action(p.svc, p.actor("chair"), act.id, {"reason": " "})
    assert err.value.fields == {"reason": ["Enter why the action is being deleted"]}
    action_changes.delete_action(p.svc, p.actor("chair"), act.id, {"reason": "Agreed twice"})
    p.svc.session.commit()
    assert act.status == "deleted"
    assert [e.fields for e in p.audits("action", "update", act.id)] == [
        ["deletion_reason", "status"]
    ]
    # off the later agenda (still to be held), the rest renumbered
    p.svc.session.expire_all()
    items = p.svc.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == later.id)).all()
    assert [(i.action_id, i.position) for i in items] == [(None, 1)]
    assert tracking.my_actions(p.svc, p.actor("housing")) == []
    [told] = tracking.changed_actions(p.svc, p.actor("housing"))
    assert told["status"] == "deleted" and told["deleted_reason"] == "Agreed twice"
    assert told["ours"] is True and told["history"][0]["by"] == "Chair"
    # no review item on a fresh draft, no overdue reminder
    fresh = p.meeting(cases=0)
    assert all(i.action_id != act.id for i in build_draft(p.svc, fresh))
    due_at = datetime.combine(TODAY, time(8), tzinfo=UTC)
    assert remind_overdue_actions(p.svc, due_at, due_at).startswith("0 agencies")
    with pytest.raises(Invalid) as err:  # its outcome can no longer be recorded
        tracking.complete_action(p.svc, p.actor("housing"), act.id, {"outcome": "Done"})
    assert err.value.code == "already_updated"
