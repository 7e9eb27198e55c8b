"""Reading the audit log: the data protection officer only, and every reading is itself logged.

The log says who touched which record, so it is personal data in its own right. Only ``dpo``
may search or download it. Each search or download writes its own entry naming the filters
used, never the values typed (a user filter is someone's e-mail address).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select

from casework.actors import Actor
from casework.audit import log as audit
from casework.audit.models import AuditEntry
from casework.audit.references import ids_for_reference
from casework.audit.schemas import AuditFilters
from casework.authz import action, require_role
from casework.clock import UK
from casework.db import utcnow
from casework.schemas import load
from casework.services import Services

PAGE_SIZE = 50
EXPORT_CHUNK = 500
NEWEST_FIRST = (AuditEntry.at.desc(), AuditEntry.id.desc())
EXPORT_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor_email,
    AuditEntry.actor_user_id,
    AuditEntry.agency_code,
    AuditEntry.roles,
    AuditEntry.action,
    AuditEntry.record_type,
    AuditEntry.record_id,
    AuditEntry.fields,
    AuditEntry.recipient_agency,
    AuditEntry.purpose,
    AuditEntry.via,
    AuditEntry.seq,
)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
    as_of: datetime

    @property
    def first(self) -> int:
        """The position of this page's first entry in the whole result, counting from 1."""
        return (self.page - 1) * PAGE_SIZE + 1


def _midnight(day: date) -> datetime:
    """The start of a UK day (people search by the days they live in, GMT or BST)."""
    return datetime.combine(day, time.min, tzinfo=UK).astimezone(UTC)


def _user_condition(value: str) -> ColumnElement[bool]:
    """A user id when the text is one; otherwise the e-mail address, ignoring case."""
    try:
        return AuditEntry.actor_user_id == uuid.UUID(value)
    except ValueError:
        return func.lower(AuditEntry.actor_email) == value.lower()


def _record_condition(svc: Services, value: str) -> ColumnElement[bool]:
    """The record with this id, or the case people know by this reference (``M26-K7QX2D``)."""
    return AuditEntry.record_id.in_([value, *ids_for_reference(svc.session, value)])


def _conditions(
    svc: Services, values: Mapping[str, Any], as_of: datetime
) -> list[ColumnElement[bool]]:
    where = [AuditEntry.at <= as_of]
    if "record" in values:
        where.append(_record_condition(svc, values["record"]))
    if "user" in values:
        where.append(_user_condition(values["user"]))
    if "agency" in values:
        where.append(AuditEntry.agency_code == values["agency"])
    if "action" in values:
        where.append(AuditEntry.action == values["action"])
    if "date_from" in values:
        where.append(AuditEntry.at >= _midnight(values["date_from"]))
    if "date_to" in values:  # inclusive: everything before the next midnight
        where.append(AuditEntry.at < _midnight(values["date_to"] + timedelta(days=1)))
    return where


def _as_of(values: Mapping[str, Any]) -> datetime:
    """Never in the future, so the search's own entry (written next) stays out of it."""
    now = utcnow()
    return min(values.get("as_of") or now, now)


def _filter_names(values: Mapping[str, Any]) -> list[str]:
    return sorted(name for name in values if name != "as_of")


@action
def search_audit(
    svc: Services, actor: Actor, filters: Mapping[str, Any], page: int = 1
) -> AuditPage:
    """One page of matching entries, newest first. A page past the end shows the last."""
    require_role(actor, "dpo")
    values = load(AuditFilters(), filters)
    as_of = _as_of(values)
    where = _conditions(svc, values, as_of)
    total = svc.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    entries = svc.session.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(*NEWEST_FIRST)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    # Written after reading, and later than as_of, so it never shows in this search's pages.
    audit.record(svc.session, actor, "list", "audit_log", fields=_filter_names(values))
    return AuditPage(list(entries), total, page, pages, as_of)


@action
def export_audit(svc: Services, actor: Actor, filters: Mapping[str, Any]) -> Iterator[Row]:
    """Every matching entry, newest first, read a chunk at a time as the caller iterates.

    Access is checked and the export recorded here, before any row is read: the rows are
    read lazily while the download streams, after this function has returned.
    """
    require_role(actor, "dpo")
    values = load(AuditFilters(), filters)
    where = _conditions(svc, values, _as_of(values))
    audit.record(svc.session, actor, "export", "audit_log", fields=_filter_names(values))
    return _rows(svc, where)


def _rows(svc: Services, where: list[ColumnElement[bool]]) -> Iterator[Row]:
    """Keyset pages on (at, id): each chunk is a cheap indexed query however deep the log."""
    after: Row | None = None
    while True:
        query = select(*EXPORT_COLUMNS).where(*where)
        if after is not None:
            query = query.where(
                or_(
                    AuditEntry.at < after.at,
                    and_(AuditEntry.at == after.at, AuditEntry.id < after.id),
                )
            )
        rows = svc.session.execute(query.order_by(*NEWEST_FIRST).limit(EXPORT_CHUNK)).all()
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        after = rows[-1]
