"""The subject access workbench's actions: open a request, find the person, gather what is
held about them, decide each item, prepare the disclosure.

Every action starts with ``access.require_dpo`` (404 for anyone else) and writes its audit
entries in the caller's transaction. Gathering reads case records across every panel, which
no sharing protocol grants a DPO: the grant is the workbench's own (``access``), and each
record read is audited as a ``view`` naming the request it was read for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from casework.actors import Actor
from casework.agencies.models import Agency
from casework.audit import log as audit
from casework.authz import action
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.meetings.calendar import local_date
from casework.meetings.models import AgendaItem, CaseAction, Meeting, Minute, ResearchNote
from casework.offenders.models import OffenderEvent
from casework.panels.models import Panel
from casework.schemas import load
from casework.search.audit import record_search
from casework.search.schemas import SearchQuery
from casework.services import Services
from casework.subject_access import find, gather
from casework.subject_access.access import SOURCE_TYPES, require_dpo
from casework.subject_access.defaults import due_date, proposed
from casework.subject_access.models import SubjectAccessItem, SubjectAccessRequest
from casework.subject_access.schemas import DecisionIn, GatherIn, RequestIn

REQUEST = "subject_access_request"
ITEM = "subject_access_item"


def _purpose(request: SubjectAccessRequest) -> str:
    return f"subject access request {request.id}"


@action(reads=())
def open_request(svc: Services, actor: Actor, data: Any) -> SubjectAccessRequest:
    """A request as received: who is asking, the DPO's reference, the statutory due date."""
    require_dpo(actor)
    values = load(RequestIn(), data)
    nation = svc.settings.get("SUBJECT_ACCESS_NATION", "england-and-wales")
    request = SubjectAccessRequest(
        requester_type=values["requester_type"],
        received_on=values["received_on"],
        due_on=due_date(values["received_on"], nation),
        created_by_id=actor.user_id,
    )
    request.reference = values["reference"]
    svc.session.add(request)
    svc.session.flush()
    fields = ["requester_type", "reference", "received_on"]
    audit.record(svc.session, actor, "create", REQUEST, request.id, fields)
    return request


@action(reads=())
def workbench(svc: Services, actor: Actor) -> None:
    """Only that the caller may use the workbench (404 otherwise): for a page that shows a
    form before it reads anything."""
    require_dpo(actor)


@action(reads=())
def list_requests(svc: Services, actor: Actor) -> list[SubjectAccessRequest]:
    """Every request, the soonest due first."""
    require_dpo(actor)
    rows = svc.session.scalars(
        select(SubjectAccessRequest).order_by(
            SubjectAccessRequest.due_on, SubjectAccessRequest.created_at
        )
    )
    audit.record(svc.session, actor, "list", REQUEST, fields=["reference", "due_on"])
    return list(rows)


def _load(svc: Services, request_id: Any) -> SubjectAccessRequest:
    found = svc.session.get(SubjectAccessRequest, as_uuid(request_id) or uuid.uuid4())
    if found is None:
        raise NotVisible()
    return found


@action(reads=SOURCE_TYPES)
def get_request(svc: Services, actor: Actor, request_id: Any) -> SubjectAccessRequest:
    """A request with every item gathered for it (their content: copies of case data)."""
    require_dpo(actor, *SOURCE_TYPES)
    request = _load(svc, request_id)
    audit.record(svc.session, actor, "view", REQUEST, request.id, ["items"])
    return request


@action(reads=SOURCE_TYPES)
def get_item(
    svc: Services, actor: Actor, request_id: Any, item_id: Any
) -> tuple[SubjectAccessRequest, SubjectAccessItem]:
    require_dpo(actor, *SOURCE_TYPES)
    request = _load(svc, request_id)
    wanted = as_uuid(item_id)
    item = next((i for i in request.items if i.id == wanted), None)
    if item is None:
        raise NotVisible()
    audit.record(svc.session, actor, "view", ITEM, item.id, ["title", "content", "reason"])
    return request, item


