"""Actions: agreed at the meeting with an owning member agency and a due date, seen by the
owner and by agencies with the case on their agenda, tracked to done or not done by the owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import clock
from casework.audit.models import AuditEntry
from casework.errors import Forbidden, Invalid, NotVisible
from casework.meetings import conduct, minutes, research, tracking
from casework.meetings.models import CaseAction, Minute, ResearchNote
from tests.meetings.conduct_setup import TODAY, Partnership, partnership

WHAT = "Fit a door alarm and window locks at the victim's new tenancy"


@pytest.fixture()
def p(factory) -> Partnership:
    return partnership(factory)


def _ready(p: Partnership, cases: int = 1):
    meeting = p.meeting(cases=cases)
    p.attend(meeting, present=("POL", "HSG", "CSP"), apologies=("HLT",))
    return meeting


def _add(p: Partnership, meeting, referral, **changes):
    body = {
        "description": WHAT,
        "owner_agency": "HSG",
        "due_on": (TODAY + timedelta(days=14)).isoformat(),
        **changes,
    }
    act = minutes.add_action(p.svc, p.actor("chair"), meeting.id, referral.id, body)
    p.svc.session.commit()
    return act


def test_an_action_is_agreed_open_for_a_member_agency_and_audited_by_field(p):
    meeting = _ready(p)
    act = _add(p, meeting, p.referrals[0], due_on=TODAY.isoformat())  # today is allowed
    assert act.status == "open" and act.due_on == TODAY and act.description == WHAT
    assert act.owner_agency_id == p.agency("HSG").id
    [entry] = p.audits("action", "create", act.id)
    assert entry.fields == ["description", "due_date", "owner_agency", "status"]
    for row in p.svc.session.scalars(select(AuditEntry)):
        assert WHAT not in repr(row.__dict__)


def test_every_problem_with_an_action_is_reported_at_once(p):
    meeting = _ready(p)
    with pytest.raises(Invalid) as err:
        _add(
            p,
            meeting,
            p.referrals[0],
            description="",
            owner_agency="OUT",  # an agency, but not on this panel
            due_on=(TODAY - timedelta(days=1)).isoformat(),
        )
    assert set(err.value.fields) == {"description", "owner_agency", "due_on"}
    assert err.value.fields["owner_agency"] == ["Select an agency on the panel"]
    assert err.value.fields["due_on"] == ["The due date must be today or in the future"]
    with pytest.raises(Invalid) as err:
        minutes.add_action(p.svc, p.actor("chair"), meeting.id, p.referrals[0].id, {})
    assert err.value.fields == {
        "description": ["Enter what the action is"],
        "owner_agency": ["Select the agency that owns the action"],
        "due_on": ["Enter the date the action is due"],
    }
    with pytest.raises(Invalid) as err:
        _add(p, meeting, p.referrals[0], due_on="2027-02-31")
    assert err.value.fields["due_on"] == ["Due date must be a real date, for example 27 3 2027"]
    assert p.svc.session.scalar(select(CaseAction.id)) is None


def test_actions_are_agreed_only_once_the_meeting_is_ready(p):
    meeting = p.meeting(cases=1)
    with pytest.raises(Invalid) as err:
        _add(p, meeting, p.referrals[0])
    assert err.value.code == "not_ready"


def test_the_owner_and_agencies_with_the_case_on_their_agenda_see_the_action(p):
    meeting = _ready(p)
    act = _add(p, meeting, p.referrals[0])
    for reader in ("housing", "housing2", "health", "idva", "chair", "coordinator"):
        found, fields = p.svc.sharing.get(p.svc.session, p.actor(reader), CaseAction, act.id)
        assert {"description", "owner_agency", "due_date", "status"} <= fields, reader
    for reader in ("outsider", "analyst"):
        with pytest.raises(NotVisible):
            p.svc.sharing.get(p.svc.session, p.actor(reader), CaseAction, act.id)


def test_after_the_sharing_window_only_the_owner_keeps_its_action(p):
    meeting = p.meeting(cases=1, day=TODAY - timedelta(days=60))
    act = p.action(meeting, p.referrals[0], owner="HSG")
    with pytest.raises(NotVisible):  # health saw it while the case was on the agenda
        p.svc.sharing.get(p.svc.session, p.actor("health"), CaseAction, act.id)
    [mine] = tracking.my_actions(p.svc, p.actor("housing"))
    assert mine["id"] == str(act.id) and mine["overdue"] is False
    assert mine["case"] is None  # the case itself is no longer shared with housing
    assert mine["case_reference"] == p.referrals[0].reference


def test_my_agencys_open_actions_soonest_first_with_overdue_flags(p):
    meeting = p.meeting(cases=2)
    late = p.action(meeting, p.referrals[0], due=TODAY - timedelta(days=2))
    soon = p.action(meeting, p.referrals[1], due=TODAY + timedelta(days=1))
    p.action(meeting, p.referrals[1], owner="POL")
    done = p.action(meeting, p.referrals[1], due=TODAY - timedelta(days=5))
    done.status = "done"
    p.svc.session.commit()
    rows = tracking.my_actions(p.svc, p.actor("housing2"))
    assert [(r["id"], r["overdue"]) for r in rows] == [(str(late.id), True), (str(soon.id), False)]
    assert rows[0]["case"]["victim"] == {"first_name": "Jane", "last_name": "Doe001"}
    assert rows[0]["description"] == "Arrange a safe move"
    listed = p.audits("action", "list", late.id)
    assert listed and listed[0].fields == [
        "description",
        "due_date",
        "outcome",
        "owner_agency",
        "status",
    ]
    assert tracking.my_actions(p.svc, p.actor("health")) == []
    with pytest.raises(Forbidden):
        tracking.my_actions(p.svc, p.actor("analyst"))


def test_the_owning_agency_records_done_with_an_outcome(p):
    meeting = p.meeting(cases=1)
    act = p.action(meeting, p.referrals[0])
    tracking.update_action(
        p.svc, p.actor("housing2"), act.id, {"status": "done", "outcome": "Locks fitted"}
    )
    p.svc.session.commit()
    assert (act.status, act.outcome, act.not_done_reason) == ("done", "Locks fitted", None)
    assert act.completed_at is not None
    assert tracking.my_actions(p.svc, p.actor("housing")) == []
    [entry] = p.audits("action", "update", act.id)
    assert entry.fields == ["outcome", "status"] and "Locks fitted" not in repr(entry.__dict__)
    with pytest.raises(Invalid) as err:  # a second person on a stale page
        tracking.update_action(
            p.svc, p.actor("housing"), act.id, {"status": "done", "outcome": "Done too"}
        )
    assert err.value.code == "already_updated"


@pytest.mark.parametrize("reason", ["circumstances_changed", "agency_did_not_act"])
def test_not_done_is_split_by_why(p, reason):
    meeting = p.meeting(cases=1)
    act = p.action(meeting, p.referrals[0])
    tracking.update_action(
        p.svc,
        p.actor("housing"),
        act.id,
        {"status": "not_done", "not_done_reason": reason, "outcome": "Victim moved out of area"},
    )
    p.svc.session.commit()
    assert (act.status, act.not_done_reason) == ("not_done", reason)
    [entry] = p.audits("action", "update", act.id)
    assert entry.fields == ["not_done_reason", "outcome", "status"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "not_done", "outcome": "No"}, "not_done_reason"),
        ({"status": "not_done", "not_done_reason": "forgot", "outcome": "No"}, "not_done_reason"),
        ({"status": "done"}, "outcome"),
        ({"status": "maybe", "outcome": "x"}, "status"),
        ({"outcome": "x"}, "status"),
        ({"status": "done", "outcome": "x", "due_on": "2030-01-01"}, "due_on"),
    ],
)
def test_an_outcome_without_what_the_review_needs_is_refused(p, data, field):
    meeting = p.meeting(cases=1)
    act = p.action(meeting, p.referrals[0])
    with pytest.raises(Invalid) as err:
        tracking.update_action(p.svc, p.actor("housing"), act.id, data)
    assert field in err.value.fields
    p.svc.session.rollback()
    assert p.svc.session.get(CaseAction, act.id).status == "open"


def test_only_the_owning_agency_records_the_outcome(p):
    meeting = p.meeting(cases=1)
    act = p.action(meeting, p.referrals[0], owner="HSG")
    body = {"status": "done", "outcome": "Done"}
    with pytest.raises(Forbidden):  # the coordinator sees every action but does not own it
        tracking.update_action(p.svc, p.actor("coordinator"), act.id, body)
    for reader in ("health", "outsider"):  # may see it (health) or not: never edit it
        with pytest.raises(NotVisible):
            tracking.update_action(p.svc, p.actor(reader), act.id, body)
    with pytest.raises(NotVisible):
        tracking.update_action(p.svc, p.actor("housing"), "not-an-id", body)
    assert act.status == "open"


def test_open_actions_stay_open_through_closing_for_the_next_agenda(p):
    meeting = _ready(p)
    act = _add(p, meeting, p.referrals[0])
    with clock.travel(meeting.starts_at + timedelta(minutes=5)):  # closing waits for the start
        conduct.close_meeting(p.svc, p.actor("chair"), meeting.id)
        p.svc.session.commit()
    assert act.status == "open"
    [row] = tracking.my_actions(p.svc, p.actor("housing"))
    assert row["id"] == str(act.id)
    with pytest.raises(Invalid) as err:  # no new actions on a closed meeting
        _add(p, meeting, p.referrals[0])
    assert err.value.code == "meeting_closed"


def test_lists_and_single_records_agree_for_every_reader(p):
    """The adapters give the engine one expression per condition: the list filter and the
    single-record check must never disagree, for actions, minutes or notes."""
    meeting = _ready(p, cases=2)
    old = p.meeting(cases=1, day=TODAY - timedelta(days=60))
    _add(p, meeting, p.referrals[0])
    _add(p, meeting, p.referrals[1], owner_agency="POL")
    p.action(old, p.referrals[2], owner="HLT")
    minutes.save_minute(p.svc, p.actor("chair"), meeting.id, p.referrals[0].id, {"text": "M"})
    for who in ("housing", "health"):
        research.save_note(
            p.svc, p.actor(who), meeting.id, p.referrals[0].id, {"has_information": "no"}
        )
    p.svc.session.commit()
    for model in (CaseAction, Minute, ResearchNote):
        rows = list(p.svc.session.scalars(select(model)))
        for name in p.users:
            actor = p.actor(name)
            listed = set(
                p.svc.session.scalars(
                    select(model.id).where(p.svc.sharing.visible_clause(actor, "list", model))
                )
            )
            single = {
                rid
                for rid, f in p.svc.sharing.fields_for(p.svc.session, actor, "list", rows).items()
                if f
            }
            assert listed == single, (model.__name__, name)
