"""Every role x agency sector x condition x verb x category cell of the shipped ASB protocol
(config/isp/asb.toml), generated like tests/sharing/test_matrix.py does for MARAC and the
offender panels (whose oracles list their protocols by name, so asb.toml is checked here).

The oracle is written from the issue and the protocol's own description, not from its rules:
"police, housing and the council's ASB team on the panel see the whole case; other member
agencies see the victim's identity, the risk summary, the perpetrators and the actions for
cases on agendas they attend; the referring agency sees its own referral; research notes stay
with the agency that wrote them; minutes go to attendees"; the coordinator and chair manage
the case; and police, housing and the ASB team record the interventions they issue (the
interventions) on their panel's cases, while Community Triggers and a case's outcome are the
panel's decisions, for its coordinator and chair.
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

PROTOCOL = load_protocols(PROJECT_ROOT / "config" / "isp")["asb"]

REFERRAL = {
    "victim_identity",
    "victim_contact",
    "location",
    "risk_assessment",
    "risk_summary",
    "incidents",
    "incident_references",
    "perpetrators",
    "case_narrative",
}
WHOLE_CASE = REFERRAL | {"interventions", "case_review"}
AGENDA_VIEW = {"victim_identity", "location", "risk_summary", "incidents", "perpetrators"}
ENFORCERS = {"police", "housing", "local_authority"}
MEMBERS = {"referrer", "agency_rep", "coordinator", "chair"}  # no IDVA on an ASB panel
MANAGERS = {"coordinator", "chair"}
READ = {"view", "list", "export"}


def asb_oracle(role: str, sector: str, condition: str, verb: str, category: str) -> bool:
    if role not in MEMBERS:
        return False  # analyst, admin and dpo never see case data; IDVAs are MARAC's
    if condition == "panel_member":
        if category == "actions":
            return role in MANAGERS or verb in READ
        if category in WHOLE_CASE:
            if role in MANAGERS:
                return True
            if sector in ENFORCERS:
                return verb in READ or (category == "interventions" and verb == "edit")
        return False
    if condition == "own_agency":
        if category in REFERRAL | {"actions"}:
            return verb in {"view", "list", "edit"}
        return False
    if condition == "on_agenda":
        return (
            role in {"agency_rep", "referrer"}
            and category in AGENDA_VIEW | {"actions"}
            and verb in READ
        )
    if condition == "own_research":
        return category == "research_notes" and verb in {"view", "list", "edit"}
    if condition == "attendee":
        return category == "minutes" and verb in READ
    return False  # "always" and "assigned_idva" grant nothing under this protocol


def actor(role: str, sector: str) -> Actor:
    return Actor(
        uuid.uuid4(), "x@example.org", uuid.uuid4(), "AG1", sector, False, frozenset({role})
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("sector", SECTORS)
def test_every_cell(role: str, sector: str) -> None:
    who = actor(role, sector)
    wrong = []
    for condition in CONDITIONS:
        for verb in VERBS:
            for category, fields in PROTOCOL.categories.items():
                for entry in fields:  # every field of the category, not only the first
                    record_type, _, field = entry.partition(":")
                    allowed = field in granted(PROTOCOL, who, verb, record_type, {condition})
                    if allowed != asb_oracle(role, sector, condition, verb, category):
                        wrong.append(f"{condition}/{verb}/{category}/{field}: engine {allowed}")
    assert not wrong, "\n".join(wrong)


def test_the_oracle_covers_every_category() -> None:
    """A category added to the protocol must be added to the oracle too, or this fails."""
    known = WHOLE_CASE | {"research_notes", "minutes", "actions"}
    assert set(PROTOCOL.categories) == known
    assert PROTOCOL.panel_kinds == {"asb"}


def test_an_incident_reference_is_a_field_of_its_own() -> None:
    """Agencies seeing incidents from an agenda do not get the crime numbers with them."""
    shown = granted(PROTOCOL, actor("agency_rep", "health"), "view", "asb_case", {"on_agenda"})
    assert "incidents" in shown and "incidents.reference" not in shown
