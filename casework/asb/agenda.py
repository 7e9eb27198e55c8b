"""What an ASB panel's meetings put on their agendas, and how each reader sees those items.

**Draft** (``casework.meetings.agenda.build_draft`` calls it through the kind's hooks, at the
cut-off and from the coordinator's button): after the meeting's own entries, an item for

* each open case of the panel referred on or before the meeting's cut-off day (the meeting
  day if it has none) that is on no agenda yet of a meeting that is not cancelled: a case is
  heard once, and again only when someone puts it on an agenda by hand;
* each open case of the panel with a Community Trigger under review (``status = "review"``):
  the case review is heard at the panel, even if the case was heard before.

A case already on this agenda is not added twice, so running the draft again adds nothing.
Items carry only ``case_type``/``case_id``; positions continue after the existing items.

**Show**: each reader sees of a listed case what the panel's protocol grants them, disclosed
and audited by ``Sharing.disclosures`` like every other case on an agenda; a case the reader
may see nothing of is omitted. Entries use the meeting's own keys where they mean the same
(``reference``, ``victim.*``, ``perpetrators``, ``risk.band``, ``summary``), so the agenda's
downloads show them in the usual columns; ``columns`` adds the ASB ones.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, func, select

from casework.actors import Actor
from casework.asb.dump import RECORD_TYPE, context_for, dump_case, visible_view
from casework.asb.models import AsbCase, CommunityTrigger
from casework.meetings.agenda_view import local_start
from casework.meetings.models import AgendaItem, Meeting
from casework.panels.kinds import AgendaShown, ExportColumn
from casework.services import Services

ENTRY = "asb_case"


def _wanted(svc: Services, meeting: Meeting) -> list[uuid.UUID]:
    """The cases the draft lists (module docstring), in referral order, then reviews."""
    cutoff = meeting.cutoff_on or local_start(meeting).date()
    listed = (AgendaItem.case_type == RECORD_TYPE) & (AgendaItem.case_id == AsbCase.id)
    on_an_agenda = exists(
        select(AgendaItem.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(listed, Meeting.status != "cancelled")
    )
    under_review = exists(
        select(CommunityTrigger.id).where(
            CommunityTrigger.case_id == AsbCase.id, CommunityTrigger.status == "review"
        )
    )
    base = select(AsbCase.id).where(AsbCase.panel_id == meeting.panel_id, AsbCase.status == "open")
    new = base.where(AsbCase.referral_date <= cutoff, ~on_an_agenda).order_by(
        AsbCase.referral_date, AsbCase.reference
    )
    reviews = base.where(under_review).order_by(AsbCase.referral_date, AsbCase.reference)
    found = [*svc.session.scalars(new), *svc.session.scalars(reviews)]
    return list(dict.fromkeys(found))


def draft(svc: Services, meeting: Meeting) -> int:
    """Add the panel's due ASB cases to a scheduled meeting's agenda; how many were added."""
    if meeting.status != "scheduled":
        return 0
    here = set(
        svc.session.scalars(
            select(AgendaItem.case_id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.case_id.is_not(None)
            )
        )
    )
    last = svc.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    position = (last or 0) + 1
    added = 0
    for case_id in _wanted(svc, meeting):
        if case_id in here:
            continue
        svc.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=position,
                kind=ENTRY,
                case_type=RECORD_TYPE,
                case_id=case_id,
            )
        )
        position += 1
        added += 1
    if added:
        svc.session.flush()
        svc.session.expire(meeting, ["items"])
    return added


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    """A disclosed case as an agenda entry: the dump's keys, plus cells the downloads show
    as text (how many incidents, the groups responsible), present only with their fields."""
    out = {k: v for k, v in data.items() if k != "id"}
    if "incidents" in data:
        out["incidents_count"] = len(data["incidents"])
    groups = [
        " - ".join(x for x in (p.get("group_name"), p.get("description")) if x)
        for p in data.get("perpetrators") or []
        if p.get("is_group") and ("group_name" in p or "description" in p)
    ]
    if groups:
        out["perpetrator_groups"] = groups
    return out


def show(
    svc: Services, actor: Actor, items: list[AgendaItem], disclosing: dict[str, Any]
) -> AgendaShown:
    """The agenda's ASB case items as ``actor`` may see them (module docstring)."""
    owned = [i for i in items if i.case_type == RECORD_TYPE and i.case_id is not None]
    if not owned:
        return AgendaShown({})
    ids = {i.case_id for i in owned}
    cases = list(svc.session.scalars(select(AsbCase).where(AsbCase.id.in_(ids))))
    context = context_for(svc.session, cases)

    def shape(case: AsbCase, fields: frozenset[str]) -> dict[str, Any]:
        data = dump_case(case, context)
        return _entry(visible_view(data, fields))

    found = svc.sharing.disclosures(svc.session, actor, AsbCase, cases, shape=shape, **disclosing)
    by_case = {d.record.id: d for d in found}
    entries: dict[uuid.UUID, dict[str, Any] | None] = {}
    for item in owned:
        shown = by_case.get(item.case_id)
        entries[item.id] = (
            None
            if shown is None
            else {"case_type": RECORD_TYPE, "case_id": str(item.case_id), **shown.data}
        )
    return AgendaShown(entries, list(by_case.values()))


GROUP = "ASB case"
# Beside the meeting's own columns (reference, victim, perpetrators, risk band, summary).
COLUMNS = (
    ExportColumn("Location", "location", GROUP, summary=True),
    ExportColumn("ASB risk score", "risk.score", GROUP, summary=True),
    ExportColumn("Repeat victim", "repeat_victim", GROUP, summary=True),
    ExportColumn("Incidents", "incidents_count", GROUP),
    ExportColumn("Groups responsible", "perpetrator_groups", GROUP),
)
