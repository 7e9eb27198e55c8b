"""Every role x agency sector x condition x verb x category cell of the shipped protocols.

The expected answer comes from an oracle written independently from the prose of DOMAIN.md
and the issue ("police, IDVA and the coordinator see the whole referral; other member
agencies see identity, household and risk summary and the actions for cases on agendas they
attend; research notes only to their own agency; minutes to attendees"; "youth records
restricted to police, youth offending and children's services"; issue 14: "the shipped MARAC
protocol shares [research an agency marks as shared] with the panel's chair and coordinator",
while information held but not shared stays with its agency), not from the TOML, so a wrong
rule, a matching bug in the engine or a careless edit of a protocol fails here. Every
condition the engine knows (``CONDITIONS``) is a column of the matrix.
"""

from __future__ import annotations

import uuid

import pytest

from casework.actors import Actor
from casework.agencies.models import SECTORS
from casework.roles import ROLES
from casework.settings import PROJECT_ROOT
from casework.sharing.catalogue import CONDITIONS, VERBS
from casework.sharing.engine import granted
from casework.sharing.protocols import load_protocols

PROTOCOLS = load_protocols(PROJECT_ROOT / "config" / "isp")

WHOLE_REFERRAL = {
    "victim_identity",
    "victim_contact",
    "diversity",
    "perpetrator_identity",
    "household",
    "risk_assessment",
    "risk_summary",
    "referral_narrative",
    # SafeLives' referral form: part of the whole referral, never of what an agenda shows
    # other agencies (identity, household, risk summary)
    "referrer_contact",
    "victim_safety",
}
AGENDA_VIEW = {"victim_identity", "perpetrator_identity", "household", "risk_summary", "actions"}
CASE_ROLES = {"referrer", "idva", "agency_rep", "coordinator", "chair"}
READ = {"view", "list", "export"}
# what an agency shares from its research, and what it holds but does not share (and why)
RESEARCH = {"research_notes", "research_withheld"}


def marac_oracle(role: str, sector: str, condition: str, verb: str, category: str) -> bool:
    if role not in CASE_ROLES:
        return False  # analyst, admin and dpo never see case data
    if category == "safety_plan":
        # the IDVA service and the coordinator keep it; never exported, never the chair's
        keeps = (
            (condition == "assigned_idva" and role == "idva")
            or (condition == "panel_member" and role == "coordinator")
            or (condition == "panel_member" and role == "idva" and sector == "idva")
        )
        return keeps and verb in {"view", "list", "edit"}
    managers = role in {"coordinator", "chair"}
    if condition == "panel_member":
        if category in WHOLE_REFERRAL | {"actions"}:
            if managers:
                return True
            return sector in {"police", "idva"} and verb in READ
        return False
    if condition == "own_agency":
        if category in WHOLE_REFERRAL:
            return verb in {"view", "list"}
        return category == "actions" and verb in {"view", "list", "edit"}
    if condition == "assigned_idva":
        return role == "idva" and category in WHOLE_REFERRAL | {"actions"}
    if condition == "on_agenda":
        return (
            role in {"agency_rep", "referrer", "idva"}
            and category in AGENDA_VIEW
            and (verb in READ)
        )
    if condition == "own_research":
        return category in RESEARCH and verb in {"view", "list", "edit"}
    if condition == "shared_research":
        # what was shared, never what was held back, and only to read
        return managers and category == "research_notes" and verb in {"view", "list"}
    if condition == "attendee":
        return category == "minutes" and verb in READ
    return False  # "always" grants nothing to anyone under this protocol


def offender_oracle(role: str, sector: str, condition: str, verb: str, category: str) -> bool:
    if role not in CASE_ROLES or role == "idva":
        return False
    managers = role in {"coordinator", "chair"}
    if condition == "panel_member":
        if category in {"offender_record", "actions"}:
            return managers or verb in READ
        if category == "youth_record":
            return sector in {"police", "youth_offending", "children_social_care"}
        return False
    if condition == "own_research":
        return category == "research_notes" and verb in {"view", "list", "edit"}
    if condition == "attendee":
        return category == "minutes" and verb in READ
    if condition == "own_agency":
        return category == "actions" and verb in {"view", "list", "edit"}
    return False


ORACLES = {"marac": marac_oracle, "offender": offender_oracle}


def actor(role: str, sector: str) -> Actor:
    return Actor(
        uuid.uuid4(), "x@example.org", uuid.uuid4(), "AG1", sector, False, frozenset({role})
    )


@pytest.mark.parametrize("protocol_key", sorted(ORACLES))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("sector", SECTORS)
def test_every_cell(protocol_key: str, role: str, sector: str) -> None:
    protocol = PROTOCOLS[protocol_key]
    oracle = ORACLES[protocol_key]
    who = actor(role, sector)
    wrong = []
    for condition in CONDITIONS:
        for verb in VERBS:
            for category, fields in protocol.categories.items():
                expected = oracle(role, sector, condition, verb, category)
                for entry in fields:  # every field of the category, not only the first
                    record_type, _, field = entry.partition(":")
                    allowed = field in granted(protocol, who, verb, record_type, {condition})
                    if allowed != expected:
                        wrong.append(f"{condition}/{verb}/{category}/{field}: engine {allowed}")
    assert not wrong, "\n".join(wrong)


def test_the_oracle_covers_every_category() -> None:
    """A category added to a protocol must be added to its oracle too, or this fails."""
    known = WHOLE_REFERRAL | AGENDA_VIEW | RESEARCH | {"minutes", "actions", "safety_plan"}
    assert set(PROTOCOLS["marac"].categories) == known
    assert set(PROTOCOLS["offender"].categories) == {
        "offender_record",
        "youth_record",
        "research_notes",
        "minutes",
        "actions",
    }


def test_no_condition_holding_means_nothing() -> None:
    for protocol in PROTOCOLS.values():
        for record_type in ("referral", "nominal", "youth_record", "minute"):
            assert not granted(protocol, actor("coordinator", "police"), "view", record_type, set())


def test_an_actor_without_an_agency_gets_nothing() -> None:
    nobody = Actor(uuid.uuid4(), "x@example.org", None, None, None, False, frozenset(CASE_ROLES))
    for protocol in PROTOCOLS.values():
        assert not granted(protocol, nobody, "view", "referral", set(CONDITIONS))
