"""The data protection officer's retention work: the review list, legal holds, erasure.

Only ``dpo`` may do any of it, and for every other role each of these answers 404, as for a
page that does not exist (the retention pages reveal which cases are old and which are held).
The DPO sees no case values here: a referral is shown by its reference, panel, dates and
status, never a name, and no sharing protocol grants the role a case field. Every step is
audited in its own transaction; an erasure's entry says who, when, which reference and record
type, and how many rows of each kind went, never a value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import delete, func, select

from casework import clock
from casework.actors import Actor
from casework.audit import log as audit
from casework.audit.models import AuditEntry
from casework.authz import action, mark_checked
from casework.db import as_uuid, utcnow
from casework.errors import Invalid, NotVisible
from casework.meetings.calendar import at_local
from casework.retention import due as due_list
from casework.retention.erase import erase_draft, erase_referral, overwrite_freed_space
from casework.retention.erase_cases import erase_asb_case, erase_nominal
from casework.retention.models import Erasure, LegalHold, RetentionDue
from casework.retention.policy import RECORD_TYPES, Policy, policy_for
from casework.retention.records import (
    Hold,
    Item,
    describe,
    find_record,
    reference_of,
    standing_holds,
)
from casework.retention.schemas import EraseIn, HoldIn
from casework.schemas import load
from casework.services import Services

ERASERS = {
    "marac_referral": erase_referral,
    "referral_draft": erase_draft,
    "nominal": erase_nominal,
    "asb_case": erase_asb_case,
}
AUDITED_AS = {
    "marac_referral": "referral",
    "referral_draft": "referral_draft",
    "nominal": "nominal",
    "asb_case": "asb_case",
}


NOT_FOUND = "No referral, ASB case or nominal has this reference"


def dpo_only(actor: Actor) -> None:
    """Every other role gets 404: these pages do not exist for them."""
    if not actor.has_any("dpo"):
        raise NotVisible()
    mark_checked()


@dataclass
class Review:
    items: list[Item]
    holds: list[Hold]
    erasures: list[Erasure]
    periods: dict[str, str]
    audit_past_period: int
    today: date
    labels: dict[str, str] = field(default_factory=lambda: dict(RECORD_TYPES))


def _policy(svc: Services) -> Policy:
    return policy_for(svc.settings)


@action
def review(svc: Services, actor: Actor) -> Review:
    """The review list (held records left out), the holds standing, recent erasures."""
    dpo_only(actor)
    policy, today = _policy(svc), clock.today()
    rows = list(
        svc.session.scalars(
            select(RetentionDue)
            .where(due_list.not_held())
            .order_by(RetentionDue.due_on, RetentionDue.record_type, RetentionDue.record_id)
        )
    )
    items = describe(svc.session, rows)
    holds = standing_holds(svc.session)
    erasures = list(
        svc.session.scalars(select(Erasure).order_by(Erasure.erased_at.desc()).limit(20))
    )
    audit_before = at_local(policy.period("audit_log").before(today), time(0, 0))
    old_entries = svc.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.at < audit_before)
    )
    audit.record(svc.session, actor, "list", "retention_review", fields=["due", "holds"])
    return Review(
        items=items,
        holds=holds,
        erasures=erasures,
        periods={name: p.words() for name, p in policy.periods.items()},
        audit_past_period=int(old_entries or 0),
        today=today,
    )


@action
def place_hold(svc: Services, actor: Actor, data: Any) -> LegalHold:
    """Put a record beyond erasure, found by its reference (a referral's or an ASB case's, a
    nominal's record id), with the reason."""
    dpo_only(actor)
    values = load(HoldIn(), data)
    found = find_record(svc.session, values["reference"])
    if found is None:
        raise Invalid({"reference": [NOT_FOUND]})
    record_type, record_id, reference = found
    held = svc.session.scalar(
        select(LegalHold.id)
        .where(
            LegalHold.record_type == record_type,
            LegalHold.record_id == record_id,
            LegalHold.lifted_at.is_(None),
        )
        .limit(1)
    )
    if held is not None:
        raise Invalid({"reference": ["This record is already on hold"]})
    hold = LegalHold(
        record_type=record_type,
        record_id=record_id,
        reason=values["reason"],
        placed_by_id=actor.user_id,
    )
    svc.session.add(hold)
    svc.session.flush()
    audit.record(
        svc.session,
        actor,
        "update",
        AUDITED_AS[record_type],
        record_id,
        ["legal_hold"],
        purpose=f"legal hold placed on {reference}",
    )
    return hold


@action
def lift_hold(svc: Services, actor: Actor, hold_id: Any) -> None:
    dpo_only(actor)
    hold = svc.session.get(LegalHold, as_uuid(hold_id)) if as_uuid(hold_id) else None
    if hold is None or hold.lifted_at is not None:
        raise NotVisible()
    hold.lifted_at, hold.lifted_by_id = utcnow(), actor.user_id
    reference = reference_of(svc.session, hold.record_type, hold.record_id)
    audit.record(
        svc.session,
        actor,
        "update",
        AUDITED_AS.get(hold.record_type, hold.record_type),
        hold.record_id,
        ["legal_hold"],
        purpose=f"legal hold lifted from {reference or 'a record'}",
    )


@action
def erase(svc: Services, actor: Actor, data: Any) -> list[Erasure]:
    """Erase the chosen records of the review list, all or none: each is checked again
    (still due, not held) before anything is changed."""
    dpo_only(actor)
    values = load(EraseIn(), data)
    policy, today = _policy(svc), clock.today()
    chosen = list(
        svc.session.scalars(select(RetentionDue).where(RetentionDue.id.in_(values["records"])))
    )
    if len(chosen) != len(set(values["records"])):
        raise Invalid({"records": ["Some chosen records are no longer on the list"]})
    if not all(due_list.still_due(svc.session, policy, today, item) for item in chosen):
        raise Invalid({"records": ["Some chosen records are on hold or no longer due"]})
    overwrite_freed_space(svc.session)
    batch = uuid.uuid4()
    done = []
    for listed_id, record_type, record_id in [(i.id, i.record_type, i.record_id) for i in chosen]:
        reference = reference_of(svc.session, record_type, record_id)
        counts = ERASERS[record_type](svc.session, record_id)
        svc.session.execute(delete(RetentionDue).where(RetentionDue.id == listed_id))
        erasure = Erasure(
            record_type=record_type,
            record_id=record_id,
            reference=reference if record_type != "nominal" else None,
            batch_id=batch,
            erased_by_id=actor.user_id,
            counts=counts,
            reason=values["reason"],
        )
        svc.session.add(erasure)
        audit.record(
            svc.session,
            actor,
            "erase",
            AUDITED_AS[record_type],
            record_id,
            [f"{name}: {n}" for name, n in counts.items()],
            purpose=f"retention erasure of {reference or 'a draft'}, batch {str(batch)[:8]}",
        )
        done.append(erasure)
    svc.session.flush()
    svc.session.info["retention_checkpoint"] = True
    return done


def refresh_review_list(svc: Services, today: date) -> tuple[int, int]:
    """The scheduler's daily job (``casework.scheduler.jobs``): no actor, no erasure."""
    return due_list.refresh(svc.session, _policy(svc), today)
