"""One agenda item per victim: referrals of the same person waiting for one meeting are heard
together, as one case.

Two referrals of one victim listed separately got a slot and minutes each, and the figures
counted two cases heard (and a repeat) for one person. So a referral whose victim already has
an item on the meeting *joins* that item: it is stored as a row of kind ``joined`` pointing at
the item (``AgendaItem.lead_id``). The latest referral leads the item (it carries the freshest
risk and the repeat flag the figures count); the others are shown with it, and all are marked
heard when the meeting closes. A joined row is on the agenda for every purpose that asks
"is this referral listed?" (the sharing engine, the builder's checks) but is no item of its
own: no slot, no position, not a case heard.

Same victim means the repeat rule's identity (``casework.referrals.repeat``): the blind index
matches and the decrypted, normalised name and date of birth agree, or a coordinator has
confirmed a possible match between the two referrals. A chair who finds two people joined
wrongly splits them (``casework.meetings.agenda.split_item``), audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select, update

from casework.meetings.models import AgendaItem, Meeting, Minute, ResearchNote
from casework.referrals.models import PossibleMatch, Referral
from casework.referrals.repeat import victim_keys, victim_of
from casework.services import Services


def _confirmed_match(svc: Services, a: Referral, b: Referral) -> bool:
    pair = or_(
        (PossibleMatch.referral_id == a.id) & (PossibleMatch.other_referral_id == b.id),
        (PossibleMatch.referral_id == b.id) & (PossibleMatch.other_referral_id == a.id),
    )
    stmt = select(PossibleMatch.id).where(pair, PossibleMatch.status == "confirmed").limit(1)
    return svc.session.scalar(stmt) is not None


def same_victim(svc: Services, a: Referral, b: Referral) -> bool:
    """The repeat rule's identity between two referrals (module docstring)."""
    if a.id == b.id:
        return True
    indexed = a.victim_ix is not None and a.victim_ix in victim_keys(victim_of(b))
    if indexed and victim_of(a).same_as(victim_of(b)):
        return True
    return _confirmed_match(svc, a, b)


def _leads(a: Referral, b: Referral) -> bool:
    """Whether ``a`` is the later referral of the two (by date, then when it was made)."""
    return (a.referral_date, a.created_at) > (b.referral_date, b.created_at)


def item_for_victim(svc: Services, meeting: Meeting, referral: Referral) -> AgendaItem | None:
    """The referral item on ``meeting`` about the same victim as ``referral``, if any."""
    stmt = select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id,
        AgendaItem.kind == "referral",
        AgendaItem.referral_id.is_not(None),
        AgendaItem.referral_id != referral.id,
    )
    for item in svc.session.scalars(stmt):
        lead = svc.session.get(Referral, item.referral_id)
        if lead is not None and same_victim(svc, lead, referral):
            return item
    return None


def _rekey(svc: Services, meeting_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> None:
    """What was recorded against the item's old lead at this meeting follows the item."""
    for model in (Minute, ResearchNote):
        svc.session.execute(
            update(model)
            .where(model.meeting_id == meeting_id, model.referral_id == old)
            .values(referral_id=new)
            .execution_options(synchronize_session="fetch")
        )


def join(svc: Services, item: AgendaItem, referral: Referral) -> AgendaItem:
    """Put ``referral`` on ``item`` (same victim). The later referral leads; the other
    becomes a joined row. Returns the item."""
    lead = svc.session.get(Referral, item.referral_id)
    follower = referral
    if lead is not None and _leads(referral, lead):
        follower = lead
        item.referral_id = referral.id
        item.case_repeat, item.case_children = referral.crit_repeat, referral.children_count
        svc.session.flush()
        _rekey(svc, item.meeting_id, lead.id, referral.id)
    svc.session.add(
        AgendaItem(
            meeting_id=item.meeting_id,
            position=0,
            kind="joined",
            referral_id=follower.id,
            lead_id=item.id,
        )
    )
    svc.session.flush()
    return item


def joined_rows(svc: Services, meeting_id: uuid.UUID) -> dict[uuid.UUID, list[AgendaItem]]:
    """Joined rows of a meeting by the item they are heard with, oldest first."""
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id, AgendaItem.kind == "joined")
        .order_by(AgendaItem.added_at)
    )
    out: dict[uuid.UUID, list[AgendaItem]] = {}
    for row in svc.session.scalars(stmt):
        if row.lead_id is not None:
            out.setdefault(row.lead_id, []).append(row)
    return out


def rows_of(svc: Services, item: AgendaItem) -> list[AgendaItem]:
    stmt = select(AgendaItem).where(AgendaItem.lead_id == item.id)
    return list(svc.session.scalars(stmt))


def joined_references(
    svc: Services, meeting_id: uuid.UUID
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """For the coordinator's builder: each item's joined referrals by reference and date
    (no personal values), with the row id the split button names."""
    rows = joined_rows(svc, meeting_id)
    ids = [r.referral_id for group in rows.values() for r in group if r.referral_id]
    found = {}
    if ids:
        stmt = select(Referral.id, Referral.reference, Referral.referral_date).where(
            Referral.id.in_(ids)
        )
        found = {rid: (ref, day) for rid, ref, day in svc.session.execute(stmt)}
    return {
        lead: [
            {
                "row_id": str(r.id),
                "referral_id": str(r.referral_id),
                "reference": found.get(r.referral_id, ("", None))[0],
                "referral_date": found.get(r.referral_id, ("", None))[1],
            }
            for r in group
        ]
        for lead, group in rows.items()
    }