@action(reads=SOURCE_TYPES)
def find_subject(svc: Services, actor: Actor, request_id: Any, query: Any) -> list[dict]:
    """People held whose name (and date of birth) match, for the DPO to choose from. One
    audit entry, the query sealed in it, naming the records shown (as the people search)."""
    require_dpo(actor, *SOURCE_TYPES)
    _load(svc, request_id)
    values = load(SearchQuery(), query)
    found = find.people(svc, values["q"], values["date_of_birth"])
    shown = [f"{f.type}:{f.id}" for f in found]
    record_search(svc.session, actor, values["q"], values["date_of_birth"], shown)
    return [f.answer() for f in found]


def _names(svc: Services) -> dict[Any, str]:
    """Agency and panel names by id (a few rows each): what items say instead of ids."""
    names: dict[Any, str] = dict(svc.session.execute(select(Agency.id, Agency.name)).all())
    names.update(svc.session.execute(select(Panel.id, Panel.name)).all())
    return names


def _meeting_days(svc: Services, meeting_ids: Iterable[Any]) -> dict[Any, Any]:
    ids = list(set(meeting_ids))
    if not ids:
        return {}
    rows = svc.session.execute(select(Meeting.id, Meeting.starts_at).where(Meeting.id.in_(ids)))
    return {mid: local_date(starts) for mid, starts in rows}


def _case_rows(svc: Services, model: type, referral_id: Any = None, case_id: Any = None) -> list:
    where = model.referral_id == referral_id if referral_id else model.case_id == case_id
    return list(svc.session.scalars(select(model).where(where).order_by(model.id)))


def _meeting_drafts(
    svc: Services, names: dict[Any, str], label: str, source: str, **case: Any
) -> list[gather.Draft]:
    """What meetings hold about one case: its listings, minutes, actions and research."""
    listed = _case_rows(svc, AgendaItem, **case)
    minutes = _case_rows(svc, Minute, **case)
    actions = _case_rows(svc, CaseAction, **case)
    notes = _case_rows(svc, ResearchNote, **case)
    days = _meeting_days(svc, [r.meeting_id for r in (*listed, *minutes)])
    out = [gather.agenda_item(i, label, days.get(i.meeting_id)) for i in listed]
    out += [gather.minute_item(m, label, days.get(m.meeting_id)) for m in minutes]
    out += [gather.action_item(a, label, names.get(a.owner_agency_id), source) for a in actions]
    out += [gather.research_item(n, label, names.get(n.agency_id)) for n in notes]
    return out


def _drafts_for(
    svc: Services, kind: str, record_id: uuid.UUID, role: str, person_id: uuid.UUID, names: dict
) -> list[gather.Draft] | None:
    """Every item held about the person in one record; None when the record (or the person
    in it) is no longer held."""
    record = svc.session.get(find.MODELS[kind], record_id)
    if record is None:
        return None
    if kind == "referral":
        people = {"victim": [record.id], "perpetrator": [p.id for p in record.perpetrators]}
        people["child"] = [c.id for c in record.children]
        if person_id not in people.get(role, []):
            return None
        drafts = gather.referral_items(record, role, person_id, names)
        return drafts + _meeting_drafts(
            svc, names, record.reference, "referral", referral_id=record.id
        )
    if kind == "nominal":
        if role != "nominal" or person_id != record.id:
            return None
        source = "youth_record" if record.is_youth else "nominal"
        events = svc.session.scalars(
            select(OffenderEvent)
            .where(OffenderEvent.nominal_id == record.id)
            .order_by(OffenderEvent.event_date)
        )
        actions = svc.session.scalars(
            select(CaseAction).where(CaseAction.nominal_id == record.id).order_by(CaseAction.id)
        )
        drafts = gather.nominal_items(record, source, names, events)
        label = "Offender management"
        return drafts + [
            gather.action_item(a, label, names.get(a.owner_agency_id), source) for a in actions
        ]
    responsible = [p.id for p in record.perpetrators if not p.is_group]
    people = {"asb_victim": [record.id], "asb_perpetrator": responsible}
    if person_id not in people.get(role, []):
        return None
    label = f"Anti-social behaviour case {record.reference}"
    return gather.asb_items(record, names, role, person_id) + _meeting_drafts(
        svc, names, label, "asb_case", case_id=record.id
    )


