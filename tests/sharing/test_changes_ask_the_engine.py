"""A change asks the sharing engine about the rows it moves, not only about the caller's role:
under a protocol that lets the panel's coordinator see cases but not manage them, building or
changing the agenda is refused and writes nothing (docs/privacy.md, "Information sharing")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.errors import Forbidden
from casework.meetings import agenda
from casework.meetings.models import AgendaItem
from casework.sharing.protocols import parse_protocol
from tests.conftest import Factory
from tests.meetings.agenda_setup import Partnership, partnership

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "isp" / "marac.toml"
MANAGE = 'roles = ["coordinator", "chair"]\ncondition = "panel_member"\n'


@pytest.fixture()
def p(factory: Factory) -> Partnership:
    return partnership(factory)


@pytest.fixture()
def view_only(p: Partnership, tmp_path: Path) -> Iterator[str]:
    """The shipped MARAC protocol with the coordinator's and chair's "edit" taken away."""
    text = SHIPPED.read_text()
    rule = text.index(MANAGE)
    verbs = text.index("verbs = ", rule)
    end = text.index("\n", verbs)
    assert '"edit"' in text[verbs:end]  # the rule this test narrows is still there
    narrowed = text[:verbs] + 'verbs = ["view", "list", "export"]' + text[end:]
    path = tmp_path / "marac_view_only.toml"
    path.write_text(narrowed.replace('name = "', 'name = "View only: ', 1))
    p.svc.sharing.protocols["marac_view_only"] = parse_protocol(path)
    try:
        yield "marac_view_only"
    finally:
        p.svc.sharing.protocols.pop("marac_view_only", None)


def _items(p: Partnership) -> list[AgendaItem]:
    return list(p.svc.session.scalars(select(AgendaItem)))


def test_building_the_agenda_needs_the_protocol_to_let_the_coordinator_manage_the_cases(
    p: Partnership, view_only: str
) -> None:
    meeting = p.meeting()
    p.refer()  # accepted under the shipped protocol
    p.panel.protocol = view_only
    p.svc.session.commit()

    with pytest.raises(Forbidden):
        agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.rollback()
    assert _items(p) == []

    # The control: the same coordinator, once the protocol lets them manage, builds it.
    p.panel.protocol = "marac"
    p.svc.session.commit()
    built = agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    assert len(built) == 1 and len(_items(p)) == 1


def test_removing_an_item_is_refused_under_a_view_only_protocol_and_keeps_it(
    p: Partnership, view_only: str
) -> None:
    meeting = p.meeting()
    p.refer()
    [item] = agenda.build_agenda(p.svc, p.actor("coordinator"), meeting.id)
    p.svc.session.commit()
    p.panel.protocol = view_only
    p.svc.session.commit()

    with pytest.raises(Forbidden):
        agenda.remove_item(p.svc, p.actor("coordinator"), meeting.id, item.id)
    p.svc.session.rollback()
    assert [i.id for i in _items(p)] == [item.id]
