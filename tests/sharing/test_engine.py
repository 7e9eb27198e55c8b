"""The sharing engine against real records: detail and list agree, and conditions hold only
while they should (agenda window, membership, assignment)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.actors import Actor
from casework.db import utcnow
from casework.errors import NotVisible
from casework.meetings.models import AgendaItem, Attendance, Meeting
from casework.panels.models import PanelMember
from casework.referrals import actions as referrals
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory

CONTACT = "victim.phone"
IDENTITY = "victim.last_name"


@pytest.fixture()
def world(factory: Factory, svc: Services) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("IDV", "idva")
    factory.agency("HLT", "health")
    factory.agency("HSG", "housing")
    factory.agency("EDU", "education")
    panel = factory.panel(("POL", "IDV", "HLT", "HSG"))
    users = {
        "police": factory.user("pc@pol.example", "POL", ("agency_rep",)),
        "idva": factory.user("idva@idv.example", "IDV", ("idva",)),
        "health": factory.user("rep@hlt.example", "HLT", ("agency_rep",)),
        "housing": factory.user("rep@hsg.example", "HSG", ("agency_rep",)),
        "outsider": factory.user("rep@edu.example", "EDU", ("agency_rep", "referrer")),
        "coordinator": factory.user("coord@hsg.example", "HSG", ("coordinator",)),
        "analyst": factory.user("analyst@pol.example", "POL", ("analyst",)),
        "admin": factory.user("admin@pol.example", "POL", ("admin",)),
        "dpo": factory.user("dpo@pol.example", "POL", ("dpo",)),
        "referrer": factory.user("ref@edu2.example", "EDU", ("referrer",)),
    }
    referral = factory.referral(users["referrer"], panel)
    return {"panel": panel, "users": users, "referral": referral}


def who(world: dict[str, Any], name: str) -> Actor:
    return actor_for(world["users"][name])


def fields(svc: Services, world: dict[str, Any], name: str) -> frozenset[str]:
    return svc.sharing.visible_fields(svc.session, who(world, name), world["referral"])


def listed(svc: Services, world: dict[str, Any], name: str) -> set[str]:
    return {r["id"] for r in referrals.list_referrals(svc, who(world, name), {})}


def put_on_agenda(
    svc: Services, world: dict[str, Any], *, days_ago: int, circulated: bool
) -> Meeting:
    now = utcnow()
    meeting = Meeting(
        panel_id=world["panel"].id,
        starts_at=now - timedelta(days=days_ago),
        circulated_at=(now - timedelta(days=days_ago + 5)) if circulated else None,
    )
    meeting.items.append(AgendaItem(position=1, referral_id=world["referral"].id))
    svc.session.add(meeting)
    svc.session.commit()
    return meeting


def _only(meeting: Meeting) -> Any:
    return Meeting.__table__.update().where(Meeting.id == meeting.id)


def test_police_and_idva_members_see_the_whole_referral(svc: Services, world: dict) -> None:
    for name in ("police", "idva", "coordinator"):
        assert {CONTACT, IDENTITY, "risk.dash", "summary"} <= fields(svc, world, name)


def test_the_referring_agency_sees_its_own_referral(svc: Services, world: dict) -> None:
    assert CONTACT in fields(svc, world, "referrer")
    assert CONTACT in fields(svc, world, "outsider")  # same agency (EDU) as the referrer


def test_other_members_see_nothing_until_the_agenda_is_circulated(
    svc: Services, world: dict
) -> None:
    assert fields(svc, world, "health") == frozenset()
    meeting = put_on_agenda(svc, world, days_ago=-3, circulated=False)
    assert fields(svc, world, "health") == frozenset()
    svc.session.execute(_only(meeting).values(circulated_at=utcnow() - timedelta(hours=1)))
    svc.session.commit()
    seen = fields(svc, world, "health")
    assert {IDENTITY, "perpetrators.last_name", "children.first_name", "risk.band"} <= seen
    assert not {CONTACT, "risk.dash", "summary", "victim.ethnicity"} & seen


def test_agenda_access_ends_days_after_the_meeting(svc: Services, world: dict) -> None:
    meeting = put_on_agenda(svc, world, days_ago=27, circulated=True)
    assert IDENTITY in fields(svc, world, "health")
    svc.session.execute(_only(meeting).values(starts_at=utcnow() - timedelta(days=29)))
    svc.session.commit()
    assert fields(svc, world, "health") == frozenset()


def test_a_kept_list_clause_reads_the_clock_as_each_statement_runs(
    svc: Services, world: dict
) -> None:
    """The list condition is built once per caller and kept (``visible_clause``): the same
    clause must close the agenda window when the days run out, not at the next restart."""
    put_on_agenda(svc, world, days_ago=27, circulated=True)
    actor = who(world, "health")
    kept = svc.sharing.visible_clause(actor, "list", Referral)

    def filtered() -> list[Any]:
        return list(svc.session.scalars(select(Referral.id).where(kept)))

    assert svc.sharing.visible_clause(actor, "list", Referral) is kept
    assert filtered() == [world["referral"].id]
    with clock.travel(utcnow() + timedelta(days=2)):
        assert svc.sharing.visible_clause(actor, "list", Referral) is kept
        assert filtered() == []
    assert filtered() == [world["referral"].id]


def test_a_cancelled_meeting_shares_nothing(svc: Services, world: dict) -> None:
    meeting = put_on_agenda(svc, world, days_ago=1, circulated=True)
    svc.session.execute(_only(meeting).values(status="cancelled"))
    svc.session.commit()
    assert fields(svc, world, "health") == frozenset()


def test_removing_an_agency_from_the_panel_applies_at_once(svc: Services, world: dict) -> None:
    assert CONTACT in fields(svc, world, "police")
    svc.session.query(PanelMember).filter(
        PanelMember.agency_id == world["users"]["police"].agency_id
    ).delete()
    svc.session.commit()
    assert fields(svc, world, "police") == frozenset()
    with pytest.raises(NotVisible):
        referrals.get_referral(svc, who(world, "police"), world["referral"].id)


def test_assigned_idva_sees_the_case_even_outside_the_panel(
    svc: Services, world: dict, factory: Factory
) -> None:
    lone = factory.user("idva@edu.example", "HSG", ("idva",))
    svc.session.execute(Referral.__table__.update().values(assigned_idva_id=lone.id))
    svc.session.commit()
    assert CONTACT in svc.sharing.visible_fields(svc.session, actor_for(lone), world["referral"])


@pytest.mark.parametrize("name", ["analyst", "admin", "dpo"])
def test_roles_without_case_data_see_nothing(svc: Services, world: dict, name: str) -> None:
    meeting = put_on_agenda(svc, world, days_ago=1, circulated=True)
    svc.session.add(Attendance(meeting_id=meeting.id, agency_id=world["users"][name].agency_id))
    svc.session.commit()
    assert fields(svc, world, name) == frozenset()
    assert listed(svc, world, name) == set()
    with pytest.raises(NotVisible):
        referrals.get_referral(svc, who(world, name), world["referral"].id)


def test_list_and_detail_agree_for_everyone(svc: Services, world: dict, factory: Factory) -> None:
    second = factory.referral(
        world["users"]["idva"], world["panel"], victim__first_name="Ann", victim__last_name="Poe"
    )
    put_on_agenda(svc, world, days_ago=2, circulated=True)
    for name in world["users"]:
        actor = who(world, name)
        can_open = set()
        for record in (world["referral"], second):
            try:
                referrals.get_referral(svc, actor, record.id)
                can_open.add(str(record.id))
            except NotVisible:
                pass
        assert listed(svc, world, name) == can_open, name


def test_reads_are_audited_with_field_names_only(svc: Services, world: dict) -> None:
    from casework.audit.models import AuditEntry

    referrals.get_referral(svc, who(world, "police"), world["referral"].id)
    svc.session.commit()  # as a request ends: the transaction writes its audit entries
    entry = svc.session.query(AuditEntry).filter_by(action="view").one()
    assert entry.record_id == str(world["referral"].id)
    assert "victim.phone" in entry.fields
    assert "07700" not in " ".join(entry.fields)
