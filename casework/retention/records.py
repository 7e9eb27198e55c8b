"""How the DPO's pages name the records of the review list and the holds: by a reference,
a panel, dates and a status, never a person's name or any case detail (no sharing protocol
grants ``dpo`` a case field, and these read plain columns only).

A nominal has no reference of its own: it is named by its record id, the one its page's
address shows, which staff can pass to the DPO without naming the person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.agencies.models import Agency
from casework.asb.models import AsbCase
from casework.db import as_uuid
from casework.offenders.models import CohortMembership, Nominal
from casework.panels.models import Panel
from casework.referrals.models import Referral, ReferralDraft
from casework.retention.models import LegalHold, RetentionDue


@dataclass
class Item:
    """A row of the review list, as the DPO sees it (no person's name or details)."""

    id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    due_on: date
    listed_on: date
    reference: str | None = None
    panel: str | None = None
    agency: str | None = None
    # The referral date (a referral, an ASB case), the last change (a draft), the day the
    # nominal left their last cohort.
    started: date | None = None
    status: str | None = None


@dataclass
class Hold:
    id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    reference: str | None
    reason: str | None
    placed_at: datetime


def _cases(session: Session, model: type, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Referrals or ASB cases as the review names them: reference, referral date, status and
    panel (both models carry the same columns)."""
    stmt = (
        select(
            model.id,
            model.reference,
            model.referral_date.label("started"),
            model.status,
            Panel.name.label("panel"),
        )
        .join(Panel, Panel.id == model.panel_id)
        .where(model.id.in_(ids))
    )
    return {r.id: r for r in session.execute(stmt)}


def _nominals(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple]:
    """Each nominal's last cohort spell: its panel and the day it ended."""
    spells = session.execute(
        select(CohortMembership.nominal_id, CohortMembership.exit_date, Panel.name)
        .join(Panel, Panel.id == CohortMembership.panel_id)
        .where(CohortMembership.nominal_id.in_(ids))
        .order_by(CohortMembership.entry_date)
    )
    last: dict[uuid.UUID, tuple] = {nid: (None, None) for nid in ids}
    for nid, left, panel in spells:
        last[nid] = (panel, left)
    known = set(session.scalars(select(Nominal.id).where(Nominal.id.in_(ids))))
    return {nid: spell for nid, spell in last.items() if nid in known}


def _drafts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    stmt = (
        select(
            ReferralDraft.id,
            ReferralDraft.updated_at,
            Panel.name.label("panel"),
            Agency.code.label("agency"),
        )
        .join(Panel, Panel.id == ReferralDraft.panel_id)
        .join(Agency, Agency.id == ReferralDraft.agency_id)
        .where(ReferralDraft.id.in_(ids))
    )
    return {d.id: d for d in session.execute(stmt)}


def describe(session: Session, rows: list[RetentionDue]) -> list[Item]:
    """The review list's rows as the DPO sees them; a record gone since the list was made
    (a draft submitted) is left out: there is nothing to erase."""

    def ids(kind: str) -> list[uuid.UUID]:
        return [r.record_id for r in rows if r.record_type == kind]

    cases = {
        **_cases(session, Referral, ids("marac_referral")),
        **_cases(session, AsbCase, ids("asb_case")),
    }
    drafts = _drafts(session, ids("referral_draft"))
    nominals = _nominals(session, ids("nominal"))
    items = []
    for row in rows:
        item = Item(row.id, row.record_type, row.record_id, row.due_on, row.listed_on)
        if (case := cases.get(row.record_id)) is not None:
            item.reference, item.panel = case.reference, case.panel
            item.started, item.status = case.started, case.status
        elif (draft := drafts.get(row.record_id)) is not None:
            item.panel, item.agency = draft.panel, draft.agency
            item.started = draft.updated_at.date()
        elif (spell := nominals.get(row.record_id)) is not None:
            item.panel, item.started = spell
        else:
            continue
        items.append(item)
    return items


def reference_of(session: Session, record_type: str, record_id: uuid.UUID) -> str | None:
    """How a record is named on the pages and in the audit log (never a person's name)."""
    if record_type == "marac_referral":
        return session.scalar(select(Referral.reference).where(Referral.id == record_id))
    if record_type == "asb_case":
        return session.scalar(select(AsbCase.reference).where(AsbCase.id == record_id))
    if record_type == "nominal":
        return f"Nominal {record_id}"
    return None


def find_record(session: Session, reference: str) -> tuple[str, uuid.UUID, str] | None:
    """The record a hold names: a referral's or an ASB case's reference (any case), or a
    nominal's record id. Erased records are not found: there is nothing left to hold."""
    wanted = reference.upper()
    for record_type, model in (("marac_referral", Referral), ("asb_case", AsbCase)):
        found = session.execute(
            select(model.id, model.reference).where(
                func.upper(model.reference) == wanted, model.erased.is_(False)
            )
        ).first()
        if found is not None:
            return record_type, found[0], found[1]
    nominal_id = as_uuid(reference)
    if nominal_id is not None and session.scalar(
        select(Nominal.id).where(Nominal.id == nominal_id, Nominal.erased.is_(False))
    ):
        return "nominal", nominal_id, f"Nominal {nominal_id}"
    return None


def standing_holds(session: Session) -> list[Hold]:
    rows = list(
        session.scalars(
            select(LegalHold)
            .where(LegalHold.lifted_at.is_(None))
            .order_by(LegalHold.placed_at.desc())
        )
    )
    return [
        Hold(
            h.id,
            h.record_type,
            h.record_id,
            reference_of(session, h.record_type, h.record_id),
            h.reason,
            h.placed_at,
        )
        for h in rows
    ]
