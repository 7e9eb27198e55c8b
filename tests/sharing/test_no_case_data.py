"""``@action(reads=())`` says an action touches no record type the sharing engine shares (a
panel list, staff to assign, the owner's own draft): the route test can tell it from an action
that has not declared yet, and it must still decide who may call it."""

from __future__ import annotations

import pytest

from casework.actors import Actor
from casework.authz import AccessNotChecked, action, declared_types, signed_in


@action(reads=())
def panels_only(actor: Actor) -> list[str]:
    signed_in(actor)
    return ["Northshire MARAC"]


@action(reads=())
def forgot_to_check(actor: Actor) -> list[str]:
    return ["Northshire MARAC"]


@action
def not_declared(actor: Actor) -> list[str]:
    signed_in(actor)
    return []


def _actor() -> Actor:
    return Actor(None, "rep@pol.example", None, "POL", "police", True, frozenset({"agency_rep"}))


def test_declaring_no_case_data_is_told_apart_from_not_declaring() -> None:
    assert declared_types(panels_only) == ()
    assert declared_types(not_declared) is None
    assert panels_only(_actor()) == ["Northshire MARAC"]


def test_declaring_no_case_data_still_needs_an_access_check() -> None:
    with pytest.raises(AccessNotChecked):
        forgot_to_check(_actor())
