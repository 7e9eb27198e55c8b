"""Which records have reached the end of their retention period, and the review list kept of
them (``RetentionDue``): found each day by the scheduler, erased only by the DPO.

When a period starts (docs/retention.md):

* a MARAC referral: the later of its referral date and the day of the last meeting held
  that heard it (casework keeps no closing date: a case closes at or after its last hearing,
  and one never heard is counted from its referral date);
* a referral draft: the day it was last changed;
* a nominal (offender panels): the day they left their last cohort (one still in a cohort is
  never due; one never in a cohort counts from the day the record was made);
* an ASB case: the later of the day it was closed and its last incident (an open case is
  never due; a closed case with no closing date counts from its referral date).

A record under a legal hold, or already erased, is never due.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from casework.asb.models import AsbCase, AsbIncident
from casework.meetings.calendar import at_local, local_date
from casework.meetings.models import AgendaItem, Meeting
from casework.offenders.models import CohortMembership, Nominal
from casework.referrals.models import Referral, ReferralDraft
from casework.retention.models import LegalHold, RetentionDue
from casework.retention.policy import Policy

HELD_MEETINGS = ("held", "closed")
#: Record types the DPO can erase from the review list.
ERASABLE = ("marac_referral", "referral_draft", "nominal", "asb_case")


@dataclass(frozen=True)
class Due:
    record_type: str
    record_id: uuid.UUID
    due_on: date


def on_hold(record_type: Any, record_id: Any) -> ColumnElement[bool]:
    """SQL: a hold stands on this record."""
    return exists().where(
        LegalHold.record_type == record_type,
        LegalHold.record_id == record_id,
        LegalHold.lifted_at.is_(None),
    )


def _midnight_after(day: date) -> Any:
    return at_local(day + timedelta(days=1), time(0, 0))


def _last_hearing(referral_ids: Any = None) -> Any:
    stmt = (
        select(AgendaItem.referral_id, func.max(Meeting.starts_at).label("last"))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status.in_(HELD_MEETINGS), AgendaItem.referral_id.is_not(None))
        .group_by(AgendaItem.referral_id)
    )
    if referral_ids is not None:
        stmt = stmt.where(AgendaItem.referral_id.in_(referral_ids))
    return stmt


def due_referrals(
    session: Session, policy: Policy, today: date, only: list[uuid.UUID] | None = None
) -> list[Due]:
    period = policy.period("marac_referral")
    cutoff = period.before(today)
    heard_since = exists(
        select(AgendaItem.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.referral_id == Referral.id,
            Meeting.status.in_(HELD_MEETINGS),
            Meeting.starts_at >= _midnight_after(cutoff),
        )
    )
    stmt = select(Referral.id, Referral.referral_date).where(
        Referral.erased.is_(False),
        Referral.referral_date <= cutoff,
        ~heard_since,
        ~on_hold("marac_referral", Referral.id),
    )
    if only is not None:
        stmt = stmt.where(Referral.id.in_(only))
    rows = session.execute(stmt).all()
    last = last_hearings(session, [r.id for r in rows])
    out = []
    for rid, referred in rows:
        heard = last.get(rid)
        start = max(referred, heard) if heard else referred
        out.append(Due("marac_referral", rid, period.after(start)))
    return out


def last_hearings(session: Session, referral_ids: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The day of the last meeting held that heard each referral (UK day)."""
    out: dict[uuid.UUID, date] = {}
    for chunk in range(0, len(referral_ids), 500):
        ids = referral_ids[chunk : chunk + 500]
        for rid, last in session.execute(_last_hearing(ids)):
            out[rid] = local_date(last)
    return out


def due_drafts(
    session: Session, policy: Policy, today: date, only: list[uuid.UUID] | None = None
) -> list[Due]:
    period = policy.period("referral_draft")
    stmt = select(ReferralDraft.id, ReferralDraft.updated_at).where(
        ReferralDraft.updated_at < _midnight_after(period.before(today)),
        ~on_hold("referral_draft", ReferralDraft.id),
    )
    if only is not None:
        stmt = stmt.where(ReferralDraft.id.in_(only))
    rows = session.execute(stmt).all()
    return [Due("referral_draft", rid, period.after(local_date(at))) for rid, at in rows]


