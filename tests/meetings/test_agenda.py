"""Building, changing and publishing an agenda; what each member agency then sees of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.errors import Forbidden, Invalid, NotVisible
from casework.mail.models import OutboxMessage
from casework.meetings import agenda
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import AgendaItem, AgendaVersion, Meeting
from casework.referrals.models import Referral
from casework.referrals.serialise import visible_referral
from tests.conftest import Factory
from tests.meetings.agenda_setup import CUTOFF, TODAY, Partnership, partnership, uk


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


def _ids(items: list[AgendaItem]) -> list:
    return [i.referral_id or i.action_id for i in items]


def _status(p: Partnership, referral: Referral) -> str:
    p.svc.session.refresh(referral)
    return referral.status


def _publish(p: Partnership, meeting: Meeting, who: str = "coordinator") -> AgendaVersion:
    version = agenda.publish_agenda(p.svc, p.actor(who), meeting.id)
    p.svc.session.commit()
    return version


def test_draft_lists_accepted_referrals_submitted_by_the_cutoff(p: Partnership) -> None:
    meeting = p.meeting()
    early = p.refer(created=uk(CUTOFF - timedelta(days=3), 9))
    late_on_cutoff_day = p.refer(created=uk(CUTOFF, 23, 30))  # still the cut-off day in the UK
    after = p.refer(created=uk(CUTOFF + timedelta(days=1), 0, 5))
    not_accepted = p.refer(accept=False)
    elsewhere = p.refer()
    other = p.meeting(day=TODAY + timedelta(days=3))
    agenda.add_item(p.svc, p.actor("coordinator"), other.id, {"referral_id": str(elsewhere.id)})
    p.svc.session.commit()

    items = agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()

    assert _ids(items) == [early.id, late_on_cutoff_day.id]
    assert [i.position for i in items] == [1, 2] and {i.kind for i in items} == {"referral"}
    assert _status(p, early) == "listed" and _status(p, late_on_cutoff_day) == "listed"
    assert _status(p, after) == "accepted" and _status(p, not_accepted) == "submitted"
    assert meeting.agenda_status == "draft"
    # the scheduler's run is audited as the scheduler
    listed = [e for e in p.audits("update", "referral") if e.record_id == str(early.id)]
    assert listed[-1].actor_email == "system:scheduler" and listed[-1].fields == ["status"]


def test_draft_adds_open_actions_of_earlier_meetings_as_review_items(p: Partnership) -> None:
    earlier = p.meeting(day=TODAY - timedelta(days=20))
    case = p.refer()
    open_action = p.open_action(earlier, case)
    done = p.open_action(earlier, case)
    done.status = "done"
    meeting = p.meeting()
    later = p.meeting(day=TODAY + timedelta(days=40))
    p.open_action(later, case)  # not earlier than the meeting: not reviewed there
    p.svc.session.commit()

    items = agenda.build_draft(p.svc, meeting)

    reviews = [i for i in items if i.kind == "review"]
    assert [i.action_id for i in reviews] == [open_action.id]
    assert reviews[0].referral_id is None  # the case is the action's, shown for context


def test_building_again_adds_nothing_twice_and_keeps_items_in_place(p: Partnership) -> None:
    meeting = p.meeting()
    first, second = p.refer(), p.refer()
    coordinator = p.actor("coordinator")
    agenda.build_agenda(p.svc, coordinator, meeting.id)
    items = agenda.build_agenda(p.svc, coordinator, meeting.id)
    assert _ids(items) == [first.id, second.id]
    agenda.move_item(p.svc, coordinator, meeting.id, items[1].id, "up")
    newcomer = p.refer()
    p.svc.session.commit()

    items = agenda.build_draft(p.svc, meeting)
    again = agenda.build_draft(p.svc, meeting)

    assert _ids(items) == [second.id, first.id, newcomer.id]
    assert _ids(again) == _ids(items) and [i.position for i in again] == [1, 2, 3]


def test_each_item_has_a_time_slot_from_the_meeting_start(p: Partnership) -> None:
    meeting = p.meeting(hour=10, per_case=15)
    earlier = p.meeting(day=TODAY - timedelta(days=20))
    case = p.refer()
    p.open_action(earlier, case)
    p.refer()
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()

    shown = agenda_for(p.svc, p.actor("coordinator"), meeting.id)

    assert shown["meeting"]["start_time"] == "10:00" and shown["meeting"]["end_time"] == "13:00"
    assert [(i["position"], i["start_time"], i["kind"]) for i in shown["items"]] == [
        (1, "10:00", "review"),
        (2, "10:15", "referral"),
        (3, "10:30", "referral"),
    ]
    assert shown["items"][0]["action"]["description"] == "Arrange a safe move"


def test_too_many_items_warn_and_mark_those_past_the_end(p: Partnership) -> None:
    meeting = p.meeting(length=30, per_case=15)
    for _ in range(3):
        p.refer()
    agenda.build_draft(p.svc, meeting)

    state = agenda.builder_state(p.svc, p.actor("chair"), meeting.id)

    assert state["overflow"] == {
        "over": True,
        "needed_minutes": 45,
        "length_minutes": 30,
        "fits": 2,
        "extra_items": 1,
    }
    assert [i["overflows"] for i in state["items"]] == [False, False, True]


def test_reorder_up_down_and_all_at_once(p: Partnership) -> None:
    meeting = p.meeting()
    a, b, c = p.refer(), p.refer(), p.refer()
    coordinator = p.actor("coordinator")
    items = agenda.build_agenda(p.svc, coordinator, meeting.id)
    agenda.move_item(p.svc, coordinator, meeting.id, items[2].id, "up")
    agenda.move_item(p.svc, coordinator, meeting.id, items[0].id, "down")
    agenda.move_item(p.svc, coordinator, meeting.id, items[2].id, "up")  # already first
    assert _ids(agenda.items_of(p.svc, meeting)) == [c.id, a.id, b.id]

    agenda.set_order(p.svc, coordinator, meeting.id, {"items": [str(i.id) for i in items]})
    assert _ids(agenda.items_of(p.svc, meeting)) == [a.id, b.id, c.id]

    with pytest.raises(Invalid) as stale:
        agenda.set_order(p.svc, coordinator, meeting.id, {"items": [str(items[0].id)]})
    assert stale.value.code == "stale_agenda"


def test_removing_puts_the_referral_back_and_adding_lists_it_again(p: Partnership) -> None:
    meeting = p.meeting()
    a, b = p.refer(), p.refer()
    coordinator = p.actor("coordinator")
    items = agenda.build_agenda(p.svc, coordinator, meeting.id)

    agenda.remove_item(p.svc, coordinator, meeting.id, items[0].id)

    assert _status(p, a) == "accepted"
    left = agenda.items_of(p.svc, meeting)
    assert _ids(left) == [b.id] and left[0].position == 1
    assert [r["id"] for r in agenda.addable_referrals(p.svc, coordinator, meeting.id)] == [
        str(a.id)
    ]

    item = agenda.add_item(p.svc, coordinator, meeting.id, {"referral_id": str(a.id)})
    assert item.position == 2 and _status(p, a) == "listed"
    with pytest.raises(Invalid) as twice:
        agenda.add_item(p.svc, coordinator, meeting.id, {"referral_id": str(a.id)})
    assert twice.value.code == "stale_agenda"
    with pytest.raises(Invalid) as unaccepted:
        agenda.add_item(p.svc, coordinator, meeting.id, {"referral_id": str(p.refer(False).id)})
    assert unaccepted.value.fields["referral_id"]


def test_defer_moves_items_to_the_next_scheduled_meeting(p: Partnership) -> None:
    meeting = p.meeting()
    cancelled = p.meeting(day=TODAY + timedelta(days=20))
    cancelled.status = "cancelled"
    following = p.meeting(day=TODAY + timedelta(days=40))
    a, b = p.refer(), p.refer()
    coordinator = p.actor("coordinator")
    items = agenda.build_agenda(p.svc, coordinator, meeting.id)

    target = agenda.defer_items(p.svc, coordinator, meeting.id, {"items": [str(items[0].id)]})

    assert target.id == following.id
    assert _ids(agenda.items_of(p.svc, meeting)) == [b.id]
    assert _ids(agenda.items_of(p.svc, following)) == [a.id]
    assert _status(p, a) == "listed" and following.agenda_status == "draft"
    # the next meeting's own draft does not list it twice
    assert _ids(agenda.build_draft(p.svc, following)) == [a.id]
    with pytest.raises(Invalid) as none_later:
        agenda.defer_items(p.svc, coordinator, following.id, {"items": [str(items[0].id)]})
    assert none_later.value.code == "no_next_meeting"


def test_an_extra_meeting_takes_the_chosen_items(p: Partnership) -> None:
    meeting = p.meeting(length=30)
    a, b, c = p.refer(), p.refer(), p.refer()
    chair = p.actor("chair")
    items = agenda.build_agenda(p.svc, chair, meeting.id)
    day = TODAY + timedelta(days=12)

    extra = agenda.add_extra_meeting(
        p.svc,
        chair,
        meeting.id,
        {"date": day.isoformat(), "time": "14:30", "items": [str(items[2].id)]},
    )

    assert extra.panel_id == p.panel.id and extra.starts_at == uk(day, 14, 30)
    assert extra.length_minutes == p.panel.meeting_minutes and extra.status == "scheduled"
    # working-day deadlines from the panel's settings, as for any scheduled meeting
    assert extra.cutoff_on is not None and extra.cutoff_on < extra.circulate_on < day
    assert _ids(agenda.items_of(p.svc, extra)) == [c.id]
    assert _ids(agenda.items_of(p.svc, meeting)) == [a.id, b.id]
    with pytest.raises(Invalid) as bad:
        agenda.add_extra_meeting(
            p.svc, chair, meeting.id, {"date": "2020-01-07", "time": "25:00", "items": []}
        )
    assert set(bad.value.fields) == {"time", "items"}
    with pytest.raises(Invalid) as past:
        agenda.add_extra_meeting(
            p.svc,
            chair,
            meeting.id,
            {"date": "2020-01-07", "time": "10:00", "items": [str(items[0].id)]},
        )
    assert "future" in past.value.fields["date"][0]


def _outbox(p: Partnership) -> list[OutboxMessage]:
    return list(p.svc.session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)))


def test_publishing_circulates_versions_and_notifies_each_member_once(p: Partnership) -> None:
    p.factory.user("off@hsg.example", "HSG", ("agency_rep",))
    p.users["inactive"] = p.factory.user("gone@hsg.example", "HSG", ("agency_rep",))
    p.users["inactive"].active = False
    p.svc.session.commit()
    meeting = p.meeting()
    a, b = p.refer(victim__first_name="Zelda"), p.refer()
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()

    version = _publish(p, meeting)

    assert meeting.agenda_status == "published" and meeting.agenda_version == 1
    circulated = meeting.circulated_at
    assert circulated is not None
    assert version.items == [
        {
            "item_id": str(i.id),
            "position": i.position,
            "kind": "referral",
            "referral_id": str(i.referral_id),
            "action_id": None,
            "nominal_id": None,
        }
        for i in agenda.items_of(p.svc, meeting)
    ]
    sent = _outbox(p)
    expected = sorted(
        [
            "ref@pol.example",
            "coord@csp.example",
            "chair@pol.example",
            "rep@hsg.example",
            "jo@idva.example",
            "off@hsg.example",
        ]
    )  # not the analyst, the disabled account, or the agency outside the panel
    assert [m.to_address for m in sent] == expected
    for message in sent:
        assert f"/meetings/{meeting.id}/agenda" in message.body
        assert "Zelda" not in message.body + message.subject and "Doe" not in message.body
        assert message.dedupe_key.startswith(f"agenda:{meeting.id}:v1:")

    with pytest.raises(Invalid) as unchanged:
        _publish(p, meeting)
    assert unchanged.value.code == "agenda_unchanged"
    assert len(_outbox(p)) == len(expected)

    items = agenda.items_of(p.svc, meeting)
    agenda.move_item(p.svc, p.actor("chair"), meeting.id, items[1].id, "up")
    assert agenda.changed_since_publication(p.svc, meeting)
    assert meeting.agenda_status == "published"  # still circulated while it changes

    second = _publish(p, meeting, "chair")

    assert second.version == 2 and meeting.agenda_version == 2
    assert meeting.circulated_at == circulated  # sharing started at the first publication
    assert not agenda.changed_since_publication(p.svc, meeting)
    assert [v["referral_id"] for v in second.items] == [str(b.id), str(a.id)]
    again = [m for m in _outbox(p) if ":v2:" in m.dedupe_key]
    assert sorted(m.to_address for m in again) == expected
    assert all("version 2" in m.subject for m in again)


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("housing", Forbidden),
        ("referrer", Forbidden),
        ("analyst", Forbidden),
        ("outsider", NotVisible),
    ],
)
def test_only_the_panels_coordinators_and_chairs_change_an_agenda(
    p: Partnership, who: str, error: type
) -> None:
    meeting = p.meeting()
    referral = p.refer()
    items = agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    actor = p.actor(who)
    attempts = [
        lambda: agenda.build_agenda(p.svc, actor, meeting.id),
        lambda: agenda.add_item(p.svc, actor, meeting.id, {"referral_id": str(referral.id)}),
        lambda: agenda.remove_item(p.svc, actor, meeting.id, items[0].id),
        lambda: agenda.move_item(p.svc, actor, meeting.id, items[0].id, "down"),
        lambda: agenda.defer_items(p.svc, actor, meeting.id, {"items": [str(items[0].id)]}),
        lambda: agenda.publish_agenda(p.svc, actor, meeting.id),
        lambda: agenda.builder_state(p.svc, actor, meeting.id),
    ]
    for attempt in attempts:
        with pytest.raises(error):
            attempt()
    assert _status(p, referral) == "listed" and meeting.agenda_status == "draft"


def test_a_closed_meeting_keeps_its_agenda(p: Partnership) -> None:
    meeting = p.meeting()
    p.refer()
    items = agenda.build_draft(p.svc, meeting)
    meeting.status = "held"
    p.svc.session.commit()
    with pytest.raises(Invalid) as held:
        agenda.remove_item(p.svc, p.actor("coordinator"), meeting.id, items[0].id)
    assert held.value.code == "meeting_not_open"
    assert agenda.build_draft(p.svc, meeting) == items  # the scheduler leaves it alone


def test_members_see_the_agenda_only_once_published_and_only_what_the_isp_allows(
    p: Partnership,
) -> None:
    meeting = p.meeting()
    case = p.refer(victim__first_name="Zelda", summary="Private narrative")
    agenda.build_draft(p.svc, meeting)
    p.svc.session.commit()
    with pytest.raises(NotVisible):
        agenda_for(p.svc, p.actor("housing"), meeting.id)  # a draft: coordinators only
    _publish(p, meeting)

    housing = agenda_for(p.svc, p.actor("housing"), meeting.id)
    police = agenda_for(p.svc, p.actor("referrer"), meeting.id)

    [item] = housing["items"]
    assert item["referral_id"] == str(case.id) and item["kind"] == "referral"
    assert item["victim"] == {
        "first_name": "Zelda",
        "last_name": case.victim_last_name,
        "date_of_birth": "1990-04-01",
        "gender": "female",
    }
    assert item["children"] == [
        {"first_name": "Sam", "last_name": "Doe", "date_of_birth": "2019-05-05"}
    ]
    assert set(item["risk"]) == {"dash_score", "band", "criteria"}
    assert "summary" not in item and "consent" not in item
    assert housing["meeting"]["recipient_agency"] == "HSG"
    assert police["items"][0]["victim"]["phone"] == "07700 900000"
    assert police["items"][0]["risk"]["dash"]["1"] == "yes"
    with pytest.raises(NotVisible):
        agenda_for(p.svc, p.actor("outsider"), meeting.id)
    with pytest.raises(Forbidden):
        agenda_for(p.svc, p.actor("analyst"), meeting.id)
    with pytest.raises(NotVisible):
        agenda_for(p.svc, p.actor("housing"), "not-a-meeting")


def test_viewing_the_agenda_is_audited_per_case_with_field_names(p: Partnership) -> None:
    meeting = p.meeting()
    case = p.refer()
    agenda.build_draft(p.svc, meeting)
    _publish(p, meeting)

    agenda_for(p.svc, p.actor("housing"), meeting.id)

    [entry] = [e for e in p.audits("view", "referral") if e.agency_code == "HSG"]
    assert entry.record_id == str(case.id)
    assert "victim.first_name" in entry.fields and "victim.phone" not in entry.fields
    assert entry.recipient_agency is None


def test_items_the_agency_may_not_see_are_left_out_but_keep_their_slots(
    p: Partnership,
) -> None:
    """Past the protocol's window after a meeting, a member keeps only what it may see for
    other reasons: here the referral its own agency made."""
    p.users["hsg_referrer"] = p.factory.user("ref@hsg.example", "HSG", ("referrer",))
    meeting = p.meeting(day=TODAY - timedelta(days=40))
    theirs = p.refer()
    ours = p.refer(by="hsg_referrer")
    agenda.build_draft(p.svc, meeting)
    _publish(p, meeting)

    shown = agenda_for(p.svc, p.actor("hsg_referrer"), meeting.id)
    police = agenda_for(p.svc, p.actor("chair"), meeting.id)

    assert [(i["position"], i["start_time"]) for i in shown["items"]] == [(2, "10:15")]
    assert shown["items"][0]["referral_id"] == str(ours.id)
    assert str(theirs.id) not in str(shown)
    assert [i["referral_id"] for i in police["items"]] == [str(theirs.id), str(ours.id)]


def test_the_agenda_shows_each_case_exactly_as_the_referral_dump_pruned(p: Partnership) -> None:
    """The agenda decrypts only granted fields; what it shows must equal the referral's full
    dump pruned by the engine, for every field the catalogue knows and for a partial grant."""
    from casework.referrals.serialise import dump
    from casework.sharing.catalogue import FIELDS
    from casework.sharing.engine import header_fields, prune

    referral = p.refer(
        risk__professional_judgement=True,
        risk__professional_judgement_reason="Escalating",
        children=[],
    )
    referral.assigned_idva_id = p.users["idva"].id
    everything = frozenset(FIELDS["referral"])
    housing = frozenset(f for f in everything if f.split(".")[0] in ("victim", "children"))
    for fields in (everything, housing, frozenset({"risk.band"})):
        expected = prune(dump(referral, "POL"), fields, header_fields("referral"))
        assert visible_referral(referral, fields, "POL") == expected


def test_offender_panel_items_go_through_the_same_filter(p: Partnership) -> None:
    """A Prevent and Deter agenda names young people: under offender.toml their records go to
    police (and youth offending, children's services) only, so housing's agenda leaves them out."""
    from sqlalchemy import delete

    from casework.offenders.actions import create_nominal

    youth_panel = p.factory.panel(("POL", "HSG"), kind="prevent_deter", name="Youth panel")
    p.svc.session.execute(delete(Meeting).where(Meeting.panel_id == youth_panel.id))
    chair = p.actor("chair")
    born = TODAY.replace(year=TODAY.year - 15, day=1)  # 15 today, and no 29 February to miss
    youth = create_nominal(
        p.svc,
        chair,
        {
            "panel_id": str(youth_panel.id),
            "first_name": "Kit",
            "last_name": "Young",
            "date_of_birth": born.isoformat(),
            "pnc_id": None,
            "entry_date": (TODAY - timedelta(days=30)).isoformat(),
            "cohort": None,
        },
    )
    meeting = p.meeting(panel=youth_panel)
    p.svc.session.add(
        AgendaItem(meeting_id=meeting.id, position=1, kind="review", nominal_id=youth.id)
    )
    p.svc.session.commit()
    items = agenda.build_draft(p.svc, meeting)  # the offender code may add candidates after it
    assert [i.nominal_id for i in items].count(youth.id) == 1
    _publish(p, meeting, "chair")

    police = agenda_for(p.svc, chair, meeting.id)
    housing = agenda_for(p.svc, p.actor("housing"), meeting.id)

    [item] = [i for i in police["items"] if i.get("nominal_id") == str(youth.id)]
    assert (
        item["kind"] == "review" and item["first_name"] == "Kit" and item["start_time"] == "10:00"
    )
    assert str(youth.id) not in str(housing)
