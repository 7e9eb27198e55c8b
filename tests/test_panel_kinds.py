"""Panel kinds are one registry (casework/panels/kinds.py): a kind declared once, here inside
the test, is accepted by panel validation and protocol files, named on pages, given its own
protocol by default, and its agenda hooks are what meetings run, with no edit elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import clock
from casework.accounts.auth import actor_for
from casework.errors import Invalid
from casework.meetings.agenda import build_draft
from casework.meetings.agenda_export import download
from casework.meetings.agenda_view import agenda_for
from casework.meetings.models import AgendaItem, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.actions import create_panel
from casework.panels.kinds import AgendaHooks, AgendaShown, PanelKind
from casework.sharing.protocols import ProtocolError, parse_protocol
from tests.conftest import Factory, csrf_token, sign_in

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday

TRIAL_PROTOCOL = """\
name = "Trial panels"
panel_kinds = ["trial"]

[categories]
minutes = ["minute:text"]

[[rules]]
sectors = ["police"]
roles = ["agency_rep"]
condition = "attendee"
verbs = ["view"]
categories = ["minutes"]
"""


def _draft(svc: Any, meeting: Meeting) -> int:
    """The trial kind lists one entry of its own on each draft (once)."""
    if any(i.kind == "trial" for i in meeting.items):
        return 0
    svc.session.add(AgendaItem(meeting_id=meeting.id, position=1, kind="trial"))
    svc.session.flush()
    svc.session.expire(meeting, ["items"])
    return 1


def _show(svc: Any, actor: Any, items: list[AgendaItem], disclosing: dict) -> AgendaShown:
    return AgendaShown({i.id: {"subject": "Trial entry"} for i in items if i.kind == "trial"})


TRIAL = PanelKind(
    code="trial",
    label="Trial panel",
    protocol="trial",
    record_types=("minute",),
    agenda=AgendaHooks(draft=_draft, show=_show),
    entries={"trial": "Trial item"},
)


@pytest.fixture()
def trial(svc: Any, tmp_path: Path) -> Iterator[PanelKind]:
    """The trial kind registered and its protocol loaded, both gone after the test."""
    path = tmp_path / "trial.toml"
    path.write_text(TRIAL_PROTOCOL)
    panel_kinds.register(TRIAL)
    svc.sharing.protocols["trial"] = parse_protocol(path)
    try:
        yield TRIAL
    finally:
        svc.sharing.protocols.pop("trial", None)
        panel_kinds.unregister("trial")


def test_a_protocol_may_name_a_kind_only_once_it_is_registered(tmp_path: Path) -> None:
    path = tmp_path / "trial.toml"
    path.write_text(TRIAL_PROTOCOL)
    with pytest.raises(ProtocolError, match="unknown panel kind 'trial'"):
        parse_protocol(path)
    panel_kinds.register(TRIAL)
    try:
        assert parse_protocol(path).panel_kinds == frozenset({"trial"})
    finally:
        panel_kinds.unregister("trial")


def test_the_shipped_kinds_are_registered_once_in_order() -> None:
    assert panel_kinds.labels() == {
        "marac": "MARAC",
        "ppo": "PPO",
        "prevent_deter": "Prevent and Deter",
        "iom": "IOM",
        "asb": "ASB risk assessment",
    }
    assert panel_kinds.disclosing("referral") == ("marac",)
    assert panel_kinds.with_statistics("marac") == ("marac",)


def test_an_unregistered_kind_is_refused_naming_the_registered_ones(svc, factory: Factory):
    factory.agency("POL", "police")
    body = {"kind": "trial", "name": "T", "area": "A", "agencies": ["POL"], "schedule": "day=1"}
    with pytest.raises(Invalid) as refused:
        create_panel(svc, factory.system, body, now=NOW)
    assert refused.value.fields["kind"] == ["Must be one of: marac, ppo, prevent_deter, iom, asb."]


def test_a_kind_registered_in_a_test_gets_panels_its_protocol_and_its_agenda_entries(
    svc, factory: Factory, trial: PanelKind, client
) -> None:
    with clock.travel(NOW):
        factory.agency("POL", "police")
        coordinator = factory.user("coord@pol.example", "POL", ("coordinator",))
        body = {
            "kind": "trial",
            "name": "Trial North",
            "area": "North",
            "agencies": ["POL"],
            "schedule": "day=1st tue; hour=10",
        }
        panel = create_panel(svc, factory.system, body, now=NOW)
        svc.session.commit()
        assert panel.protocol == "trial"  # the registration's default protocol

        meeting = min(panel_meetings(svc, panel.id), key=lambda m: m.starts_at)
        actor = actor_for(coordinator)
        build_draft(svc, meeting, actor)
        build_draft(svc, meeting, actor)  # idempotent: the hook adds its entry once
        svc.session.commit()
        answer = agenda_for(svc, actor, meeting.id)
        assert [(i["kind"], i["subject"]) for i in answer["items"]] == [("trial", "Trial entry")]
        assert answer["items"][0]["start_time"] == "10:00"
        # The download names the entry as its kind declared it.
        csv = download(svc, actor, meeting.id, "csv").content.decode()
        assert "Trial item" in csv

        sign_in(client, "coord@pol.example")
        for url in ("/", "/panels"):  # the home page and the panel list name its kind
            page = client.get(url)
            assert page.status_code == 200
            assert "Trial panel" in page.get_data(as_text=True)


def panel_meetings(svc: Any, panel_id: Any) -> list[Meeting]:
    return list(svc.session.scalars(select(Meeting).where(Meeting.panel_id == panel_id)))


def test_the_navigation_offers_a_kinds_pages_to_members_of_its_panels_once(
    svc, factory: Factory, client
) -> None:
    """A kind names its pages (``PanelKind.pages``); the navigation offers them to people
    whose agency sits on a panel of the kind, once however many such kinds it sits on."""
    with clock.travel(NOW):
        factory.agency("POL", "police")
        factory.agency("HOU", "housing")
        factory.user("rep@pol.example", "POL", ("agency_rep",))
        factory.user("rep@hou.example", "HOU", ("agency_rep",))
        factory.panel(("POL",), kind="ppo", name="PPO")
        factory.panel(("POL",), kind="iom", name="IOM")
        factory.panel(("POL",), kind="asb", name="ASB")

        def nav(email: str) -> list[str]:
            sign_in(client, email)
            page = client.get("/").get_data(as_text=True)
            client.post("/sign-out", data={"csrf_token": csrf_token(page)})
            return re.findall(r'class="govuk-service-navigation__link"[^>]*>\s*([^<]+?)\s*<', page)

        police = nav("rep@pol.example")
        assert police.count("Offenders") == 1 and police.count("ASB cases") == 1
        housing = nav("rep@hou.example")
        assert "Offenders" not in housing and "ASB cases" not in housing
