"""The offender panels (PPO, Prevent and Deter, IOM) as panel kinds (``casework.panels.kinds``).

Their agendas carry nominals beside the meeting's own entries: the draft adds due
classification reviews and the targeting matrix's top candidates (``casework.offenders.agenda``),
and each reader sees of a listed nominal what the sharing engine grants, disclosed and audited
by it, like any other case on the agenda.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from casework import clock
from casework.actors import Actor
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders import dump as offender_dump
from casework.offenders.agenda import offender_agenda_items
from casework.offenders.models import Nominal
from casework.panels.kinds import AgendaHooks, AgendaShown, KindPage, PanelKind, register
from casework.roles import OFFENDER_PAGE_ROLES
from casework.services import Services


def _draft(svc: Services, meeting: Meeting) -> int:
    return len(offender_agenda_items(svc, meeting))


def _show(
    svc: Services, actor: Actor, items: list[AgendaItem], disclosing: dict[str, Any]
) -> AgendaShown:
    """Items naming a nominal (candidates, classification reviews): what the reader may see of
    each, through the engine; one it may see nothing of is omitted."""
    owned = [i for i in items if i.nominal_id is not None]
    if not owned:
        return AgendaShown({})
    ids = {i.nominal_id for i in owned}
    rows = list(svc.session.scalars(select(Nominal).where(Nominal.id.in_(ids))))
    context = offender_dump.context_for(svc, rows)
    today = clock.today()

    def shape(nominal: Any, fields: frozenset[str]) -> dict[str, Any]:
        data = offender_dump.dump(svc, nominal, today, detail=False, context=context)
        shown = offender_dump.visible_view(data, fields)
        shown.pop("id", None)
        return shown

    found = svc.sharing.disclosures(svc.session, actor, Nominal, rows, shape=shape, **disclosing)
    by_nominal: dict[uuid.UUID, Any] = {d.record.id: d for d in found}
    entries: dict[uuid.UUID, dict[str, Any] | None] = {}
    for item in owned:
        shown = by_nominal.get(item.nominal_id)
        entries[item.id] = (
            None if shown is None else {"nominal_id": str(item.nominal_id), **shown.data}
        )
    return AgendaShown(entries, list(by_nominal.values()))


AGENDA = AgendaHooks(draft=_draft, show=_show)
RECORD_TYPES = ("nominal", "youth_record", "minute", "action")
ENTRIES = {"candidate": "Candidate"}  # a classification review is a "review", as for MARAC


def _offender_kind(code: str, label: str) -> PanelKind:
    return register(
        PanelKind(
            code,
            label,
            protocol="offender",
            record_types=RECORD_TYPES,
            agenda=AGENDA,
            entries=ENTRIES,
            statistics=("offenders",),
            pages=(PAGE,),
        )
    )


PAGE = KindPage("Offenders", "web.offender_overview", "web.offender", roles=OFFENDER_PAGE_ROLES)

# Listed in this order on pages and in messages.
PPO = _offender_kind("ppo", "PPO")
PREVENT_DETER = _offender_kind("prevent_deter", "Prevent and Deter")
IOM = _offender_kind("iom", "IOM")
