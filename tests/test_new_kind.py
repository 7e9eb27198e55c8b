"""A panel kind that exists only inside this test: its own record type (a table of its own),
its own protocol and its registry entry. Through the API a panel of the kind is created and
its meeting's agenda is drafted, published and downloaded, an action is agreed on one of its
cases, and each agency sees what the kind's protocol says, with no module of the service
edited for it: the registry and the engine are the only doors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casework import clock
from casework.meetings.agenda_window import listed_in_window
from casework.meetings.models import AgendaItem, Meeting
from casework.panels import kinds as panel_kinds
from casework.panels.kinds import AgendaHooks, AgendaShown, ExportColumn, PanelKind
from casework.panels.models import Panel, PanelMember
from casework.sharing import catalogue
from casework.sharing import engine as sharing_engine
from casework.sharing.engine import RecordType
from casework.sharing.protocols import parse_protocol
from tests.conftest import Factory, bearer

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday


class Scratch(DeclarativeBase):
    """The test kind's tables live apart from the service's metadata (no migration here)."""


class Petition(Scratch):
    __tablename__ = "test_petitions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    panel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))


def _protocol_key() -> ColumnElement[str]:
    return select(Panel.protocol).where(Panel.id == Petition.panel_id).scalar_subquery()


def _conditions(asking: Any, protocol: Any) -> dict[str, ColumnElement[bool]]:
    if asking.agency_id is None:
        return {}
    member = Petition.panel_id.in_(
        select(PanelMember.panel_id).where(PanelMember.agency_id == asking.agency_id)
    )
    listed = listed_in_window(AgendaItem.case_id, asking, protocol)
    return {
        "panel_member": member,
        "on_agenda": Petition.id.in_(listed.where(AgendaItem.case_type == "petition")),
    }


def _draft(svc: Any, meeting: Meeting) -> int:
    """Every petition of the panel not yet listed goes on the draft, after what is there."""
    listed = {i.case_id for i in meeting.items}
    rows = svc.session.scalars(select(Petition).where(Petition.panel_id == meeting.panel_id))
    last = max((i.position for i in meeting.items), default=0)
    added = 0
    for row in sorted(rows, key=lambda p: p.title):
        if row.id in listed:
            continue
        last += 1
        svc.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=last,
                kind="petition",
                case_type="petition",
                case_id=row.id,
            )
        )
        added += 1
    svc.session.flush()
    svc.session.expire(meeting, ["items"])
    return added


def _show(svc: Any, actor: Any, items: list[AgendaItem], disclosing: dict) -> AgendaShown:
    owned = [i for i in items if i.case_type == "petition"]
    rows = list(
        svc.session.scalars(select(Petition).where(Petition.id.in_([i.case_id for i in owned])))
    )
    found = {
        d.record.id: d
        for d in svc.sharing.disclosures(
            svc.session,
            actor,
            Petition,
            rows,
            shape=lambda p, fields: {"title": p.title} if "title" in fields else {},
            **disclosing,
        )
    }
    entries: dict[Any, dict[str, Any] | None] = {}
    for item in owned:
        shown = found.get(item.case_id)
        entries[item.id] = None if shown is None else {"case_id": str(item.case_id), **shown.data}
    return AgendaShown(entries, list(found.values()))


PETITIONS = PanelKind(
    code="petitions",
    label="Petitions panel",
    protocol="petitions",
    record_types=("petition", "minute", "action"),
    agenda=AgendaHooks(
        draft=_draft, show=_show, columns=(ExportColumn("Petition", "title", "Petition"),)
    ),
    entries={"petition": "Petition"},
    case_record="petition",
)

PROTOCOL = """\
name = "Petitions"
panel_kinds = ["petitions"]
agenda_days_after_meeting = 28

[categories]
petition = ["petition:title"]
actions = ["action:description", "action:owner_agency", "action:due_date", "action:status"]
minutes = ["minute:text"]

[[rules]]
roles = ["coordinator", "chair"]
condition = "panel_member"
verbs = ["view", "list", "export", "edit"]
categories = ["petition", "actions"]

[[rules]]
roles = ["agency_rep"]
condition = "on_agenda"
verbs = ["view", "list", "export"]
categories = ["petition", "actions"]