def _audit_reads(
    svc: Services, actor: Actor, request: SubjectAccessRequest, drafts: list[gather.Draft]
) -> None:
    """One ``view`` entry per record read, naming what was copied from it."""
    read: dict[tuple[str, str], set[str]] = {}
    for d in drafts:
        kind, ident = d.source_key.split(":")[:2]
        record_type = {"agenda": "referral"}.get(kind, kind)
        read.setdefault((record_type, ident), set()).add(d.category)
    for (record_type, ident), categories in sorted(read.items()):
        audit.record(
            svc.session, actor, "view", record_type, ident, categories, purpose=_purpose(request)
        )


@action(reads=SOURCE_TYPES)
def gather_items(svc: Services, actor: Actor, request_id: Any, data: Any) -> SubjectAccessRequest:
    """Copy everything held about the chosen people into the request as items, each with
    its proposed decision (``defaults``). Gathering a record twice adds nothing twice."""
    require_dpo(actor, *SOURCE_TYPES)
    request = _load(svc, request_id)
    values = load(GatherIn(), data)
    chosen = [find.parse_key(k) for k in values["people"]]
    if any(c is None for c in chosen):
        raise Invalid({"people": ["Choose people from the list found"]})
    names = _names(svc)
    drafts: list[tuple[gather.Draft, str]] = []
    for kind, record_id, role, person_id in (c for c in chosen if c is not None):
        found = _drafts_for(svc, kind, record_id, role, person_id, names)
        if found is None:
            raise Invalid({"people": ["A person chosen is no longer held: search again"]})
        drafts += [(d, role) for d in found]
    held = {i.source_key for i in request.items}
    position = max((i.position for i in request.items), default=0)
    for draft, role in drafts:
        if draft.source_key in held:
            continue
        held.add(draft.source_key)
        position += 1
        decision, reason = proposed(request.requester_type, role, draft.source_type, draft.category)
        item = SubjectAccessItem(
            request_id=request.id,
            position=position,
            source_key=draft.source_key,
            source_type=draft.source_type,
            category=draft.category,
            default_decision=decision,
            decision=decision,
        )
        item.title = draft.title
        item.content = [list(line) for line in draft.lines]
        item.reason = reason or None
        request.items.append(item)
    _audit_reads(svc, actor, request, [d for d, _ in drafts])
    audit.record(svc.session, actor, "update", REQUEST, request.id, ["items"])
    svc.session.flush()
    return request


@action(reads=SOURCE_TYPES)
def decide(
    svc: Services, actor: Actor, request_id: Any, item_id: Any, data: Any
) -> SubjectAccessItem:
    """The DPO's decision on one item, with the reason (needed to redact or withhold)."""
    require_dpo(actor, *SOURCE_TYPES)
    request = _load(svc, request_id)
    wanted = as_uuid(item_id)
    item = next((i for i in request.items if i.id == wanted), None)
    if item is None:
        raise NotVisible()
    values = load(DecisionIn(), data)
    item.decision = values["decision"]
    item.reason = values.get("reason") or None
    item.decided_by_id = actor.user_id
    item.decided_at = utcnow()
    audit.record(svc.session, actor, "update", ITEM, item.id, ["decision", "reason"])
    return item


@action(reads=SOURCE_TYPES)
def disclosure(svc: Services, actor: Actor, request_id: Any) -> dict[str, Any]:
    """What the disclosure prints: released items in full, redacted ones as a mark with the
    reason, withheld ones not at all. Each record disclosed is audited (``disclose``) and
    the document once (``export``)."""
    require_dpo(actor, *SOURCE_TYPES)
    request = _load(svc, request_id)
    shown = [i for i in request.items if i.decision != "withhold"]
    by_record: dict[tuple[str, str], set[str]] = {}
    for item in shown:
        kind, ident = item.source_key.split(":")[:2]
        record_type = {"agenda": "referral"}.get(kind, kind)
        by_record.setdefault((record_type, ident), set()).add(f"{item.category}:{item.decision}")
    for (record_type, ident), fields in sorted(by_record.items()):
        audit.record(
            svc.session, actor, "disclose", record_type, ident, fields, purpose=_purpose(request)
        )
    audit.record(svc.session, actor, "export", REQUEST, request.id, ["disclosure"])
    return {"request": request, "items": shown}


def pending_count(request: SubjectAccessRequest) -> int:
    """Items whose proposed decision the DPO has not yet confirmed or changed."""
    return sum(1 for i in request.items if i.decided_at is None)