def due_nominals(
    session: Session, policy: Policy, today: date, only: list[uuid.UUID] | None = None
) -> list[Due]:
    period = policy.period("nominal")
    cutoff = period.before(today)
    spells = CohortMembership
    last_exit = (
        select(func.max(spells.exit_date)).where(spells.nominal_id == Nominal.id).scalar_subquery()
    )
    in_cohort = exists().where(spells.nominal_id == Nominal.id, spells.exit_date.is_(None))
    stmt = select(Nominal.id, last_exit, Nominal.created_at).where(
        Nominal.erased.is_(False),
        ~in_cohort,
        or_(
            last_exit <= cutoff,
            and_(last_exit.is_(None), Nominal.created_at < _midnight_after(cutoff)),
        ),
        ~on_hold("nominal", Nominal.id),
    )
    if only is not None:
        stmt = stmt.where(Nominal.id.in_(only))
    return [
        Due("nominal", nid, period.after(left if left is not None else local_date(made)))
        for nid, left, made in session.execute(stmt)
    ]


def due_asb_cases(
    session: Session, policy: Policy, today: date, only: list[uuid.UUID] | None = None
) -> list[Due]:
    period = policy.period("asb_case")
    cutoff = period.before(today)
    closed = func.coalesce(AsbCase.closed_on, AsbCase.referral_date)
    last_incident = (
        select(func.max(AsbIncident.occurred_on))
        .where(AsbIncident.case_id == AsbCase.id)
        .scalar_subquery()
    )
    stmt = select(AsbCase.id, closed, last_incident).where(
        AsbCase.erased.is_(False),
        AsbCase.status == "closed",
        closed <= cutoff,
        ~exists().where(AsbIncident.case_id == AsbCase.id, AsbIncident.occurred_on > cutoff),
        ~on_hold("asb_case", AsbCase.id),
    )
    if only is not None:
        stmt = stmt.where(AsbCase.id.in_(only))
    return [
        Due("asb_case", cid, period.after(max(shut, last) if last else shut))
        for cid, shut, last in session.execute(stmt)
    ]


FINDERS = {
    "marac_referral": due_referrals,
    "referral_draft": due_drafts,
    "nominal": due_nominals,
    "asb_case": due_asb_cases,
}


def due_records(session: Session, policy: Policy, today: date) -> list[Due]:
    return [due for finder in FINDERS.values() for due in finder(session, policy, today)]


def still_due(session: Session, policy: Policy, today: date, item: RetentionDue) -> bool:
    """Checked again at erasure: a hold placed, a hearing added, a draft changed, a nominal
    back in a cohort or an ASB case reopened since the list was made takes it off the list."""
    finder = FINDERS.get(item.record_type)
    return finder is not None and bool(finder(session, policy, today, [item.record_id]))


def refresh(session: Session, policy: Policy, today: date) -> tuple[int, int]:
    """Bring the review list up to date: add what fell due, drop what no longer is (held,
    erased, heard again, a draft changed). Returns (added, dropped)."""
    found = {(d.record_type, d.record_id): d for d in due_records(session, policy, today)}
    listed = {(r.record_type, r.record_id): r for r in session.scalars(select(RetentionDue))}
    gone = [r.id for key, r in listed.items() if key not in found]
    if gone:
        session.execute(delete(RetentionDue).where(RetentionDue.id.in_(gone)))
    added = 0
    for key, due in found.items():
        row = listed.get(key)
        if row is None:
            session.add(RetentionDue(**_fields(due), listed_on=today))
            added += 1
        elif row.due_on != due.due_on:
            row.due_on = due.due_on
    session.flush()
    return added, len(gone)


def _fields(due: Due) -> dict[str, Any]:
    return {"record_type": due.record_type, "record_id": due.record_id, "due_on": due.due_on}


def not_held() -> ColumnElement[bool]:
    """SQL: a review list row whose record no hold stands on (a hold placed since the job
    listed it takes it off at once)."""
    return ~on_hold(RetentionDue.record_type, RetentionDue.record_id)