[[rules]]
roles = ["coordinator", "chair", "agency_rep"]
condition = "attendee"
verbs = ["view", "list", "export"]
categories = ["minutes"]
"""


@pytest.fixture()
def petitions(svc: Any, tmp_path: Path) -> Iterator[PanelKind]:
    """The kind, its record type, fields, table and protocol: all gone after the test."""
    Scratch.metadata.create_all(svc.db.engine)
    catalogue.declare("petition", ("title",), ("id", "panel_id"))
    sharing_engine.register(RecordType("petition", Petition, _protocol_key, _conditions))
    panel_kinds.register(PETITIONS)
    path = tmp_path / "petitions.toml"
    path.write_text(PROTOCOL)
    svc.sharing.protocols["petitions"] = parse_protocol(path)
    try:
        yield PETITIONS
    finally:
        svc.sharing.protocols.pop("petitions", None)
        panel_kinds.unregister("petitions")
        sharing_engine._types.pop("petition", None)
        catalogue.FIELDS.pop("petition", None)
        catalogue.RECORD_HEADER.pop("petition", None)
        svc.session.rollback()
        Scratch.metadata.drop_all(svc.db.engine)


def test_a_kind_defined_here_runs_its_agenda_through_the_api(
    svc: Any, factory: Factory, client: Any, petitions: PanelKind
) -> None:
    with clock.travel(NOW):
        factory.agency("POL", "police")
        factory.agency("HSG", "housing")
        factory.agency("OUT", "housing")
        chair = factory.token(factory.user("chair@pol.example", "POL", ("coordinator", "chair")))
        member = factory.token(factory.user("rep@hsg.example", "HSG", ("agency_rep",)))
        outsider = factory.token(factory.user("rep@out.example", "OUT", ("agency_rep",)))
        body = {
            "kind": "petitions",
            "name": "Petitions North",
            "area": "North",
            "agencies": ["POL", "HSG"],
            "schedule": "day=1st tue; hour=10",
        }
        made = client.post("/api/v1/panels", json=body, headers=bearer(chair))
        assert made.status_code == 201, made.get_json()
        panel_id = made.get_json()["id"]
        assert made.get_json()["protocol"] == "petitions"
        svc.session.add_all(
            Petition(panel_id=uuid.UUID(panel_id), title=t) for t in ("Bus stop", "Allotments")
        )
        svc.session.commit()

        meetings = client.get(f"/api/v1/panels/{panel_id}/meetings", headers=bearer(chair))
        meeting_id = min(meetings.get_json(), key=lambda m: m["starts_at"])["id"]
        agenda = f"/api/v1/meetings/{meeting_id}/agenda"

        drafted = client.post(f"{agenda}/draft", headers=bearer(chair))
        assert drafted.status_code in (200, 201), drafted.get_json()
        seen = client.get(agenda, headers=bearer(chair)).get_json()["items"]
        assert [(i["kind"], i["title"]) for i in seen] == [
            ("petition", "Allotments"),
            ("petition", "Bus stop"),
        ]
        # Not circulated yet: the member agency is shown no agenda at all.
        assert client.get(agenda, headers=bearer(member)).status_code == 404

        published = client.post(f"{agenda}/publish", headers=bearer(chair))
        assert published.status_code in (200, 201), published.get_json()
        shown = client.get(agenda, headers=bearer(member)).get_json()["items"]
        assert [i["title"] for i in shown] == ["Allotments", "Bus stop"]
        # An agency outside the panel: the meeting does not exist for it.
        assert client.get(agenda, headers=bearer(outsider)).status_code == 404

        csv = client.get(f"{agenda}?format=csv", headers=bearer(member))
        assert csv.status_code == 200
        text = csv.get_data(as_text=True)
        assert "Petition" in text and "Allotments" in text  # its column, its label

        case_id = shown[0]["case_id"]
        present = [
            {"agency": code, "status": "present", "names": [name], "acknowledged": [name]}
            for code, name in (("POL", "Sam Chair"), ("HSG", "Ali Officer"))
        ]
        taken = client.put(
            f"/api/v1/meetings/{meeting_id}/attendance", json=present, headers=bearer(chair)
        )
        assert taken.status_code == 200 and taken.get_json()["problems"] == []
        minuted = client.put(
            f"/api/v1/meetings/{meeting_id}/minutes/{case_id}",
            json={"text": "The parks team owns the land."},
            headers=bearer(chair),
        )
        assert minuted.status_code == 200, minuted.get_json()
        assert minuted.get_json()["case_id"] == case_id
        agreed = client.post(
            f"/api/v1/meetings/{meeting_id}/actions",
            json={
                "case_id": case_id,
                "description": "Ask the parks team",
                "owner_agency": "HSG",
                "due_on": "2026-12-31",
            },
            headers=bearer(chair),
        )
        assert agreed.status_code == 201, agreed.get_json()
        assert agreed.get_json()["case_id"] == case_id
        # The owner sees its action; a case id not on this agenda is not found.
        mine = client.get("/api/v1/actions", headers=bearer(member)).get_json()
        assert [a["case_id"] for a in mine] == [case_id]
        stray = client.post(
            f"/api/v1/meetings/{meeting_id}/actions",
            json={
                "case_id": str(uuid.uuid4()),
                "description": "x",
                "owner_agency": "HSG",
                "due_on": "2026-12-31",
            },
            headers=bearer(chair),
        )
        assert stray.status_code == 404
