"""What a protocol's rules grant an actor, given the conditions that hold: pure functions over
a loaded protocol, shared by the engine (``casework.sharing.engine``), its prepared statements
(``casework.sharing.prepared``) and the generated protocol tests."""

from __future__ import annotations

from collections.abc import Iterable

from casework.actors import Actor
from casework.roles import CASE_ROLES
from casework.sharing.protocols import Protocol


def case_roles(actor: Actor) -> Actor:
    """The actor as protocols see it: only the roles that may ever touch case data."""
    return Actor(
        actor.user_id,
        actor.email,
        actor.agency_id,
        actor.agency_code,
        actor.sector,
        actor.is_police,
        actor.roles & frozenset(CASE_ROLES),
        actor.via,
    )


def granted(
    protocol: Protocol, actor: Actor, verb: str, record_type: str, holding: Iterable[str]
) -> frozenset[str]:
    """Fields of ``record_type`` that rules grant ``actor`` for ``verb``, given the conditions
    that hold. Pure: the generated protocol tests call this directly."""
    actor = case_roles(actor)
    holding = set(holding)
    fields: set[str] = set()
    for rule in protocol.rules:
        if rule.condition in holding and rule.matches(actor, verb):
            fields |= protocol.fields(rule.categories, record_type)
    return frozenset(fields)


def rules_granting(protocol: Protocol, actor: Actor, verb: str, record_type: str) -> set[str]:
    """Conditions under which some rule grants this actor at least one field."""
    actor = case_roles(actor)
    return {
        rule.condition
        for rule in protocol.rules
        if rule.matches(actor, verb) and protocol.fields(rule.categories, record_type)
    }
