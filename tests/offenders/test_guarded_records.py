"""An action that declares it reads offender records passes when the sharing engine decided on
the one record it was asked about: the engine chooses whether a person is an adult's
``nominal`` or a ``youth_record``, so asking about the row decides both declared types."""

from __future__ import annotations

from typing import Any

from casework.actors import Actor
from casework.authz import action
from casework.offenders.models import Nominal
from casework.services import Services
from tests.offenders.conftest import World


@action(reads=("nominal", "youth_record"))
def may_open(svc: Services, actor: Actor, nominal_id: Any) -> bool:
    """Asks the engine about one loaded row, as the meeting and targeting pages do."""
    nominal = svc.session.get(Nominal, nominal_id)
    return svc.sharing.may(svc.session, actor, "view", nominal)


def test_asking_about_an_adults_record_decides_both_declared_types(world: World) -> None:
    adult = world.nominal("ppo")
    assert may_open(world.svc, world.actor("police"), adult.id) is True
    assert may_open(world.svc, world.actor("outsider"), adult.id) is False


def test_asking_about_a_young_persons_record_decides_both_declared_types(world: World) -> None:
    young = world.nominal("pd")
    assert may_open(world.svc, world.actor("yot"), young.id) is True
    assert may_open(world.svc, world.actor("housing"), young.id) is False
