"""Referral drafts: encrypted at rest, owner-only, audited by field name, and submitted through
the same action as the API in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, text

from casework.accounts.auth import actor_for
from casework.audit.models import AuditEntry
from casework.errors import Invalid, NotVisible
from casework.referrals import draft_form as form
from casework.referrals import drafts
from casework.referrals.drafts import ReferralDraft
from casework.referrals.models import Referral
from casework.services import Services
from tests.conftest import Factory
from tests.referral_data import referral_body

TODAY = date(2026, 11, 2)


def typed_answers() -> dict[str, Any]:
    """What a referrer types for tests/referral_data.py's referral, page by page."""
    return {
        "victim": {
            "first_name": "Jane",
            "last_name": "Doe",
            "date_of_birth-day": "1",
            "date_of_birth-month": "4",
            "date_of_birth-year": "1990",
            "gender": "female",
            "ethnicity": "White British",
            "bme": "no",
            "lgbt": "no",
            "disability": "no",
            "address": "1 High Street, Anytown",
            "postcode": "AN1 1AA",
            "phone": "07700 900000",
            "safe_to_call": "yes",
        },
        "perpetrators": {
            "first_name": "John",
            "last_name": "Roe",
            "date_of_birth-day": "01",
            "date_of_birth-month": "01",
            "date_of_birth-year": "1988",
            "relationship_to_victim": "ex-partner",
        },
        "children": {
            "first_name": "Sam",
            "last_name": "Doe",
            "date_of_birth-day": "5",
            "date_of_birth-month": "5",
            "date_of_birth-year": "2019",
        },
        "dash": {str(q): "yes" if q <= 15 else "no" for q in range(1, 25)},
        "criteria": {"police_incidents_12m": "1", "professional_judgement": "no"},
        "consent": {"victim_aware": "yes", "consent": "yes"},
        "narrative": {
            "summary": "Escalating abuse since separation.",
            "referral_date-day": "2",
            "referral_date-month": "11",
            "referral_date-year": "2026",
        },
    }


@pytest.fixture()
def world(factory: Factory) -> dict[str, Any]:
    factory.agency("POL", "police")
    factory.agency("HLT", "health")
    panel = factory.panel(("POL", "HLT"))
    return {
        "panel": panel,
        "referrer": actor_for(factory.user("ref@hlt.example", "HLT", ("referrer",))),
        "colleague": actor_for(factory.user("col@hlt.example", "HLT", ("referrer",))),
        "coordinator": actor_for(
            factory.user("co@hlt.example", "HLT", ("coordinator", "chair", "idva"))
        ),
    }


def filled(svc: Services, world: dict[str, Any], **changes: Any) -> ReferralDraft:
    actor = world["referrer"]
    draft = drafts.start_draft(svc, actor, world["panel"].id, TODAY)
    typed = typed_answers()
    for section, values in {**typed, **changes}.items():
        if section in form.LIST_SECTIONS:
            drafts.save_item(svc, actor, draft.id, section, 0, values, check=True)
            drafts.complete_section(svc, actor, draft.id, section)
        else:
            drafts.save_section(svc, actor, draft.id, section, values, check=True)
    svc.session.commit()
    return draft


def test_typed_answers_assemble_into_exactly_the_api_body(svc: Services, world: dict) -> None:
    draft = filled(svc, world)
    assert form.assemble(draft.panel_id, draft.content) == referral_body(world["panel"].id)
    assert all(form.completed(draft.panel_id, draft.content).values())


def test_the_draft_is_one_encrypted_field_at_rest(svc: Services, world: dict) -> None:
    draft = filled(svc, world)
    raw = svc.session.execute(
        text("SELECT content FROM referral_drafts WHERE id = :id"), {"id": draft.id.hex}
    ).scalar()
    if raw is None:  # PostgreSQL stores the uuid natively
        raw = svc.session.execute(
            text("SELECT content FROM referral_drafts WHERE id = :id"), {"id": str(draft.id)}
        ).scalar()
    assert raw is not None
    for plain in (b"Jane", b"Roe", b"1990", b"AN1 1AA", b"Escalating"):
        assert plain not in bytes(raw)
    svc.session.expire_all()
    assert svc.session.get(ReferralDraft, draft.id).content["victim"]["first_name"] == "Jane"


@pytest.mark.parametrize("who", ["colleague", "coordinator"])
def test_nobody_but_the_owner_can_open_change_or_delete_a_draft(
    svc: Services, world: dict, who: str
) -> None:
    draft = filled(svc, world)
    other = world[who]
    for attempt in (
        lambda: drafts.open_draft(svc, other, draft.id),
        lambda: drafts.save_section(svc, other, draft.id, "victim", {}, check=False),
        lambda: drafts.save_item(svc, other, draft.id, "children", 1, {}, check=False),
        lambda: drafts.remove_item(svc, other, draft.id, "children", 0),
        lambda: drafts.delete_draft(svc, other, draft.id),
        lambda: drafts.submit_draft(svc, other, draft.id),
    ):
        with pytest.raises(NotVisible):
            attempt()
    assert drafts.list_drafts(svc, other) == []
    assert [d.id for d in drafts.list_drafts(svc, world["referrer"])] == [draft.id]


def test_continue_checks_the_section_with_the_api_rules_and_saves_nothing_when_wrong(
    svc: Services, world: dict
) -> None:
    actor = world["referrer"]
    draft = drafts.start_draft(svc, actor, world["panel"].id, TODAY)
    typed = {**typed_answers()["victim"], "date_of_birth-day": "30", "date_of_birth-month": "2"}
    del typed["last_name"]
    with pytest.raises(Invalid) as caught:
        drafts.save_section(svc, actor, draft.id, "victim", typed, check=True)
    assert set(caught.value.fields) == {"victim.date_of_birth", "victim.last_name"}
    assert drafts.open_draft(svc, actor, draft.id).content["victim"] == {}
    # "Save and come back later" keeps it exactly as typed, mistakes and all
    drafts.save_section(svc, actor, draft.id, "victim", typed, check=False)
    kept = drafts.open_draft(svc, actor, draft.id).content
    assert kept["victim"]["date_of_birth-day"] == "30" and "victim" not in kept["done"]


def test_dash_and_criteria_sections_are_checked_separately(svc: Services, world: dict) -> None:
    actor = world["referrer"]
    draft = drafts.start_draft(svc, actor, world["panel"].id, TODAY)
    answers = {str(q): "yes" for q in range(1, 24)}
    with pytest.raises(Invalid) as caught:
        drafts.save_section(svc, actor, draft.id, "dash", {**answers, "7": "maybe"}, check=True)
    assert set(caught.value.fields) == {"risk.dash.7", "risk.dash.24"}
    with pytest.raises(Invalid) as caught:
        drafts.save_section(
            svc, actor, draft.id, "criteria", {"professional_judgement": "yes"}, check=True
        )
    assert set(caught.value.fields) == {"risk.professional_judgement_reason"}


def test_create_change_and_delete_are_audited_by_field_name_only(
    svc: Services, world: dict
) -> None:
    draft = filled(svc, world)
    drafts.delete_draft(svc, world["referrer"], draft.id)
    svc.session.commit()
    entries = svc.session.scalars(
        select(AuditEntry).where(AuditEntry.record_type == "referral_draft")
    ).all()
    actions = {e.action for e in entries}
    assert {"create", "update", "erase"} <= actions
    assert all(e.record_id == str(draft.id) for e in entries)
    updates = {f for e in entries if e.action == "update" for f in e.fields}
    assert {"victim.first_name", "victim.date_of_birth", "risk.dash", "summary"} <= updates
    for entry in entries:
        assert not any(v in " ".join(entry.fields) for v in ("Jane", "Doe", "1990", "yes"))
    assert svc.session.get(ReferralDraft, draft.id) is None


def test_submitting_creates_the_referral_and_removes_the_draft_together(
    svc: Services, world: dict
) -> None:
    draft = filled(svc, world)
    referral = drafts.submit_draft(svc, world["referrer"], draft.id)
    svc.session.commit()
    assert referral.dash_score == 15 and referral.victim_last_name == "Doe"
    assert svc.session.get(ReferralDraft, draft.id) is None
    erased = svc.session.scalar(
        select(AuditEntry).where(
            AuditEntry.record_type == "referral_draft", AuditEntry.action == "erase"
        )
    )
    assert erased is not None


def test_a_refused_submission_keeps_the_draft_and_stores_no_referral(
    svc: Services, world: dict
) -> None:
    few_yes = {str(q): "yes" if q <= 5 else "no" for q in range(1, 25)}
    draft = filled(svc, world, dash=few_yes)
    with pytest.raises(Invalid) as caught:
        drafts.submit_draft(svc, world["referrer"], draft.id)
    assert caught.value.code == "criteria_not_met"
    svc.session.rollback()
    assert svc.session.scalar(select(Referral)) is None
    assert svc.session.get(ReferralDraft, draft.id) is not None


def test_only_referring_roles_may_start_a_draft(svc: Services, factory: Factory) -> None:
    factory.agency("HSG", "housing")
    panel = factory.panel(("HSG",))
    rep = actor_for(factory.user("rep@hsg.example", "HSG", ("agency_rep",)))
    from casework.errors import Forbidden

    with pytest.raises(Forbidden):
        drafts.start_draft(svc, rep, panel.id, TODAY)
    referrer = actor_for(factory.user("ref@hsg.example", "HSG", ("referrer",)))
    with pytest.raises(Invalid):
        drafts.start_draft(svc, referrer, factory.panel(("HSG",), kind="ppo").id, TODAY)
